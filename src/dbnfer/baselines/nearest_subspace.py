"""Nearest-subspace classification (Lee, Ho & Kriegman, PAMI 2005).

Each class c is modelled by the linear subspace spanned by its training vectors. With the class's
training vectors as the columns of A_c (n_features, n_c) and its thin SVD A_c = U S Vᵀ, the first r
left singular vectors U_c = U[:, :r] are an orthonormal basis of the best rank-r subspace (Eckart-
Young). A test vector x is projected on every class subspace and gets the class whose projection
is closest:

    r_c(x) = ||x - U_c U_cᵀ x||_2,        class(x) = argmin_c r_c(x).

The residuals of a whole batch for one class are two matrix products, (X U_c) U_cᵀ. (The shortcut
||x||² - ||U_cᵀ x||², Pythagoras, is cheaper but loses half the digits to cancellation when x lies
almost in the subspace, which is exactly when the residual matters.) With r = n_c (every training
vector kept) this is the linear regression classifier of Naseem, Togneri & Bennamoun (PAMI 2010).
"""

import numpy as np

from dbnfer.baselines.base import Classifier
from dbnfer.validation import check_matrix, check_Xy


class NearestSubspace(Classifier):
    """Classify by the smallest residual to per-class linear subspaces.

    Parameters
    ----------
    n_components : int or None
        Dimension r of each class subspace. None keeps the rank of the class's training matrix
        (every direction its vectors span); an int larger than a class's rank is cut to that rank.
    random_state : None, int or numpy.random.Generator
        Unused (the method is deterministic); accepted for the common estimator interface.
    verbose : bool
        Unused (fitting is one SVD per class); accepted for the common estimator interface.

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
        The distinct training labels, sorted.
    bases_ : list of ndarray, each (n_features, r_c)
        Orthonormal basis U_c of class c's subspace, in the order of ``classes_``.

    References
    ----------
    K.-C. Lee, J. Ho, D. Kriegman, "Acquiring linear subspaces for face recognition under variable
    lighting", IEEE PAMI 27(5), 2005.
    I. Naseem, R. Togneri, M. Bennamoun, "Linear regression for face recognition", IEEE PAMI 32(11),
    2010.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 0, 0], [2, 0, 0], [0, 1, 1], [0, 2, 2]], dtype=np.float32)
    >>> NearestSubspace(n_components=1).fit(X, [0, 0, 1, 1]).predict([[3, 0.1, 0]])
    array([0])
    """

    def __init__(self, n_components=None, random_state=None, verbose=False):
        if n_components is not None and n_components < 1:
            raise ValueError(f"n_components must be None or at least 1, not {n_components}")
        self.n_components = n_components
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Compute an orthonormal basis of every class's training vectors.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Training vectors; those of class c are the columns of A_c.
        y : array_like, (n_samples,)
            Their labels c.

        Returns
        -------
        self : NearestSubspace
        """
        X, y = check_Xy(X, y)
        y_index = self._encode_labels(y)
        self.bases_ = [self._basis(X[y_index == k].T) for k in range(len(self.classes_))]
        return self

    def _basis(self, A_c):
        """First r left singular vectors of A_c (n_features, n_c), dropping null directions."""
        U, s, _ = np.linalg.svd(A_c, full_matrices=False)
        # numerical rank as in numpy.linalg.matrix_rank: directions with negligible singular value
        # are rounding noise, not part of the span
        rank = int(np.sum(s > s[0] * max(A_c.shape) * np.finfo(s.dtype).eps)) if s[0] > 0 else 0
        r = rank if self.n_components is None else min(self.n_components, rank)
        return U[:, :max(r, 1)]

    def residuals(self, X):
        """Distance of every vector to every class subspace, r_c(x) = ||x - U_c U_cᵀ x||.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)

        Returns
        -------
        ndarray, (n_samples, n_classes)
        """
        X = check_matrix(X, n_features=self.bases_[0].shape[0])
        return np.stack([np.linalg.norm(X - (X @ U_c) @ U_c.T, axis=1) for U_c in self.bases_], axis=1)

    def predict(self, X):
        """The class of the nearest subspace for every row of X."""
        return self.classes_[np.argmin(self.residuals(X), axis=1)]
