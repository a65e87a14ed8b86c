"""Checks of the arrays a user hands to an estimator, with messages that say what is wrong."""

import numpy as np


def check_matrix(X, dtype=np.float64, n_features=None, name="X"):
    """Return `X` as a finite 2-D array of `dtype`, checking its number of columns.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
    dtype : numpy dtype
    n_features : int, optional
        The number of columns the model was trained on.
    name : str
        How the message calls the array.

    Returns
    -------
    ndarray of `dtype`

    Raises
    ------
    ValueError
        If `X` is not 2-D, has the wrong number of columns, or holds NaN or infinity.
    """
    X = np.asarray(X, dtype=dtype)
    if X.ndim != 2:
        raise ValueError(f"{name} must be (n_samples, n_features), got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features, the model was trained on {n_features}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def check_Xy(X, y, dtype=np.float64):
    """Return (X, y) checked to match: X finite (n_samples, n_features), y of shape (n_samples,).

    Raises
    ------
    ValueError
        If X is not a finite matrix or y does not have one label per row of X.
    """
    X = check_matrix(X, dtype)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must be ({len(X)},) to match X, got shape {y.shape}")
    return X, y
