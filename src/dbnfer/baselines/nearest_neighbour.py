"""k-nearest-neighbour classification (Cover & Hart, 1967).

A test vector x gets the majority label of the k training vectors closest to it. Distances are
computed for a whole block of test vectors at once through the expansion

    ||x - t||^2 = ||x||^2 - 2 x·t + ||t||^2,

so the work is one matrix product (X_test @ X_train^T) instead of a loop over pairs. The cosine
distance 1 - x·t / (||x|| ||t||) is the same product on unit-normalised vectors.
"""

import numpy as np


class NearestNeighbour:
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
        y : array_like, (n_samples,)
            Integer labels.

        Returns
        -------
        self : NearestNeighbour
        """
        X = self._prepare(X)
        if np.shape(y) != (len(X),):
            raise ValueError(f"y must be ({len(X)},) to match X, got shape {np.shape(y)}")
        self.classes_, self.y_ = np.unique(np.asarray(y), return_inverse=True)
        self.X_ = X
        self.sq_norms_ = np.einsum("ij,ij->i", X, X)  # ||t||^2 for every training vector
        return self

    def _prepare(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be (n_samples, n_features), got shape {X.shape}")
        if self.metric == "cosine":
            norms = np.linalg.norm(X, axis=1, keepdims=True)
            X = X / np.maximum(norms, np.finfo(X.dtype).tiny)
        return X

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
        X = self._prepare(X)
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
        counts = np.zeros((len(votes), len(self.classes_)), dtype=np.int64)
        np.add.at(counts, (np.arange(len(votes))[:, None], votes), 1)
        best = counts.max(axis=1, keepdims=True)
        # among the classes with the most votes, the one whose member is nearest wins
        tied = counts[np.arange(len(votes))[:, None], votes] == best
        winner = votes[np.arange(len(votes)), np.argmax(tied, axis=1)]
        return self.classes_[winner]

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
