"""Sparse representation-based classification, SRC (Wright, Yang, Ganesh, Sastry & Ma, PAMI 2009).

The training vectors, each scaled to unit L2 norm, are the columns of a dictionary A (n_features,
n_train). A test vector y (also scaled to unit norm, so that one λ suits every test vector) is coded
over the whole dictionary by L1-regularised least squares (the Lagrangian form of Wright et al.'s
stable L1 minimisation, min ||x||_1 subject to ||y - A x||_2 <= ε),

    x̂ = argmin_x  F(x) = ½ ||y - A x||² + λ ||x||_1,

and is given the class whose own coefficients reconstruct it best (Wright et al., Algorithm 1):

    r_c(y) = ||y - A δ_c(x̂)||_2,    class(y) = argmin_c r_c(y),

where δ_c(x̂) keeps the entries of x̂ that belong to class c and zeroes the rest.

The LASSO is solved by FISTA (Beck & Teboulle 2009, Section 4, constant step size): with
g(x) = ½ ||y - A x||², ∇g(x) = Aᵀ(A x - y) = AᵀA x - Aᵀy, L the largest eigenvalue of AᵀA (the
Lipschitz constant of ∇g) and the soft threshold S_τ(v) = sign(v) max(|v| - τ, 0),

    x_k     = S_{λ/L}( z_k - ∇g(z_k) / L )
    t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2
    z_{k+1} = x_k + ((t_k - 1) / t_{k+1}) (x_k - x_{k-1}),        z_1 = x_0 = 0, t_1 = 1

(their eqs. 4.1-4.3; their extrapolated point y_k is z_k here, since y is the test vector),

which reaches F(x_k) - F(x̂) <= 2 L ||x_0 - x̂||² / (k + 1)² (their Theorem 4.4). A batch of test
vectors is coded at once (the columns of Y and X), so each iteration is one product with the
precomputed Gram matrix AᵀA. Stopping rule: iterate until every column's relative change
||x_k - x_{k-1}||_2 / max(||x_{k-1}||_2, 1e-12) is below ``tol``, or ``max_iter`` iterations.

Optimality check (used by the tests): x̂ is a minimiser of F if and only if 0 ∈ ∂F(x̂), that is
Aᵀ(y - A x̂)_j = λ sign(x̂_j) where x̂_j ≠ 0 and |Aᵀ(y - A x̂)_j| <= λ where x̂_j = 0.

References
----------
J. Wright, A. Y. Yang, A. Ganesh, S. S. Sastry, Y. Ma, "Robust face recognition via sparse
representation", IEEE PAMI 31(2), 2009.
A. Beck, M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for linear inverse
problems", SIAM J. Imaging Sciences 2(1), 2009.
"""

import warnings

import numpy as np
import scipy.linalg

from dbnfer.baselines.base import Classifier, unit_rows
from dbnfer.progress import report
from dbnfer.validation import check_matrix, check_Xy


def soft_threshold(V, tau):
    """S_τ(v) = sign(v) max(|v| - τ, 0), the proximal operator of τ ||·||_1, elementwise."""
    return np.sign(V) * np.maximum(np.abs(V) - tau, 0.0)


def fista_lasso(A, Y, lam, tol=1e-4, max_iter=10_000, verbose=False):
    """Solve min_x ½ ||y - A x||² + λ ||x||_1 for every column y of Y by FISTA.

    Parameters
    ----------
    A : ndarray, (n_features, n_atoms)
        Dictionary.
    Y : ndarray, (n_features, n_signals)
        Signals to code, one per column.
    lam : float
        Weight λ >= 0 of the L1 penalty.
    tol : float
        Stop when every column's relative change ||x_k - x_{k-1}|| / ||x_{k-1}|| is below it.
    max_iter : int
        Cap on the iterations.
    verbose : bool
        Report the iterations used.

    Returns
    -------
    X : ndarray, (n_atoms, n_signals)
        The codes, one column per signal.
    n_iter : int
        Iterations run.

    Warns
    -----
    RuntimeWarning
        If `max_iter` iterations end before the tolerance is met.

    References
    ----------
    Beck & Teboulle (2009), FISTA with constant step size 1/L.

    Examples
    --------
    >>> import numpy as np
    >>> X, _ = fista_lasso(np.eye(3), np.array([[2.0], [0.5], [-3.0]]), lam=1.0)
    >>> np.round(X.ravel(), 6)
    array([ 1.,  0., -2.])
    """
    A = np.asarray(A, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    gram = A.T @ A  # (n_atoms, n_atoms)
    AtY = A.T @ Y  # (n_atoms, n_signals)
    n_atoms = gram.shape[0]
    # Lipschitz constant of ∇g: the largest eigenvalue of AᵀA
    L = scipy.linalg.eigvalsh(gram, subset_by_index=[n_atoms - 1, n_atoms - 1])[0]
    if L <= 0:  # A = 0: x = 0 is the solution
        return np.zeros_like(AtY), 0
    X_prev = np.zeros_like(AtY)
    Z = X_prev
    t = 1.0
    for n_iter in range(1, max_iter + 1):
        X = soft_threshold(Z - (gram @ Z - AtY) / L, lam / L)  # Beck & Teboulle eq. 4.1 (p_L)
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0  # eq. 4.2
        Z = X + ((t - 1.0) / t_next) * (X - X_prev)  # eq. 4.3
        change = np.linalg.norm(X - X_prev, axis=0) / np.maximum(np.linalg.norm(X_prev, axis=0), 1e-12)
        X_prev, t = X, t_next
        if np.all(change < tol):
            break
    else:
        warnings.warn(f"FISTA stopped after max_iter={max_iter} iterations with relative change "
                      f"{change.max():.1e} > tol={tol}", RuntimeWarning, stacklevel=2)
    report(f"FISTA: {n_iter} iterations for {Y.shape[1]} signals", verbose)
    return X, n_iter


class SparseRepresentation(Classifier):
    """Sparse representation-based classifier (SRC) with an L1-regularised least-squares code.

    Parameters
    ----------
    lam : float
        Weight λ of the L1 penalty; test and training vectors have unit norm, so λ is relative to 1.
    tol : float
        FISTA stopping tolerance on the relative change of the code.
    max_iter : int
        Cap on FISTA iterations. Unit-norm face vectors are strongly correlated, so AᵀA is badly
        conditioned and FISTA needs a few thousand iterations to reach tol = 1e-4 on face data.
    batch_size : int
        Test vectors coded together (memory: n_train x batch_size floats per iterate).
    random_state : None, int or numpy.random.Generator
        Unused (the method is deterministic); accepted for the common estimator interface.
    verbose : bool
        Report FISTA iterations per batch.

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
    A_ : ndarray, (n_features, n_train)
        The dictionary: unit-norm training vectors as columns.
    atom_class_ : ndarray, (n_train,)
        Index into ``classes_`` of each column of ``A_``.

    References
    ----------
    Wright et al. (2009), Algorithm 1.
    """

    def __init__(self, lam=1e-3, tol=1e-4, max_iter=10_000, batch_size=256, random_state=None,
                 verbose=False):
        if lam < 0:
            raise ValueError(f"lam must be non-negative, not {lam}")
        self.lam = lam
        self.tol = tol
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Build the dictionary of unit-norm training vectors.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Training vectors; scaled to unit norm, they are the columns (atoms) of A.
        y : array_like, (n_samples,)
            Their labels, which split the code x̂ into the parts δ_c(x̂).

        Returns
        -------
        self : SparseRepresentation
        """
        X, y = check_Xy(X, y)
        self.atom_class_ = self._encode_labels(y)
        self.A_ = unit_rows(X).T
        return self

    def code(self, X):
        """Sparse codes x̂ of the rows of X over the dictionary, (n_train, n_samples)."""
        Y = self._signals(X)
        codes = [fista_lasso(self.A_, Y[:, start:start + self.batch_size], self.lam, self.tol,
                             self.max_iter, self.verbose)[0]
                 for start in range(0, Y.shape[1], self.batch_size)]
        return np.hstack(codes)

    def residuals(self, X):
        """Class-wise residuals r_c(y) = ||y - A δ_c(x̂)||, (n_samples, n_classes)."""
        Y = self._signals(X)
        codes = self.code(X)
        return np.stack([np.linalg.norm(Y - self.A_[:, self.atom_class_ == c] @ codes[self.atom_class_ == c],
                                        axis=0)
                         for c in range(len(self.classes_))], axis=1)

    def predict(self, X):
        """The class with the smallest residual for every row of X."""
        return self.classes_[np.argmin(self.residuals(X), axis=1)]

    def _signals(self, X):
        """The rows of X scaled to unit norm, as columns y, (n_features, n_samples)."""
        return unit_rows(check_matrix(X, n_features=self.A_.shape[0])).T
