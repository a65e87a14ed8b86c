"""k-nearest-neighbour classification (Cover & Hart, 1967).

With N_k(x) the k training vectors t_i closest to the test vector x, x gets the label most of them carry,

    class(x) = argmax_c  #{ t_i in N_k(x) : y_i = c },

and a tie between classes goes to the tied class whose member is nearest. For k = 1 this is the
nearest neighbour rule, whose error is at most twice the Bayes error as the training set grows (Cover &
Hart's theorem). Distances are computed for a whole block of test vectors at once through the expansion

    ||x - t||^2 = ||x||^2 - 2 x·t + ||t||^2,

so the work is one matrix product (X_test @ X_train^T) instead of a loop over pairs. The cosine
distance 1 - x·t / (||x|| ||t||) is the same product on unit-normalised vectors.
"""

import numpy as np

from dbnfer.baselines.base import Classifier, count_votes, unit_rows
from dbnfer.validation import check_matrix, check_Xy


class NearestNeighbour(Classifier):
    """k-nearest-neighbour classifier with Euclidean or cosine distance.

    Parameters
    ----------
    k : int
        Number of neighbours that vote; a tie between classes goes to the tied class whose member is
        nearest.
    metric : {"euclidean", "cosine"}
        Distance between vectors.
    block_size : int
        Test vectors handled per matrix product, bounding memory to block_size x n_train floats.
    random_state : None, int or numpy.random.Generator
        Unused (the method is deterministic); accepted for the common estimator interface.
    verbose : bool
        Unused (there is no training); accepted for the common estimator interface.

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
        The distinct training labels, sorted.
    X_ : ndarray, (n_train, n_features)
        The training vectors (unit-normalised for the cosine metric), float64.
    y_ : ndarray, (n_train,)
        Index into ``classes_`` of each training vector.

    References
    ----------
    T. Cover, P. Hart, "Nearest neighbor pattern classification", IEEE Trans. Information Theory
    13(1), 1967.
    """

    def __init__(self, k=1, metric="euclidean", block_size=1024, random_state=None, verbose=False):
        if metric not in ("euclidean", "cosine"):
            raise ValueError(f"metric must be 'euclidean' or 'cosine', not {metric!r}")
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        self.k = k
        self.metric = metric
        self.block_size = block_size
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Store the training vectors (nearest neighbour has no other training).

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Training vectors t_i (unit-normalised here for the cosine metric).
        y : array_like, (n_samples,)
            Their labels y_i, which the neighbours vote with.

        Returns
        -------
        self : NearestNeighbour
        """
        X, y = check_Xy(X, y)
        self.y_ = self._encode_labels(y)
        self.X_ = self._normalise(X)
        self.sq_norms_ = np.einsum("ij,ij->i", X, X)  # ||t||^2 for every training vector
        return self

    def _normalise(self, X):
        """Unit-norm rows for the cosine metric, whose distance is then 1 - x·t."""
        return unit_rows(X) if self.metric == "cosine" else X

    def kneighbors(self, X):
        """Distances and indices of the k nearest training vectors, nearest first.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)

        Returns
        -------
        distances : ndarray, (n_samples, k)
            Euclidean distance, or cosine distance 1 - cos(x, t).
        indices : ndarray, (n_samples, k)
            Row numbers in the training matrix.
        """
        X = self._normalise(check_matrix(X, n_features=self.X_.shape[1]))
        k = min(self.k, len(self.X_))
        distances = np.empty((len(X), k))
        indices = np.empty((len(X), k), dtype=np.intp)
        for start in range(0, len(X), self.block_size):
            block = X[start:start + self.block_size]
            gram = block @ self.X_.T  # (block, n_train)
            if self.metric == "cosine":
                d = 1.0 - gram
            else:
                d = np.einsum("ij,ij->i", block, block)[:, None] - 2.0 * gram + self.sq_norms_
                np.maximum(d, 0.0, out=d)  # rounding can make ||x - t||^2 slightly negative
            nearest = np.argpartition(d, k - 1, axis=1)[:, :k] if k < d.shape[1] else \
                np.tile(np.arange(d.shape[1]), (len(d), 1))
            rows = np.arange(len(d))[:, None]
            order = np.argsort(d[rows, nearest], axis=1, kind="stable")
            nearest = nearest[rows, order]
            indices[start:start + len(block)] = nearest
            distances[start:start + len(block)] = d[rows, nearest]
        if self.metric == "euclidean":
            distances = np.sqrt(distances)
        return distances, indices

    def predict(self, X):
        """Majority vote of the k nearest training labels."""
        _, indices = self.kneighbors(X)
        votes = self.y_[indices]  # (n_samples, k), nearest first
        counts = count_votes(votes, len(self.classes_))
        best = counts.max(axis=1, keepdims=True)
        # among the classes with the most votes, the one whose member is nearest wins
        tied = counts[np.arange(len(votes))[:, None], votes] == best
        winner = votes[np.arange(len(votes)), np.argmax(tied, axis=1)]
        return self.classes_[winner]
