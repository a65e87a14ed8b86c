"""Multi-layer perceptron trained by backpropagation: dense layers, softmax, cross-entropy, SGD.

Forward pass, for layers l = 1..L with weights W_l (n_{l-1}, n_l) and biases b_l (n_l,)::

    a_0 = x
    z_l = a_{l-1} W_l + b_l
    a_l = f(z_l)                      hidden layers, f = sigmoid, tanh or ReLU
    p   = softmax(z_L)                output layer, p_c = exp(z_c) / Σ_c' exp(z_c')

Loss on a mini-batch of n examples with one-hot targets Y, L2 weight decay λ::

    C = -(1/n) Σ_i Σ_c Y_ic log p_ic + (λ/2) Σ_l ||W_l||²

Backpropagation (Rumelhart, Hinton & Williams 1986; the four equations as numbered in Nielsen,
"Neural Networks and Deep Learning", ch. 2), with δ_l = ∂C/∂z_l of shape (n, n_l)::

    (BP1) δ_L = (p - Y) / n
          softmax and cross-entropy together: ∂/∂z_c of -log p_y = p_c - [c = y]
    (BP2) δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f'(z_l)
          with f' written through the layer's output a = f(z):
          sigmoid a(1 - a), tanh 1 - a², ReLU [a > 0]
    (BP3) ∂C/∂b_l = Σ_i δ_l[i]
    (BP4) ∂C/∂W_l = a_{l-1}ᵀ δ_l + λ W_l

SGD with (classical) momentum μ and learning rate ε, per mini-batch (Sutskever et al. 2013)::

    V_l <- μ V_l - ε ∂C/∂W_l,   W_l <- W_l + V_l        (and the same for b_l, without decay)

`backward` computes BP1-BP4 as written, and `dbnfer.networks.sgd.velocity_step` is the update above.
Training (`_sgd_step`) never forms ∂C/∂W_l or V_l: `dbnfer.networks.sgd.momentum_step` computes the
same update in Polyak's heavy-ball form W_l <- W_l + μ(W_l - W_l_prev) - ε ∂C/∂W_l
(V_l = W_l - W_l_prev), with BP4 folded into one GEMM; the input layer's δ_0 is never computed
(nothing uses it), and activations and δ's live in buffers allocated once per `fit`. The tests check
that a training step equals `backward` followed by `velocity_step`.

Initial weights (Glorot & Bengio 2010, eq. 16, "normalised initialisation"): W_l uniform in ±r with
r = sqrt(6 / (n_{l-1} + n_l)), for sigmoid and tanh units alike; He et al. (2015) N(0, 2 / n_{l-1})
for ReLU hidden layers; biases 0. `init_scale` widens the hidden layers' range; 4 is the "4x for
sigmoid units" variant of the LISA Deep Learning Tutorials. On pixel inputs that starts many
sigmoid units saturated, so it learns more slowly at first; the DBN classifier's network without
pre-training uses it all the same, as it ended slightly better after its long fine-tuning (the
figures are in docs/speed.md).

Dropout (Srivastava et al. 2014), "inverted": during training each hidden unit (and optionally each
input) is kept with probability 1 - r and scaled by 1/(1 - r), so nothing changes at test time;
backpropagation multiplies δ by the same mask.

Annealing (``anneal=True``): the learning rate falls linearly over the epochs from ε to ε/100 at the
last one, ε_e = (1 - α) ε + α ε/100 with α = (e - 1)/(n_epochs - 1) (Goodfellow, Bengio & Courville 2016,
sec. 8.3.1, eq. 8.14): big steps while far from a minimum, small ones to settle into it at the end.

Weight averaging (``average_from=E``): the network kept is the mean of the weights and biases at the
end of epochs E..N (N = n_epochs), W̄_l = (1/(N - E + 1)) Σ_{e=E..N} W_l^(e) (Polyak & Juditsky 1992;
"stochastic weight averaging", Izmailov et al. 2018). With a constant learning rate, SGD keeps wandering
round a minimum, each epoch's weights one noisy point near it; their mean lies nearer its centre, in a
flatter region, and generalises better. It keeps one epoch's weights, so it excludes early stopping.

Early stopping: a stratified validation split is held out of the training data; after every epoch
the validation loss is measured, and training stops when it has not improved for `patience` epochs,
keeping the weights of the best epoch.

References
----------
Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323.
Nielsen, M. (2015). Neural Networks and Deep Learning, ch. 2. Determination Press.
Glorot, X. & Bengio, Y. (2010). Understanding the difficulty of training deep feedforward neural
    networks. AISTATS.
Goodfellow, I., Bengio, Y. & Courville, A. (2016). Deep Learning, sec. 8.3.1. MIT Press.
Izmailov, P., Podoprikhin, D., Garipov, T., Vetrov, D. & Wilson, A. G. (2018). Averaging weights leads
    to wider optima and better generalization. UAI.
He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers. ICCV.
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4(5).
Polyak, B. T. & Juditsky, A. B. (1992). Acceleration of stochastic approximation by averaging. SIAM
    Journal on Control and Optimization 30(4).
Srivastava, N. et al. (2014). Dropout: a simple way to prevent neural networks from overfitting.
    JMLR 15.
Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). On the importance of initialization and
    momentum in deep learning. ICML.
"""

from dataclasses import dataclass

import numpy as np

from dbnfer.networks.activations import sigmoid
from dbnfer.networks.sgd import momentum_step
from dbnfer.persist import Saveable
from dbnfer.progress import Progress, report
from dbnfer.validation import check_matrix, check_Xy


def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


# activation name -> (f(z) in place, f'(z) written through a = f(z))
ACTIVATIONS = {
    "sigmoid": (lambda z, out: sigmoid(z, out=out), lambda a: a * (1.0 - a)),
    "tanh": (lambda z, out: np.tanh(z, out=out), lambda a: 1.0 - a * a),
    "relu": (_relu, lambda a: (a > 0).astype(a.dtype)),
}


def log_softmax(z):
    """Row-wise log softmax z_c - log Σ_c' exp(z_c'), shifted by the row maximum so that exp
    never overflows (the log-sum-exp trick); shape as `z`."""
    shifted = z - z.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def softmax(z):
    """Row-wise softmax exp(log_softmax(z)), stable for large |z|; shape as `z`."""
    return np.exp(log_softmax(z))


def cross_entropy(z, Y):
    """Mean of -Σ_c Y_c log softmax(z)_c over the rows, from the logits `z` (no log of 0)."""
    return float(-np.sum(Y * log_softmax(z)) / len(z))


@dataclass
class _Snapshot:
    """The weights of the epoch with the lowest validation loss so far, for early stopping."""

    val_loss: float
    weights: list
    biases: list
    epoch: int


def stratified_holdout(y, fraction, rng):
    """Split indices into (train, validation), holding out about `fraction` of every class.

    Each class keeps at least one training example; a class with a single example has none held out.
    A `fraction` of 0 holds out nothing (and draws nothing from `rng`).

    Returns
    -------
    train_idx, val_idx : ndarray of int
    """
    if fraction == 0:
        return np.arange(len(y)), np.arange(0)
    val = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val = min(int(round(fraction * len(members))), len(members) - 1)
        val.append(members[:n_val])
    val_idx = np.sort(np.concatenate(val))
    return np.setdiff1d(np.arange(len(y)), val_idx), val_idx


class MLP(Saveable):
    """Fully connected network with a softmax output, trained by mini-batch SGD with momentum.

    Parameters
    ----------
    hidden_sizes : sequence of int
        Units per hidden layer, input side first.
    activation : {"sigmoid", "tanh", "relu"}
        Hidden-unit nonlinearity f.
    learning_rate : float
        ε.
    momentum : float
        μ.
    anneal : bool
        Decay the learning rate linearly over the epochs to ε/100 (see the module docstring).
    weight_decay : float
        λ, the L2 penalty on the weights (not the biases).
    dropout : float
        Probability r of dropping a hidden unit during training (0 = off).
    input_dropout : float
        Probability of dropping an input value during training (0 = off).
    n_epochs : int
        Maximum number of passes over the training data.
    average_from : int or None
        Keep the mean of the weights after epochs `average_from` .. `n_epochs` (see the module docstring);
        None keeps the last (or best) epoch's. Needs training without a validation split.
    batch_size : int
        Mini-batch size.
    validation_fraction : float
        Fraction of the training data held out (stratified) for early stopping; 0 trains for all
        `n_epochs` and keeps the last weights.
    patience : int
        Epochs without a lower validation loss before stopping.
    warm_start : bool
        Keep the current weights (e.g. set by `dbnfer.networks.dbn.DBN.to_mlp`) instead of
        initialising.
    init_scale : float
        Factor on the hidden layers' initial weight range (Glorot's r, He's standard deviation);
        1 is the published initialisation.
    dtype : numpy dtype
        float32 (default) or float64 (gradient checks).
    random_state : None, int or numpy.random.Generator
        Source of the initial weights, the validation split, the batch order and dropout masks.
    verbose : bool
        Report the losses after every epoch.

    Attributes
    ----------
    weights_, biases_ : list of ndarray
        W_l (n_{l-1}, n_l) and b_l (n_l,), input side first; the last layer is the softmax layer.
    classes_ : ndarray
        The labels, in the order of the output units.
    history_ : dict of lists
        Per epoch: ``epoch``, ``train_loss`` and ``train_accuracy`` (averaged over the epoch's
        mini-batches, with dropout on), ``val_loss`` and ``val_accuracy`` (nan without a split).
    best_epoch_ : int
        The epoch whose weights were kept (with `average_from`, the last of those averaged).
    """

    kind = "mlp"
    # warm_start says how the weights were set (e.g. by DBN.to_mlp), not what the network is
    unsaved = ("warm_start", "random_state", "verbose")

    def __init__(self, hidden_sizes=(500,), activation="sigmoid", learning_rate=0.1, momentum=0.9,
                 anneal=False, weight_decay=1e-4, dropout=0.0, input_dropout=0.0, n_epochs=100, average_from=None,
                 batch_size=32, validation_fraction=0.1, patience=10, warm_start=False, init_scale=1.0,
                 dtype=np.float32, random_state=None, verbose=False):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, not {activation!r}")
        for name, rate in (("dropout", dropout), ("input_dropout", input_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{name} must be in [0, 1), not {rate}")
        if not 0.0 <= validation_fraction < 1.0:
            raise ValueError(f"validation_fraction must be in [0, 1), not {validation_fraction}")
        if average_from is not None and not 1 <= average_from <= n_epochs:
            raise ValueError(f"average_from must be an epoch from 1 to n_epochs = {n_epochs}, not {average_from}")
        self._keep_settings(locals())  # self.<name> = <name> for every argument
        self.hidden_sizes = tuple(int(n) for n in hidden_sizes)
        self.dtype = np.dtype(dtype)

    # ---- parameters ---------------------------------------------------------------------------

    def initialize(self, n_features, n_classes, rng=None):
        """Draw fresh weights: Glorot-uniform, He-normal for ReLU hidden layers (hidden layers
        times `init_scale`); zero biases.

        Parameters
        ----------
        n_features, n_classes : int
            Input and output sizes.
        rng : numpy.random.Generator, optional
            Defaults to one seeded by `random_state`.

        Returns
        -------
        self
        """
        rng = np.random.default_rng(self.random_state) if rng is None else rng
        sizes = (n_features, *self.hidden_sizes, n_classes)
        self.weights_, self.biases_ = [], []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = l < len(sizes) - 2
            scale = self.init_scale if hidden else 1.0
            if self.activation == "relu" and hidden:
                W = rng.standard_normal((n_in, n_out)) * (scale * np.sqrt(2.0 / n_in))
            else:
                limit = scale * np.sqrt(6.0 / (n_in + n_out))  # Glorot & Bengio (2010), eq. 16
                W = rng.uniform(-limit, limit, (n_in, n_out))
            self.weights_.append(W.astype(self.dtype))
            self.biases_.append(np.zeros(n_out, dtype=self.dtype))
        return self

    # ---- forward and backward -----------------------------------------------------------------

    def forward(self, X, masks=None, out=None):
        """Activations of every layer; the last entry holds the output logits z_L.

        Parameters
        ----------
        X : ndarray, (n, n_features)
        masks : list of ndarray or None
            Dropout masks (0 or 1/(1 - r)) for the input and each hidden layer, None entries where
            there is no dropout. Layer l + 1 sees a_l ⊙ mask_l.
        out : list of ndarray or None
            Arrays (n, n_l) for l = 1..L to write a_1, ..., z_L into (the training buffers).

        Returns
        -------
        list of ndarray
            [a_0, a_1, ..., a_{L-1}, z_L], the hidden activations before their dropout masks.
        """
        f = ACTIVATIONS[self.activation][0]
        activations = [X]
        for l, (W, b) in enumerate(zip(self.weights_, self.biases_)):
            a = activations[-1] if masks is None or masks[l] is None else activations[-1] * masks[l]
            z = np.matmul(a, W, out=None if out is None else out[l])
            z += b
            activations.append(z if l == len(self.weights_) - 1 else f(z, out=z))
        return activations

    def _backpropagate(self, activations, Y, masks, deltas=None):
        """Yield (l, a_in, δ_l) from the output layer down: BP1, then BP2 layer by layer.

        a_in is what W_l saw (its input, dropout mask applied). δ_{l-1} is computed before δ_l is
        yielded, so the caller may update W_l straight away; it is written into deltas[l - 1] when
        buffers are given. δ_0 (the input's) is not computed.
        """
        f_prime = ACTIVATIONS[self.activation][1]
        delta = softmax(activations[-1])
        delta -= Y
        delta /= len(Y)  # BP1, (n, n_classes)
        for l in range(len(self.weights_) - 1, -1, -1):
            mask = None if masks is None else masks[l]
            a_in = activations[l] if mask is None else activations[l] * mask
            delta_below = None
            if l > 0:
                delta_below = np.matmul(delta, self.weights_[l].T,  # BP2, (n, n_{l-1}); dropout
                                        out=None if deltas is None else deltas[l - 1])  # passes δ
                if mask is not None:  # through its mask, f' through the unit's unmasked output
                    delta_below *= mask
                delta_below *= f_prime(activations[l])
            yield l, a_in, delta
            delta = delta_below

    def backward(self, activations, Y, masks=None):
        """Gradients of the loss C by backpropagation, BP1-BP4.

        Parameters
        ----------
        activations : list of ndarray
            The output of `forward` for the same batch (and masks).
        Y : ndarray, (n, n_classes)
            One-hot targets.
        masks : list of ndarray or None
            The dropout masks used in `forward`.

        Returns
        -------
        grad_W, grad_b : lists of ndarray
            ∂C/∂W_l and ∂C/∂b_l, input side first.
        """
        grad_W = [None] * len(self.weights_)
        grad_b = [None] * len(self.weights_)
        for l, a_in, delta in self._backpropagate(activations, Y, masks):
            grad_W[l] = a_in.T @ delta + self.weight_decay * self.weights_[l]  # BP4
            grad_b[l] = delta.sum(axis=0)  # BP3
        return grad_W, grad_b

    def _sgd_step(self, activations, Y, masks, previous_W, velocity_b, deltas=None, learning_rate=None):
        """One momentum-SGD update from a batch's forward pass, in place.

        The same arithmetic as `backward` followed by `dbnfer.networks.sgd.velocity_step`
        (V <- μV - ε∂C/∂W, W <- W + V), with BP4 folded into the update by
        `dbnfer.networks.sgd.momentum_step` (no (n_in, n_out) temporaries); the weights keep their
        velocity as the previous weights, `previous_W`, the biases as `velocity_b`; `learning_rate`
        is this epoch's ε (`learning_rate_at`), `self.learning_rate` if None.
        """
        eps, mu = self.learning_rate if learning_rate is None else learning_rate, self.momentum
        for l, a_in, delta in self._backpropagate(activations, Y, masks, deltas):
            # BP4 inside: W <- W + μ(W - W_prev) - ε(a_inᵀδ + λW)
            self.weights_[l], previous_W[l] = momentum_step(
                self.weights_[l], previous_W[l], a_in, delta, -eps, mu, eps * self.weight_decay)
            velocity_b[l] *= mu
            velocity_b[l] -= eps * delta.sum(axis=0)  # BP3
            self.biases_[l] += velocity_b[l]

    def loss(self, X, y):
        """C: mean cross-entropy of the softmax outputs plus (λ/2) Σ ||W||²; no dropout.

        Parameters
        ----------
        X : array_like, (n, n_features)
        y : array_like, (n,)
            Labels from `classes_`.

        Returns
        -------
        float
        """
        X = check_matrix(X, self.dtype, self.weights_[0].shape[0])
        Y = self._one_hot(y)
        penalty = 0.5 * self.weight_decay * sum(float(np.sum(W * W)) for W in self.weights_)
        return cross_entropy(self.forward(X)[-1], Y) + penalty

    def gradients(self, X, y):
        """∂C/∂W_l and ∂C/∂b_l of `loss` on (X, y), by backpropagation (no dropout).

        Returns
        -------
        grad_W, grad_b : lists of ndarray
        """
        X = check_matrix(X, self.dtype, self.weights_[0].shape[0])
        return self.backward(self.forward(X), self._one_hot(y))

    # ---- training -----------------------------------------------------------------------------

    def fit(self, X, y, X_val=None, y_val=None):
        """Train by mini-batch SGD with momentum, with early stopping on a validation split.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
        y : array_like, (n_samples,)
            Integer labels.
        X_val, y_val : array_like, optional
            Validation data for early stopping; by default a stratified `validation_fraction`
            of (X, y) is held out.

        Returns
        -------
        self
        """
        X, y = check_Xy(X, y, self.dtype)
        rng = np.random.default_rng(self.random_state)
        classes = np.unique(y if y_val is None else np.concatenate([y, y_val]))
        if self.warm_start and hasattr(self, "weights_"):
            if self.weights_[-1].shape[1] != len(classes) or self.weights_[0].shape[0] != X.shape[1]:
                raise ValueError(f"warm start: the network is {self.weights_[0].shape[0]} -> "
                                 f"{self.weights_[-1].shape[1]}, the data {X.shape[1]} features "
                                 f"and {len(classes)} classes")
        else:
            self.initialize(X.shape[1], len(classes), rng)
        self.classes_ = classes
        if X_val is not None:
            X_val = check_matrix(X_val, self.dtype, X.shape[1], "X_val")
            self._train(X, self._one_hot(y), X_val, self._one_hot(y_val), rng)
            return self
        train_idx, val_idx = stratified_holdout(y, self.validation_fraction, rng)
        Y = self._one_hot(y)
        if len(val_idx) == 0:  # every row trains, in order: no copy of X
            self._train(X, Y, X[val_idx], Y[val_idx], rng)
        else:
            self._train(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx], rng)
        return self

    def _train(self, X, Y, X_val, Y_val, rng):
        """`n_epochs` epochs of SGD; with validation data, early stopping keeps the best epoch;
        with `average_from`, the mean of the last epochs' weights is kept."""
        if self.average_from is not None and len(X_val):
            raise ValueError("average_from keeps the mean of several epochs' weights and early stopping one "
                             "epoch's: train without a validation split (validation_fraction=0)")
        # the fused update works in place on flat views: the arrays must be C-contiguous
        self.weights_ = [np.ascontiguousarray(W, dtype=self.dtype) for W in self.weights_]
        self.biases_ = [np.ascontiguousarray(b, dtype=self.dtype) for b in self.biases_]
        previous_W = [W.copy() for W in self.weights_]  # zero velocity
        velocity_b = [np.zeros_like(b) for b in self.biases_]
        buffers = self._buffers(X.shape[1])
        self.history_ = {key: [] for key in ("epoch", "train_loss", "train_accuracy", "val_loss",
                                             "val_accuracy")}
        best, stopped_at, sums = self._snapshot(np.inf, 0), None, None
        with Progress(self.n_epochs, "MLP epoch", self.verbose) as progress:
            for epoch in range(1, self.n_epochs + 1):
                train = self._epoch(X, Y, rng, previous_W, velocity_b, buffers, self.learning_rate_at(epoch))
                val = self._evaluate(X_val, Y_val) if len(X_val) else None
                progress.step(self._record(epoch, train, val))
                if self.average_from is not None and epoch >= self.average_from:
                    sums = self._add_weights(sums)
                if val is None:
                    continue
                if val[0] < best.val_loss:
                    best = self._snapshot(val[0], epoch)
                elif epoch - best.epoch >= self.patience:
                    stopped_at = epoch
                    break
        if stopped_at is not None:
            report(f"MLP early stop at epoch {stopped_at}: best validation loss at epoch "
                   f"{best.epoch}", self.verbose)
        if len(X_val):
            self.weights_, self.biases_, self.best_epoch_ = best.weights, best.biases, best.epoch
        else:
            self.best_epoch_ = self.history_["epoch"][-1] if self.history_["epoch"] else 0
        if sums is not None:
            self._keep_mean(sums, self.n_epochs - self.average_from + 1)
        return self

    def _add_weights(self, sums):
        """Σ W_l and Σ b_l (float64) with the current weights and biases added; None starts the sums."""
        parameters = self.weights_ + self.biases_
        if sums is None:
            return [p.astype(np.float64) for p in parameters]
        for total, p in zip(sums, parameters):
            total += p
        return sums

    def _keep_mean(self, sums, count):
        """Make the mean of the `count` epochs' weights and biases in `sums` the network's."""
        means = [(total / count).astype(self.dtype) for total in sums]
        self.weights_, self.biases_ = means[:len(self.weights_)], means[len(self.weights_):]

    def learning_rate_at(self, epoch):
        """ε_e, the learning rate of epoch `epoch` (1 .. n_epochs): ε, or annealed (eq. 8.14)."""
        if not self.anneal or self.n_epochs == 1:
            return self.learning_rate
        alpha = (epoch - 1) / (self.n_epochs - 1)
        return (1 - alpha) * self.learning_rate + alpha * self.learning_rate / 100

    def _buffers(self, n_features):
        """(batch, n_l) buffers: the mini-batch, a_1..a_{L-1} and z_L, and δ_1..δ_{L-1}."""
        x_buffer = np.empty((self.batch_size, n_features), dtype=self.dtype)
        a_buffers = [np.empty((self.batch_size, W.shape[1]), dtype=self.dtype)
                     for W in self.weights_]
        return x_buffer, a_buffers, [np.empty_like(a) for a in a_buffers[:-1]]

    def _epoch(self, X, Y, rng, previous_W, velocity_b, buffers, learning_rate):
        """One SGD step per shuffled mini-batch; returns the (loss, accuracy) over the batches."""
        x_buffer, a_buffers, delta_buffers = buffers
        order = rng.permutation(len(X))
        loss_sum, correct = 0.0, 0
        for start in range(0, len(X), self.batch_size):
            idx = order[start:start + self.batch_size]
            n = len(idx)
            # mode="clip" (the indices are valid) spares the temporary that take(out=) makes
            x_batch = np.take(X, idx, axis=0, out=x_buffer[:n], mode="clip")
            Y_batch = Y[idx]
            masks = self._dropout_masks(n, x_batch.shape[1], rng)
            activations = self.forward(x_batch, masks, [a[:n] for a in a_buffers])
            logits = activations[-1]
            loss_sum += cross_entropy(logits, Y_batch) * n
            correct += int(np.sum(logits.argmax(axis=1) == Y_batch.argmax(axis=1)))
            self._sgd_step(activations, Y_batch, masks, previous_W, velocity_b,
                           [d[:n] for d in delta_buffers], learning_rate)
        return loss_sum / len(X), correct / len(X)

    def _snapshot(self, val_loss, epoch):
        """A copy of the current weights, kept if they turn out best (early stopping)."""
        return _Snapshot(val_loss, [W.copy() for W in self.weights_],
                         [b.copy() for b in self.biases_], epoch)

    def _dropout_masks(self, n, n_features, rng):
        """Inverted-dropout masks (values 0 or 1/(1 - r)) for the input and each hidden layer."""
        if not self.dropout and not self.input_dropout:
            return None
        sizes = (n_features, *self.hidden_sizes)
        rates = (self.input_dropout,) + (self.dropout,) * len(self.hidden_sizes)
        return [None if not r else (rng.random((n, size), dtype=self.dtype) >= r).astype(
            self.dtype) / self.dtype.type(1.0 - r) for size, r in zip(sizes, rates)]

    def _evaluate(self, X, Y):
        """(loss, accuracy) of the network on (X, Y), without dropout or weight decay."""
        logits = self.forward(X)[-1]
        return cross_entropy(logits, Y), float(np.mean(logits.argmax(axis=1) == Y.argmax(axis=1)))

    def _record(self, epoch, train, val):
        """Append an epoch's (loss, accuracy) on the training and validation data to `history_`
        (nan without validation data, `val` None); return the figures there are as text."""
        val_loss, val_acc = (float("nan"), float("nan")) if val is None else val
        for key, value in (("epoch", epoch), ("train_loss", train[0]),
                           ("train_accuracy", train[1]), ("val_loss", val_loss),
                           ("val_accuracy", val_acc)):
            self.history_[key].append(value)
        message = f"train loss {train[0]:.4f} acc {train[1]:.3f}"
        if val is not None:
            message += f", val loss {val_loss:.4f} acc {val_acc:.3f}"
        return message

    def _one_hot(self, y):
        y = np.asarray(y)
        index = np.searchsorted(self.classes_, y)
        if np.any(index >= len(self.classes_)) or np.any(self.classes_[np.minimum(
                index, len(self.classes_) - 1)] != y):
            raise ValueError(f"labels {sorted(set(y.tolist()) - set(self.classes_.tolist()))} "
                             f"were not seen in training")
        Y = np.zeros((len(y), len(self.classes_)), dtype=self.dtype)
        Y[np.arange(len(y)), index] = 1.0
        return Y

    # ---- prediction ---------------------------------------------------------------------------

    def predict_proba(self, X):
        """Softmax class probabilities, columns in the order of `classes_`; (n, n_classes)."""
        X = check_matrix(X, self.dtype, self.weights_[0].shape[0])
        return softmax(self.forward(X)[-1])

    def predict(self, X):
        """The most probable class of every row of X."""
        X = check_matrix(X, self.dtype, self.weights_[0].shape[0])
        return self.classes_[self.forward(X)[-1].argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    # ---- persistence --------------------------------------------------------------------------

    def state(self):
        """The weights ``W<l>``, biases ``b<l>`` and ``classes``, and the settings
        (`dbnfer.persist.Saveable`)."""
        arrays = {"classes": self.classes_}
        for l, (W, b) in enumerate(zip(self.weights_, self.biases_)):
            arrays[f"W{l}"], arrays[f"b{l}"] = W, b
        return arrays, self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a trained network from `state`'s output; it predicts exactly as before."""
        mlp = cls(**settings)
        n_layers = len(mlp.hidden_sizes) + 1
        mlp.weights_ = [arrays[f"W{l}"] for l in range(n_layers)]
        mlp.biases_ = [arrays[f"b{l}"] for l in range(n_layers)]
        mlp.classes_ = arrays["classes"]
        return mlp

