"""Nearest subspace: residuals equal explicit projections, rank handling, bad input."""

import numpy as np
import pytest

from dbnfer.baselines.nearest_subspace import NearestSubspace


def explicit_residuals(X_train, y_train, X_test, n_components):
    """||x - P_c x|| with P_c built without an SVD: the least-squares projection A (AᵀA)⁺ Aᵀ for the
    full span, or the top eigenvectors of A Aᵀ for a rank-r subspace."""
    residuals = []
    for c in np.unique(y_train):
        A = X_train[y_train == c].T  # (n_features, n_c)
        if n_components is None:
            P = A @ np.linalg.pinv(A.T @ A) @ A.T
        else:
            _, V = np.linalg.eigh(A @ A.T)  # eigenvalues ascending
            V_r = V[:, -n_components:]
            P = V_r @ V_r.T
        residuals.append([np.linalg.norm(x - P @ x) for x in X_test])
    return np.array(residuals).T


@pytest.mark.parametrize("n_components", [None, 1, 3])
def test_residuals_equal_explicit_projections(n_components):
    rng = np.random.default_rng(0)
    X_train = rng.random((24, 10)).astype(np.float32)
    y_train = np.repeat([4, 9, 2], 8)
    X_test = rng.random((12, 10)).astype(np.float32)
    model = NearestSubspace(n_components=n_components).fit(X_train, y_train)
    expected = explicit_residuals(X_train.astype(np.float64), y_train, X_test.astype(np.float64),
                                  n_components)
    np.testing.assert_allclose(model.residuals(X_test), expected, rtol=1e-7, atol=1e-7)
    np.testing.assert_array_equal(model.predict(X_test), np.unique(y_train)[np.argmin(expected, axis=1)])


def test_basis_is_orthonormal_and_cut_to_rank():
    rng = np.random.default_rng(1)
    basis = rng.random((8, 2))
    X_train = np.vstack([(basis @ rng.random((2, 6))).T, rng.random((6, 8))])  # class 0 has rank 2
    y_train = np.repeat([0, 1], 6)
    model = NearestSubspace(n_components=5).fit(X_train, y_train)
    assert model.bases_[0].shape == (8, 2)
    assert model.bases_[1].shape == (8, 5)
    for U in model.bases_:
        np.testing.assert_allclose(U.T @ U, np.eye(U.shape[1]), atol=1e-12)
    # a new vector in class 0's plane has zero residual there
    x = (basis @ np.array([0.3, 2.0]))[None]
    assert model.residuals(x)[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert model.predict(x)[0] == 0


def test_score_is_accuracy():
    X = np.array([[1, 0, 0], [2, 0, 0], [0, 1, 1], [0, 2, 2]], dtype=np.float32)
    model = NearestSubspace(n_components=1).fit(X, [0, 0, 1, 1])
    assert model.score([[3, 0.1, 0], [0, 1, 0.9], [0, 1, 1]], [0, 1, 0]) == pytest.approx(2 / 3)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="n_components"):
        NearestSubspace(n_components=0)
    with pytest.raises(ValueError, match="n_samples, n_features"):
        NearestSubspace().fit(np.zeros(4), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="match X"):
        NearestSubspace().fit(np.zeros((4, 2)), [0, 1])
