"""Momentum SGD with L2 weight decay, the update shared by the RBMs and the MLP.

The paper's form (Hinton 2010, sec. 9-10; Sutskever et al. 2013), for a weight matrix W whose loss
has the gradient G, with momentum μ, learning rate ε and weight decay λ, keeps a velocity V::

    V_{t+1} = μ V_t - ε (G_t + λ W_t)
    W_{t+1} = W_t + V_{t+1}

`velocity_step` is that, line for line. Training uses `momentum_step`, the same update done in
place by BLAS. There the gradient is a sum of outer products over the n rows of A (n, n_in) and
B (n, n_out), and -ε G = α AᵀB::

    RBM  A = [v0; vk], B = [h0; -hk], α = ε / n    Hinton (2010), eq. 9 with sec. 9-10:
                                                     ΔW <- μ ΔW + ε(<v0ᵀh0> - <vkᵀhk> - λW)
    MLP  A = a_{l-1},  B = δ_l,       α = -ε       BP4 (δ_l already holds the 1/n of the mean):
                                                     V <- μ V - ε(a_{l-1}ᵀ δ_l + λW)

Since V_t = W_t - W_{t-1}, the update is Polyak's (1964) "heavy ball"::

    W_{t+1} = (1 + μ - ελ) W_t - μ W_{t-1} + α AᵀB

and that is how `momentum_step` computes it: keeping W_{t-1} instead of V, two BLAS calls do it in
place. One GEMM overwrites W_{t-1} with -μ W_{t-1} + α AᵀB (its beta = -μ scales the old contents
inside the product; the array seen transposed is Fortran-ordered, as BLAS wants, so nothing is
copied), one axpy adds (1 + μ - ελ) W_t; that buffer then holds W_{t+1}, and the two arrays swap
roles. These are two passes over W-sized memory and no temporary, where the velocity form takes
three (GEMM into V, decay, W += V) and NumPy's textbook expression more, through W-sized
temporaries (docs/speed.md has the timings). The price is rounding: W_{t+1} is formed from terms
the size of W, so each step adds a few units in the last place of W (the velocity form adds one),
far below the size of a step.

References
----------
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4(5).
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR 2010-003.
Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). On the importance of initialization and
    momentum in deep learning. ICML.
"""

from scipy.linalg import blas


def velocity_step(W, V, grad, learning_rate, momentum, weight_decay=0.0):
    """One step of momentum SGD in the velocity form: V <- μ V - ε (G + λ W), W <- W + V.

    The readable form of `momentum_step` (which training uses); new arrays, nothing in place.

    Parameters
    ----------
    W : ndarray
        The current weights W_t (or biases, with ``weight_decay=0``).
    V : ndarray
        The velocity V_t, zero before the first step.
    grad : ndarray
        G_t, the gradient of the loss at W_t, without the weight decay.
    learning_rate : float
        ε.
    momentum : float
        μ.
    weight_decay : float
        λ, the coefficient of the L2 penalty (λ/2)||W||².

    Returns
    -------
    W_next, V_next : ndarray
        W_{t+1} and V_{t+1}.

    Examples
    --------
    >>> import numpy as np
    >>> W, V = velocity_step(np.ones(2), np.zeros(2), np.full(2, 4.0), 0.1, momentum=0.9)
    >>> W.round(12).tolist(), V.round(12).tolist()
    ([0.6, 0.6], [-0.4, -0.4])
    """
    V = momentum * V - learning_rate * (grad + weight_decay * W)
    return W + V, V


def momentum_step(W, W_prev, A, B, alpha, momentum, decay):
    """W_{t+1} = (1 + μ - decay) W_t - μ W_{t-1} + α AᵀB, computed over W_{t-1}'s memory.

    Parameters
    ----------
    W : ndarray, (n_in, n_out)
        The current weights W_t, C-contiguous float32 or float64 (read only).
    W_prev : ndarray, (n_in, n_out)
        The previous weights W_{t-1} (W_t itself before the first step, i.e. zero velocity),
        C-contiguous; overwritten with W_{t+1}.
    A : ndarray, (n, n_in)
    B : ndarray, (n, n_out)
        The gradient's factors: it is Aᵀ B, summed over the n rows.
    alpha : float
        α, the step on AᵀB (sign included).
    momentum : float
        μ.
    decay : float
        ελ, the learning rate times the L2 weight decay.

    Returns
    -------
    W_next, W : ndarray
        W_{t+1} (the memory of `W_prev`) and W_t, which becomes the previous weights:
        ``W, W_prev = momentum_step(W, W_prev, ...)``.

    Raises
    ------
    ValueError
        If W or W_prev is not C-contiguous (BLAS would then update a copy, silently).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.ones((3, 2))
    >>> W, W_prev = momentum_step(W, W.copy(), np.ones((4, 3)), np.ones((4, 2)), alpha=-0.1,
    ...                           momentum=0.9, decay=0.0)
    >>> round(float(W[0, 0]), 12), float(W_prev[0, 0])  # 1 - 0.1 * 4, and the weights before
    (0.6, 1.0)
    """
    if not (W.flags.c_contiguous and W_prev.flags.c_contiguous):
        raise ValueError("momentum_step updates W_prev in place: W and W_prev must be C-contiguous")
    gemm, axpy = blas.get_blas_funcs(("gemm", "axpy"), (W,))
    # W_prevᵀ <- -μ W_prevᵀ + α BᵀA, then + (1 + μ - ελ) Wᵀ
    gemm(alpha, B.T, A.T, beta=-momentum, c=W_prev.T, trans_b=1, overwrite_c=1)
    axpy(W.ravel(), W_prev.ravel(), a=1.0 + momentum - decay)
    return W_prev, W
