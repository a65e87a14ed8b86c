"""The classifiers that the CLI, ``evaluate`` and ``compare`` know by name.

Each entry maps a short name to a factory ``(random_state, verbose, features, n_faces) -> estimator``; an estimator
has ``fit(X, y)``, ``predict(X)`` and ``score(X, y)``, where ``X`` is (n_samples, n_features) float32 face
vectors (pixels in [0, 1], or the LBP / HOG / Gabor features of :mod:`dbnfer.features` named by
``features``) and ``y`` integer labels; ``n_faces`` is the number of faces in the data set, which sets the
networks' training schedule (:data:`LARGE_DATA`). Imports are inside the factories so that naming a classifier
loads only its module.

The baselines' settings were chosen by a quick check on the JAFFE folds themselves, so their JAFFE
figures are mildly optimistic; the figures behind each choice are in docs/results.md ("How the
baselines' settings were chosen").
"""

import inspect

#: From this many faces in a data set on, DBN+MLP and its random-start twin train with
#: :data:`LARGE_DATA_SCHEDULE`. The defaults of :class:`~dbnfer.networks.dbn.DBNClassifier` (20 CD epochs a
#: layer and up to 60 fine-tuning epochs, in batches of 20) suit JAFFE's ~200 faces a fold; on FER-2013's
#: 28,709 they would take hours on two cores.
LARGE_DATA = 5_000

#: Larger batches and fewer epochs for large data sets: the settings of the FER-2013 pilot (issue 16),
#: fixed before any PublicTest figure of this project was measured, not tuned on it (docs/results.md).
LARGE_DATA_SCHEDULE = {"rbm_epochs": 5, "rbm_batch_size": 100, "n_epochs": 30, "batch_size": 100}

#: On LBP, HOG or Gabor features of a large data set the networks also train on the mirrored faces' features,
#: drop out 30 % of the hidden units during fine-tuning (Srivastava et al. 2014), fine-tune for 60 epochs and keep
#: the mean of the weights of epochs 41 to 60 (Polyak & Juditsky 1992; Izmailov et al. 2018): all four chosen on a
#: validation split of FER-2013's Training faces, HOG features (docs/results.md); the pixel schedule is the pilot's.
LARGE_DATA_FEATURES = {"mirror": True, "dropout": 0.3, "n_epochs": 60, "average_from": 41}


def _nearest_neighbour(random_state, verbose, features, n_faces):
    from dbnfer.baselines.nearest_neighbour import NearestNeighbour
    return NearestNeighbour(k=1, metric="euclidean")


def _nearest_neighbour_cosine(random_state, verbose, features, n_faces):
    from dbnfer.baselines.nearest_neighbour import NearestNeighbour
    return NearestNeighbour(k=1, metric="cosine")


def _nearest_subspace(random_state, verbose, features, n_faces):
    # every class's whole span: it beat every smaller subspace tried, on both JAFFE protocols
    from dbnfer.baselines.nearest_subspace import NearestSubspace
    return NearestSubspace(n_components=None, random_state=random_state, verbose=verbose)


def _svm_linear(random_state, verbose, features, n_faces):
    # C = 1, LinearSVC's default: 0.1 and 10 only trade a few points between the two JAFFE protocols
    from dbnfer.baselines.svm import LinearSVM
    return LinearSVM(C=1.0, loss="hinge", random_state=random_state, verbose=verbose)


def _svm_rbf(random_state, verbose, features, n_faces):
    # C = 100: SVC's default C = 1 underfits face pixels; settings around this one all score alike
    from dbnfer.baselines.svm import KernelSVM
    return KernelSVM(C=100.0, gamma="scale", random_state=random_state, verbose=verbose)


def _sparse_representation(random_state, verbose, features, n_faces):
    # lambda = 1e-3: the best of the four values tried, on both JAFFE protocols
    from dbnfer.baselines.src import SparseRepresentation
    return SparseRepresentation(lam=1e-3, random_state=random_state, verbose=verbose)


def _dbn(random_state, verbose, features, n_faces):
    from dbnfer.networks.dbn import DBNClassifier
    return DBNClassifier(pretrain=True, random_state=random_state, verbose=verbose, **_schedule(features, n_faces))


def _mlp(random_state, verbose, features, n_faces):
    # the DBN+MLP network without pre-training: like-for-like baseline
    from dbnfer.networks.dbn import DBNClassifier
    return DBNClassifier(pretrain=False, random_state=random_state, verbose=verbose, **_schedule(features, n_faces))


def _schedule(features, n_faces):
    # The mirror image of a face is a face: pixels are mirrored by the network itself. A feature vector is
    # mirrored only by describing the mirrored face (X_mirror), which the experiment does for large data sets;
    # JAFFE's feature tables were measured without it.
    if n_faces < LARGE_DATA:
        return {"mirror": features == "pixels"}
    return {**LARGE_DATA_SCHEDULE, **(LARGE_DATA_FEATURES if features != "pixels" else {})}


def mirrors_features(name, features, n_faces):
    """Whether classifier `name` needs the features of the mirrored faces (``X_mirror``) as well.

    True for the networks on LBP, HOG or Gabor features of a data set of :data:`LARGE_DATA` faces or more.
    """
    return features != "pixels" and getattr(make_classifier(name, features=features, n_faces=n_faces), "mirror",
                                            False)


CLASSIFIERS = {
    "nn": _nearest_neighbour,
    "nn-cosine": _nearest_neighbour_cosine,
    "ns": _nearest_subspace,
    "svm-linear": _svm_linear,
    "svm-rbf": _svm_rbf,
    "src": _sparse_representation,
    "dbn": _dbn,
    "mlp": _mlp,
}


def make_classifier(name, random_state=0, verbose=False, features="pixels", n_faces=0):
    """Build the classifier called `name` with its default settings for faces described by `features`,
    in a data set of `n_faces` faces (the networks' schedule, :data:`LARGE_DATA`).

    Raises
    ------
    ValueError
        If `name` is not one of ``CLASSIFIERS``.
    """
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}; choose one of: {', '.join(CLASSIFIERS)}")
    return CLASSIFIERS[name](random_state, verbose, features, n_faces)


def fit_options(name, X_unlabeled=None):
    """The extra ``fit`` arguments of classifier `name`: unlabeled faces for those that pre-train on them.

    Returns
    -------
    dict or None
        ``{"X_unlabeled": X_unlabeled}`` when given and the classifier's ``fit`` takes it, else None.
    """
    takes_unlabeled = "X_unlabeled" in inspect.signature(make_classifier(name).fit).parameters
    return {"X_unlabeled": X_unlabeled} if X_unlabeled is not None and takes_unlabeled else None
