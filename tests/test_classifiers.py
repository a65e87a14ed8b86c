"""The registry of named classifiers: every name builds an estimator with the common interface."""

import numpy as np
import pytest

from dbnfer.classifiers import CLASSIFIERS, LARGE_DATA, LARGE_DATA_SCHEDULE, make_classifier, mirrors_features

BASELINES = ["nn", "nn-cosine", "ns", "svm-linear", "svm-rbf", "src"]


def test_every_name_builds_an_estimator():
    for name in CLASSIFIERS:
        model = make_classifier(name, random_state=3)
        assert all(callable(getattr(model, method, None)) for method in ("fit", "predict", "score"))


@pytest.mark.parametrize("name", BASELINES)
def test_baselines_learn_labels_of_any_kind(name):
    # three well-separated clusters labelled by strings: predictions come back as those strings (fewer
    # vectors per class than features, so that no class's span is the whole space)
    rng = np.random.default_rng(0)
    X = np.repeat(np.eye(3, 12) * 4.0, 5, axis=0) + 0.1 * rng.standard_normal((15, 12))
    y = np.repeat(["sad", "happy", "angry"], 5)
    model = make_classifier(name).fit(X, y)
    assert list(model.classes_) == ["angry", "happy", "sad"]
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.score(X, y) == 1.0


@pytest.mark.parametrize("name", BASELINES)
def test_baselines_refuse_bad_test_vectors(name):
    model = make_classifier(name).fit(np.eye(4), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="has 3 features, the model was trained on 4"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.predict(np.full((2, 4), np.nan))


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown classifier 'knn'; choose one of: nn, nn-cosine"):
        make_classifier("knn")


@pytest.mark.parametrize("name", ["dbn", "mlp"])
def test_networks_switch_to_the_large_data_schedule_from_large_data_on(name):
    small = make_classifier(name, n_faces=LARGE_DATA - 1)
    large = make_classifier(name, n_faces=LARGE_DATA)
    defaults = type(small)()
    for setting, value in LARGE_DATA_SCHEDULE.items():
        assert getattr(small, setting) == getattr(defaults, setting) != value
        assert getattr(large, setting) == value
    assert large.pretrain == small.pretrain == (name == "dbn")


def test_networks_mirror_feature_vectors_from_large_data_on():
    assert mirrors_features("dbn", "hog", LARGE_DATA) and mirrors_features("mlp", "lbp", LARGE_DATA)
    assert not mirrors_features("dbn", "hog", LARGE_DATA - 1)  # JAFFE's feature tables: no mirror
    assert not mirrors_features("dbn", "pixels", LARGE_DATA)  # pixels are mirrored by the network itself
    assert not mirrors_features("nn", "hog", LARGE_DATA)
    assert make_classifier("dbn", features="pixels", n_faces=10).mirror
    assert not make_classifier("dbn", features="gabor", n_faces=10).mirror
