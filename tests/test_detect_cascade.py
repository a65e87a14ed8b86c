"""The cascade model: its score and its file. Also the helpers the other detector tests share: synthetic faces
and backgrounds, and a small cascade trained on them (once per session)."""

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.transform import resize

from dbnfer.detect import detect_faces, load_cascade, train_cascade
from dbnfer.detect.cascade import Cascade

WINDOW = (12, 12)


def synthetic_face(rng):
    """A 12x12 'face': two dark eyes and a dark mouth on a lighter patch, with jitter, contrast and noise."""
    face = np.full(WINDOW, 0.65)
    dr, dc = rng.integers(-1, 2, size=2)
    face[3 + dr:5 + dr, 2 + dc:5 + dc] = 0.2
    face[3 + dr:5 + dr, 7 + dc:10 + dc] = 0.2
    face[8 + dr:10 + dr, 4 + dc:8 + dc] = 0.3
    contrast, brightness = rng.uniform(0.5, 1.0), rng.uniform(-0.15, 0.15)
    return np.clip((face - 0.5) * contrast + 0.5 + brightness + rng.normal(0, 0.03, WINDOW), 0, 1)


def synthetic_background(rng, shape=(64, 64)):
    """Smooth clutter with a few random bars: no two-eyes-and-a-mouth in it."""
    image = gaussian_filter(rng.random(shape), sigma=rng.uniform(1, 3))
    image = (image - image.min()) / np.ptp(image)
    for _ in range(6):
        r, c = rng.integers(0, shape[0] - 8, size=2)
        image[r:r + rng.integers(1, 8), c:c + rng.integers(1, 8)] = rng.random()
    return image


def face_scene():
    """A new background with one face, pasted at twice the window size at rows 30-53, cols 20-43; and that box."""
    rng = np.random.default_rng(99)
    image = synthetic_background(rng, (80, 90))
    image[30:54, 20:44] = resize(synthetic_face(rng), (24, 24), order=0)
    return image, np.array([30, 20, 24, 24])


def save_png(path, image):
    Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path)


def write_training_folders(root, n_faces=400, n_backgrounds=24, seed=0):
    """Folders root/faces and root/backgrounds of synthetic training images; returns their paths."""
    rng = np.random.default_rng(seed)
    faces, backgrounds = Path(root) / "faces", Path(root) / "backgrounds"
    faces.mkdir()
    backgrounds.mkdir()
    for i in range(n_faces):
        save_png(faces / f"{i:03d}.png", synthetic_face(rng))
    for i in range(n_backgrounds):
        save_png(backgrounds / f"{i:02d}.png", synthetic_background(rng, (96, 96)))
    return faces, backgrounds


@lru_cache(maxsize=None)
def trained_cascade():
    """A cascade trained on synthetic faces and backgrounds, shared by the detector tests (do not change it)."""
    with tempfile.TemporaryDirectory() as root:
        return train_cascade(*write_training_folders(root), window_shape=WINDOW, n_positives=300,
                             n_negatives=400, n_features=1500, detection_rate=0.995, max_stages=10, max_rounds=30,
                             target_false_positive_rate=1e-7, verbose=False, random_state=0)


@pytest.fixture
def cascade():
    return trained_cascade()


def test_decision_function_orders_windows_as_the_cascade_does(cascade):
    rng = np.random.default_rng(5)
    windows = np.concatenate([np.stack([synthetic_face(rng) for _ in range(20)]),
                              np.stack([synthetic_background(rng, WINDOW) for _ in range(20)])])
    scores = cascade.decision_function(windows)
    np.testing.assert_array_equal(scores >= cascade.n_stages - 0.5, cascade.accepts(windows))


def test_stages_are_added_to_a_new_cascade(cascade):
    first = Cascade.empty(WINDOW).add_stage(cascade.features[cascade.stage_slice(0)],
                                            cascade.thresholds[cascade.stage_slice(0)],
                                            cascade.polarities[cascade.stage_slice(0)],
                                            cascade.alphas[cascade.stage_slice(0)], cascade.stage_thresholds[0])
    both = first.add_stage(cascade.features[cascade.stage_slice(1)], cascade.thresholds[cascade.stage_slice(1)],
                           cascade.polarities[cascade.stage_slice(1)], cascade.alphas[cascade.stage_slice(1)],
                           cascade.stage_thresholds[1])
    assert first.n_stages == 1 and both.n_stages == 2
    windows = np.stack([synthetic_face(np.random.default_rng(i)) for i in range(30)])
    np.testing.assert_array_equal(both.stage_sums(windows), cascade.stage_sums(windows)[:, :2])
    assert np.all(Cascade.empty(WINDOW).accepts(windows))


def test_save_load_round_trip_keeps_the_training_settings(cascade, tmp_path):
    path = tmp_path / "cascade.npz"
    cascade.save(path)
    loaded, settings = load_cascade(path)
    assert settings == loaded.settings == json.loads(json.dumps(cascade.settings))
    assert settings["n_features"] == 1500 and settings["window_shape"] == [12, 12]
    np.testing.assert_array_equal(loaded.stage_ends, cascade.stage_ends)
    np.testing.assert_array_equal(loaded.features.corners, cascade.features.corners)
    image, _ = face_scene()
    boxes, _ = detect_faces(image, loaded, scale_factor=1.1, step=1)
    assert len(boxes) == 1
    np.testing.assert_array_equal(boxes, detect_faces(image, cascade, scale_factor=1.1, step=1)[0])


def test_load_rejects_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_cascade(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="other.npz"):
        load_cascade(tmp_path / "other.npz")
