"""What the baselines share: label encoding, accuracy, unit-norm rows, vote counts."""

import numpy as np
import pytest

from dbnfer.baselines.base import Classifier, count_votes, unit_rows


class Constant(Classifier):
    """Predicts the first class for everything: enough to test the mixin."""

    def fit(self, X, y):
        self._encode_labels(y)
        return self

    def predict(self, X):
        return np.repeat(self.classes_[:1], len(X))


def test_labels_are_encoded_as_indices_into_sorted_classes():
    model = Constant()
    index = model._encode_labels(np.array([7, 3, 7, 5]))
    np.testing.assert_array_equal(model.classes_, [3, 5, 7])
    np.testing.assert_array_equal(model.classes_[index], [7, 3, 7, 5])
    with pytest.raises(ValueError, match="need at least 2 classes, got 1"):
        model._encode_labels(np.array([4, 4]), min_classes=2)


def test_score_is_accuracy():
    model = Constant().fit(None, [1, 2])
    assert model.score(np.zeros((4, 1)), [1, 2, 1, 2]) == 0.5


def test_unit_rows_keeps_zero_rows():
    X = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_array_equal(unit_rows(X), [[0.6, 0.8], [0.0, 0.0]])


def test_count_votes():
    votes = np.array([[0, 2, 2], [1, 1, 1]])
    np.testing.assert_array_equal(count_votes(votes, 3), [[1, 0, 2], [0, 3, 0]])
