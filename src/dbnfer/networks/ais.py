"""The likelihood contrastive divergence does not show: an RBM's partition function by annealed importance sampling.

An RBM gives p(v) = exp(-F(v)) / Z, and the free energy F(v) is cheap; the partition function
Z = Σ_v exp(-F(v)) sums over 2^n_visible states (an integral for Gaussian visibles), so the log-likelihood
that training maximises is never computed: CD monitors reconstruction error instead. Annealed importance
sampling (AIS; Neal 2001) estimates Z by moving samples from a model whose Z is known (A) to the RBM (B)
through a chain of distributions in between (Salakhutdinov & Murray 2008, sec. 4.1-4.2):

    p*_β(v) = exp((1 - β) b_A·v + β b_vis·v) Π_j (1 + exp(β (b_hid_j + (vW)_j)))        0 = β_0 < ... < β_K = 1

(for Gaussian visibles each term also has the factor exp(-½||v||²)). Model A (β = 0) has no weights: its
visible units are independent with biases b_A ("base rate", fitted to the data's pixel means), and

    log Z_A = Σ_i log(1 + exp(b_A_i)) + n_hidden log 2                  (binary visibles)
    log Z_A = ½ n_visible log 2π + ½||b_A||² + n_hidden log 2             (Gaussian visibles).

A run draws v_1 from A and, for k = 1 .. K, adds log p*_k(v_k) - log p*_{k-1}(v_k) to its log-weight, then
moves v_k to v_{k+1} by one Gibbs sweep that leaves p_k invariant:

    p(h_j = 1 | v) = σ(β_k (b_hid_j + (vW)_j))
    p(v | h)       = σ or N((1 - β_k) b_A + β_k (b_vis + W h)).

The mean of the M runs' weights is an unbiased estimate of Z_B / Z_A (eq. 9-11):

    log Z_B ≈ log Z_A + log (1/M Σ_m w_m).

Its logarithm is biased low (Jensen), so AIS tends to underestimate log Z and overestimate log p(v): use many
intermediate β (the paper uses 14,500) and many runs, and check on an RBM small enough to sum exactly
(`exact_log_partition`). The Gaussian RBM's p*_β drops the constant exp(-½||b_vis||²) of its energy, which
`log_partition_ais` puts back.

References
----------
Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11(2).
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks. ICML.
"""

import numpy as np
from scipy.special import expit, logsumexp

from dbnfer.networks.activations import softplus
from dbnfer.networks.rbm import GaussianBernoulliRBM


def annealing_schedule(n_betas=14_500):
    """Salakhutdinov & Murray's inverse temperatures: a third of the steps on [0, 0.5], the rest finer to 1.

    Parameters
    ----------
    n_betas : int
        Number of intermediate distributions K (at least 10).

    Returns
    -------
    ndarray, shape (n_betas + 1,)
        0 = β_0 < β_1 < ... < β_K = 1.
    """
    if n_betas < 10:
        raise ValueError(f"n_betas must be at least 10, not {n_betas}")
    # the paper: 500 steps on [0, 0.5], 4,000 on [0.5, 0.9], 10,000 on [0.9, 1]
    n1, n2 = round(n_betas * 500 / 14_500), round(n_betas * 4_000 / 14_500)
    n3 = n_betas - n1 - n2
    return np.concatenate([np.linspace(0.0, 0.5, n1, endpoint=False), np.linspace(0.5, 0.9, n2, endpoint=False),
                           np.linspace(0.9, 1.0, n3 + 1)])


def base_rate_bias(rbm, X):
    """The visible biases b_A of model A that match the data's pixel means (Salakhutdinov & Murray, sec. 4.2).

    Binary visibles: log(p_i / (1 - p_i)) with p_i the mean of pixel i, clipped away from 0 and 1;
    Gaussian visibles: the mean itself.
    """
    mean = np.asarray(X, dtype=np.float64).mean(axis=0)
    if isinstance(rbm, GaussianBernoulliRBM):
        return mean
    p = np.clip(mean, 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def log_partition_ais(rbm, n_runs=100, n_betas=14_500, base_bias=None, random_state=None):
    """Estimate log Z of a trained RBM by annealed importance sampling (Salakhutdinov & Murray 2008).

    Parameters
    ----------
    rbm : BernoulliRBM or GaussianBernoulliRBM
        A fitted RBM (`W_`, `b_vis_`, `b_hid_`).
    n_runs : int
        M, the number of independent AIS runs (the rows of one matrix product per step).
    n_betas : int
        K, the number of intermediate distributions (`annealing_schedule`).
    base_bias : ndarray, shape (n_visible,), optional
        b_A of the base-rate model; `base_rate_bias(rbm, X_train)` is the paper's choice; zeros by default.
    random_state : int or numpy.random.Generator, optional

    Returns
    -------
    log_Z : float
        The estimate of log Z.
    log_weights : ndarray, shape (n_runs,)
        log w_m of each run; their spread says how far to trust log_Z.

    Examples
    --------
    >>> from dbnfer.networks.rbm import BernoulliRBM
    >>> rbm = BernoulliRBM(n_hidden=4, n_epochs=1, random_state=0).fit(np.eye(6)[[0, 1, 2] * 10])
    >>> log_Z, _ = log_partition_ais(rbm, n_runs=200, n_betas=2000, random_state=0)
    >>> abs(log_Z - exact_log_partition(rbm)) < 0.1
    True
    """
    rng = np.random.default_rng(random_state)
    gaussian = isinstance(rbm, GaussianBernoulliRBM)
    W, b_vis, b_hid = (np.asarray(a, dtype=np.float64) for a in (rbm.W_, rbm.b_vis_, rbm.b_hid_))
    b_A = np.zeros_like(b_vis) if base_bias is None else np.asarray(base_bias, dtype=np.float64)
    n_visible, n_hidden = W.shape

    def log_p_star(v, beta):  # log p*_β(v) without its Gaussian factor exp(-½||v||²), which cancels
        return v @ ((1 - beta) * b_A + beta * b_vis) + softplus(beta * (v @ W + b_hid)).sum(axis=1)

    def gibbs_sweep(v, beta):
        h = rng.random((n_runs, n_hidden)) < expit(beta * (v @ W + b_hid))
        mean = (1 - beta) * b_A + beta * (b_vis + h @ W.T)
        return mean + rng.standard_normal(mean.shape) if gaussian else rng.random(mean.shape) < expit(mean)

    if gaussian:
        v = b_A + rng.standard_normal((n_runs, n_visible))
        log_Z_A = 0.5 * n_visible * np.log(2 * np.pi) + 0.5 * b_A @ b_A + n_hidden * np.log(2)
    else:
        v = (rng.random((n_runs, n_visible)) < expit(b_A)).astype(np.float64)
        log_Z_A = softplus(b_A).sum() + n_hidden * np.log(2)
    betas = annealing_schedule(n_betas)
    log_weights = np.zeros(n_runs)
    for k in range(1, len(betas)):
        log_weights += log_p_star(v, betas[k]) - log_p_star(v, betas[k - 1])
        if k < len(betas) - 1:
            v = gibbs_sweep(v, betas[k]).astype(np.float64)
    log_Z = log_Z_A + logsumexp(log_weights) - np.log(n_runs)
    if gaussian:
        log_Z -= 0.5 * b_vis @ b_vis  # E(v, h) has ½||v - b_vis||²; p*_β kept only -½||v||² + b_vis·v
    return float(log_Z), log_weights


def exact_log_partition(rbm):
    """log Z by summing over every hidden state (2^n_hidden terms): the yardstick for small RBMs.

    Summing out the visibles analytically for each h,

        binary:   log Z = log Σ_h exp(b_hid·h + Σ_i log(1 + exp(b_vis_i + (W h)_i)))
        Gaussian: log Z = log Σ_h exp(b_hid·h + ½||b_vis + W h||² - ½||b_vis||²) + ½ n_visible log 2π.

    Raises
    ------
    ValueError
        If the RBM has more than 20 hidden units.
    """
    W, b_vis, b_hid = (np.asarray(a, dtype=np.float64) for a in (rbm.W_, rbm.b_vis_, rbm.b_hid_))
    n_visible, n_hidden = W.shape
    if n_hidden > 20:
        raise ValueError(f"exact log Z sums 2^n_hidden terms; {n_hidden} hidden units are too many (at most 20)")
    h = (np.arange(2 ** n_hidden)[:, None] >> np.arange(n_hidden) & 1).astype(np.float64)
    visible_input = b_vis + h @ W.T  # (2^H, n_visible)
    if isinstance(rbm, GaussianBernoulliRBM):
        terms = h @ b_hid + 0.5 * (visible_input ** 2).sum(axis=1) - 0.5 * b_vis @ b_vis
        return float(logsumexp(terms) + 0.5 * n_visible * np.log(2 * np.pi))
    return float(logsumexp(h @ b_hid + softplus(visible_input).sum(axis=1)))


def average_log_likelihood(rbm, X, log_Z):
    """(1/n) Σ_v log p(v) = -(1/n) Σ_v F(v) - log Z, the figure CD never shows (nats per image)."""
    return float(-np.mean(rbm.free_energy(X)) - log_Z)
