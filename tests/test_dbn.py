"""DBN stacking, unrolling to an MLP, DBN+MLP classification, save/load, and a JAFFE check."""

import numpy as np
import pytest

from dbnfer.networks.dbn import DBN, DBNClassifier, mirror_faces
from dbnfer.networks.mlp import MLP
from dbnfer.networks.rbm import BernoulliRBM, GaussianBernoulliRBM


def binary_data(n=120, n_features=16, seed=0):
    return (np.random.default_rng(seed).random((n, n_features)) < 0.3).astype(np.float32)


def labelled_data(n_per_class=40, side=6, seed=0, labels=(2, 5, 9)):
    """Three classes of noisy 6x6 'images' (a bright row, column or diagonal) in [0, 1]."""
    rng = np.random.default_rng(seed)
    patterns = [np.zeros((side, side)) for _ in labels]
    patterns[0][side // 2] = 1
    patterns[1][:, side // 2] = 1
    np.fill_diagonal(patterns[2], 1)
    X = np.concatenate([np.clip(p.ravel() + 0.3 * rng.standard_normal((n_per_class, side * side)),
                                0, 1) for p in patterns])
    return X.astype(np.float32), np.repeat(labels, n_per_class)


def test_each_layer_is_trained_on_the_transform_of_the_layer_below():
    X = binary_data()
    dbn = DBN((10, 6), n_epochs=3, batch_size=20, random_state=0).fit(X)
    top = dbn.rbms_[1]
    alone = BernoulliRBM(n_hidden=6, n_epochs=3, batch_size=20, random_state=top.random_state)
    alone.fit(dbn.rbms_[0].transform(X))
    np.testing.assert_array_equal(alone.W_, top.W_)
    np.testing.assert_array_equal(dbn.transform(X), top.transform(dbn.rbms_[0].transform(X)))


def test_gaussian_bottom_layer_then_bernoulli():
    X = np.random.default_rng(0).standard_normal((100, 12)).astype(np.float32)
    dbn = DBN((8, 4), visible="gaussian", n_epochs=2, batch_size=20, random_state=0).fit(X)
    assert isinstance(dbn.rbms_[0], GaussianBernoulliRBM)
    assert type(dbn.rbms_[1]) is BernoulliRBM
    assert dbn.transform(X).shape == (100, 4)


def test_to_mlp_reproduces_the_upward_pass_exactly():
    X = binary_data()
    dbn = DBN((10, 8, 6), n_epochs=2, batch_size=20, random_state=0).fit(X)
    mlp = dbn.to_mlp(n_classes=3, random_state=0)
    activations = mlp.forward(X)
    h = X
    for layer, rbm in enumerate(dbn.rbms_):
        h = rbm.transform(h)
        np.testing.assert_array_equal(activations[layer + 1], h)
    assert isinstance(mlp, MLP) and mlp.weights_[-1].shape == (6, 3)


def test_sample_shapes_and_ranges():
    dbn = DBN((10, 6), n_epochs=2, batch_size=20, random_state=0).fit(binary_data())
    samples = dbn.sample(4, n_gibbs=10, random_state=0)
    assert samples.shape == (4, 16) and np.all((samples >= 0) & (samples <= 1))
    np.testing.assert_array_equal(dbn.sample(4, n_gibbs=10, random_state=0), samples)
    top = dbn.rbms_[1]
    down = dbn.rbms_[0].visible_mean(top.sample(4, n_steps=10, random_state=0))
    np.testing.assert_array_equal(samples, down)  # Gibbs at the top, then one pass down


def test_verbose_classifier_reports_layers_and_epochs_without_empty_figures(capsys):
    X, y = labelled_data()
    DBNClassifier((6,), rbm_epochs=2, n_epochs=2, random_state=0, verbose=True).fit(X, y)
    err = capsys.readouterr().err
    assert "DBN layer 1/1" in err and "GaussianBernoulliRBM epoch 2/2" in err
    assert "MLP epoch 2/2: train loss" in err and "nan" not in err


@pytest.mark.parametrize("visible", ["gaussian", "binary"])
def test_classifier_fit_predict(visible):
    X, y = labelled_data()
    model = DBNClassifier((20, 10), visible=visible, rbm_epochs=20, rbm_batch_size=10, n_epochs=40,
                          validation_fraction=0.0, random_state=0).fit(X, y)
    assert list(model.classes_) == [2, 5, 9]
    assert model.score(X, y) > 0.9
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))
    assert model.W_.shape == (36, 20)
    assert len(model.pretrain_history_) == 2 and len(model.history_["train_loss"]) == 40


def test_pretrain_false_is_the_same_network_from_random_weights():
    X, y = labelled_data()
    model = DBNClassifier((20, 10), pretrain=False, n_epochs=40, validation_fraction=0.0,
                          random_state=0).fit(X, y)
    assert model.dbn_ is None and model.pretrain_history_ == []
    assert [W.shape for W in model.mlp_.weights_] == [(36, 20), (20, 10), (10, 3)]
    assert model.W_ is model.mlp_.weights_[0]
    assert model.score(X, y) > 0.9


def test_mirroring_trains_on_both_and_predicts_symmetrically():
    X, y = labelled_data()
    flipped = mirror_faces(X)
    np.testing.assert_array_equal(flipped.reshape(-1, 6, 6)[:, :, 0], X.reshape(-1, 6, 6)[:, :, 5])
    np.testing.assert_array_equal(mirror_faces(flipped), X)
    model = DBNClassifier((12,), rbm_epochs=2, n_epochs=20, validation_fraction=0.0, mirror=True,
                          random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(flipped), model.predict_proba(X))
    assert model.score(X, y) > 0.9
    with pytest.raises(ValueError, match="square"):
        mirror_faces(X[:, :35])


def test_feature_vectors_are_mirrored_by_the_mirrored_faces_features():
    X, y = labelled_data()
    settings = dict(hidden_sizes=(12,), rbm_epochs=2, n_epochs=20, mirror=True, random_state=0)
    by_rows = DBNClassifier(**settings).fit(X, y)
    given = DBNClassifier(**settings).fit(X, y, X_mirror=mirror_faces(X))  # the same mirror images, passed in
    np.testing.assert_array_equal(given.W_, by_rows.W_)
    np.testing.assert_array_equal(given.predict_proba(X, X_mirror=mirror_faces(X)), by_rows.predict_proba(X))
    features = X[:, :35]  # not square: only the caller knows what the mirrored faces' features are
    with pytest.raises(ValueError, match="X_mirror"):
        DBNClassifier(**settings).fit(features, y)
    model = DBNClassifier(**settings).fit(features, y, X_mirror=mirror_faces(X)[:, :35])
    proba = model.predict_proba(features, X_mirror=mirror_faces(X)[:, :35])
    np.testing.assert_allclose(proba, model.predict_proba(mirror_faces(X)[:, :35], X_mirror=features), atol=1e-6)
    with pytest.raises(ValueError, match="X_mirror has 60 rows for 120 faces"):
        DBNClassifier(**settings).fit(features, y, X_mirror=features[:60])
    with pytest.raises(ValueError, match="X_mirror has 34 features"):
        model.predict(features, X_mirror=features[:, :34])


def test_unlabeled_faces_join_pretraining_only():
    X, y = labelled_data()
    U = labelled_data(seed=1)[0][::2]
    settings = dict(hidden_sizes=(12,), rbm_epochs=2, n_epochs=5, mirror=True, random_state=0)
    model = DBNClassifier(**settings).fit(X, y, X_unlabeled=U)
    both = np.concatenate([X, mirror_faces(X), U, mirror_faces(U)])
    np.testing.assert_allclose(model.mean_, both.mean(axis=0), rtol=1e-5, atol=1e-6)
    assert not np.array_equal(model.W_, DBNClassifier(**settings).fit(X, y).W_)  # pre-trained on more faces
    assert model.mlp_.classes_.tolist() == [2, 5, 9]  # fine-tuning saw only the labelled faces
    with pytest.raises(ValueError, match="X_unlabeled"):
        DBNClassifier(**settings).fit(X, y, X_unlabeled=U[:, :30])
    baseline = DBNClassifier(pretrain=False, **settings)
    np.testing.assert_array_equal(baseline.fit(X, y, X_unlabeled=U).predict_proba(X),
                                  DBNClassifier(pretrain=False, **settings).fit(X, y).predict_proba(X))


def test_validation_split_drives_early_stopping_and_rbm_monitoring():
    X, y = labelled_data()
    y = np.random.default_rng(0).permutation(y)  # unlearnable labels: validation loss soon rises
    model = DBNClassifier((12,), rbm_epochs=3, n_epochs=300, patience=3, validation_fraction=0.2,
                          random_state=0).fit(X, y)
    assert len(model.history_["epoch"]) < 300
    assert np.all(np.isfinite(model.pretrain_history_[0]["free_energy_gap"]))


@pytest.mark.parametrize("pretrain", [True, False])
def test_classifier_save_load_round_trip(tmp_path, pretrain):
    X, y = labelled_data()
    model = DBNClassifier((12, 8), pretrain=pretrain, rbm_epochs=2, n_epochs=5,
                          validation_fraction=0.2, random_state=0).fit(X, y)
    path = tmp_path / "dbn.npz"
    model.save(path)
    loaded = DBNClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.W_, model.W_)
    assert loaded.history_ == model.history_
    assert loaded.hidden_sizes == (12, 8) and loaded.pretrain == pretrain
    if pretrain:
        Xs = (X - model.mean_) / model.scale_
        np.testing.assert_array_equal(loaded.dbn_.transform(Xs), model.dbn_.transform(Xs))


def test_dbn_save_load_round_trip_and_wrong_kind(tmp_path):
    X = binary_data()
    dbn = DBN((6, 4), n_epochs=2, batch_size=20, random_state=0).fit(X)
    path = tmp_path / "stack.npz"
    dbn.save(path)
    np.testing.assert_array_equal(DBN.load(path).transform(X), dbn.transform(X))
    with pytest.raises(ValueError, match="stack.npz.*'dbn'"):
        DBNClassifier.load(path)


def test_bad_settings_raise_clear_errors():
    with pytest.raises(ValueError, match="visible"):
        DBN(visible="poisson")
    with pytest.raises(ValueError, match="unknown RBM settings"):
        DBN(n_epoch=3)
    with pytest.raises(ValueError, match="visible"):
        DBNClassifier(visible="poisson")
    X, y = labelled_data()
    model = DBNClassifier((4,), rbm_epochs=1, n_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])


def test_registered_models():
    from dbnfer.classifiers import make_classifier
    dbn, mlp = make_classifier("dbn", random_state=0), make_classifier("mlp", random_state=0)
    assert dbn.pretrain and not mlp.pretrain
    assert dbn.hidden_sizes == mlp.hidden_sizes and dbn.n_epochs == mlp.n_epochs


@pytest.mark.realdata
@pytest.mark.slow
def test_dbn_mlp_on_one_jaffe_fold(shared_data):
    from dbnfer.datasets import load_dataset
    from dbnfer.evaluate import stratified_kfold
    from dbnfer.classifiers import make_classifier
    from dbnfer.preprocess import prepare
    dataset = load_dataset("jaffe", shared_data / "jaffe")
    X = prepare(dataset, size=32, crop="central")
    train, test = stratified_kfold(dataset.labels, 10, seed=0)[0]
    model = make_classifier("dbn", random_state=0).fit(X[train], dataset.labels[train])
    chance = np.bincount(dataset.labels).max() / len(dataset.labels)
    assert model.score(X[test], dataset.labels[test]) > 3 * chance
