"""One evaluation run: load a data set, prepare it the same way for every method, cross-validate.

This is what ``dbnfer demo``, ``evaluate`` and ``compare`` do, and what notebook 6 calls, so
that a table in a notebook and a table from the command line come from the same code.
"""

import inspect

from dbnfer.datasets import load_dataset
from dbnfer.evaluate import cross_validate, make_splits
from dbnfer.images import image_files, read_grey
from dbnfer.models import make_model
from dbnfer.preprocess import prepare, unlabeled_faces
from dbnfer.progress import report

#: Preprocessing per data set. Photos (JAFFE, Yale, CK+ originals) are cropped, then equalised;
#: the synthetic faces are already framed, and equalising their large flat background and skin
#: areas would stretch noise, so they are only scaled.
PRESETS = {
    "jaffe": {"crop": "central", "size": 32, "equalised": True, "margin": 0.0},
    "yale": {"crop": "detect", "size": 32, "equalised": True, "margin": 0.0},
    "ckplus": {"crop": "detect", "size": 32, "equalised": True, "margin": 0.0},
    "ckplus48": {"crop": "none", "size": 32, "equalised": True, "margin": 0.0},
    "fer2013": {"crop": "none", "size": 32, "equalised": True, "margin": 0.0},
    "folders": {"crop": "none", "size": 32, "equalised": True, "margin": 0.0},
    "lfw": {"crop": "none", "size": 25, "equalised": True, "margin": 0.0},
    "synthetic": {"crop": "none", "size": 32, "equalised": False, "margin": 0.0},
}


def preprocessing(dataset_name, **overrides):
    """The preset preprocessing settings of `dataset_name`, with any non-None override applied."""
    settings = dict(PRESETS.get(dataset_name, PRESETS["folders"]))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def load_prepared(dataset_name, data_dir=None, verbose=False, load_options=None, **overrides):
    """Load a data set and turn it into the design matrix.

    Returns
    -------
    dataset : FaceDataset
    X : ndarray, shape (n, size * size)
    settings : dict
        The preprocessing actually used.
    """
    dataset = load_dataset(dataset_name, data_dir, **(load_options or {}))
    settings = preprocessing(dataset.name, **overrides)
    X = prepare(dataset, verbose=verbose, **settings)
    return dataset, X, settings


def load_unlabeled(folder, settings, verbose=False):
    """The images of `folder` as unlabeled face vectors, prepared with `settings` (see `load_prepared`).

    The crop follows the labelled data's, except that a fixed central box (made for one camera set-up, such
    as JAFFE's) becomes detection: other photos put the face elsewhere. Faces that are already cropped
    (``crop="none"``) are taken whole.

    Raises
    ------
    FileNotFoundError, ValueError
        If the folder is missing or empty, an image is unreadable, or no face is found.
    """
    options = {key: settings[key] for key in ("size", "equalised", "margin")}
    options["crop"] = "detect" if settings["crop"] == "central" else settings["crop"]
    return unlabeled_faces((read_grey(path) for path in image_files([folder])), verbose=verbose, **options)


def run(dataset, X, methods, protocols, n_splits=10, seed=0, verbose=False, X_unlabeled=None):
    """Cross-validate every method under every protocol on identical folds.

    `X_unlabeled`, if given, goes to the pre-training of every method whose ``fit`` takes it (DBN+MLP).

    Returns
    -------
    dict
        ``(method, protocol) -> cross_validate result`` (see :func:`dbnfer.evaluate.cross_validate`).
    """
    results = {}
    for protocol in protocols:
        splits = make_splits(dataset, protocol, n_splits, seed)
        for method in methods:
            takes_unlabeled = "X_unlabeled" in inspect.signature(make_model(method).fit).parameters
            fit_params = {"X_unlabeled": X_unlabeled} if X_unlabeled is not None and takes_unlabeled else None
            results[method, protocol] = cross_validate(
                lambda: make_model(method, random_state=seed), X, dataset.labels, splits,
                n_classes=len(dataset.label_names), verbose=verbose, name=f"{method} {protocol}",
                fit_params=fit_params)
            result = results[method, protocol]
            report(f"{method} {protocol}: {100 * result['accuracy']:.1f} ± {100 * result['accuracy_std']:.1f} %",
                   verbose)
    return results

