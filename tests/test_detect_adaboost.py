"""Discrete AdaBoost: the sorted-pass stump search against an exhaustive one, and the training-error bound."""

import numpy as np
import pytest

from dbnfer.detect.adaboost import AdaBoost, GentleAdaBoost, SortedFeatures, stump_predict


def exhaustive_stump(F, w, y):
    """Try every feature, every threshold between distinct values (and outside them), both polarities."""
    best = (np.inf, None, None, None)
    for j in range(F.shape[1]):
        values = np.unique(F[:, j])
        candidates = np.concatenate([[values[0] - 1], (values[1:] + values[:-1]) / 2, [values[-1] + 1]])
        for theta in candidates:
            for p in (1, -1):
                error = w[stump_predict(F[:, j], theta, p) != y].sum()
                if error < best[0] - 1e-12:
                    best = (error, j, theta, p)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_stump_search_equals_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    F = rng.integers(0, 12, size=(120, 9)).astype(np.float32)  # many ties
    y = (F[:, seed] + rng.normal(0, 3, 120) > 6).astype(int)
    w = rng.random(120)
    w /= w.sum()
    feature, threshold, polarity, error = SortedFeatures(F, chunk_size=4).best_stump(w, y)
    best_error, best_feature, best_threshold, best_polarity = exhaustive_stump(F, w, y)
    assert error == pytest.approx(best_error)
    assert (feature, threshold, polarity) == (best_feature, best_threshold, best_polarity)
    assert w[stump_predict(F[:, feature], threshold, polarity) != y].sum() == pytest.approx(error)


def test_stump_search_falls_back_to_a_constant_classifier():
    F = np.zeros((10, 2), dtype=np.float32)  # nothing to split on
    y = np.array([1] * 3 + [0] * 7)
    w = np.full(10, 0.1)
    feature, threshold, polarity, error = SortedFeatures(F).best_stump(w, y)
    assert error == pytest.approx(0.3)
    assert np.all(stump_predict(F[:, feature], threshold, polarity) == 0)


def test_training_error_falls_under_the_freund_schapire_bound():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 < 1.4, 7, 3)  # a disc: no single stump separates it
    boost = AdaBoost(n_rounds=40).start(X, y)
    errors, bounds = [], []
    for _ in range(40):
        boost.add_round()
        errors.append(1 - boost.score(X, y))  # equal classes' initial weights: plain error is close to weighted
        weighted = _weighted_training_error(boost, X, y)
        bounds.append(boost.training_error_bound())
        assert weighted <= bounds[-1] + 1e-12
    assert np.all(np.diff(bounds) < 0)
    assert errors[-1] < errors[0] / 2
    assert set(np.unique(boost.predict(X))) <= {3, 7}


def _weighted_training_error(boost, X, y):
    """Training error under VJ's initial weights 1/(2l) for positives and 1/(2m) for negatives."""
    positive = y == boost.classes_[1]
    w0 = np.where(positive, 0.5 / positive.sum(), 0.5 / (~positive).sum())
    return w0[boost.predict(X) != y].sum()


def test_alpha_is_log_inverse_beta():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(100, 3)), rng.integers(0, 2, 100)
    boost = AdaBoost(n_rounds=5).fit(X, y)
    beta = boost.errors_ / (1 - boost.errors_)
    np.testing.assert_allclose(boost.alphas_, np.log(1 / beta))


def test_one_class_is_rejected():
    with pytest.raises(ValueError, match="two classes"):
        AdaBoost().fit(np.zeros((4, 2)), np.ones(4))


def exhaustive_regression_stump(F, w, z):
    """Every feature and threshold between distinct values: the least weighted squared error, with side means."""
    best = (np.inf, None, None, None)
    for j in range(F.shape[1]):
        values = np.unique(F[:, j])
        for theta in (values[1:] + values[:-1]) / 2:
            below = F[:, j] < theta
            v_left, v_right = np.average(z[below], weights=w[below]), np.average(z[~below], weights=w[~below])
            error = np.sum(w * (z - np.where(below, v_left, v_right)) ** 2)
            if error < best[0] - 1e-12:
                best = (error, j, theta, (v_left, v_right))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_regression_stump_search_equals_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    F = rng.integers(0, 12, size=(120, 9)).astype(np.float32)  # many ties
    z = np.where(F[:, seed] + rng.normal(0, 3, 120) > 6, 1.0, -1.0)
    w = rng.random(120)
    feature, threshold, values = SortedFeatures(F, chunk_size=4).best_regression_stump(w, z)
    _, best_feature, best_threshold, best_values = exhaustive_regression_stump(F, w, z)
    assert (feature, threshold) == (best_feature, best_threshold)
    np.testing.assert_allclose(values, best_values)


def test_regression_stump_is_constant_when_nothing_splits():
    z = np.array([1.0] * 3 + [-1.0] * 7)
    feature, threshold, (v_left, v_right) = SortedFeatures(np.zeros((10, 2))).best_regression_stump(np.ones(10), z)
    assert v_left == v_right == pytest.approx(-0.4)


def test_regression_stump_ignores_sides_without_weight():
    # Late in a cascade stage, boosting has driven many weights to (nearly) zero. A split that leaves only
    # weightless samples on one side must neither win by float32 rounding nor give that side 0/0.
    rng = np.random.default_rng(0)
    F = rng.random((400, 5)).astype(np.float32)
    z = np.where(F[:, 2] > 0.5, 1.0, -1.0)
    w = rng.random(400) * 1e-3
    for column in range(5):  # the 50 largest values of every feature carry no weight at all
        w[np.argsort(F[:, column])[-50:]] = 0.0
    feature, threshold, values = SortedFeatures(F, chunk_size=2).best_regression_stump(w, z)
    _, best_feature, best_threshold, best_values = exhaustive_regression_stump(F[w > 0], w[w > 0], z[w > 0])
    assert np.all(np.isfinite(values)) and feature == best_feature == 2
    below = F[w > 0, 2] < threshold
    assert below.tolist() == (F[w > 0, 2] < best_threshold).tolist()
    np.testing.assert_allclose(values, best_values)


def test_gentle_boosting_is_stored_as_discrete_stumps_plus_constants_and_learns_a_disc():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 < 1.4, 1, 0)
    boost = GentleAdaBoost(n_rounds=30).fit(X, y)
    assert np.all(boost.alphas_ >= 0)
    stump_sum = sum(np.where(stump_predict(X[:, j], theta, p) == 1, alpha + c, c) for j, theta, p, alpha, c in
                    zip(boost.features_, boost.thresholds_, boost.polarities_, boost.alphas_, boost.constants_))
    np.testing.assert_allclose(boost.decision_function(X), stump_sum)
    assert boost.score(X, y) > max(0.9, GentleAdaBoost(n_rounds=1).fit(X, y).score(X, y))
