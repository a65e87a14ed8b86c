"""k-nearest neighbour: equal to a brute-force loop, cosine metric, vote ties, bad input."""

import numpy as np
import pytest

from dbnfer.baselines.nearest_neighbour import NearestNeighbour


def brute_force(X_train, y_train, X_test, k, metric):
    """Predictions and sorted neighbour distances by an explicit loop over every pair."""
    predictions, all_distances = [], []
    for x in X_test:
        if metric == "euclidean":
            d = np.array([np.sqrt(np.sum((x - t) ** 2)) for t in X_train])
        else:
            d = np.array([1.0 - x @ t / (np.linalg.norm(x) * np.linalg.norm(t)) for t in X_train])
        nearest = np.argsort(d, kind="stable")[:k]
        labels = y_train[nearest]
        counts = {c: np.sum(labels == c) for c in labels}
        best = max(counts.values())
        predictions.append(next(c for c in labels if counts[c] == best))  # nearest tied class
        all_distances.append(d[nearest])
    return np.array(predictions), np.array(all_distances)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_equals_brute_force_loop(metric, k):
    rng = np.random.default_rng(0)
    X_train = rng.random((40, 6)).astype(np.float32)
    y_train = rng.choice([3, 7, 11], size=40)  # arbitrary integer labels
    X_test = rng.random((25, 6)).astype(np.float32)
    expected, expected_distances = brute_force(X_train.astype(np.float64), y_train,
                                               X_test.astype(np.float64), k, metric)
    model = NearestNeighbour(k=k, metric=metric, block_size=7).fit(X_train, y_train)
    distances, indices = model.kneighbors(X_test)
    np.testing.assert_array_equal(model.predict(X_test), expected)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-9, atol=1e-6)
    assert indices.shape == (25, k)


def test_block_size_does_not_change_the_result():
    rng = np.random.default_rng(1)
    X_train, y_train, X_test = rng.random((30, 4)), rng.integers(0, 3, 30), rng.random((17, 4))
    one = NearestNeighbour(k=3, block_size=1).fit(X_train, y_train).kneighbors(X_test)
    all_ = NearestNeighbour(k=3, block_size=1000).fit(X_train, y_train).kneighbors(X_test)
    np.testing.assert_array_equal(one[1], all_[1])
    np.testing.assert_allclose(one[0], all_[0])


def test_cosine_ignores_scale_and_euclidean_does_not():
    X_train = np.array([[1.0, 0.0], [0.0, 1.0]])
    y_train = np.array([0, 1])
    x = np.array([[10.0, 1.0]])  # far from both in Euclidean terms, same direction as class 0
    cosine = NearestNeighbour(metric="cosine").fit(X_train, y_train)
    assert cosine.predict(x)[0] == 0
    assert cosine.predict(0.01 * x)[0] == 0
    # [2, 1.8] is nearer to [1, 0] but points along [4, 4]
    X_train, x = np.array([[1.0, 0.0], [4.0, 4.0]]), np.array([[2.0, 1.8]])
    assert NearestNeighbour(metric="euclidean").fit(X_train, y_train).predict(x)[0] == 0
    assert NearestNeighbour(metric="cosine").fit(X_train, y_train).predict(x)[0] == 1


def test_vote_tie_goes_to_the_class_of_the_nearest_member():
    # class 5 at distance 1 and 3, class 2 at distance 2 and 4: k = 4 is a 2-2 tie
    X_train = np.array([[1.0], [2.0], [3.0], [4.0]])
    y_train = np.array([5, 2, 5, 2])
    assert NearestNeighbour(k=4).fit(X_train, y_train).predict([[0.0]])[0] == 5
    assert NearestNeighbour(k=2).fit(X_train, y_train).predict([[0.0]])[0] == 5
    assert NearestNeighbour(k=2).fit(X_train, y_train).predict([[2.1]])[0] == 2
    # a 2-1 majority beats the nearest neighbour
    assert NearestNeighbour(k=3).fit(X_train, [5, 2, 2, 2]).predict([[0.0]])[0] == 2


def test_k_larger_than_training_set_uses_every_vector():
    model = NearestNeighbour(k=10).fit([[0.0], [1.0], [5.0]], [0, 1, 1])
    distances, indices = model.kneighbors([[0.2]])
    np.testing.assert_array_equal(indices[0], [0, 1, 2])
    np.testing.assert_allclose(distances[0], [0.2, 0.8, 4.8])
    assert model.predict([[0.2]])[0] == 1


def test_score_is_accuracy():
    model = NearestNeighbour().fit([[0.0], [1.0]], [0, 1])
    assert model.score([[0.1], [0.9], [0.2]], [0, 1, 1]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("kwargs, message", [({"metric": "manhattan"}, "metric"), ({"k": 0}, "k must")])
def test_bad_parameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NearestNeighbour(**kwargs)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="n_samples, n_features"):
        NearestNeighbour().fit(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="match X"):
        NearestNeighbour().fit(np.zeros((5, 2)), np.zeros(4))
