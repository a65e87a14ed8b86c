"""Training a cascade (VJ Table 2) on a tiny synthetic problem: stages, settings, progress, negative mining."""

import json

import numpy as np
import pytest

from dbnfer.detect import train_cascade
from dbnfer.detect.cascade import Cascade
from dbnfer.detect.train import NegativeMiner, load_faces

from test_detect_cascade import (WINDOW, synthetic_background, synthetic_face, trained_cascade,
                                 write_training_folders)


@pytest.fixture
def cascade():
    return trained_cascade()


def test_training_builds_stages_that_keep_the_faces(cascade):
    assert cascade.n_stages >= 2
    assert np.all(np.diff(cascade.stage_ends) > 0)
    faces = np.stack([synthetic_face(np.random.default_rng(1000 + i)) for i in range(100)])
    assert cascade.accepts(faces).mean() >= 0.9


def test_training_records_how_it_was_called(cascade):
    settings = cascade.settings
    assert json.loads(json.dumps(settings)) == settings
    assert settings["face_dir"].endswith("faces") and settings["background_dir"].endswith("backgrounds")
    assert settings["window_shape"] == [12, 12] and settings["n_positives"] == 300 and settings["max_rounds"] == 30
    assert settings["crop"] is None and settings["face_box"] == [0.0, 0.0, 1.0, 1.0]
    assert settings["random_state"] == 0 and settings["training_seconds"] >= 0 and "verbose" not in settings


def test_progress_is_one_line_per_stage_and_nothing_when_quiet(tmp_path, capsys):
    faces, backgrounds = write_training_folders(tmp_path, n_faces=60, n_backgrounds=4)
    options = dict(window_shape=WINDOW, n_positives=100, n_negatives=100, n_features=200, max_stages=2,
                   max_rounds=5, target_false_positive_rate=1e-9, mirror=False)
    quiet = train_cascade(faces, backgrounds, verbose=False, **options)
    assert capsys.readouterr().err == ""
    train_cascade(faces, backgrounds, verbose=True, **options)
    lines = capsys.readouterr().err.splitlines()  # not a terminal: plain lines
    assert lines[0].startswith("60 faces, 4 background images")
    assert [line.split(":")[0] for line in lines[1:]] == [f"stage {s}/2" for s in range(1, len(lines))]
    assert len(lines) - 1 >= quiet.n_stages >= 1


def test_faces_are_cropped_resized_and_mirrored(tmp_path):
    faces, _ = write_training_folders(tmp_path, n_faces=5, n_backgrounds=0)
    loaded = load_faces(faces, (10, 8), crop=(0.1, 0.0, 0.8, 1.0))
    assert loaded.shape == (10, 10, 8)
    np.testing.assert_array_equal(loaded[5:], loaded[:5, :, ::-1])
    assert len(load_faces([faces, faces], WINDOW, mirror=False)) == 10


def test_mining_an_empty_cascade_gives_random_windows():
    backgrounds = [np.random.default_rng(i).random((30, 30)) for i in range(3)]
    windows = NegativeMiner(backgrounds, WINDOW).mine(Cascade.empty(WINDOW), 25, np.random.default_rng(0))
    assert windows.shape == (25,) + WINDOW


def test_mined_windows_are_false_positives_and_the_cache_changes_nothing(cascade):
    backgrounds = [synthetic_background(np.random.default_rng(50 + i), (48, 48)) for i in range(6)]
    first_stage = Cascade(cascade.features[cascade.stage_slice(0)], cascade.thresholds[cascade.stage_slice(0)],
                          cascade.polarities[cascade.stage_slice(0)], cascade.alphas[cascade.stage_slice(0)],
                          cascade.stage_ends[:1], cascade.stage_thresholds[:1])
    cached = NegativeMiner(backgrounds, WINDOW, cache_limit=10**6)
    cached.mine(first_stage, 10**6, np.random.default_rng(1))  # visits every image, remembers its survivors
    from_cache = cached.mine(cascade, 40, np.random.default_rng(2))
    fresh = NegativeMiner(backgrounds, WINDOW).mine(cascade, 40, np.random.default_rng(2))
    assert len(fresh) > 0
    assert np.all(cascade.accepts(fresh))
    np.testing.assert_array_equal(from_cache, fresh)


def test_training_rejects_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        train_cascade(tmp_path / "nowhere", tmp_path, verbose=False)
