"""MLP: backpropagation against numerical gradients, softmax and cross-entropy, training, save/load."""

import numpy as np
import pytest

from dbnfer.networks.mlp import MLP, cross_entropy, softmax, stratified_holdout
from dbnfer.networks.sgd import velocity_step


def small_network(activation, weight_decay=0.01, hidden_sizes=(5, 4), seed=0):
    """A float64 6-5-4-3 network with random weights and biases (no bias exactly 0, so no ReLU
    sits on its kink)."""
    mlp = MLP(hidden_sizes, activation=activation, weight_decay=weight_decay, dtype=np.float64,
              random_state=seed)
    mlp.initialize(6, 3)
    rng = np.random.default_rng(seed + 1)
    mlp.biases_ = [0.5 * rng.standard_normal(b.shape) for b in mlp.biases_]
    mlp.classes_ = np.array([0, 1, 2])
    return mlp


def numerical_gradient(loss, parameter, step=1e-6):
    """Central differences of loss() w.r.t. every entry of `parameter` (changed in place)."""
    gradient = np.zeros_like(parameter)
    for index in np.ndindex(parameter.shape):
        original = parameter[index]
        parameter[index] = original + step
        plus = loss()
        parameter[index] = original - step
        minus = loss()
        parameter[index] = original
        gradient[index] = (plus - minus) / (2 * step)
    return gradient


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30)


def toy_problem(seed=0, n=20):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, n)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_backpropagation_matches_numerical_gradient(activation):
    X, y = toy_problem()
    mlp = small_network(activation)
    grad_W, grad_b = mlp.gradients(X, y)
    for parameter, gradient in zip(mlp.weights_ + mlp.biases_, grad_W + grad_b):
        numeric = numerical_gradient(lambda: mlp.loss(X, y), parameter)
        assert relative_error(gradient, numeric) < 1e-6


def test_backpropagation_through_dropout_masks():
    X, y = toy_problem(1)
    mlp = small_network("sigmoid")
    mlp.dropout, mlp.input_dropout = 0.5, 0.2
    masks = mlp._dropout_masks(len(X), X.shape[1], np.random.default_rng(0))
    Y = mlp._one_hot(y)

    def loss():
        penalty = 0.5 * mlp.weight_decay * sum(np.sum(W * W) for W in mlp.weights_)
        return cross_entropy(mlp.forward(X, masks)[-1], Y) + penalty

    grad_W, grad_b = mlp.backward(mlp.forward(X, masks), Y, masks)
    for parameter, gradient in zip(mlp.weights_ + mlp.biases_, grad_W + grad_b):
        assert relative_error(gradient, numerical_gradient(loss, parameter)) < 1e-6


def test_softmax_and_cross_entropy_are_stable_and_correct():
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    Y = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    expected = (2000.0 - np.log(p[1, 2])) / 2  # -log p for the first row is 2000 exactly
    assert cross_entropy(z, Y) == pytest.approx(expected)


def blobs(n_per_class=60, n_features=10, seed=0, labels=(3, 7, 11)):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((len(labels), n_features))
    X = np.concatenate([c + rng.standard_normal((n_per_class, n_features)) for c in centres])
    return X.astype(np.float32), np.repeat(labels, n_per_class)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_learns_separable_classes_with_arbitrary_labels(activation):
    X, y = blobs()
    mlp = MLP((16,), activation=activation, n_epochs=30, random_state=0).fit(X, y)
    assert list(mlp.classes_) == [3, 7, 11]
    assert mlp.score(X, y) > 0.95
    proba = mlp.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(mlp.classes_[proba.argmax(axis=1)], mlp.predict(X))


def test_training_lowers_the_loss_and_records_history():
    X, y = blobs(seed=1)
    mlp = MLP((8,), n_epochs=15, validation_fraction=0.2, patience=100, random_state=0).fit(X, y)
    history = mlp.history_
    assert history["epoch"] == list(range(1, 16))
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert all(0.0 <= a <= 1.0 for a in history["val_accuracy"])


def test_annealing_decays_the_learning_rate_linearly_to_a_hundredth():
    mlp = MLP((8,), learning_rate=0.5, n_epochs=11, anneal=True)
    rates = [mlp.learning_rate_at(epoch) for epoch in range(1, 12)]
    np.testing.assert_allclose(rates, np.linspace(0.5, 0.005, 11))  # eq. 8.14, α = (e - 1) / 10
    assert MLP(learning_rate=0.5, n_epochs=11).learning_rate_at(11) == 0.5  # not annealed: constant


def test_annealed_training_takes_the_annealed_steps(monkeypatch):
    X, y = blobs(seed=2)
    seen = []
    step = MLP._sgd_step
    monkeypatch.setattr(MLP, "_sgd_step", lambda self, *args: seen.append(args[-1]) or step(self, *args))
    mlp = MLP((8,), learning_rate=0.2, n_epochs=31, batch_size=len(X), validation_fraction=0.0,
              anneal=True, random_state=0).fit(X, y)
    np.testing.assert_allclose(seen, np.linspace(0.2, 0.002, 31))  # one step an epoch
    assert mlp.score(X, y) > 0.9


def test_weight_averaging_keeps_the_mean_of_the_last_epochs(monkeypatch):
    X, y = blobs(seed=3)
    kept = []  # every epoch's weights and biases, as training leaves them
    record = MLP._record
    monkeypatch.setattr(MLP, "_record", lambda self, *args: kept.append(
        [p.copy() for p in self.weights_ + self.biases_]) or record(self, *args))
    settings = dict(hidden_sizes=(8,), n_epochs=6, validation_fraction=0.0, random_state=0)
    last = MLP(**settings).fit(X, y)
    kept.clear()
    mean = MLP(average_from=4, **settings).fit(X, y)
    for l, parameter in enumerate(mean.weights_ + mean.biases_):
        np.testing.assert_allclose(parameter, np.mean([epoch[l] for epoch in kept[3:]], axis=0), rtol=1e-6)
    # the same training: the last epoch's weights are those of the network that does not average
    np.testing.assert_array_equal(kept[-1][0], last.weights_[0])
    assert not np.allclose(mean.weights_[0], last.weights_[0])
    assert mean.best_epoch_ == 6 and mean.score(X, y) > 0.9
    with pytest.raises(ValueError, match="validation split"):
        MLP((8,), n_epochs=6, average_from=4, validation_fraction=0.2).fit(X, y)
    with pytest.raises(ValueError, match="average_from"):
        MLP((8,), n_epochs=6, average_from=7)


def paper_steps(mlp, X, Y, masks, eps, mu, n_steps):
    """`n_steps` updates of the weights and biases, in place, written as the papers write them:
    BP1-BP4 (`MLP.backward`), then V <- μV - ε ∂C/∂W, W <- W + V (`velocity_step`)."""
    velocities = [np.zeros_like(p) for p in mlp.weights_ + mlp.biases_]
    for _ in range(n_steps):
        grad_W, grad_b = mlp.backward(mlp.forward(X, masks), Y, masks)  # BP4 holds λW
        params = mlp.weights_ + mlp.biases_
        for i, (p, g) in enumerate(zip(params, grad_W + grad_b)):
            params[i], velocities[i] = velocity_step(p, velocities[i], g, eps, mu)
        n = len(mlp.weights_)
        mlp.weights_, mlp.biases_ = params[:n], params[n:]


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_training_steps_are_momentum_sgd_on_the_backpropagated_gradient(activation):
    # two full-batch steps of `fit` (the batch is larger than the data, so the training buffers
    # are sliced) against the paper's form written out with `backward`
    X, y = toy_problem(2)
    eps, mu = 0.1, 0.9
    reference = small_network(activation)
    paper_steps(reference, X, reference._one_hot(y), None, eps, mu, n_steps=2)
    params = reference.weights_ + reference.biases_
    mlp = small_network(activation)
    mlp.learning_rate, mlp.momentum, mlp.n_epochs, mlp.batch_size = eps, mu, 2, len(X) + 5
    mlp.warm_start, mlp.validation_fraction = True, 0.0
    mlp.fit(X, y)
    for p, expected in zip(mlp.weights_ + mlp.biases_, params):
        np.testing.assert_allclose(p, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_fused_step_with_dropout_is_backward_then_velocity_step(activation):
    # the training step (`_sgd_step`: BP4 folded into momentum_step, δ's in preallocated buffers,
    # dropout masks) against `backward` and `velocity_step`, three steps on the same masks
    X, y = toy_problem(3)
    eps, mu = 0.05, 0.9
    reference, mlp = small_network(activation), small_network(activation)
    for net in (reference, mlp):
        net.dropout, net.input_dropout, net.learning_rate, net.momentum = 0.5, 0.2, eps, mu
    masks = mlp._dropout_masks(len(X), X.shape[1], np.random.default_rng(0))
    Y = mlp._one_hot(y)
    paper_steps(reference, X, Y, masks, eps, mu, n_steps=3)
    previous_W = [W.copy() for W in mlp.weights_]
    velocity_b = [np.zeros_like(b) for b in mlp.biases_]
    deltas = [np.empty((len(X), n)) for n in mlp.hidden_sizes]
    for _ in range(3):
        mlp._sgd_step(mlp.forward(X, masks), Y, masks, previous_W, velocity_b, deltas)
    for fast, paper in zip(mlp.weights_ + mlp.biases_, reference.weights_ + reference.biases_):
        np.testing.assert_allclose(fast, paper, rtol=1e-10, atol=1e-12)


def test_verbose_fit_shows_only_the_figures_there_are(capsys):
    X, y = blobs()
    MLP((4,), n_epochs=2, validation_fraction=0.0, random_state=0, verbose=True).fit(X, y)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["MLP epoch 1/2", "MLP epoch 2/2"]
    assert "train loss" in lines[0] and "val" not in lines[0] and "nan" not in lines[0]
    MLP((4,), n_epochs=1, validation_fraction=0.2, random_state=0, verbose=True).fit(X, y)
    assert "val loss" in capsys.readouterr().err
    MLP((4,), n_epochs=1, random_state=0).fit(X, y)
    assert capsys.readouterr().err == ""


def test_early_stopping_keeps_the_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 30)).astype(np.float32)
    y = rng.integers(0, 2, 60)  # random labels: validation loss soon rises
    mlp = MLP((64,), learning_rate=0.5, n_epochs=200, patience=5, weight_decay=0.0,
              validation_fraction=0.3, random_state=0).fit(X, y)
    history = mlp.history_
    assert len(history["epoch"]) < 200
    assert mlp.best_epoch_ == history["epoch"][int(np.argmin(history["val_loss"]))]
    assert len(history["epoch"]) == mlp.best_epoch_ + 5


def test_stratified_holdout_keeps_every_class():
    y = np.repeat([0, 1, 2], [10, 20, 1])
    train, val = stratified_holdout(y, 0.2, np.random.default_rng(0))
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == len(y)
    assert np.bincount(y[val], minlength=3).tolist() == [2, 4, 0]


def test_warm_start_keeps_given_weights():
    X, y = blobs()
    mlp = MLP((16,), n_epochs=0, warm_start=True, random_state=0)
    mlp.initialize(X.shape[1], 3, np.random.default_rng(5))
    W = mlp.weights_[0].copy()
    mlp.fit(X, y)
    np.testing.assert_array_equal(mlp.weights_[0], W)
    with pytest.raises(ValueError, match="warm start"):
        mlp.fit(X[:, :5], y)


def test_dropout_trains_and_predicts_deterministically():
    X, y = blobs()
    mlp = MLP((32,), dropout=0.5, input_dropout=0.2, n_epochs=30, random_state=0).fit(X, y)
    np.testing.assert_array_equal(mlp.predict_proba(X), mlp.predict_proba(X))
    assert mlp.score(X, y) > 0.9


def test_save_load_round_trip(tmp_path):
    X, y = blobs()
    mlp = MLP((8, 6), activation="tanh", n_epochs=3, random_state=0).fit(X, y)
    path = tmp_path / "mlp.npz"
    mlp.save(path)
    loaded = MLP.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), mlp.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, mlp.classes_)
    assert loaded.activation == "tanh" and loaded.hidden_sizes == (8, 6)


def test_bad_input_raises_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="activation"):
        MLP(activation="softsign")
    with pytest.raises(ValueError, match="dropout"):
        MLP(dropout=1.0)
    X, y = blobs()
    mlp = MLP((4,), n_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        mlp.predict(X[:, :3])
    with pytest.raises(ValueError, match="not seen"):
        mlp.loss(X[:2], [3, 99])
    with pytest.raises(ValueError, match="to match X"):
        MLP().fit(X, y[:-1])
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        MLP.load(tmp_path / "missing.npz")
