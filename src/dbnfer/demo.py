"""What ``dbnfer demo`` runs: the whole job on the embedded synthetic faces, and what the network learned.

One classifier (DBN+MLP by default) is cross-validated on a small share of the synthetic FACS faces under
a person-dependent protocol (stratified k-fold) and a person-independent one (k folds of whole subjects);
then it is trained on every demo image so that the report can show its first-layer filters and learning
curves. Nothing needs downloading.

    >>> from dbnfer.demo import run_demo
    >>> path, results = run_demo("dbnfer-demo")                    # doctest: +SKIP
"""

from dbnfer import plots
from dbnfer.classifiers import make_classifier
from dbnfer.experiment import run_and_report

#: The demo's share of the synthetic faces: 12 people x 8 expressions x 3 images, small enough for a quick run.
DEMO_DATA = {"n_subjects": 12, "per_class": 3}
#: Person-dependent, then person-independent.
PROTOCOLS = ("kfold", "subject-kfold")
N_SPLITS = 5
SEED = 0


def run_demo(out, model="dbn", verbose=True):
    """Cross-validate `model` on the demo faces and write the report folder `out`.

    Parameters
    ----------
    out : str or Path
        The report folder to create (it must not exist or be empty).
    model : str
        A name of :data:`dbnfer.classifiers.CLASSIFIERS`.
    verbose : bool
        Progress lines on standard error.

    Returns
    -------
    path : Path
        The report's ``report.md``.
    results : dict
        ``(model, protocol) -> cross_validate result`` for both protocols.
    """
    def what_it_learned(dataset, X, settings):
        return learned_figures(model, dataset, X, settings["size"], verbose)

    return run_and_report(out, "dbnfer demo: synthetic FACS faces", "synthetic", [model], PROTOCOLS,
                          n_splits=N_SPLITS, seed=SEED, load_options=DEMO_DATA, extra_figures=what_it_learned,
                          verbose=verbose)


def learned_figures(model, dataset, X, side, verbose=False):
    """First-layer filters and learning curves of `model` trained on all of `X`.

    Parameters
    ----------
    model : str
        A name of :data:`dbnfer.classifiers.CLASSIFIERS`.
    dataset : FaceDataset
        Gives the labels of `X`.
    X : ndarray, shape (n, side * side)
    side : int
        Side of the square face images.
    verbose : bool

    Returns
    -------
    list of (caption, Figure)
        Empty for a classifier without first-layer weights ``W_`` (the baselines).
    """
    classifier = make_classifier(model, random_state=SEED, verbose=verbose, n_faces=len(X)).fit(X, dataset.labels)
    if not hasattr(classifier, "W_"):
        return []
    return [("First-layer filters", plots.filters(classifier.W_, (side, side), title=f"{model}: first layer")),
            ("Learning curves", plots.learning_curves(classifier.history_, title="fine-tuning on all demo images"))]
