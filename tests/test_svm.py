"""SVMs: the dual's KKT conditions and duality gap at the solution, agreement with scikit-learn.

scikit-learn's SVC (LIBSVM) and LinearSVC (LIBLINEAR) are test-only oracles.
"""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from dbnfer.baselines import svm
from dbnfer.baselines.svm import (GREEDY_MAX_SAMPLES, KernelSVM, LinearSVM, dual_box, dual_coordinate_descent,
                                  random_dual_coordinate_descent, rbf_kernel, smo)

sklearn_svm = pytest.importorskip("sklearn.svm")


def blobs(n_per_class=40, n_classes=4, n_features=20, spread=0.35, seed=0):
    """Overlapping Gaussian classes scaled to [0, 1], float32 like pixel vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.random((n_classes, n_features))
    X = np.concatenate([c + spread * rng.standard_normal((n_per_class, n_features)) for c in centres])
    X = (X - X.min()) / (X.max() - X.min())
    y = np.repeat(np.arange(n_classes) * 3 + 1, n_per_class)  # labels 1, 4, 7, 10
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order]


def binary_problem(seed=0):
    X, y = blobs(n_per_class=30, n_classes=2, n_features=5, spread=0.5, seed=seed)
    return X.astype(np.float64), np.where(y == y.min(), 1.0, -1.0)


def test_rbf_kernel_matches_distances():
    rng = np.random.default_rng(0)
    A, B = rng.random((7, 4)), rng.random((5, 4))
    np.testing.assert_allclose(rbf_kernel(A, B, 0.7), np.exp(-0.7 * cdist(A, B, "sqeuclidean")), rtol=1e-12)


def test_smo_solution_satisfies_kkt_and_closes_the_duality_gap():
    X, y = binary_problem()
    C, tol = 2.0, 1e-6
    K = rbf_kernel(X, X, 0.5)
    alpha, b, n_iter = (v[0] for v in smo(K[None], y[None], C, tol=tol))
    assert 0 < n_iter < 100_000
    # feasibility: box and equality constraint
    assert np.all(alpha >= 0) and np.all(alpha <= C)
    assert abs(y @ alpha) < 1e-10
    # KKT: y d(x) >= 1 at α = 0, = 1 on free vectors, <= 1 at α = C
    margin = y * (K @ (alpha * y) + b)
    at_zero, at_C = alpha == 0, alpha == C
    free = ~at_zero & ~at_C
    assert free.any() and at_zero.any()
    assert np.all(margin[at_zero] >= 1 - 10 * tol)
    np.testing.assert_allclose(margin[free], 1.0, atol=10 * tol)
    assert np.all(margin[at_C] <= 1 + 10 * tol)
    # strong duality: primal ½||w||² + C Σ hinge equals the negated dual objective
    Q = np.outer(y, y) * K
    half_w_sq = 0.5 * alpha @ Q @ alpha
    primal = half_w_sq + C * np.sum(np.maximum(0.0, 1.0 - margin))
    dual = alpha.sum() - half_w_sq
    assert primal - dual == pytest.approx(0.0, abs=1e-4 * primal)


def test_smo_dual_objective_is_no_worse_than_libsvm():
    X, y = binary_problem(seed=1)
    C, gamma = 1.0, 0.5
    K = rbf_kernel(X, X, gamma)
    Q = np.outer(y, y) * K
    alpha = smo(K[None], y[None], C, tol=1e-6)[0][0]
    oracle = sklearn_svm.SVC(C=C, gamma=gamma, tol=1e-6).fit(X, y)
    alpha_sk = np.zeros(len(y))
    alpha_sk[oracle.support_] = np.abs(oracle.dual_coef_[0])

    def f(a):
        return 0.5 * a @ Q @ a - a.sum()

    assert f(alpha) <= f(alpha_sk) + 1e-8
    assert f(alpha) == pytest.approx(f(alpha_sk), rel=1e-5)


def test_smo_padding_slots_change_nothing():
    X, y = binary_problem(seed=2)
    K = rbf_kernel(X, X, 0.5)
    K_pad = np.zeros((len(y) + 3, len(y) + 3))
    K_pad[:len(y), :len(y)] = K
    y_pad = np.concatenate([y, np.zeros(3)])
    alpha, b, _ = smo(np.stack([K_pad, K_pad]), np.stack([y_pad, -y_pad]), 1.0)
    alpha_ref, b_ref, _ = smo(K[None], y[None], 1.0)
    np.testing.assert_allclose(alpha[0, :len(y)], alpha_ref[0], atol=1e-12)
    assert np.all(alpha[:, len(y):] == 0)
    assert b[0] == pytest.approx(b_ref[0]) and b[1] == pytest.approx(-b_ref[0], abs=1e-3)


@pytest.mark.parametrize("C", [1.0, 10.0])
def test_kernel_svm_agrees_with_sklearn_svc(C):
    X, y = blobs()
    X_test, _ = blobs(seed=1)
    ours = KernelSVM(C=C).fit(X, y)
    oracle = sklearn_svm.SVC(C=C, gamma="scale", decision_function_shape="ovo").fit(X, y)
    assert ours.gamma_ == pytest.approx(oracle._gamma)
    for data in (X, X_test):
        assert np.mean(ours.predict(data) == oracle.predict(data)) >= 0.98
        np.testing.assert_allclose(ours.decision_function(data), oracle.decision_function(data), atol=5e-3)
    assert len(ours.support_) == pytest.approx(oracle.n_support_.sum(), abs=2)


def test_gamma_scale_and_auto():
    X, y = blobs(n_per_class=10)
    variance = X.astype(np.float64).var()
    assert KernelSVM(gamma="scale").fit(X, y).gamma_ == pytest.approx(1 / (X.shape[1] * variance))
    assert KernelSVM(gamma="auto").fit(X, y).gamma_ == pytest.approx(1 / X.shape[1])
    assert KernelSVM(gamma=0.25).fit(X, y).gamma_ == 0.25


def projected_gradient(gram, Y, alpha, C, loss):
    """PG of every coordinate of every problem (rows), from the gradient computed afresh."""
    U, D = (C, 0.0) if loss == "hinge" else (np.inf, 0.5 / C)
    G = Y * ((alpha * Y) @ gram) - 1.0 + D * alpha
    return np.where(alpha <= 0, np.minimum(G, 0), np.where(alpha >= U, np.maximum(G, 0), G))


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_dual_coordinate_descent_reaches_kkt_point(loss):
    X, y = blobs(n_per_class=15, n_classes=3, n_features=8)
    X_aug = np.hstack([X.astype(np.float64), np.ones((len(X), 1))])
    Y = np.where(np.unique(y)[:, None] == y, 1.0, -1.0)  # (3 problems, n)
    C = 1.0
    alpha, n_iter = dual_coordinate_descent(X_aug @ X_aug.T, Y, C, loss, tol=1e-7)
    assert n_iter > 0
    upper = C if loss == "hinge" else np.inf
    assert np.all(alpha >= 0) and np.all(alpha <= upper)
    assert np.max(np.abs(projected_gradient(X_aug @ X_aug.T, Y, alpha, C, loss))) < 1e-7
    # strong duality for each one-vs-rest problem: primal = -dual
    W = (alpha * Y) @ X_aug
    margins = Y * (W @ X_aug.T)
    loss_terms = np.maximum(0, 1 - margins) ** (1 if loss == "hinge" else 2)
    primal = 0.5 * np.sum(W ** 2, axis=1) + C * loss_terms.sum(axis=1)
    D = 0.0 if loss == "hinge" else 0.5 / C
    dual = alpha.sum(axis=1) - 0.5 * np.sum(W ** 2, axis=1) - 0.5 * D * np.sum(alpha ** 2, axis=1)
    np.testing.assert_allclose(primal, dual, rtol=1e-5)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_linear_svm_agrees_with_sklearn_linearsvc(loss):
    X, y = blobs()
    X_test, _ = blobs(seed=1)
    ours = LinearSVM(C=1.0, loss=loss, tol=1e-4).fit(X, y)
    oracle = sklearn_svm.LinearSVC(C=1.0, loss=loss, dual=True, tol=1e-6, max_iter=100_000).fit(X, y)
    for data in (X, X_test):
        assert np.mean(ours.predict(data) == oracle.predict(data)) >= 0.98
    np.testing.assert_allclose(ours.coef_, oracle.coef_, atol=2e-2)
    np.testing.assert_allclose(ours.intercept_, oracle.intercept_, atol=2e-2)


def test_linear_svm_two_classes_has_one_problem():
    X, y = blobs(n_per_class=20, n_classes=2)
    ours = LinearSVM().fit(X, y)
    assert ours.coef_.shape == (1, X.shape[1])
    assert ours.decision_function(X).shape == (len(X),)
    assert ours.score(X, y) > 0.9
    oracle = sklearn_svm.LinearSVC(loss="hinge", tol=1e-6, max_iter=100_000).fit(X, y)
    assert np.mean(ours.predict(X) == oracle.predict(X)) >= 0.98


def one_vs_rest(X, y):
    """X with a constant feature appended and the ±1 labels of each one-vs-rest problem, float64."""
    X_aug = np.hstack([X.astype(np.float64), np.ones((len(X), 1))])
    return X_aug, np.where(np.unique(y)[:, None] == y, 1.0, -1.0)


def dual_objective(X_aug, Y, alpha, C, loss):
    """f(α) = ½ αᵀQ̄α - eᵀα of each problem (rows), with Q̄ = Q + D."""
    D = dual_box(C, loss)[1]
    W = (alpha * Y) @ X_aug
    return 0.5 * np.sum(W ** 2, axis=1) + 0.5 * D * np.sum(alpha ** 2, axis=1) - alpha.sum(axis=1)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_random_and_greedy_coordinate_descent_reach_the_same_dual_optimum(loss):
    X, y = blobs(n_per_class=15, n_classes=3, n_features=8)
    X_aug, Y = one_vs_rest(X, y)
    C, tol = 1.0, 1e-4
    alpha_greedy, _ = dual_coordinate_descent(X_aug @ X_aug.T, Y, C, loss, tol=tol)
    alpha, W, n_epochs = random_dual_coordinate_descent(X_aug, Y, C, loss, tol=tol, random_state=0)
    assert 0 < n_epochs < 1000
    upper = C if loss == "hinge" else np.inf
    assert np.all(alpha >= 0) and np.all(alpha <= upper)
    np.testing.assert_allclose(W, (alpha * Y) @ X_aug, atol=1e-10)  # the maintained w is Σ α_i y_i x_i
    np.testing.assert_allclose(dual_objective(X_aug, Y, alpha, C, loss),
                               dual_objective(X_aug, Y, alpha_greedy, C, loss), rtol=1e-6)
    # the PG of the last epoch were met at changing α; at the end they are small, not below tol
    assert np.max(np.abs(projected_gradient(X_aug @ X_aug.T, Y, alpha, C, loss))) < 1e-3


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_linear_svm_solvers_predict_alike(loss):
    X, y = blobs(n_per_class=20)
    X_test, _ = blobs(n_per_class=20, seed=1)
    greedy = LinearSVM(loss=loss, tol=1e-3, solver="greedy").fit(X, y)
    random = LinearSVM(loss=loss, tol=1e-3, solver="random", random_state=0).fit(X, y)
    assert (greedy.solver_, random.solver_) == ("greedy", "random")
    for data in (X, X_test):
        assert np.mean(greedy.predict(data) == random.predict(data)) >= 0.98
    np.testing.assert_allclose(random.coef_, greedy.coef_, atol=1e-2)
    np.testing.assert_allclose(random.intercept_, greedy.intercept_, atol=1e-2)


def separable_problem():
    """Four classes far apart: every one-vs-rest problem is linearly separable."""
    X, y = blobs(n_per_class=20, n_classes=4, n_features=6, spread=0.05)
    assert LinearSVM(C=100.0, solver="greedy").fit(X, y).score(X, y) == 1.0
    return X, y


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("problem", [separable_problem, lambda: blobs(n_per_class=20)])
def test_random_solver_agrees_with_sklearn_linearsvc(loss, problem):
    X, y = problem()
    ours = LinearSVM(C=1.0, loss=loss, tol=1e-3, solver="random", random_state=0).fit(X, y)
    oracle = sklearn_svm.LinearSVC(C=1.0, loss=loss, dual=True, tol=1e-6, max_iter=100_000).fit(X, y)
    assert np.mean(ours.predict(X) == oracle.predict(X)) >= 0.98
    np.testing.assert_allclose(ours.coef_, oracle.coef_, atol=2e-2)
    np.testing.assert_allclose(ours.intercept_, oracle.intercept_, atol=2e-2)


def test_random_solver_is_reproducible_with_a_seed():
    X, y = blobs(n_per_class=10)

    def fit(seed):
        return LinearSVM(loss="squared_hinge", solver="random", random_state=seed).fit(X, y)

    first, again, other = fit(3), fit(np.random.default_rng(3)), fit(4)
    np.testing.assert_array_equal(first.coef_, again.coef_)
    np.testing.assert_array_equal(first.alpha_, again.alpha_)
    assert first.n_iter_ == again.n_iter_
    assert not np.array_equal(first.coef_, other.coef_)  # the seed does set the order


def test_auto_solver_is_greedy_up_to_the_threshold(monkeypatch):
    X, y = blobs(n_per_class=10)
    assert len(X) <= GREEDY_MAX_SAMPLES
    auto = LinearSVM().fit(X, y)
    greedy = LinearSVM(solver="greedy").fit(X, y)
    assert auto.solver_ == "greedy"
    np.testing.assert_array_equal(auto.alpha_, greedy.alpha_)
    monkeypatch.setattr(svm, "GREEDY_MAX_SAMPLES", len(X) - 1)
    assert LinearSVM(loss="squared_hinge").fit(X, y).solver_ == "random"


def test_random_solver_warns_at_max_epochs():
    X, y = blobs(n_per_class=20)
    with pytest.warns(RuntimeWarning, match="max_epochs=2"):
        model = LinearSVM(solver="random", tol=1e-12, max_epochs=2, random_state=0).fit(X, y)
    assert model.n_iter_ == 2


@pytest.mark.parametrize("make, message", [
    (lambda: LinearSVM(C=0), "C must be positive"),
    (lambda: LinearSVM(loss="log"), "loss"),
    (lambda: LinearSVM(solver="sgd"), "solver must be one of 'auto', 'greedy', 'random', not 'sgd'"),
    (lambda: KernelSVM(C=-1), "C must be positive"),
    (lambda: KernelSVM(gamma="wide"), "gamma"),
    (lambda: KernelSVM(gamma=0.0), "gamma"),
])
def test_bad_parameters_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("model", [LinearSVM(), KernelSVM()])
def test_bad_training_data_raises(model):
    with pytest.raises(ValueError, match="2 classes"):
        model.fit(np.zeros((4, 2)), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="match X"):
        model.fit(np.zeros((4, 2)), [0, 1])
