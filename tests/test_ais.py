"""Annealed importance sampling: log Z within 0.1 nats of the exact sum on RBMs small enough to enumerate."""

import itertools

import numpy as np
import pytest
from scipy.integrate import trapezoid

from dbnfer.networks.ais import (annealing_schedule, average_log_likelihood, base_rate_bias, exact_log_partition,
                                 log_partition_ais)
from dbnfer.networks.rbm import BernoulliRBM, GaussianBernoulliRBM


def random_rbm(cls, n_visible, n_hidden, scale, seed):
    rbm = cls(n_hidden=n_hidden, dtype=np.float64, random_state=seed, n_monitor=0)
    rbm.partial_fit(np.full((1, n_visible), 0.5))
    rng = np.random.default_rng(seed + 1)
    rbm.W_[:] = scale * rng.standard_normal((n_visible, n_hidden))
    rbm.b_vis_[:] = 0.5 * rng.standard_normal(n_visible)
    rbm.b_hid_[:] = 0.5 * rng.standard_normal(n_hidden)
    return rbm


def test_exact_log_partition_equals_the_sum_over_every_visible_state():
    rbm = random_rbm(BernoulliRBM, 8, 5, 1.0, seed=0)
    v = np.array(list(itertools.product([0.0, 1.0], repeat=8)))
    assert exact_log_partition(rbm) == pytest.approx(np.logaddexp.reduce(-rbm.free_energy(v)), abs=1e-10)


def test_exact_gaussian_log_partition_equals_numerical_integration():
    rbm = random_rbm(GaussianBernoulliRBM, 1, 3, 0.8, seed=1)
    grid = np.linspace(-30, 30, 200_001)[:, None]
    integral = np.log(trapezoid(np.exp(-rbm.free_energy(grid)), grid[:, 0]))
    assert exact_log_partition(rbm) == pytest.approx(integral, abs=1e-8)


@pytest.mark.parametrize("cls, n_visible, n_hidden, scale", [
    (BernoulliRBM, 12, 10, 1.0),
    (BernoulliRBM, 20, 8, 1.5),
    (GaussianBernoulliRBM, 10, 8, 0.3),
])
def test_ais_is_within_a_tenth_of_a_nat_of_the_exact_log_partition(cls, n_visible, n_hidden, scale):
    rbm = random_rbm(cls, n_visible, n_hidden, scale, seed=2)
    log_Z, log_weights = log_partition_ais(rbm, n_runs=200, n_betas=3000, random_state=0)
    assert log_weights.shape == (200,)
    assert abs(log_Z - exact_log_partition(rbm)) < 0.1


def test_a_data_fitted_base_rate_and_the_likelihood_of_trained_data():
    rng = np.random.default_rng(3)
    prototypes = rng.random((3, 16)) < 0.5
    X = (prototypes[rng.integers(0, 3, 300)] ^ (rng.random((300, 16)) < 0.05)).astype(np.float64)
    rbm = BernoulliRBM(n_hidden=10, n_epochs=30, batch_size=20, learning_rate=0.1, dtype=np.float64,
                       random_state=0, n_monitor=0).fit(X)
    exact = exact_log_partition(rbm)
    estimate, _ = log_partition_ais(rbm, n_runs=200, n_betas=3000, base_bias=base_rate_bias(rbm, X),
                                    random_state=1)
    assert abs(estimate - exact) < 0.1
    # a trained model gives its data more likelihood than 16 fair coins (16 log 2 = 11.1 nats)
    assert average_log_likelihood(rbm, X, exact) > -16 * np.log(2) + 3


def test_the_schedule_runs_from_zero_to_one_finer_near_one():
    betas = annealing_schedule(14_500)
    assert betas[0] == 0 and betas[-1] == 1 and len(betas) == 14_501 and np.all(np.diff(betas) > 0)
    assert np.diff(betas)[-1] < np.diff(betas)[0]
    with pytest.raises(ValueError, match="at least 10"):
        annealing_schedule(3)


def test_exact_log_partition_refuses_large_hidden_layers():
    with pytest.raises(ValueError, match="too many"):
        exact_log_partition(random_rbm(BernoulliRBM, 4, 21, 1.0, seed=0))
