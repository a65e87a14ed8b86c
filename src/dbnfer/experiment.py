"""One evaluation run: load a data set, prepare it the same way for every method, cross-validate, report.

This is what ``dbnfer demo``, ``evaluate`` and ``compare`` do (:func:`run_and_report`), and what
notebook 6 calls (:func:`load_prepared`, :func:`run`), so that a table in a notebook and a table from
the command line come from the same code.
"""

from functools import partial

from dbnfer import plots
from dbnfer.classifiers import fit_options, make_classifier, mirrors_features
from dbnfer.datasets import load_dataset
from dbnfer.evaluate import cross_validate, make_splits, split_names, summarise
from dbnfer.features import DEFAULT_SIZE, FEATURES
from dbnfer.images import image_files, read_grey
from dbnfer.parallel import map_folds
from dbnfer.preprocess import prepare, unlabeled_faces
from dbnfer.progress import report
from dbnfer.report import accuracy_text, check_out_dir, staged_folder, write_report

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
    """The preset preprocessing settings of `dataset_name`, with any non-None override applied.

    ``features`` is ``"pixels"`` unless overridden; other features get their own default face side
    (:data:`dbnfer.features.DEFAULT_SIZE`) unless ``size`` is given too.
    """
    settings = {**PRESETS.get(dataset_name, PRESETS["folders"]), "features": "pixels"}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if settings["features"] not in FEATURES:
        raise ValueError(f"unknown features {settings['features']!r}; choose one of: {', '.join(FEATURES)}")
    if settings["features"] != "pixels" and overrides.get("size") is None:
        settings["size"] = DEFAULT_SIZE[settings["features"]]
    return settings


def load_prepared(dataset_name, data_dir=None, verbose=False, load_options=None, **overrides):
    """Load a data set and turn it into the design matrix.

    Returns
    -------
    dataset : FaceDataset
    X : ndarray, shape (n, size * size)
    settings : dict
        The preprocessing actually used.

    Raises
    ------
    ValueError
        If the data set cannot be loaded, or holds a single class (there is nothing to tell apart).
    """
    dataset, X, _, settings = load_for(None, dataset_name, data_dir, verbose, load_options, **overrides)
    return dataset, X, settings


def load_for(methods, dataset_name, data_dir=None, verbose=False, load_options=None, **overrides):
    """`load_prepared` for a run of `methods`: also the features of the mirrored faces if one of them needs
    them (:func:`dbnfer.classifiers.mirrors_features`).

    Returns
    -------
    dataset, X, X_mirror, settings
        As from `load_prepared`; `X_mirror` is None unless a method needs it.
    """
    dataset = load_dataset(dataset_name, data_dir, **(load_options or {}))
    if len(dataset.label_names) < 2:
        raise ValueError(f"{dataset.name}: only one class ({', '.join(dataset.label_names)}) in the data set; "
                         f"a classifier needs at least two")
    settings = preprocessing(dataset.name, **overrides)
    if any(mirrors_features(method, settings["features"], len(dataset)) for method in methods or ()):
        X, X_mirror = prepare(dataset, verbose=verbose, mirrored=True, **settings)
    else:
        X, X_mirror = prepare(dataset, verbose=verbose, **settings), None
    return dataset, X, X_mirror, settings


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
    options["features"] = settings.get("features", "pixels")
    options["crop"] = "detect" if settings["crop"] == "central" else settings["crop"]
    return unlabeled_faces((read_grey(path) for path in image_files([folder])), verbose=verbose, **options)


def run(dataset, X, methods, protocols, n_splits=10, seed=0, verbose=False, X_unlabeled=None, jobs=1,
        features="pixels", X_mirror=None):
    """Cross-validate every method under every protocol on identical folds.

    `X_unlabeled`, if given, goes to the pre-training of every method whose ``fit`` takes it (DBN+MLP);
    `X_mirror`, the features of the mirrored faces (from :func:`load_for`), to the methods that mirror.
    With ``jobs`` > 1 the folds of all methods and protocols run in that many processes
    (:mod:`dbnfer.parallel`); the figures are the same as with one. `features` names what the columns of `X`
    are, and the number of rows of `X` sets the networks' schedule (:func:`dbnfer.classifiers.make_classifier`).

    Returns
    -------
    dict
        ``(method, protocol) -> cross_validate result`` (see :func:`dbnfer.evaluate.cross_validate`), with the
        ``fold_names`` of :func:`dbnfer.evaluate.split_names` (under the official protocol, the test parts).
    """
    folds = {protocol: make_splits(dataset, protocol, n_splits, seed) for protocol in protocols}  # all checked first
    runs = [(method, protocol) for protocol in protocols for method in methods]
    n_classes = len(dataset.label_names)
    if jobs > 1:
        every_fold = [(method, seed, features, train, test)
                      for method, protocol in runs for train, test in folds[protocol]]
        outputs = iter(map_folds(every_fold, X, dataset.labels, X_unlabeled, jobs, verbose, X_mirror))
    results = {}
    for method, protocol in runs:
        if jobs > 1:
            result = summarise(dataset.labels, folds[protocol], [next(outputs) for _ in folds[protocol]], n_classes)
        else:
            new_classifier = partial(make_classifier, method, seed, features=features, n_faces=len(X))
            result = cross_validate(new_classifier, X, dataset.labels, folds[protocol], n_classes, verbose,
                                    f"{method} {protocol}", fit_options(method, X_unlabeled), X_mirror)
        results[method, protocol] = result
        result["fold_names"] = split_names(dataset, protocol, folds[protocol])
        report(f"{method} {protocol}: {accuracy_text(protocol, result)}", verbose)
    return results


def run_and_report(out, title, dataset_name, methods, protocols, data_dir=None, n_splits=10, seed=0,
                   unlabeled=None, load_options=None, extra_figures=None, verbose=False, jobs=1, **overrides):
    """Load and prepare a data set, cross-validate `methods` under `protocols`, and write a report folder.

    Parameters
    ----------
    out : str or Path
        The report folder to create; one that already holds files, or cannot be written, is refused before any
        work is done. It is created only once the report is complete: a run that fails leaves nothing.
    title : str
        The report's title.
    dataset_name : str
        A name of :func:`dbnfer.datasets.load_dataset`.
    methods : sequence of str
        Names of :data:`dbnfer.classifiers.CLASSIFIERS`.
    protocols : sequence of str
        Names of :data:`dbnfer.evaluate.PROTOCOLS`.
    data_dir : str or Path, optional
        Where the data set's files are.
    n_splits, seed : int
        k of k-fold, and the seed of the folds and the models.
    unlabeled : str or Path, optional
        A folder of face images without labels, added to the pre-training (see :func:`load_unlabeled`).
    load_options : dict, optional
        Options of the data set's loader.
    extra_figures : callable, optional
        ``extra_figures(dataset, X, settings) -> [(caption, Figure), ...]``, drawn after the class montage.
    verbose : bool
        Progress lines on standard error.
    **overrides
        Preprocessing settings that replace the data set's preset (``size``, ``crop``, ``equalised``,
        ``margin``); None keeps the preset.

    Returns
    -------
    path : Path
        The report's ``report.md`` (beside it ``metrics.json`` and the figures).
    results : dict
        ``(method, protocol) -> cross_validate result``, as from :func:`run`.
    """
    out = check_out_dir(out)
    dataset, X, X_mirror, settings = load_for(methods, dataset_name, data_dir, verbose, load_options, **overrides)
    X_unlabeled = None
    if unlabeled:
        X_unlabeled = load_unlabeled(unlabeled, settings, verbose)
        settings["unlabeled"] = f"{unlabeled} ({len(X_unlabeled)} faces, DBN pre-training only)"
    results = run(dataset, X, methods, protocols, n_splits, seed, verbose, X_unlabeled, jobs, settings["features"],
                  X_mirror)
    settings.update(folds=n_splits, seed=seed)
    figures = [("Examples per class", plots.montage(dataset))]
    if extra_figures:
        figures += extra_figures(dataset, X, settings)
    with staged_folder(out) as folder:
        name = write_report(folder, title, dataset, settings, results, figures).name
    return out / name, results
