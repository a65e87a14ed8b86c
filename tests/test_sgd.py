"""The heavy-ball momentum step against the textbook velocity update."""

import numpy as np
import pytest

from dbnfer.sgd import momentum_step


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("decay", [0.0, 1e-3])
def test_matches_the_velocity_form(dtype, tolerance, decay):
    # three steps, the momentum changing as in an RBM's schedule: V <- μV + α AᵀB - decay·W,
    # W <- W + V, from zero velocity
    rng = np.random.default_rng(0)
    W = rng.standard_normal((7, 5)).astype(dtype)
    W_expected, V = W.copy(), np.zeros_like(W)
    W_prev = W.copy()
    for momentum in (0.5, 0.9, 0.9):
        A, B = rng.standard_normal((4, 7)).astype(dtype), rng.standard_normal((4, 5)).astype(dtype)
        V = momentum * V - 0.05 * A.T @ B - decay * W_expected
        W_expected = W_expected + V
        W_before = W
        W, W_prev = momentum_step(W, W_prev, A, B, -0.05, momentum, decay)
        assert W_prev is W_before and W.dtype == dtype
        np.testing.assert_allclose(W, W_expected, rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(W - W_prev, V, rtol=tolerance, atol=tolerance)


def test_refuses_arrays_it_cannot_update_in_place():
    W_prev = np.zeros((5, 3)).T  # Fortran-ordered: BLAS would write to a copy
    with pytest.raises(ValueError, match="C-contiguous"):
        momentum_step(np.zeros((3, 5)), W_prev, np.ones((2, 3)), np.ones((2, 5)), 0.1, 0.9, 0.0)
