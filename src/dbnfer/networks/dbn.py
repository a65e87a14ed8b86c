"""Deep belief networks: RBMs stacked by greedy layer-wise training, and DBN+MLP classification.

Greedy layer-wise training (Hinton, Osindero & Teh 2006, sec. 4; Hinton & Salakhutdinov 2006)::

    h_0 = x
    for l = 1..L:   train RBM_l on h_{l-1} by contrastive divergence
                    h_l = p(h = 1 | h_{l-1}) = σ(h_{l-1} W_l + b_hid_l)

Each layer models the hidden activities of the one below; adding a layer this way improves a
variational lower bound on the log-likelihood of the data (Hinton et al. 2006, sec. 4). The data
passed up are the hidden probabilities, not samples, which lowers the noise (Hinton 2010, sec. 3.4).

Generation (Hinton et al. 2006, sec. 2): the top two layers form an undirected associative memory,
sampled by alternating Gibbs sampling; the layers below are a directed sigmoid belief net, so a
single top-down pass with p(h_{l-1} | h_l) = σ(b_vis_l + W_l h_l) turns a top-level state into an
image (visible means are shown instead of samples).

DBN+MLP (Hinton & Salakhutdinov 2006): the recognition weights W_l, b_hid_l initialise the hidden
layers of a sigmoid MLP, a softmax layer is added on top, and the whole network is fine-tuned by
backpropagation (`dbnfer.networks.mlp`). Before fine-tuning the MLP's hidden layers compute exactly
the DBN's upward mean-field pass `DBN.transform`. With ``pretrain=False`` the same network starts from
random weights: the plain MLP baseline.

Gaussian visible units (``visible="gaussian"``) model standardised pixels (each pixel shifted to
mean 0 and scaled to unit variance over the training set); `DBNClassifier` standardises its input
itself and keeps the statistics, so the caller always passes pixels in [0, 1].

Mirroring (``mirror=True``): a face and its left-right mirror image show the same expression, so
`DBNClassifier` can train on both (twice the data for pre-training and fine-tuning, which matters
on a data set of ~200 faces) and predict from the mean of the two images' class probabilities.
Pixels are mirrored by reversing each row (:func:`mirror_faces`). A feature vector (HOG, LBP, Gabor)
cannot be mirrored that way, so the caller passes ``X_mirror``, the features of the mirrored faces
(:func:`dbnfer.preprocess.prepare` with ``mirrored=True``).

References
----------
Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief nets.
    Neural Computation 18(7).
Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with neural
    networks. Science 313.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR 2010-003.
"""

import numpy as np

from dbnfer.networks.mlp import MLP, stratified_holdout
from dbnfer.networks.rbm import BernoulliRBM, GaussianBernoulliRBM
from dbnfer.persist import Saveable, with_prefix, without_prefix
from dbnfer.progress import report
from dbnfer.validation import check_matrix, check_Xy

# the RBM settings a DBN passes to every layer: all but those it sets per layer itself
_RBM_SETTINGS = tuple(name for name in BernoulliRBM().settings()
                      if name not in ("n_hidden", "learning_rate", "dtype"))

# DBNClassifier's settings of the fine-tuning MLP, under the same names
_FINE_TUNING = ("learning_rate", "momentum", "anneal", "weight_decay", "dropout", "input_dropout", "n_epochs",
                "average_from", "batch_size", "patience", "validation_fraction")


def mirror_faces(X):
    """Left-right mirror images of flattened square images.

    Parameters
    ----------
    X : ndarray, (n_samples, side * side)
        Row-major flattened square images.

    Returns
    -------
    ndarray, (n_samples, side * side)

    Raises
    ------
    ValueError
        If the number of features is not a perfect square.
    """
    side = int(round(np.sqrt(X.shape[1])))
    if side * side != X.shape[1]:
        raise ValueError(f"mirroring needs square images, but {X.shape[1]} features are not side^2 "
                         f"(feature vectors need X_mirror, the features of the mirrored faces)")
    return X.reshape(len(X), side, side)[:, :, ::-1].reshape(X.shape)


class DBN(Saveable):
    """A stack of RBMs trained greedily, layer by layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        Hidden units of each RBM, bottom first.
    visible : {"binary", "gaussian"}
        Visible units of the bottom RBM: Bernoulli (data in [0, 1]) or Gaussian (standardised
        data). The upper RBMs are always Bernoulli-Bernoulli.
    learning_rate : float or None
        CD learning rate of the Bernoulli RBMs (default 0.05).
    gaussian_learning_rate : float or None
        CD learning rate of a Gaussian bottom RBM (default 0.005).
    random_state : None, int or numpy.random.Generator
        Seeds one integer seed per layer, so each layer can be retrained on its own.
    verbose : bool
        Report progress per layer and epoch.
    **rbm_settings
        Passed to every RBM: n_epochs, batch_size, k, persistent, momentum, final_momentum,
        momentum_switch, weight_decay, sparsity_target, sparsity_cost, sparsity_decay,
        sample_reconstruction, n_monitor.

    Attributes
    ----------
    rbms_ : list of BernoulliRBM or GaussianBernoulliRBM
        Bottom first.
    """

    kind = "dbn"

    def __init__(self, layer_sizes=(500, 500), visible="binary", learning_rate=0.05,
                 gaussian_learning_rate=0.005, dtype=np.float32, random_state=None, verbose=False,
                 **rbm_settings):
        if visible not in ("binary", "gaussian"):
            raise ValueError(f"visible must be 'binary' or 'gaussian', not {visible!r}")
        unknown = sorted(set(rbm_settings) - set(_RBM_SETTINGS))
        if unknown:
            raise ValueError(f"unknown RBM settings {unknown}; known: {', '.join(_RBM_SETTINGS)}")
        if not layer_sizes:
            raise ValueError("layer_sizes must name at least one hidden layer")
        self._keep_settings(locals())  # self.<name> = <name> for every argument
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        self.dtype = np.dtype(dtype)
        self.rbm_settings = rbm_settings

    def _make_rbm(self, layer, seed):
        gaussian = layer == 0 and self.visible == "gaussian"
        cls = GaussianBernoulliRBM if gaussian else BernoulliRBM
        return cls(n_hidden=self.layer_sizes[layer], dtype=self.dtype, random_state=seed,
                   learning_rate=self.gaussian_learning_rate if gaussian else self.learning_rate,
                   verbose=self.verbose, **self.rbm_settings)

    def fit(self, X, X_val=None):
        """Train the RBMs bottom-up, each on the hidden probabilities of the one below.

        Parameters
        ----------
        X : array_like, (n_samples, n_visible)
        X_val : array_like, optional
            Held-out data, passed up alongside X for each layer's free-energy gap monitor.

        Returns
        -------
        self
        """
        h = check_matrix(X, self.dtype)
        h_val = None if X_val is None else check_matrix(X_val, self.dtype, h.shape[1], "X_val")
        seeds = np.random.default_rng(self.random_state).integers(0, 2**31, len(self.layer_sizes))
        self.rbms_ = []
        for layer, seed in enumerate(seeds):
            report(f"DBN layer {layer + 1}/{len(self.layer_sizes)}: {h.shape[1]} -> "
                   f"{self.layer_sizes[layer]} units", self.verbose)
            rbm = self._make_rbm(layer, int(seed)).fit(h, h_val)
            self.rbms_.append(rbm)
            h = rbm.transform(h)  # the data of the next layer: h_l = p(h | h_{l-1})
            h_val = None if h_val is None else rbm.transform(h_val)
        return self

    def transform(self, X):
        """Upward mean-field pass: the top layer's hidden probabilities, (n_samples, n_top)."""
        h = X
        for rbm in self.rbms_:
            h = rbm.transform(h)
        return h

    def sample(self, n_samples, n_gibbs=1000, random_state=None):
        """Generate visible vectors: Gibbs sampling in the top RBM, then a top-down pass.

        Parameters
        ----------
        n_samples : int
            Number of independent chains (images).
        n_gibbs : int
            Gibbs steps in the top-level RBM.
        random_state : None, int or numpy.random.Generator
            Source of the chains' randomness.

        Returns
        -------
        ndarray, (n_samples, n_visible)
            Visible means (probabilities for binary visibles, standardised values for Gaussian).
        """
        top = self.rbms_[-1]
        h = top.sample(n_samples, n_steps=n_gibbs, random_state=np.random.default_rng(random_state))
        for rbm in reversed(self.rbms_[:-1]):
            h = rbm.visible_mean(h)  # p(h_{l-1} | h_l), top-down generative weights
        return h

    def to_mlp(self, n_classes, random_state=None, **mlp_settings):
        """Unroll the stack into a sigmoid MLP with a new softmax layer of `n_classes` units.

        Hidden layer l gets W_l and b_hid_l of RBM l, so before fine-tuning the MLP's hidden
        activations equal `transform`'s layer by layer. The softmax layer is initialised at random
        (Glorot-uniform) and the MLP is marked ``warm_start`` so that `fit` keeps these weights.

        Parameters
        ----------
        n_classes : int
            Output units.
        random_state : None, int or numpy.random.Generator
            Source of the softmax layer's initial weights and of the MLP's training randomness.
        **mlp_settings
            Further `dbnfer.networks.mlp.MLP` settings (learning_rate, dropout, n_epochs, ...).

        Returns
        -------
        MLP
        """
        mlp = MLP(hidden_sizes=self.layer_sizes, activation="sigmoid", warm_start=True,
                  dtype=self.dtype, random_state=random_state, **mlp_settings)
        mlp.initialize(self.rbms_[0].n_visible_, n_classes, np.random.default_rng(random_state))
        for layer, rbm in enumerate(self.rbms_):
            mlp.weights_[layer] = rbm.W_.copy()
            mlp.biases_[layer] = rbm.b_hid_.copy()
        return mlp

    def settings(self):
        """The constructor's settings, the RBM settings among them (`dbnfer.persist.Saveable`)."""
        return {**super().settings(), **self.rbm_settings}

    def state(self):
        """Every RBM's arrays, as ``rbm<layer>_<name>``, and the settings."""
        arrays = {}
        for layer, rbm in enumerate(self.rbms_):
            arrays.update(with_prefix(f"rbm{layer}_", rbm.state()[0]))
        return arrays, self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a trained stack from `state`'s output."""
        dbn = cls(**settings)
        dbn.rbms_ = []
        for layer in range(len(dbn.layer_sizes)):
            rbm = dbn._make_rbm(layer, None)
            dbn.rbms_.append(rbm.from_state(without_prefix(f"rbm{layer}_", arrays), rbm.settings()))
        return dbn


class DBNClassifier(Saveable):
    """DBN+MLP: greedy RBM pre-training, unrolling into an MLP, fine-tuning by backpropagation.

    With ``pretrain=False`` the identical network is trained from random weights (the "MLP"
    baseline), so the two differ only in their initialisation.

    The defaults are those that did best on JAFFE (10-fold and leave-one-subject-out, 32x32
    central crops): Gaussian visibles on standardised pixels, 500-500 sigmoid units, 20 CD-1
    epochs per layer, 60 fine-tuning epochs on all the training images (no validation split:
    with ~200 images every one counts), and mirrored training faces.

    Parameters
    ----------
    hidden_sizes : sequence of int
        Hidden layers, bottom first.
    visible : {"gaussian", "binary"}
        Visible units of the bottom RBM; "gaussian" standardises the pixels (statistics of the
        training set) for both pre-training and fine-tuning, "binary" uses them as they are.
    pretrain : bool
        Pre-train the hidden layers as a DBN (True) or start from random weights (False).
    rbm_epochs : int
        CD epochs per RBM.
    rbm_learning_rate : float
        CD learning rate of the Bernoulli RBMs.
    gaussian_learning_rate : float
        CD learning rate of a Gaussian bottom RBM.
    cd_k : int
        Gibbs steps of CD-k.
    persistent : bool
        Persistent CD.
    rbm_weight_decay : float
        L2 weight decay during pre-training.
    sparsity_target : float or None
        Hidden-unit sparsity target during pre-training.
    rbm_batch_size : int
        Mini-batch size during pre-training.
    learning_rate, momentum, anneal, weight_decay, dropout, input_dropout, n_epochs, average_from, batch_size,
    patience
        Fine-tuning settings of `dbnfer.networks.mlp.MLP`.
    validation_fraction : float
        Stratified fraction of the training data held out for early stopping of the fine-tuning
        and for the RBMs' free-energy gap; 0 uses all of it and trains for `n_epochs`.
    mirror : bool
        Train on every training face and its left-right mirror image, and predict from the mean
        of the probabilities of a face and its mirror image: the rows reversed for square pixel
        images, the ``X_mirror`` of `fit` and `predict_proba` for feature vectors.
    random_state : None, int or numpy.random.Generator
    verbose : bool

    Attributes
    ----------
    classes_ : ndarray
    mean_, scale_ : ndarray, (n_features,)
        Standardisation of the pixels (zeros and ones for binary visibles).
    dbn_ : DBN or None
        The pre-trained stack (None without pre-training).
    mlp_ : MLP
        The fine-tuned network.
    W_ : ndarray, (n_features, hidden_sizes[0])
        First-layer filters: the first RBM's weights when pre-trained, otherwise the MLP's
        fine-tuned first layer.
    history_ : dict of lists
        The fine-tuning learning curves (`MLP.history_`).
    pretrain_history_ : list of dict
        Each RBM's monitoring history (empty without pre-training).
    """

    kind = "dbn_classifier"

    def __init__(self, hidden_sizes=(500, 500), visible="gaussian", pretrain=True, rbm_epochs=20,
                 rbm_learning_rate=0.05, gaussian_learning_rate=0.005, cd_k=1, persistent=False,
                 rbm_weight_decay=2e-4, sparsity_target=None, rbm_batch_size=20,
                 learning_rate=0.05, momentum=0.9, anneal=False, weight_decay=1e-4, dropout=0.0,
                 input_dropout=0.0, n_epochs=60, average_from=None, batch_size=20, validation_fraction=0.0,
                 patience=15, mirror=True, random_state=None, verbose=False):
        if visible not in ("binary", "gaussian"):
            raise ValueError(f"visible must be 'binary' or 'gaussian', not {visible!r}")
        self._keep_settings(locals())  # self.<name> = <name> for every argument
        self.hidden_sizes = tuple(int(n) for n in hidden_sizes)

    def fit(self, X, y, X_unlabeled=None, X_mirror=None):
        """Standardise, pre-train (optionally), unroll and fine-tune.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Pixel vectors in [0, 1].
        y : array_like, (n_samples,)
            Integer labels.
        X_unlabeled : array_like, (n_unlabeled, n_features), optional
            Faces without labels, prepared like X. Pre-training is unsupervised, so they join the
            training faces there (and in the pixel standardisation); fine-tuning sees only (X, y).
            This is the semi-supervised use of a DBN (Hinton & Salakhutdinov 2006, sec. 4;
            "self-taught learning", Raina et al. 2007): generic face structure is learnt from many
            faces, expression from few labelled ones. Ignored without pre-training, so that the
            network without it stays the like-for-like baseline.
        X_mirror : array_like, (n_samples, n_features), optional
            With ``mirror=True``, row i describes the mirror image of the face of row i of X (needed
            for feature vectors; pixels of square faces are mirrored here when it is None). The
            unlabeled faces are then used as they are, without their mirror images.

        Returns
        -------
        self
        """
        X, y = check_Xy(X, y, np.float32)
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y)
        train_idx, val_idx = stratified_holdout(y, self.validation_fraction, rng)
        y_train = y[train_idx]
        U = np.zeros((0, X.shape[1]), np.float32) if X_unlabeled is None or not self.pretrain else \
            check_matrix(X_unlabeled, np.float32, X.shape[1], "X_unlabeled")
        if self.mirror:
            train_idx = np.concatenate([train_idx, len(X) + train_idx])
            X, y_train = np.concatenate([X, self._mirrored(X, X_mirror)]), np.concatenate([y_train, y_train])
            U = np.concatenate([U, mirror_faces(U)]) if X_mirror is None else U
        # without a validation split every row trains, in order: the data set itself, not a copy (FER-2013's
        # mirrored faces are 260 MB a copy)
        X_rows = X if len(val_idx) == 0 else X[train_idx]
        self._fit_standardisation(np.concatenate([X_rows, U]) if len(U) else X_rows)
        Xs = self._standardise(X, in_place=self.mirror)  # mirrored, X is this method's own copy
        X_train, X_val = (Xs if len(val_idx) == 0 else Xs[train_idx]), Xs[val_idx]
        mlp_settings = {name: getattr(self, name) for name in _FINE_TUNING}
        mlp_settings["verbose"] = self.verbose
        if self.pretrain:
            self.dbn_ = DBN(self.hidden_sizes, self.visible, learning_rate=self.rbm_learning_rate,
                            gaussian_learning_rate=self.gaussian_learning_rate,
                            n_epochs=self.rbm_epochs, batch_size=self.rbm_batch_size, k=self.cd_k,
                            persistent=self.persistent, weight_decay=self.rbm_weight_decay,
                            sparsity_target=self.sparsity_target, random_state=rng,
                            verbose=self.verbose)
            X_pretrain = np.concatenate([X_train, self._standardise(U)]) if len(U) else X_train
            self.dbn_.fit(X_pretrain, X_val if len(X_val) else None)
            self.mlp_ = self.dbn_.to_mlp(len(self.classes_), random_state=rng, **mlp_settings)
        else:
            self.dbn_ = None
            # 4x Glorot's range, the LISA tutorials' choice for sigmoid units: on JAFFE it did a
            # little better than 1x (docs/speed.md, "The networks")
            self.mlp_ = MLP(self.hidden_sizes, activation="sigmoid", init_scale=4.0,
                            random_state=rng, **mlp_settings)
        if len(val_idx):
            self.mlp_.fit(X_train, y_train, X_val, y[val_idx])
        else:
            self.mlp_.fit(X_train, y_train)
        return self

    def _fit_standardisation(self, X):
        if self.visible == "gaussian":
            self.mean_ = X.mean(axis=0)
            # a pixel constant over the training set keeps scale 1 instead of dividing by 0
            std = X.std(axis=0)
            self.scale_ = np.where(std > 1e-6, std, 1.0).astype(np.float32)
        else:
            self.mean_ = np.zeros(X.shape[1], dtype=np.float32)
            self.scale_ = np.ones(X.shape[1], dtype=np.float32)

    def _standardise(self, X, in_place=False):
        """(X - mean_) / scale_, written over X when `in_place` (the same numbers, without a copy)."""
        Xs = np.subtract(X, self.mean_, out=X if in_place else None)
        return np.divide(Xs, self.scale_, out=Xs)

    @property
    def W_(self):
        return self.dbn_.rbms_[0].W_ if self.dbn_ is not None else self.mlp_.weights_[0]

    @property
    def history_(self):
        return self.mlp_.history_

    @property
    def pretrain_history_(self):
        return [] if self.dbn_ is None else [rbm.history_ for rbm in self.dbn_.rbms_]

    @staticmethod
    def _mirrored(X, X_mirror):
        """The rows of X mirrored: `X_mirror` if given (checked against X), else `mirror_faces(X)`."""
        if X_mirror is None:
            return mirror_faces(X)
        X_mirror = check_matrix(X_mirror, np.float32, X.shape[1], "X_mirror")
        if len(X_mirror) != len(X):
            raise ValueError(f"X_mirror has {len(X_mirror)} rows for {len(X)} faces; it must have one per face")
        return X_mirror

    def predict_proba(self, X, X_mirror=None):
        """Class probabilities, columns in the order of `classes_`; (n_samples, n_classes).

        With ``mirror=True``, the mean of the probabilities of each face and of its mirror image
        (`X_mirror`, as in `fit`).
        """
        X = check_matrix(X, np.float32, len(self.mean_))
        proba = self.mlp_.predict_proba(self._standardise(X))
        if self.mirror:
            proba += self.mlp_.predict_proba(self._standardise(self._mirrored(X, X_mirror)))
            proba /= 2
        return proba

    def predict(self, X, X_mirror=None):
        """The most probable class of every row of X (`X_mirror` as in `predict_proba`)."""
        return self.classes_[self.predict_proba(X, X_mirror).argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def state(self):
        """Everything a fitted classifier is: its arrays and its (JSON-serialisable) settings.

        The fine-tuning history is stored as arrays ``history_<key>``; the pre-trained DBN as
        arrays ``dbn_rbm<l>_<name>`` (absent without pre-training). `from_state` inverts this, and
        `save` writes it to a file; a bigger model (e.g. `dbnfer.predict.ExpressionModel`) can
        embed it in its own file.

        Returns
        -------
        arrays : dict of str -> ndarray
        settings : dict
        """
        mlp_arrays, mlp_settings = self.mlp_.state()
        history = {key: np.asarray(values) for key, values in self.history_.items()}
        arrays = {"mean": self.mean_, "scale": self.scale_, **with_prefix("mlp_", mlp_arrays),
                  **with_prefix("history_", history)}
        dbn_settings = None
        if self.dbn_ is not None:
            dbn_arrays, dbn_settings = self.dbn_.state()
            arrays.update(with_prefix("dbn_", dbn_arrays))
        return arrays, {**self.settings(), "mlp": mlp_settings, "dbn": dbn_settings}

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a fitted classifier from `state`'s output; it predicts exactly as before."""
        settings = dict(settings)
        mlp_settings, dbn_settings = settings.pop("mlp"), settings.pop("dbn")
        model = cls(**settings)
        model.mean_, model.scale_ = arrays["mean"], arrays["scale"]
        model.mlp_ = MLP.from_state(without_prefix("mlp_", arrays), mlp_settings)
        history = without_prefix("history_", arrays)
        model.mlp_.history_ = {key: values.tolist() for key, values in history.items()}
        model.classes_ = model.mlp_.classes_
        model.dbn_ = None if dbn_settings is None else \
            DBN.from_state(without_prefix("dbn_", arrays), dbn_settings)
        return model
