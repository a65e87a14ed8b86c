"""The classifiers that the CLI, ``evaluate`` and ``compare`` know by name.

Each entry maps a short name to a factory ``(random_state, verbose) -> estimator``; an estimator has
``fit(X, y)``, ``predict(X)`` and ``score(X, y)``, where ``X`` is (n_samples, n_features) float32 pixel
vectors in [0, 1] and ``y`` integer labels. Imports are inside the factories so that naming a model
loads only its module.
"""


def _nearest_neighbour(random_state, verbose):
    from dbnfer.baselines.nearest_neighbour import NearestNeighbour
    return NearestNeighbour(k=1, metric="euclidean")


MODELS = {
    "nn": _nearest_neighbour,
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
