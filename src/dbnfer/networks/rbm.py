"""Restricted Boltzmann machines trained by contrastive divergence.

An RBM is a two-layer Markov random field: visible units v (pixels) and hidden units h (features),
with connections only between the layers (Smolensky, 1986; Hinton, 2002).

Bernoulli-Bernoulli RBM (binary v and h; Hinton 2010, sec. 2, eq. 1)::

    E(v, h)      = -b_vis·v - b_hid·h - vᵀ W h
    p(h_j=1 | v) = σ(b_hid_j + (vW)_j)                        (eq. 7)
    p(v_i=1 | h) = σ(b_vis_i + (W h)_i)                       (eq. 8)
    F(v)         = -b_vis·v - Σ_j log(1 + exp(b_hid_j + (vW)_j))

Gaussian-Bernoulli RBM (real v with unit variance, on standardised pixels; Hinton 2010, sec. 13.2;
Hinton & Salakhutdinov 2006)::

    E(v, h)      = ½||v - b_vis||² - b_hid·h - vᵀ W h
    p(h_j=1 | v) = σ(b_hid_j + (vW)_j)
    p(v | h)     = N(b_vis + W h, I)
    F(v)         = ½||v - b_vis||² - Σ_j log(1 + exp(b_hid_j + (vW)_j))

The free energy F(v) = -log Σ_h exp(-E(v, h)) gives p(v) = exp(-F(v)) / Z.

Learning follows the log-likelihood gradient (Hinton 2010, eq. 9)::

    ∂ log p(v) / ∂W = <v hᵀ>_data - <v hᵀ>_model

where <.>_model is replaced by the statistics after k steps of Gibbs sampling started at the data
(contrastive divergence CD-k, Hinton 2002) or at persistent fantasy particles carried over from the
previous update (persistent CD, Tieleman 2008). Each mini-batch update is (Hinton 2010, sec. 9-10)::

    ΔW     <- μ ΔW     + ε (<v0ᵀ h0> - <vkᵀ hk> - λ W)
    Δb_vis <- μ Δb_vis + ε (<v0> - <vk>)
    Δb_hid <- μ Δb_hid + ε (<h0> - <hk>)

with momentum μ (0.5 for the first epochs, then 0.9), learning rate ε and L2 weight decay λ. An
optional sparsity target p pulls each hidden unit's running mean activity q towards p by adding
cost·(p - q) to the positive-phase hidden probabilities (Hinton 2010, sec. 11; the cross-entropy
penalty's derivative w.r.t. the hidden input is q - p).

The practical choices follow Hinton's guide: hidden states driven by data are sampled, those driven
by reconstructions are probabilities; the last reconstruction uses visible probabilities (means),
not samples (sec. 3); weights start at N(0, 0.01²), visible biases at log(p_i / (1 - p_i)) (sec. 8).

The gradient and the update appear twice, as in the papers and as trained. `cd_gradients` is
eq. 9 as written (<v0 h0ᵀ> - <vk hkᵀ> and the two bias terms) and
`dbnfer.networks.sgd.velocity_step` the momentum update above. The training loop
(`_RBM._cd_step`) computes the same numbers (in float32 by default) with preallocated buffers,
folding the momentum into the weight-gradient matrix product (`dbnfer.networks.sgd.momentum_step`,
which keeps ΔW as W - W_prev, Polyak's heavy-ball form of the same update) and stacking the data
and reconstruction rows so that <v0ᵀh0> - <vkᵀhk> is one product over 2b rows. The tests check
that a training step equals the paper's form.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14(8).
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR 2010-003.
Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with neural
    networks. Science 313.
Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the likelihood
    gradient. ICML.
Besag, J. (1975). Statistical analysis of non-lattice data. The Statistician 24(3).
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4(5).
"""

import numpy as np

from dbnfer.networks.activations import sigmoid, softplus
from dbnfer.networks.sgd import momentum_step
from dbnfer.persist import Saveable
from dbnfer.progress import Progress
from dbnfer.validation import check_matrix


def cd_gradients(v0, h0_prob, vk, hk_prob):
    """The CD-k estimate of the log-likelihood gradient, as Hinton (2010), eq. 9 writes it.

    <.>_data averages over the mini-batch with the hidden units driven by the data, <.>_recon over
    the reconstructions after k Gibbs steps, which stand in for the model's distribution.

    Parameters
    ----------
    v0 : ndarray, (b, n_visible)
        The mini-batch.
    h0_prob : ndarray, (b, n_hidden)
        p(h = 1 | v0).
    vk : ndarray, (b, n_visible)
        The reconstructions after k steps.
    hk_prob : ndarray, (b, n_hidden)
        p(h = 1 | vk).

    Returns
    -------
    dW : ndarray, (n_visible, n_hidden)
        <v hᵀ>_data - <v hᵀ>_recon.
    db_vis : ndarray, (n_visible,)
        <v>_data - <v>_recon.
    db_hid : ndarray, (n_hidden,)
        <h>_data - <h>_recon.

    References
    ----------
    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines, eq. 9.
    """
    b = len(v0)
    dW = (v0.T @ h0_prob - vk.T @ hk_prob) / b  # eq. 9: <v hᵀ>_data - <v hᵀ>_recon
    db_vis = v0.mean(axis=0) - vk.mean(axis=0)
    db_hid = h0_prob.mean(axis=0) - hk_prob.mean(axis=0)
    return dW, db_vis, db_hid


class _RBM(Saveable):
    """Contrastive-divergence training shared by the Bernoulli and Gaussian RBMs.

    Subclasses define the visible units: `visible_mean`, `_sample_visible`, `_visible_energy`,
    `_initial_visible_bias` and `_random_visible`.
    """

    def __init__(self, n_hidden=256, learning_rate=0.05, n_epochs=20, batch_size=100, k=1,
                 persistent=False, momentum=0.5, final_momentum=0.9, momentum_switch=5,
                 weight_decay=2e-4, sparsity_target=None, sparsity_cost=0.1, sparsity_decay=0.95,
                 sample_reconstruction=False, n_monitor=256, dtype=np.float32, random_state=None,
                 verbose=False):
        if k < 1:
            raise ValueError(f"k (Gibbs steps of CD-k) must be at least 1, not {k}")
        if sparsity_target is not None and not 0.0 < sparsity_target < 1.0:
            raise ValueError(f"sparsity_target must be in (0, 1), not {sparsity_target}")
        self._keep_settings(locals())  # self.<name> = <name> for every argument
        self.dtype = np.dtype(dtype)

    # ---- conditionals and free energy ---------------------------------------------------------

    def _hidden_prob(self, v, out=None):
        """p(h = 1 | v) = σ(b_hid + vW), eq. 7; shape (n, n_hidden)."""
        out = np.matmul(v, self.W_, out=out)
        out += self.b_hid_
        return sigmoid(out, out=out)

    def _sample_hidden(self, h_prob, out, rng, u=None):
        """Binary hidden states drawn from their probabilities with `rng`, written to `out`.

        `u` is an optional preallocated buffer for the uniform draws (the training loop's).
        """
        if u is None:
            u = np.empty_like(h_prob)
        rng.random(dtype=self.dtype, out=u)
        return np.less(u, h_prob, out=out)

    def _visible_input(self, h, out=None):
        """b_vis + W h, the input of the visible units; shape (n, n_visible)."""
        out = np.matmul(h, self.W_.T, out=out)
        out += self.b_vis_
        return out

    def free_energy(self, v):
        """F(v) = E_vis(v) - Σ_j softplus(b_hid_j + (vW)_j), so that p(v) = exp(-F(v)) / Z.

        E_vis(v) is -b_vis·v for binary visible units, ½||v - b_vis||² for Gaussian ones.

        Parameters
        ----------
        v : array_like, (n_samples, n_visible)

        Returns
        -------
        ndarray, (n_samples,)
        """
        v = check_matrix(v, self.dtype, self.n_visible_, "v")
        return self._visible_energy(v) - softplus(v @ self.W_ + self.b_hid_).sum(axis=1)

    # ---- public interface ---------------------------------------------------------------------

    def fit(self, X, X_val=None):
        """Train for `n_epochs` epochs of mini-batch CD-k (or PCD) from a fresh initialisation.

        Parameters
        ----------
        X : array_like, (n_samples, n_visible)
            Training data: values in [0, 1] for the Bernoulli RBM, standardised values for the
            Gaussian RBM.
        X_val : array_like, (n_val, n_visible), optional
            Held-out data for the free-energy gap F(val) - F(train), Hinton's (2010, sec. 6)
            overfitting monitor; it never changes the weights.

        Returns
        -------
        self
        """
        X = check_matrix(X, self.dtype)
        X_val = None if X_val is None else check_matrix(X_val, self.dtype, X.shape[1], "X_val")
        self._initialize(X)
        monitor_idx = self._rng.choice(len(X), min(len(X), self.n_monitor), replace=False)
        with Progress(self.n_epochs, f"{type(self).__name__} epoch", self.verbose) as progress:
            for _ in range(self.n_epochs):
                self._epoch(X, self._rng.permutation(len(X)))
                progress.step(self._record(X[monitor_idx], X_val) if self.n_monitor else "")
        return self

    def partial_fit(self, X):
        """One pass of CD-k updates over the mini-batches of `X`, in order.

        Initialises the model on the first call; later calls continue from the current weights and
        momentum, using the final momentum once `momentum_switch` epochs have been run.

        Returns
        -------
        self
        """
        X = check_matrix(X, self.dtype, getattr(self, "n_visible_", None))
        if not hasattr(self, "W_"):
            self._initialize(X)
        elif not hasattr(self, "_W_prev"):  # a loaded model: continue training from its weights
            self._prepare_training(X)
        self._epoch(X, np.arange(len(X)))
        return self

    def transform(self, X):
        """Hidden-unit probabilities p(h = 1 | v), the features passed up a deep belief network.

        Parameters
        ----------
        X : array_like, (n_samples, n_visible)

        Returns
        -------
        ndarray, (n_samples, n_hidden)
        """
        return self._hidden_prob(check_matrix(X, self.dtype, self.n_visible_))

    def reconstruct(self, X):
        """Mean-field up-down pass: E[v | h = p(h | v)], the reconstruction used in monitoring.

        Returns
        -------
        ndarray, (n_samples, n_visible)
        """
        return self.visible_mean(self.transform(X))

    def gibbs(self, v, random_state=None):
        """One step of block Gibbs sampling v -> h -> v', returning the sampled visible states.

        Parameters
        ----------
        v : array_like, (n_samples, n_visible)
        random_state : None, int or numpy.random.Generator
            Source of the samples; None continues the model's own generator.

        Returns
        -------
        ndarray, (n_samples, n_visible)
        """
        rng = self._generator(random_state)
        v = check_matrix(v, self.dtype, self.n_visible_, "v")
        h_prob = self._hidden_prob(v)
        h = self._sample_hidden(h_prob, h_prob, rng)
        v_mean = self.visible_mean(h)
        return self._sample_visible(v_mean, v_mean, rng)

    def sample(self, n_samples, n_steps=1000, v_init=None, random_state=None):
        """Draw visible vectors from the model by a long Gibbs chain.

        Parameters
        ----------
        n_samples : int
            Number of independent chains.
        n_steps : int
            Gibbs steps per chain.
        v_init : array_like, (n_samples, n_visible), optional
            Starting states; random (uniform bits or standard normal) by default.
        random_state : None, int or numpy.random.Generator
            Source of the chains; None continues the model's own generator.

        Returns
        -------
        ndarray, (n_samples, n_visible)
            The visible means E[v | h] after the last step (less noisy than the states).
        """
        rng = self._generator(random_state)
        v = self._random_visible(n_samples, rng) if v_init is None else \
            check_matrix(v_init, self.dtype, self.n_visible_, "v_init")
        for _ in range(n_steps - 1):
            v = self.gibbs(v, rng)
        h_prob = self._hidden_prob(v)
        return self.visible_mean(self._sample_hidden(h_prob, h_prob, rng))

    def _generator(self, random_state):
        return self._rng if random_state is None else np.random.default_rng(random_state)

    # ---- training internals -------------------------------------------------------------------

    def _initialize(self, X):
        """Weights N(0, 0.01²), hidden biases 0, visible biases from the data (Hinton 2010, sec. 8)."""
        self._rng = np.random.default_rng(self.random_state)
        n_visible = X.shape[1]
        self.n_visible_ = n_visible
        self.W_ = (0.01 * self._rng.standard_normal((n_visible, self.n_hidden))).astype(self.dtype)
        self.b_vis_ = self._initial_visible_bias(X).astype(self.dtype)
        self.b_hid_ = np.zeros(self.n_hidden, dtype=self.dtype)
        self._prepare_training(X)

    def _prepare_training(self, X):
        """Zero velocities, the sparsity average, work buffers, PCD chains and the history."""
        n_visible = self.n_visible_
        self._W_prev = self.W_.copy()  # the weights before the last update: ΔW = W - W_prev = 0
        self._db_vis = np.zeros_like(self.b_vis_)  # velocities (momentum) of b_vis, b_hid
        self._db_hid = np.zeros_like(self.b_hid_)
        self._q = np.full(self.n_hidden, self.sparsity_target or 0.0, dtype=self.dtype)
        b = self.batch_size
        self._v_stack = np.empty((2 * b, n_visible), dtype=self.dtype)  # rows: v0 then vk
        self._h_stack = np.empty((2 * b, self.n_hidden), dtype=self.dtype)  # rows: h0 then hk
        self._h_state = np.empty((b, self.n_hidden), dtype=self.dtype)
        self._uniform_h = np.empty((b, self.n_hidden), dtype=self.dtype)
        # persistent chains start from the hidden states of the first training vectors
        self._h_fantasy = None
        if self.persistent:
            h_fantasy = np.empty((min(b, len(X)), self.n_hidden), dtype=self.dtype)
            self._h_fantasy = self._sample_hidden(self._hidden_prob(X[:b]), h_fantasy, self._rng)
        self.n_epochs_run_ = 0
        self.history_ = {key: [] for key in ("epoch", "reconstruction_error", "free_energy_train",
                                             "free_energy_val", "free_energy_gap",
                                             "pseudo_likelihood")}

    def _epoch(self, X, order):
        """Run CD-k updates over the mini-batches of X[order], with this epoch's momentum."""
        # Hinton (2010), sec. 9: a low momentum while the weights are still far from a good
        # region, a high one after
        momentum = self.momentum if self.n_epochs_run_ < self.momentum_switch else self.final_momentum
        for start in range(0, len(order), self.batch_size):
            self._cd_step(X, order[start:start + self.batch_size], momentum)
        self.n_epochs_run_ += 1

    def _cd_step(self, X, idx, momentum):
        """One CD-k (or PCD-k) update on the mini-batch X[idx], in place.

        The fast form of `cd_gradients` followed by `dbnfer.networks.sgd.velocity_step`.
        """
        b = len(idx)
        v_stack, h_stack = self._v_stack[:2 * b], self._h_stack[:2 * b]
        v0, vk = v_stack[:b], v_stack[b:]  # (b, n_visible) data and k-step reconstruction
        h0_prob, hk_prob = h_stack[:b], h_stack[b:]  # (b, n_hidden)
        np.take(X, idx, axis=0, out=v0, mode="clip")  # "clip" (valid indices) spares a temporary
        h_state, u = self._h_state[:b], self._uniform_h[:b]

        # positive phase: hidden units driven by data, sampled to start the chain
        self._hidden_prob(v0, out=h0_prob)
        if self.persistent:
            h = self._h_fantasy[:b]
        else:
            h = self._sample_hidden(h0_prob, h_state, self._rng, u)

        # negative phase: k steps of block Gibbs sampling; the last hidden states are
        # probabilities (an unbiased, less noisy estimate), and so by default is the last
        # reconstruction (less noise but a small bias; Hinton 2010, sec. 3.2-3.3). Persistent
        # chains must stay true Gibbs chains of the model, so PCD always samples.
        sample_last = self.sample_reconstruction or self.persistent
        for step in range(self.k):
            self.visible_mean(h, out=vk)
            if step < self.k - 1 or sample_last:
                self._sample_visible(vk, vk, self._rng)
            self._hidden_prob(vk, out=hk_prob)
            if step < self.k - 1:
                h = self._sample_hidden(hk_prob, h_state, self._rng, u)
        if self.persistent:
            self._sample_hidden(hk_prob, self._h_fantasy[:b], self._rng, u)

        if self.sparsity_target is not None:
            # Hinton (2010), sec. 11: q <- decay·q + (1 - decay)·<h0>; the penalty gradient
            # cost·(p - q) on b_hid and on W (times <v0>) equals shifting h0 by it
            self._q *= self.sparsity_decay
            self._q += (1.0 - self.sparsity_decay) * h0_prob.mean(axis=0)
            h0_prob += self.sparsity_cost * (self.sparsity_target - self._q)

        eps = self.learning_rate
        self._db_hid *= momentum
        self._db_hid += (eps / b) * (h0_prob.sum(axis=0) - hk_prob.sum(axis=0))
        self._db_vis *= momentum
        self._db_vis += (eps / b) * (v0.sum(axis=0) - vk.sum(axis=0))
        # Hinton (2010), eq. 9 with momentum and decay: ΔW <- μ ΔW + ε(<v0ᵀh0> - <vkᵀhk> - λW),
        # W <- W + ΔW, with ΔW kept as W - W_prev. Stacking [v0; vk] and [h0; -hk] makes
        # <v0ᵀh0> - <vkᵀhk> one GEMM over 2b rows
        np.negative(hk_prob, out=hk_prob)
        self.W_, self._W_prev = momentum_step(self.W_, self._W_prev, v_stack, h_stack, eps / b,
                                              momentum, eps * self.weight_decay)
        self.b_vis_ += self._db_vis
        self.b_hid_ += self._db_hid

    # ---- monitoring ---------------------------------------------------------------------------

    def _record(self, X_monitor, X_val):
        """Append this epoch's monitoring figures to `history_`; return them as a line of text."""
        recon_error = float(np.mean((X_monitor - self.reconstruct(X_monitor)) ** 2))
        f_train = float(np.mean(self.free_energy(X_monitor)))
        f_val = float(np.mean(self.free_energy(X_val))) if X_val is not None else float("nan")
        pl = self._monitor_pseudo_likelihood(X_monitor)
        for key, value in (("epoch", self.n_epochs_run_), ("reconstruction_error", recon_error),
                           ("free_energy_train", f_train), ("free_energy_val", f_val),
                           ("free_energy_gap", f_val - f_train), ("pseudo_likelihood", pl)):
            self.history_[key].append(value)
        message = f"reconstruction error {recon_error:.4f}, free energy train {f_train:.2f}"
        if X_val is not None:
            message += f", val {f_val:.2f} (gap {f_val - f_train:+.2f})"
        if not np.isnan(pl):
            message += f", pseudo-likelihood {pl:.2f}"
        return message

    def _monitor_pseudo_likelihood(self, X):
        return float("nan")

    # ---- persistence --------------------------------------------------------------------------

    def state(self):
        """The weights and biases, and the settings (see `dbnfer.persist.Saveable`)."""
        return {"W": self.W_, "b_vis": self.b_vis_, "b_hid": self.b_hid_}, self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild an RBM from `state`'s output; training can continue with `partial_fit`."""
        rbm = cls(**settings)
        rbm.W_, rbm.b_vis_, rbm.b_hid_ = arrays["W"], arrays["b_vis"], arrays["b_hid"]
        rbm.n_visible_ = rbm.W_.shape[0]
        rbm._rng = np.random.default_rng(rbm.random_state)
        return rbm


class BernoulliRBM(_RBM):
    """RBM with binary visible and hidden units, trained by CD-k or persistent CD.

    Visible data are probabilities in [0, 1] (e.g. pixel intensities), used as in Hinton's guide.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units.
    learning_rate : float
        ε, applied to the mini-batch mean gradient.
    n_epochs : int
        Passes over the training data in `fit`.
    batch_size : int
        Mini-batch size (Hinton 2010, sec. 4 recommends 10-100).
    k : int
        Gibbs steps per update (CD-k).
    persistent : bool
        Persistent CD: the negative chain continues from the previous update's hidden states.
    momentum, final_momentum : float
        μ for the first `momentum_switch` epochs, then after (Hinton 2010, sec. 9: 0.5, then 0.9).
    momentum_switch : int
        Epoch at which `final_momentum` takes over.
    weight_decay : float
        λ, L2 penalty on W (Hinton 2010, sec. 10: 1e-2 to 1e-5).
    sparsity_target : float or None
        Target mean activity p of each hidden unit (sec. 11); None disables the penalty.
    sparsity_cost : float
        Weight of the sparsity penalty.
    sparsity_decay : float
        Decay of the running mean activity q.
    sample_reconstruction : bool
        Sample the last visible states of the chain instead of using their means. Hinton (2010,
        sec. 3.2) uses the means (less sampling noise); sampling makes CD-k an unbiased estimate of
        the likelihood gradient as k grows. Persistent CD always samples.
    n_monitor : int
        Training vectors (fixed random subset) used for the per-epoch monitoring figures; 0 turns
        monitoring off (``history_`` stays empty), e.g. for timing.
    dtype : numpy dtype
        float32 (default, fast) or float64 (tests).
    random_state : None, int or numpy.random.Generator
        Source of the initial weights, the mini-batch order and the Gibbs samples.
    verbose : bool
        Report the monitoring figures after every epoch.

    Attributes
    ----------
    W_ : ndarray, (n_visible, n_hidden)
    b_vis_ : ndarray, (n_visible,)
    b_hid_ : ndarray, (n_hidden,)
    history_ : dict of lists
        Per epoch: ``epoch``, ``reconstruction_error`` (mean squared error of the mean-field
        reconstruction), ``free_energy_train``, ``free_energy_val``, ``free_energy_gap``
        (val - train; nan without validation data) and ``pseudo_likelihood`` (mean log-PL).

    Examples
    --------
    >>> import numpy as np
    >>> X = (np.random.default_rng(0).random((200, 16)) < 0.3).astype(np.float32)
    >>> rbm = BernoulliRBM(n_hidden=8, n_epochs=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (200, 8)
    """

    kind = "bernoulli_rbm"

    def visible_mean(self, h, out=None):
        """p(v = 1 | h) = σ(b_vis + W h), eq. 8: the visible units' means given hidden states.

        Parameters
        ----------
        h : ndarray, (n, n_hidden)
            Hidden states (or probabilities, for a mean-field pass).
        out : ndarray, (n, n_visible), optional
            Where to write the result.

        Returns
        -------
        ndarray, (n, n_visible)
        """
        x = self._visible_input(h, out)
        return sigmoid(x, out=x)

    def _sample_visible(self, v_mean, out, rng):
        u = rng.random(v_mean.shape, dtype=self.dtype)
        return np.less(u, v_mean, out=out)

    def _visible_energy(self, v):
        return -(v @ self.b_vis_)

    def _initial_visible_bias(self, X):
        # Hinton (2010), sec. 8: b_vis_i = log(p_i / (1 - p_i)), p_i the mean of unit i
        p = np.clip(X.mean(axis=0, dtype=np.float64), 1e-3, 1.0 - 1e-3)
        return np.log(p / (1.0 - p))

    def _random_visible(self, n_samples, rng):
        return (rng.random((n_samples, self.n_visible_)) < 0.5).astype(self.dtype)

    def pseudo_likelihood(self, v, random_state=None):
        """Stochastic estimate of the log pseudo-likelihood of binary vectors (Besag 1975).

        log PL(v) = Σ_i log p(v_i | v_-i) is estimated from one randomly chosen unit i per vector:
        log p(v_i | v_-i) = log σ(F(v with v_i flipped) - F(v)), times n_visible.

        Parameters
        ----------
        v : array_like, (n_samples, n_visible)
            Binary (or [0, 1]-valued) vectors.
        random_state : None, int or numpy.random.Generator
            Chooses the unit flipped in each vector.

        Returns
        -------
        ndarray, (n_samples,)
        """
        v = check_matrix(v, self.dtype, self.n_visible_, "v")
        rng = np.random.default_rng(random_state)
        rows = np.arange(len(v))
        cols = rng.integers(0, self.n_visible_, len(v))
        v_flipped = v.copy()
        v_flipped[rows, cols] = 1.0 - v_flipped[rows, cols]
        # log σ(x) = -softplus(-x)
        return -self.n_visible_ * softplus(self.free_energy(v) - self.free_energy(v_flipped))

    def _monitor_pseudo_likelihood(self, X):
        return float(np.mean(self.pseudo_likelihood(X, self._rng)))


class GaussianBernoulliRBM(_RBM):
    """RBM with real-valued, unit-variance Gaussian visible units and binary hidden units.

    Meant for standardised data (each pixel shifted to mean 0 and scaled to variance 1), as Hinton
    (2010, sec. 13.2) recommends: the variance is then fixed at 1 rather than learnt. Linear visible
    units need a learning rate one or two orders of magnitude smaller than binary ones.

    Parameters are those of `BernoulliRBM` (default ``learning_rate=0.005``).

    Attributes
    ----------
    W_, b_vis_, b_hid_, history_
        As in `BernoulliRBM`; ``pseudo_likelihood`` is nan (binary units only).
    """

    kind = "gaussian_bernoulli_rbm"

    def __init__(self, n_hidden=256, learning_rate=0.005, **settings):
        super().__init__(n_hidden=n_hidden, learning_rate=learning_rate, **settings)

    def visible_mean(self, h, out=None):
        """E[v | h] = b_vis + W h, the mean of the Gaussian p(v | h); arguments and result as in
        `BernoulliRBM.visible_mean`."""
        return self._visible_input(h, out)

    def _sample_visible(self, v_mean, out, rng):
        noise = rng.standard_normal(v_mean.shape, dtype=self.dtype)
        return np.add(v_mean, noise, out=out)

    def _visible_energy(self, v):
        return 0.5 * ((v - self.b_vis_) ** 2).sum(axis=1)

    def _initial_visible_bias(self, X):
        return X.mean(axis=0, dtype=np.float64)

    def _random_visible(self, n_samples, rng):
        return rng.standard_normal((n_samples, self.n_visible_), dtype=self.dtype)
