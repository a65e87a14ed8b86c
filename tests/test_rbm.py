"""RBMs: free energy, likelihood and gradients checked exactly on machines small enough to
enumerate, and the fused training step checked against the paper's form of the update."""

import copy
import itertools

import numpy as np
import pytest

from dbnfer.networks.activations import sigmoid
from dbnfer.networks.rbm import BernoulliRBM, GaussianBernoulliRBM, cd_gradients
from dbnfer.networks.sgd import velocity_step

N_VISIBLE, N_HIDDEN = 6, 4


def binary_states(n):
    """All 2^n binary vectors, (2^n, n) float64."""
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def energy(rbm, v, h, gaussian=False):
    """E(v, h) for every pair of rows of v (n, V) and h (m, H): (n, m)."""
    visible_term = 0.5 * ((v - rbm.b_vis_) ** 2).sum(axis=1) if gaussian else -(v @ rbm.b_vis_)
    return visible_term[:, None] - (h @ rbm.b_hid_)[None, :] - v @ rbm.W_ @ h.T


def tiny_rbm(cls=BernoulliRBM, seed=0, scale=1.0, **settings):
    """An initialised float64 6x4 RBM with random weights and biases."""
    rbm = cls(n_hidden=N_HIDDEN, dtype=np.float64, random_state=seed, n_monitor=0, **settings)
    rbm.partial_fit(np.zeros((1, N_VISIBLE)) + 0.5)
    rng = np.random.default_rng(seed + 100)
    rbm.W_[:] = scale * rng.standard_normal((N_VISIBLE, N_HIDDEN))
    rbm.b_vis_[:] = 0.5 * rng.standard_normal(N_VISIBLE)
    rbm.b_hid_[:] = 0.5 * rng.standard_normal(N_HIDDEN)
    return rbm


def exact_log_likelihood(rbm, X):
    """Mean log p(v) over X, with log Z summed over all 2^V visible vectors."""
    log_z = np.logaddexp.reduce(-rbm.free_energy(binary_states(rbm.n_visible_)))
    return float(np.mean(-rbm.free_energy(X)) - log_z)


def exact_gradient_W(rbm, X):
    """<v hᵀ>_data - <v hᵀ>_model, the model term by enumeration (Hinton 2010, eq. 9)."""
    v = binary_states(rbm.n_visible_)
    log_p = -rbm.free_energy(v)
    p = np.exp(log_p - np.logaddexp.reduce(log_p))
    model = (v * p[:, None]).T @ sigmoid(v @ rbm.W_ + rbm.b_hid_)
    data = X.T @ sigmoid(X @ rbm.W_ + rbm.b_hid_) / len(X)
    return data - model


def toy_data():
    """Two 6-bit prototypes with one flipped bit in some copies."""
    prototypes = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=float)
    X = np.repeat(prototypes, 10, axis=0)
    X[::5, 2] = 1 - X[::5, 2]
    return X


def test_bernoulli_free_energy_equals_brute_force():
    rbm = tiny_rbm()
    v = binary_states(N_VISIBLE)
    brute = -np.logaddexp.reduce(-energy(rbm, v, binary_states(N_HIDDEN)), axis=1)
    np.testing.assert_allclose(rbm.free_energy(v), brute, rtol=1e-12, atol=1e-12)


def test_gaussian_free_energy_equals_brute_force():
    rbm = tiny_rbm(GaussianBernoulliRBM)
    v = np.random.default_rng(1).standard_normal((10, N_VISIBLE))
    brute = -np.logaddexp.reduce(-energy(rbm, v, binary_states(N_HIDDEN), gaussian=True), axis=1)
    np.testing.assert_allclose(rbm.free_energy(v), brute, rtol=1e-12, atol=1e-12)


def test_conditionals_match_enumeration():
    rbm = tiny_rbm()
    v = binary_states(N_VISIBLE)
    h = binary_states(N_HIDDEN)
    joint = np.exp(-energy(rbm, v, h))  # unnormalised p(v, h)
    p_h_given_v = joint / joint.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(rbm.transform(v), p_h_given_v @ h, rtol=1e-10)
    p_v_given_h = joint / joint.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(rbm.visible_mean(h), (v.T @ p_v_given_h).T, rtol=1e-10)


@pytest.mark.parametrize("persistent, n_epochs, momentum", [(False, 60, 0.9), (True, 160, 0.0)])
def test_cd1_raises_exact_log_likelihood(persistent, n_epochs, momentum):
    # PCD's fantasy particles only follow slowly changing weights: no momentum, more epochs
    X = toy_data()
    rbm = BernoulliRBM(n_hidden=N_HIDDEN, learning_rate=0.1, n_epochs=1, batch_size=10,
                       momentum=min(momentum, 0.5), final_momentum=momentum,
                       persistent=persistent, dtype=np.float64, random_state=0, n_monitor=0)
    rbm.fit(X)
    log_likelihood = [exact_log_likelihood(rbm, X)]
    for _ in range(n_epochs):
        rbm.partial_fit(X)
        log_likelihood.append(exact_log_likelihood(rbm, X))
    assert log_likelihood[-1] > log_likelihood[0] + 1.0
    # not just the end point: the likelihood rises over the course of training
    quarter = n_epochs // 4
    assert np.mean(log_likelihood[-10:]) > np.mean(log_likelihood[quarter:quarter + 10]) \
        > log_likelihood[0]


def cd_k_weight_change(k, X, n_copies=3000):
    """The CD-k estimate of the W gradient: one update, learning rate 1, no momentum or decay."""
    rbm = tiny_rbm(seed=3, scale=1.5, k=k, learning_rate=1.0, momentum=0.0, final_momentum=0.0,
                   weight_decay=0.0, batch_size=len(X) * n_copies, sample_reconstruction=True)
    W = rbm.W_.copy()
    exact = exact_gradient_W(rbm, X)
    rbm.partial_fit(np.tile(X, (n_copies, 1)))
    return rbm.W_ - W, exact


def test_cd_k_gradient_approaches_exact_gradient():
    X = (np.random.default_rng(0).random((8, N_VISIBLE)) < 0.5).astype(float)
    errors = {}
    for k in (1, 25):
        estimate, exact = cd_k_weight_change(k, X)
        errors[k] = np.linalg.norm(estimate - exact) / np.linalg.norm(exact)
    assert errors[25] < 0.05  # sampling noise of 24,000 chains
    assert errors[1] > 2 * errors[25]  # CD-1's bias is well above that noise


def test_cd_gradients_of_a_perfect_reconstruction_are_zero():
    v = binary_states(N_VISIBLE)[::7]
    h_prob = sigmoid(v @ tiny_rbm().W_)
    for gradient in cd_gradients(v, h_prob, v, h_prob):
        np.testing.assert_array_equal(gradient, 0.0)


@pytest.mark.parametrize("cls", [BernoulliRBM, GaussianBernoulliRBM])
def test_training_step_is_the_paper_update(cls):
    # two CD-1 steps of the fused training loop against Hinton (2010), eq. 9 (cd_gradients) and
    # the velocity form of momentum with weight decay (velocity_step), written out from the same
    # weights with the same random draws; the gradient of the loss -log p(v) is minus eq. 9
    X = toy_data() if cls is BernoulliRBM else np.random.default_rng(1).standard_normal((20, 6))
    visible_mean = sigmoid if cls is BernoulliRBM else (lambda x: x)
    eps, weight_decay = 0.1, 0.01
    generator = np.random.default_rng(0)
    rbm = cls(n_hidden=N_HIDDEN, learning_rate=eps, weight_decay=weight_decay, momentum=0.5,
              final_momentum=0.9, momentum_switch=1, batch_size=len(X), n_epochs=0, n_monitor=0,
              dtype=np.float64, random_state=generator).fit(X)  # initialised, zero velocity
    W, b_vis, b_hid = rbm.W_.copy(), rbm.b_vis_.copy(), rbm.b_hid_.copy()
    V_W, V_vis, V_hid = np.zeros_like(W), np.zeros_like(b_vis), np.zeros_like(b_hid)
    for momentum in (0.5, 0.9):
        draws = copy.deepcopy(generator)  # the uniform numbers the training step will draw
        h0_prob = sigmoid(X @ W + b_hid)
        h0 = draws.random(h0_prob.shape) < h0_prob
        v1 = visible_mean(h0 @ W.T + b_vis)
        h1_prob = sigmoid(v1 @ W + b_hid)
        dW, db_vis, db_hid = cd_gradients(X, h0_prob, v1, h1_prob)
        W, V_W = velocity_step(W, V_W, -dW, eps, momentum, weight_decay)
        b_vis, V_vis = velocity_step(b_vis, V_vis, -db_vis, eps, momentum)
        b_hid, V_hid = velocity_step(b_hid, V_hid, -db_hid, eps, momentum)
        rbm.partial_fit(X)
        for fast, paper in ((rbm.W_, W), (rbm.b_vis_, b_vis), (rbm.b_hid_, b_hid)):
            np.testing.assert_allclose(fast, paper, rtol=1e-12, atol=1e-14)


def test_pseudo_likelihood_is_unbiased_for_the_exact_one():
    rbm = tiny_rbm()
    v = binary_states(N_VISIBLE)
    exact = np.zeros(len(v))
    for i in range(N_VISIBLE):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        # log p(v_i | v_-i) = log σ(F(flipped) - F(v))
        exact += np.log(sigmoid(rbm.free_energy(flipped) - rbm.free_energy(v)))
    estimate = rbm.pseudo_likelihood(np.tile(v, (3000, 1)), random_state=0).reshape(3000, -1)
    np.testing.assert_allclose(estimate.mean(axis=0), exact, rtol=0.1)


def test_transform_agrees_with_scikit_learn():
    sklearn_rbm = pytest.importorskip("sklearn.neural_network").BernoulliRBM
    rbm = tiny_rbm()
    theirs = sklearn_rbm(n_components=N_HIDDEN)
    theirs.components_, theirs.intercept_hidden_ = rbm.W_.T.copy(), rbm.b_hid_.copy()
    theirs.intercept_visible_ = rbm.b_vis_.copy()
    v = binary_states(N_VISIBLE)
    np.testing.assert_allclose(rbm.transform(v), theirs.transform(v), rtol=1e-12)


def test_fit_records_monitoring_history():
    rng = np.random.default_rng(0)
    X = (rng.random((300, 20)) < 0.3).astype(np.float32)
    rbm = BernoulliRBM(n_hidden=10, n_epochs=4, batch_size=20, random_state=0)
    rbm.fit(X[:250], X[250:])
    history = rbm.history_
    assert history["epoch"] == [1, 2, 3, 4]
    for key in ("reconstruction_error", "free_energy_gap", "pseudo_likelihood"):
        assert len(history[key]) == 4 and np.all(np.isfinite(history[key]))
    np.testing.assert_allclose(history["free_energy_gap"],
                               np.subtract(history["free_energy_val"], history["free_energy_train"]))
    assert np.all(np.isnan(BernoulliRBM(n_hidden=5, n_epochs=1).fit(X).history_["free_energy_gap"]))


def test_verbose_fit_shows_one_line_per_epoch(capsys):
    X = (np.random.default_rng(0).random((60, 10)) < 0.3).astype(np.float32)
    BernoulliRBM(n_hidden=4, n_epochs=3, batch_size=20, random_state=0, verbose=True).fit(X)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"BernoulliRBM epoch {e}/3"
                                                      for e in (1, 2, 3)]
    assert "reconstruction error" in lines[0] and "val" not in lines[0]
    BernoulliRBM(n_hidden=4, n_epochs=3, random_state=0).fit(X)
    assert capsys.readouterr().err == ""


def test_float32_by_default_and_deterministic_with_seed():
    X = (np.random.default_rng(0).random((100, 12)) < 0.5).astype(np.float64)
    first = BernoulliRBM(n_hidden=5, n_epochs=2, batch_size=10, random_state=7).fit(X)
    second = BernoulliRBM(n_hidden=5, n_epochs=2, batch_size=10, random_state=7).fit(X)
    assert first.W_.dtype == np.float32 and first.transform(X).dtype == np.float32
    np.testing.assert_array_equal(first.W_, second.W_)


def test_gaussian_rbm_learns_standardised_data():
    rng = np.random.default_rng(0)
    # two clusters of 30-d standardised vectors
    centres = rng.standard_normal((2, 30))
    X = (centres[rng.integers(0, 2, 400)] + 0.3 * rng.standard_normal((400, 30))).astype(np.float32)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    rbm = GaussianBernoulliRBM(n_hidden=16, n_epochs=15, batch_size=20, learning_rate=0.005,
                               random_state=0).fit(X)
    errors = rbm.history_["reconstruction_error"]
    assert errors[-1] < 0.8 * errors[0]
    assert np.all(np.isnan(rbm.history_["pseudo_likelihood"]))


def test_sparsity_target_lowers_hidden_activity():
    X = (np.random.default_rng(0).random((400, 30)) < 0.5).astype(np.float32)
    settings = dict(n_hidden=20, n_epochs=10, batch_size=20, random_state=0, n_monitor=0)
    dense = BernoulliRBM(**settings).fit(X)
    sparse = BernoulliRBM(sparsity_target=0.05, sparsity_cost=1.0, **settings).fit(X)
    assert sparse.transform(X).mean() < 0.5 * dense.transform(X).mean()


def test_cd_k_and_pcd_train_without_error():
    X = (np.random.default_rng(0).random((120, 10)) < 0.4).astype(np.float32)
    for settings in (dict(k=3), dict(k=2, persistent=True), dict(persistent=True)):
        rbm = BernoulliRBM(n_hidden=6, n_epochs=2, batch_size=16, random_state=0, **settings).fit(X)
        assert np.all(np.isfinite(rbm.W_))


def test_gibbs_and_sample_shapes_and_ranges():
    rbm = tiny_rbm()
    v = binary_states(N_VISIBLE)
    step = rbm.gibbs(v)
    assert step.shape == v.shape and set(np.unique(step)) <= {0.0, 1.0}
    samples = rbm.sample(5, n_steps=20)
    assert samples.shape == (5, N_VISIBLE) and np.all((samples >= 0) & (samples <= 1))
    np.testing.assert_array_equal(rbm.sample(5, n_steps=20, random_state=1),
                                  rbm.sample(5, n_steps=20, random_state=1))
    np.testing.assert_array_equal(rbm.gibbs(v, random_state=np.random.default_rng(2)),
                                  rbm.gibbs(v, random_state=2))
    assert tiny_rbm(GaussianBernoulliRBM).sample(3, n_steps=5).shape == (3, N_VISIBLE)


def test_reconstruct_is_the_mean_field_up_down_pass():
    rbm = tiny_rbm()
    v = binary_states(N_VISIBLE)
    np.testing.assert_allclose(rbm.reconstruct(v),
                               sigmoid(sigmoid(v @ rbm.W_ + rbm.b_hid_) @ rbm.W_.T + rbm.b_vis_))


@pytest.mark.parametrize("cls", [BernoulliRBM, GaussianBernoulliRBM])
def test_save_load_round_trip(tmp_path, cls):
    X = np.random.default_rng(0).random((50, 8)).astype(np.float32)
    rbm = cls(n_hidden=4, n_epochs=2, batch_size=10, k=2, random_state=0).fit(X)
    path = tmp_path / "rbm.npz"
    rbm.save(path)
    loaded = cls.load(path)
    for name in ("W_", "b_vis_", "b_hid_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(rbm, name))
    np.testing.assert_array_equal(loaded.transform(X), rbm.transform(X))
    assert loaded.k == 2 and loaded.n_hidden == 4
    assert np.all(np.isfinite(loaded.partial_fit(X).W_))  # training continues from the file
    other = GaussianBernoulliRBM if cls is BernoulliRBM else BernoulliRBM
    with pytest.raises(ValueError, match="rbm.npz"):
        other.load(path)


def test_bad_input_raises_clear_errors():
    rbm = BernoulliRBM(n_hidden=3, n_epochs=1).fit(np.zeros((10, 5)))
    with pytest.raises(ValueError, match="5"):
        rbm.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        rbm.transform(np.full((2, 5), np.nan))
    with pytest.raises(ValueError, match="shape"):
        BernoulliRBM().fit(np.zeros(5))
    with pytest.raises(ValueError, match="k"):
        BernoulliRBM(k=0)
    with pytest.raises(ValueError, match="sparsity_target"):
        BernoulliRBM(sparsity_target=1.5)
