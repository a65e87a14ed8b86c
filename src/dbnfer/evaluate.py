"""Evaluation protocols and metrics.

The protocols answer different questions:

* **stratified k-fold** (person-dependent): images are dealt into k folds with the class proportions
  kept; the same person appears in training and test folds. Most DBN papers on JAFFE and CK+
  report this, and it is inflated by near-identical images of one person.
* **leave-one-subject-out** (person-independent): each fold tests on one person never seen in
  training, which is what recognising a new user's expression requires.
* **subject k-fold** (person-independent, cheaper): k folds of whole subjects.
* **official** (for data sets that come split, FER-2013): train on the Training part, test on PublicTest and
  on PrivateTest, each reported on its own, as in the challenge (Goodfellow et al. 2013).

Images of one group (the frames of a CK+ sequence) always go to the same fold.

Metrics: accuracy, per-class recall (the diagonal of the row-normalised confusion matrix),
macro-F1 (the unweighted mean over classes of 2 P R / (P + R)), and mean and standard deviation of
the per-fold accuracies.
"""

import time

import numpy as np

from dbnfer.datasets.base import PARTS
from dbnfer.progress import Progress

PROTOCOLS = ("kfold", "loso", "subject-kfold", "official")


def stratified_kfold(y, n_splits=10, seed=0, groups=None):
    """Stratified k-fold splits that never cut a group.

    Groups (each image its own group when `groups` is None) are shuffled with `seed` within each
    class (a group's class is its most common label), then dealt to the currently smallest fold.

    Parameters
    ----------
    y : array of int, shape (n,)
    n_splits : int
    seed : int
    groups : array, shape (n,), optional

    Returns
    -------
    list of (train_index, test_index)
    """
    y = np.asarray(y)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    names, group_of = np.unique(groups, return_inverse=True)
    if not 2 <= n_splits <= len(names):
        raise ValueError(f"k-fold needs 2 <= n_splits <= number of groups ({len(names)}), not {n_splits}")
    group_label = np.array([np.bincount(y[group_of == g]).argmax() for g in range(len(names))])
    group_size = np.bincount(group_of)
    rng = np.random.default_rng(seed)
    fold_of_group, fold_size = np.empty(len(names), dtype=int), np.zeros(n_splits, dtype=int)
    for label in np.unique(group_label):
        members = rng.permutation(np.flatnonzero(group_label == label))
        start = rng.integers(n_splits)  # vary which fold gets a class's remainder
        for k, g in enumerate(members):
            order = np.roll(np.arange(n_splits), -(start + k))
            fold = order[np.argmin(fold_size[order])]
            fold_of_group[g] = fold
            fold_size[fold] += group_size[g]
    fold = fold_of_group[group_of]
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_splits)]


def leave_one_subject_out(subjects):
    """One split per subject: that subject's images are the test set, everyone else's the training set."""
    subjects = np.asarray(subjects)
    names = np.unique(subjects)
    if len(names) < 2:
        raise ValueError(f"leave-one-subject-out needs at least 2 subjects, found {len(names)}")
    return [(np.flatnonzero(subjects != s), np.flatnonzero(subjects == s)) for s in names]


def official_splits(dataset):
    """The data set's own split: train on its Training part, test on each of its test parts in turn.

    Parameters
    ----------
    dataset : FaceDataset
        With ``parts`` (see :data:`dbnfer.datasets.base.PARTS`).

    Returns
    -------
    list of (train_index, test_index)
        One split per test part present, in ``PARTS`` order (PublicTest, then PrivateTest), all with the same
        training images: the test parts are never pooled.

    Raises
    ------
    ValueError
        If the data set has no parts, no Training images or no test images.
    """
    if dataset.parts is None:
        raise ValueError(f"{dataset.name}: the official protocol needs the data set's own training and test parts "
                         f"(FER-2013 has them), but this data set has none; use kfold instead")
    training, *tests = PARTS
    train = np.flatnonzero(dataset.parts == training)
    splits = [(train, np.flatnonzero(dataset.parts == part)) for part in tests if np.any(dataset.parts == part)]
    if len(train) == 0 or not splits:
        raise ValueError(f"{dataset.name}: the official protocol needs both {training} images and test images "
                         f"({', '.join(tests)}), but this data set has only "
                         f"{', '.join(map(str, np.unique(dataset.parts)))}")
    return splits


def make_splits(dataset, protocol, n_splits=10, seed=0):
    """The folds of `protocol` ("kfold", "loso", "subject-kfold" or "official") for a FaceDataset.

    Raises
    ------
    ValueError
        For an unknown protocol, too few groups for `n_splits`, leave-one-subject-out on a data set that names
        no people (every image its own subject: each fold would test one image), or the official protocol on a
        data set without its own Training and test parts.
    """
    if protocol == "kfold":
        return stratified_kfold(dataset.labels, n_splits, seed, dataset.groups)
    if protocol == "loso":
        if len(np.unique(dataset.subjects)) == len(dataset):
            raise ValueError(f"{dataset.name}: leave-one-subject-out needs the people shown, but this data set names "
                             f"no subject (every image is its own); use k-fold instead")
        return leave_one_subject_out(dataset.subjects)
    if protocol == "subject-kfold":
        return stratified_kfold(dataset.labels, n_splits, seed, dataset.subjects)
    if protocol == "official":
        return official_splits(dataset)
    raise ValueError(f"unknown protocol {protocol!r}; choose one of: {', '.join(PROTOCOLS)}")


def split_names(dataset, protocol, splits):
    """A name for each split of `protocol` (from :func:`make_splits`): the test part under the official protocol,
    the subject held out under leave-one-subject-out, ``fold k`` otherwise."""
    if protocol == "official":
        return [str(dataset.parts[test[0]]) for _, test in splits]
    if protocol == "loso":
        return [str(dataset.subjects[test[0]]) for _, test in splits]
    return [f"fold {k}" for k in range(1, len(splits) + 1)]


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts C[i, j] of images of true class i predicted as class j."""
    return np.bincount(np.asarray(y_true) * n_classes + np.asarray(y_pred),
                       minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def normalise_rows(confusion):
    """Each row divided by its total (the true class's count); empty rows stay zero."""
    totals = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion, totals, out=np.zeros(confusion.shape), where=totals > 0)


def per_class_recall(confusion):
    """Recall of each class: the diagonal of the row-normalised confusion matrix."""
    return np.diag(normalise_rows(confusion))


def macro_f1(confusion):
    """Unweighted mean over classes of F1 = 2 P R / (P + R), with P and R from the confusion matrix."""
    tp = np.diag(confusion).astype(float)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(tp),
                   where=precision + recall > 0)
    return float(f1[actual > 0].mean())


def fit_and_predict(estimator, X, y, train, test, fit_params=None, X_mirror=None):
    """One fold: fit `estimator` on the training images, predict the test images.

    `X_mirror` (the feature vectors of the mirrored faces, row for row) goes with the fold's rows to an
    estimator that mirrors (``estimator.mirror``, `DBNClassifier`); the others never see it.

    Returns
    -------
    predictions : ndarray of int, shape (len(test),)
    fit_seconds, predict_seconds : float
    """
    mirrors = X_mirror is not None and getattr(estimator, "mirror", False)
    start = time.perf_counter()
    estimator.fit(X[train], y[train], **(fit_params or {}), **({"X_mirror": X_mirror[train]} if mirrors else {}))
    middle = time.perf_counter()
    predictions = np.asarray(estimator.predict(X[test], **({"X_mirror": X_mirror[test]} if mirrors else {})))
    return predictions, middle - start, time.perf_counter() - middle


def summarise(y, splits, folds, n_classes):
    """The metrics of a cross-validation from each fold's `fit_and_predict` output.

    Parameters
    ----------
    y : array of int, shape (n,)
    splits : list of (train_index, test_index)
    folds : list of (predictions, fit_seconds, predict_seconds)
        One per split, in the same order.
    n_classes : int
        Size of the confusion matrix.

    Returns
    -------
    dict
        See :func:`cross_validate`.
    """
    predictions = np.full(len(y), -1)
    fold_accuracy = []
    for (_, test), (predicted, _, _) in zip(splits, folds):
        predictions[test] = predicted
        fold_accuracy.append(float(np.mean(predicted == y[test])))
    tested = predictions >= 0
    confusion = confusion_matrix(y[tested], predictions[tested], n_classes)
    return {
        "accuracy": float(np.mean(fold_accuracy)), "accuracy_std": float(np.std(fold_accuracy)),
        "fold_accuracy": fold_accuracy, "pooled_accuracy": float(np.mean(predictions[tested] == y[tested])),
        "confusion": confusion.tolist(), "confusion_normalised": normalise_rows(confusion).tolist(),
        "recall": per_class_recall(confusion).tolist(), "macro_f1": macro_f1(confusion),
        "fit_seconds": float(sum(fold[1] for fold in folds)),
        "predict_seconds": float(sum(fold[2] for fold in folds)), "predictions": predictions.tolist(),
    }


def cross_validate(new_estimator, X, y, splits, n_classes=None, verbose=False, name="model", fit_params=None,
                   X_mirror=None):
    """Fit a fresh model on every training fold and score it on the matching test fold.

    Parameters
    ----------
    new_estimator : callable
        ``new_estimator() -> estimator`` with ``fit`` and ``predict``; called once per fold.
    X : ndarray, shape (n, d)
    y : array of int, shape (n,)
    splits : list of (train_index, test_index)
    n_classes : int, optional
        Size of the confusion matrix (default: ``y.max() + 1``).
    verbose : bool
        One progress line per fold with its accuracy.
    name : str
        What the progress lines call the model.
    fit_params : dict, optional
        Extra keyword arguments of every ``fit`` call (e.g. ``X_unlabeled`` of `DBNClassifier.fit`).
    X_mirror : ndarray, shape (n, d), optional
        The features of the mirrored faces, for the estimators that mirror (see :func:`fit_and_predict`).

    Returns
    -------
    dict
        ``accuracy`` (mean over folds), ``accuracy_std``, ``fold_accuracy``, ``pooled_accuracy``
        (over all test predictions), ``confusion`` (summed counts), ``confusion_normalised``,
        ``recall``, ``macro_f1``, ``fit_seconds``, ``predict_seconds`` (totals) and ``predictions``
        (each image's prediction from the fold that tested it).
    """
    y = np.asarray(y)
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    folds = []
    with Progress(len(splits), f"{name}: fold", verbose) as progress:
        for train, test in splits:
            folds.append(fit_and_predict(new_estimator(), X, y, train, test, fit_params, X_mirror))
            progress.step(f"accuracy {np.mean(folds[-1][0] == y[test]):.3f}")
    return summarise(y, splits, folds, n_classes)
