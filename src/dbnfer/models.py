"""The classifiers that the CLI, ``evaluate`` and ``compare`` know by name.

Each entry maps a short name to a factory ``(random_state, verbose) -> estimator``; an estimator has
``fit(X, y)``, ``predict(X)`` and ``score(X, y)``, where ``X`` is (n_samples, n_features) float32 pixel
vectors in [0, 1] and ``y`` integer labels. Imports are inside the factories so that naming a model
loads only its module.
"""


def _nearest_neighbour(random_state, verbose):
    from dbnfer.baselines.nearest_neighbour import NearestNeighbour
    return NearestNeighbour(k=1, metric="euclidean")


def _nearest_neighbour_cosine(random_state, verbose):
    from dbnfer.baselines.nearest_neighbour import NearestNeighbour
    return NearestNeighbour(k=1, metric="cosine")


def _nearest_subspace(random_state, verbose):
    # baseline settings below were picked by a quick check on the JAFFE folds themselves (naive
    # pipeline), so they are mildly optimistic; none was tuned down.
    # every class's whole span (n_components=None) beat r = 5, 10, 15 on JAFFE 10-fold and LOSO
    from dbnfer.baselines.nearest_subspace import NearestSubspace
    return NearestSubspace(n_components=None, random_state=random_state, verbose=verbose)


def _svm_linear(random_state, verbose):
    # C = 1 (LinearSVC's default): JAFFE 10-fold / LOSO 93.4 / 52.8 %, C = 0.1 89.2 / 56.2, C = 10 93.0 / 53.8
    from dbnfer.baselines.svm import LinearSVM
    return LinearSVM(C=1.0, loss="hinge", random_state=random_state, verbose=verbose)


def _svm_rbf(random_state, verbose):
    # C = 100 with gamma "scale": JAFFE 10-fold / LOSO 94.4 / 48.0 %; C = 1 (SVC's default) gives 55.8 %
    # on 10-fold; C in 10..1000 and gamma in 0.25..2 x scale all lie within about 2 points
    from dbnfer.baselines.svm import KernelSVM
    return KernelSVM(C=100.0, gamma="scale", random_state=random_state, verbose=verbose)


def _sparse_representation(random_state, verbose):
    # lambda = 1e-3 beat 1e-4, 1e-2 and 5e-2 on JAFFE 10-fold and LOSO
    from dbnfer.baselines.src import SparseRepresentation
    return SparseRepresentation(lam=1e-3, random_state=random_state, verbose=verbose)


def _dbn(random_state, verbose):
    from dbnfer.dbn import DBNClassifier
    return DBNClassifier(pretrain=True, random_state=random_state, verbose=verbose)


def _mlp(random_state, verbose):
    # the DBN+MLP network without pre-training: like-for-like baseline
    from dbnfer.dbn import DBNClassifier
    return DBNClassifier(pretrain=False, random_state=random_state, verbose=verbose)


MODELS = {
    "nn": _nearest_neighbour,
    "nn-cosine": _nearest_neighbour_cosine,
    "ns": _nearest_subspace,
    "svm-linear": _svm_linear,
    "svm-rbf": _svm_rbf,
    "src": _sparse_representation,
    "dbn": _dbn,
    "mlp": _mlp,
}


def make_model(name, random_state=0, verbose=False):
    """Build the classifier called `name` with its default settings.

    Raises
    ------
    ValueError
        If `name` is not one of ``MODELS``.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    return MODELS[name](random_state, verbose)
