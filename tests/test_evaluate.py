"""Protocols (folds never cut a group, stratification, leave-one-subject-out) and metrics."""

import numpy as np
import pytest

from dbnfer.datasets import make_synthetic
from dbnfer.evaluate import (confusion_matrix, cross_validate, leave_one_subject_out, macro_f1, make_splits,
                             normalise_rows, per_class_recall, stratified_kfold)


def test_kfold_partitions_and_stratifies():
    y = np.repeat([0, 1, 2], [30, 20, 10])
    splits = stratified_kfold(y, n_splits=5, seed=3)
    tests = np.concatenate([test for _, test in splits])
    assert sorted(tests) == list(range(60))
    for train, test in splits:
        assert not set(train) & set(test) and len(train) + len(test) == 60
        assert list(np.bincount(y[test], minlength=3)) == [6, 4, 2]


def test_kfold_never_splits_a_group_and_depends_on_the_seed():
    y = np.repeat([0, 1], 20)
    groups = np.repeat(np.arange(10), 4)  # ten sequences of four frames
    splits = stratified_kfold(y, n_splits=5, seed=0, groups=groups)
    for _, test in splits:
        for g in set(groups[test]):
            assert set(np.flatnonzero(groups == g)) <= set(test)
    assert not all(np.array_equal(a[1], b[1])
                   for a, b in zip(splits, stratified_kfold(y, n_splits=5, seed=1, groups=groups)))


def test_kfold_needs_enough_groups():
    with pytest.raises(ValueError, match="n_splits"):
        stratified_kfold(np.zeros(4, dtype=int), n_splits=5)


def test_leave_one_subject_out():
    subjects = np.array(["a", "b", "a", "c"])
    splits = leave_one_subject_out(subjects)
    assert [list(test) for _, test in splits] == [[0, 2], [1], [3]]
    with pytest.raises(ValueError, match="at least 2 subjects"):
        leave_one_subject_out(["a", "a"])


def test_metrics_on_a_known_confusion():
    y_true, y_pred = [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 0]
    confusion = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(confusion, [[2, 1, 0], [0, 2, 0], [1, 0, 0]])
    np.testing.assert_allclose(per_class_recall(confusion), [2 / 3, 1, 0])
    np.testing.assert_allclose(normalise_rows(confusion).sum(1), 1)
    f1_0, f1_1 = 2 * (2 / 3) * (2 / 3) / (4 / 3), 2 * (2 / 3) * 1 / (5 / 3)
    assert macro_f1(confusion) == pytest.approx((f1_0 + f1_1 + 0) / 3)


class Majority:
    """A model that predicts the most common training label: accuracy is the class share."""

    def fit(self, X, y):
        self.label_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.label_)


def test_cross_validate_collects_every_prediction():
    y = np.repeat([0, 1], [12, 8])
    result = cross_validate(Majority, np.zeros((20, 2)), y, stratified_kfold(y, 4, seed=0))
    assert result["predictions"] == [0] * 20
    assert result["accuracy"] == pytest.approx(0.6) and result["accuracy_std"] == pytest.approx(0)
    assert result["confusion"] == [[12, 0], [8, 0]] and len(result["fold_accuracy"]) == 4


def test_cross_validate_passes_fit_params_to_every_fit():
    seen = []

    class Recorder(Majority):
        def fit(self, X, y, extra=None):
            seen.append(extra)
            return super().fit(X, y)

    y = np.repeat([0, 1], [12, 8])
    cross_validate(Recorder, np.zeros((20, 2)), y, stratified_kfold(y, 4, seed=0), fit_params={"extra": "U"})
    assert seen == ["U"] * 4


def test_only_a_mirroring_estimator_gets_the_mirrored_features_of_its_folds_rows():
    seen = []

    class Mirroring(Majority):
        mirror = True

        def fit(self, X, y, X_mirror=None):
            seen.append(("fit", X_mirror[:, 0].tolist()))
            return super().fit(X, y)

        def predict(self, X, X_mirror=None):
            seen.append(("predict", X_mirror[:, 0].tolist()))
            return super().predict(X)

    y = np.repeat([0, 1], [12, 8])
    X_mirror = np.arange(20.0)[:, None] + 100
    splits = stratified_kfold(y, 4, seed=0)
    cross_validate(Mirroring, np.zeros((20, 2)), y, splits, X_mirror=X_mirror)
    assert seen[0::2] == [("fit", (X_mirror[train, 0]).tolist()) for train, _ in splits]
    assert seen[1::2] == [("predict", (X_mirror[test, 0]).tolist()) for _, test in splits]
    assert cross_validate(Majority, np.zeros((20, 2)), y, splits, X_mirror=X_mirror)["accuracy"] == 0.6


def test_cross_validate_shows_each_fold_with_its_accuracy_unless_quiet(capsys):
    y = np.repeat([0, 1], [12, 8])
    splits = stratified_kfold(y, 4, seed=0)
    cross_validate(Majority, np.zeros((20, 2)), y, splits, verbose=True, name="majority kfold")
    assert capsys.readouterr().err.splitlines() == [f"majority kfold: fold {k}/4: accuracy 0.600" for k in range(1, 5)]
    cross_validate(Majority, np.zeros((20, 2)), y, splits, verbose=False)
    assert capsys.readouterr().err == ""


def test_subject_kfold_keeps_each_person_in_one_fold():
    data = make_synthetic(n_subjects=6, per_class=1, size=16)
    splits = make_splits(data, "subject-kfold", n_splits=3)
    assert len(splits) == 3
    for train, test in splits:
        assert not set(data.subjects[train]) & set(data.subjects[test]) and len(set(data.subjects[test])) == 2
