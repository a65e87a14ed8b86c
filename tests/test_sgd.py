"""The heavy-ball momentum step (training's fused form) against the textbook velocity form."""

import numpy as np
import pytest

from dbnfer.networks.sgd import momentum_step, velocity_step


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("weight_decay", [0.0, 2e-2])
def test_momentum_step_is_the_velocity_form(dtype, tolerance, weight_decay):
    # three steps from zero velocity, the momentum changing as in an RBM's schedule; the gradient
    # is AᵀB, so momentum_step gets α = -ε and the decay ελ
    rng = np.random.default_rng(0)
    eps = 0.05
    W = rng.standard_normal((7, 5)).astype(dtype)
    W_expected, V = W.copy(), np.zeros_like(W)
    W_prev = W.copy()
    for momentum in (0.5, 0.9, 0.9):
        A, B = rng.standard_normal((4, 7)).astype(dtype), rng.standard_normal((4, 5)).astype(dtype)
        W_expected, V = velocity_step(W_expected, V, A.T @ B, eps, momentum, weight_decay)
        W_before = W
        W, W_prev = momentum_step(W, W_prev, A, B, -eps, momentum, eps * weight_decay)
        assert W_prev is W_before and W.dtype == dtype
        np.testing.assert_allclose(W, W_expected, rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(W - W_prev, V, rtol=tolerance, atol=tolerance)


def test_velocity_step_is_the_textbook_update():
    W, V, grad = np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([3.0, 1.0])
    W_next, V_next = velocity_step(W, V, grad, learning_rate=0.1, momentum=0.9, weight_decay=0.5)
    np.testing.assert_allclose(V_next, 0.9 * V - 0.1 * (grad + 0.5 * W))
    np.testing.assert_allclose(W_next, W + V_next)
    np.testing.assert_array_equal(W, [1.0, -2.0])  # the inputs are left as they were


def test_refuses_arrays_it_cannot_update_in_place():
    W_prev = np.zeros((5, 3)).T  # Fortran-ordered: BLAS would write to a copy
    with pytest.raises(ValueError, match="C-contiguous"):
        momentum_step(np.zeros((3, 5)), W_prev, np.ones((2, 3)), np.ones((2, 5)), 0.1, 0.9, 0.0)
