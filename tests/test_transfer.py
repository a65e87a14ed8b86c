"""Fine-tuning a trained expression model on another data set (`dbnfer.transfer`, ``dbnfer train --init-from``)."""

import numpy as np
import pytest

from dbnfer.cli import main
from dbnfer.datasets.synthetic import make_synthetic
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.predict import ExpressionModel
from dbnfer.preprocess import prepare
from dbnfer.transfer import FineTuning, choose_schedule, fine_tune_model, framed_faces, inner_splits

PREPROCESSING = {"crop": "none", "size": 16, "equalised": False, "margin": 0.0}


@pytest.fixture(scope="module")
def model():
    """A DBN+MLP trained on one set of synthetic people (whole 16x16 images)."""
    data = make_synthetic(n_subjects=6, per_class=2, size=48, random_state=3)
    X = prepare(data, size=16, crop="none", equalised=False)
    classifier = DBNClassifier(hidden_sizes=(32,), rbm_epochs=2, n_epochs=10, random_state=0)
    return ExpressionModel(classifier.fit(X, data.labels), data.label_names, PREPROCESSING, "synthetic")


@pytest.fixture(scope="module")
def others():
    """Other synthetic people, the data set to fine-tune on."""
    return make_synthetic(n_subjects=4, per_class=2, size=48, random_state=11)


def test_inner_splits_leave_out_subjects_or_fall_back_to_k_fold():
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    by_subject = inner_splits(y, np.array(list("aabbccddee")))
    assert len(by_subject) == 5 and all(len(set("aabbccddee"[i] for i in test)) == 1 for _, test in by_subject)
    unnamed = inner_splits(y, np.arange(10))  # every face its own subject
    assert len(unnamed) == 5 and sorted(np.concatenate([test for _, test in unnamed]).tolist()) == list(range(10))


def test_fine_tuning_trains_a_copy_and_the_choice_is_the_best_cross_validated_point(model, others):
    X, X_mirror, found = framed_faces(model, others.images)
    assert X.shape == X_mirror.shape == (len(others), 256) and found == len(others)  # whole images
    before = [W.copy() for W in model.classifier.mlp_.weights_]
    tuning = FineTuning(model.classifier, X, X_mirror, others.labels)
    rows = np.arange(len(others))
    grid = [(1, 0.0), (5, 0.05)]  # a zero learning rate leaves the network as it was
    chosen, right = choose_schedule(tuning, rows, np.asarray(others.subjects), grid)
    assert chosen == max(grid, key=right.get) and set(right) == set(grid)
    unchanged = model.classifier.predict(X, X_mirror)
    assert right[(1, 0.0)] == np.sum(unchanged == others.labels)  # every fold sees the same, untouched network
    for W, W_before in zip(model.classifier.mlp_.weights_, before):
        np.testing.assert_array_equal(W, W_before)
    tuned = tuning.fit(rows, 5, 0.05)
    assert not np.array_equal(tuned.weights_[0], before[0]) and tuned.n_epochs == 5


def test_fine_tune_model_keeps_the_preprocessing_and_names_its_origin(model, monkeypatch):
    import dbnfer.transfer

    small = make_synthetic(n_subjects=3, per_class=2, size=48, random_state=5)
    monkeypatch.setattr(dbnfer.transfer, "load_dataset", lambda name, data_dir=None: small)
    tuned = fine_tune_model(model, "synthetic", grid=[(2, 0.02)])
    assert tuned.preprocessing == model.preprocessing and tuned.label_names == model.label_names
    assert "fine-tuned from synthetic" in tuned.trained_on and "2 epochs at rate 0.02" in tuned.trained_on
    assert tuned.classifier.mlp_ is not model.classifier.mlp_ and tuned.classifier.dbn_ is model.classifier.dbn_
    X, X_mirror, _ = framed_faces(model, small.images)
    expected = FineTuning(model.classifier, X, X_mirror, small.labels).fit(np.arange(len(small)), 2, 0.02)
    np.testing.assert_array_equal(tuned.classifier.mlp_.weights_[0], expected.weights_[0])


def test_train_init_from_writes_a_fine_tuned_model(tmp_path, capsys, model):
    from conftest import write_image

    faces = tmp_path / "faces"
    for i, label in enumerate(["happiness", "sadness"] * 3):
        write_image(faces / label / f"{i}.png", shape=(16, 16), seed=i)
    first, tuned = tmp_path / "first.npz", tmp_path / "tuned.npz"
    assert main(["train", "--dataset", "folders", "--data-dir", str(faces), "--size", "8", "--out", str(first),
                 "--quiet"]) == 0
    assert main(["train", "--dataset", "folders", "--data-dir", str(faces), "--init-from", str(first), "--out",
                 str(tuned), "--quiet"]) == 0
    assert "fine-tuned from folders" in capsys.readouterr().out
    start, result = ExpressionModel.load(first), ExpressionModel.load(tuned)
    assert result.preprocessing == start.preprocessing and result.label_names == start.label_names
    assert "5-fold cross-validation" in result.trained_on  # the folders name nobody: k-fold chooses
