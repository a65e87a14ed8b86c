"""SRC: FISTA reaches the LASSO optimum (subgradient conditions, and an LP solved by scipy's linprog),
batch coding, class-wise residuals, bad input.

Why an LP. The LASSO min ½||y - Ax||² + λ||x||_1 is a quadratic program, not a linear one. Its close
cousin, the Dantzig selector min ||x||_1 s.t. ||Aᵀ(y - Ax)||_∞ <= λ (Candès & Tao 2007), is a linear
program, and Meinshausen, Rocha & Yu (Ann. Statist. 35(6), 2007, Theorem 1) prove the two have the
same solution whenever M = (AᵀA)⁻¹ is diagonally dominant. The test builds such an A (checked in the
test), solves the Dantzig LP with ``scipy.optimize.linprog`` and compares. Independently of that
theorem, the FISTA code is checked against the LASSO's own optimality (subgradient) conditions.
"""

import numpy as np
import pytest
from scipy.optimize import linprog

from dbnfer.baselines.src import SparseRepresentation, fista_lasso, soft_threshold


def dantzig_selector_lp(A, y, lam):
    """min ||x||_1 s.t. |Aᵀ(y - Ax)| <= λ as an LP in z = (x, u): min Σu, -u <= x <= u."""
    n = A.shape[1]
    gram, Aty = A.T @ A, A.T @ y
    identity = np.eye(n)
    A_ub = np.block([[identity, -identity], [-identity, -identity],
                     [gram, np.zeros((n, n))], [-gram, np.zeros((n, n))]])
    b_ub = np.concatenate([np.zeros(2 * n), lam + Aty, lam - Aty])
    result = linprog(np.concatenate([np.zeros(n), np.ones(n)]), A_ub=A_ub, b_ub=b_ub,
                     bounds=[(None, None)] * n + [(0, None)] * n, method="highs")
    assert result.status == 0, result.message
    return result.x[:n]


def well_conditioned_problem(seed=0, n_features=200, n_atoms=6, n_signals=3):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n_features, n_atoms))
    A /= np.linalg.norm(A, axis=0)
    x_true = np.zeros((n_atoms, n_signals))
    x_true[:2] = rng.uniform(0.5, 1.5, (2, n_signals)) * rng.choice([-1, 1], (2, n_signals))
    Y = A @ x_true + 0.05 * rng.standard_normal((n_features, n_signals))
    return A, Y


def test_soft_threshold():
    np.testing.assert_array_equal(soft_threshold(np.array([-3.0, -0.5, 0.0, 0.2, 2.0]), 1.0),
                                  [-2.0, 0.0, 0.0, 0.0, 1.0])


def test_fista_satisfies_lasso_optimality_conditions():
    rng = np.random.default_rng(3)
    # strongly correlated positive columns, more features than atoms: the regime of SRC on pixels
    A = rng.random((60, 40))
    A /= np.linalg.norm(A, axis=0)
    Y = rng.random((60, 4))
    lam = 0.02
    X, n_iter = fista_lasso(A, Y, lam, tol=1e-10, max_iter=50_000)
    assert n_iter < 50_000
    correlation = A.T @ (Y - A @ X)  # (n_atoms, n_signals)
    support = X != 0
    assert support.any() and (~support).any()
    # 0 ∈ ∂F(x): Aᵀ(y - Ax) = λ sign(x) on the support, |Aᵀ(y - Ax)| <= λ elsewhere
    np.testing.assert_allclose(correlation[support], lam * np.sign(X[support]), atol=1e-7)
    assert np.all(np.abs(correlation[~support]) <= lam + 1e-7)


@pytest.mark.parametrize("seed", [0, 1])
def test_fista_matches_linprog_solution(seed):
    A, Y = well_conditioned_problem(seed)
    M = np.linalg.inv(A.T @ A)
    off_diagonal = np.sum(np.abs(M), axis=1) - np.abs(np.diag(M))
    assert np.all(np.diag(M) > off_diagonal), "Meinshausen-Rocha-Yu condition must hold here"
    for lam in (0.05, 0.3):
        X, _ = fista_lasso(A, Y, lam, tol=1e-12, max_iter=20_000)
        for column in range(Y.shape[1]):
            x_lp = dantzig_selector_lp(A, Y[:, column], lam)
            np.testing.assert_allclose(X[:, column], x_lp, atol=1e-4)
        assert np.any(X == 0) and np.any(X != 0)  # both active and inactive atoms are tested


def test_fista_batch_equals_one_signal_at_a_time():
    A, Y = well_conditioned_problem(n_signals=5)
    X_batch, _ = fista_lasso(A, Y, 0.1, tol=1e-12, max_iter=20_000)
    X_single = np.hstack([fista_lasso(A, Y[:, [k]], 0.1, tol=1e-12, max_iter=20_000)[0] for k in range(5)])
    np.testing.assert_allclose(X_batch, X_single, atol=1e-9)


def test_zero_dictionary_gives_zero_code():
    X, n_iter = fista_lasso(np.zeros((4, 3)), np.ones((4, 2)), 0.1)
    assert n_iter == 0 and np.all(X == 0)


def faces_like(seed=0):
    """Three classes, each near a random 3-dimensional subspace of R^40, positive coordinates."""
    rng = np.random.default_rng(seed)
    bases = rng.random((3, 40, 3))

    def sample(B, n):
        return (B @ rng.random((3, n))).T + 0.05 * rng.random((n, 40))

    X = np.concatenate([sample(B, 10) for B in bases])
    y = np.repeat([2, 5, 8], 10)
    X_test = np.concatenate([sample(B, 4) for B in bases])
    return X.astype(np.float32), y, X_test.astype(np.float32), np.repeat([2, 5, 8], 4)


def test_residuals_are_class_wise_reconstructions():
    X, y, X_test, y_test = faces_like()
    model = SparseRepresentation(lam=1e-3, batch_size=5).fit(X, y)
    codes = model.code(X_test)
    X, X_test = X.astype(np.float64), X_test.astype(np.float64)
    Y = (X_test / np.linalg.norm(X_test, axis=1, keepdims=True)).T
    A = (X / np.linalg.norm(X, axis=1, keepdims=True)).T
    expected = np.array([[np.linalg.norm(Y[:, k] - A[:, y == c] @ codes[y == c, k]) for c in (2, 5, 8)]
                         for k in range(len(X_test))])
    np.testing.assert_allclose(model.residuals(X_test), expected, rtol=1e-10, atol=1e-12)
    assert model.score(X_test, y_test) == 1.0


def test_batch_size_does_not_change_codes():
    rng = np.random.default_rng(1)  # zero-mean vectors: a well-conditioned dictionary
    X, y, X_test = rng.standard_normal((30, 40)), np.repeat([0, 1, 2], 10), rng.standard_normal((7, 40))
    small = SparseRepresentation(batch_size=1, tol=1e-12).fit(X, y).code(X_test)
    large = SparseRepresentation(batch_size=100, tol=1e-12).fit(X, y).code(X_test)
    np.testing.assert_allclose(small, large, atol=1e-8)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="lam"):
        SparseRepresentation(lam=-1.0)
    with pytest.raises(ValueError, match="n_samples, n_features"):
        SparseRepresentation().fit(np.zeros(4), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="match X"):
        SparseRepresentation().fit(np.zeros((4, 2)), [0, 1])
