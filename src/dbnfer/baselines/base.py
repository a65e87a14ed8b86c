"""What the baselines share: labels as indices into ``classes_``, accuracy as the score, unit-norm rows and
vote counting.

Every baseline predicts one of the labels it was trained on. ``fit`` turns the labels y into indices
k = 0 .. K-1 into the sorted distinct labels ``classes_``, the methods work with k, and ``predict`` maps k
back to ``classes_[k]``.
"""

import numpy as np


class Classifier:
    """Mixin of the baselines: label encoding in ``fit`` and accuracy as ``score``.

    A subclass calls ``_encode_labels`` in its ``fit`` and defines ``predict``.

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
        The distinct training labels, sorted.
    """

    def _encode_labels(self, y, min_classes=1):
        """Set ``classes_`` and return the index into it of every label in `y`.

        Parameters
        ----------
        y : ndarray, (n_samples,)
            Training labels.
        min_classes : int
            How many distinct labels the method needs (a binary SVM needs two).

        Returns
        -------
        ndarray of int, (n_samples,)

        Raises
        ------
        ValueError
            If `y` holds fewer than `min_classes` distinct labels.
        """
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < min_classes:
            raise ValueError(f"need at least {min_classes} classes, got {len(self.classes_)}")
        return y_index

    def score(self, X, y):
        """Accuracy on (X, y): the fraction of rows of X whose predicted label is y."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


def unit_rows(X):
    """X with every row scaled to unit L2 norm, x / ||x||_2 (all-zero rows stay zero).

    Parameters
    ----------
    X : ndarray, (n_samples, n_features)
        Floating-point matrix.

    Returns
    -------
    ndarray, (n_samples, n_features), the dtype of X
    """
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    # a zero row is divided by the smallest positive float instead of by 0: it stays 0, not NaN
    return X / np.maximum(norms, np.finfo(X.dtype).tiny)


def count_votes(votes, n_classes):
    """How many votes each class gets in every row.

    Parameters
    ----------
    votes : ndarray of int, (n_samples, n_voters)
        Class index in 0 .. n_classes-1 of every vote.
    n_classes : int

    Returns
    -------
    ndarray of int64, (n_samples, n_classes)
    """
    counts = np.zeros((len(votes), n_classes), dtype=np.int64)
    np.add.at(counts, (np.arange(len(votes))[:, None], votes), 1)
    return counts
