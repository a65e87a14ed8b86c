"""Training-face augmentation: each painting changes the share of faces asked for, and only where it should."""

import numpy as np

from dbnfer.detect.augment import backdrop, grain, side_light, spectacles


def test_spectacles_darken_only_the_eye_band_of_the_chosen_faces():
    faces = np.full((200, 19, 19), 0.8)
    drawn = spectacles(faces, 0.5, np.random.default_rng(0))
    changed = np.any(drawn != faces, axis=(1, 2))
    assert 0.35 < changed.mean() < 0.65
    assert np.all(drawn <= faces)
    rows_touched = np.flatnonzero(np.any(drawn != faces, axis=(0, 2)))
    assert rows_touched.min() >= 1 and rows_touched.max() <= 8  # eyes at row ~4.5 of 19: a band round them
    assert np.all(drawn[:, 12:] == faces[:, 12:])  # mouth and chin untouched


def test_side_light_darkens_one_side_of_the_chosen_faces():
    faces = np.full((400, 19, 19), 0.8)
    lit = side_light(faces, 0.5, np.random.default_rng(1))
    changed = np.any(lit != faces, axis=(1, 2))
    assert 0.4 < changed.mean() < 0.6 and np.all(lit <= faces)
    left, right = lit[changed, :, :4].mean(axis=(1, 2)), lit[changed, :, -4:].mean(axis=(1, 2))
    assert np.all(np.abs(left - right) > 0.1)  # one side in shadow
    assert 0.3 < np.mean(left < right) < 0.7  # from either side


def test_backdrop_replaces_only_the_lower_corners():
    faces = np.full((300, 19, 19), 0.5)
    framed = backdrop(faces, 0.5, np.random.default_rng(2))
    changed = np.any(framed != faces, axis=(1, 2))
    assert 0.35 < changed.mean() < 0.65
    assert np.all(framed[:, :6] == faces[:, :6])  # above the ellipse's centre: untouched
    assert np.all(framed[:, 6:15, 8:11] == faces[:, 6:15, 8:11])  # the middle of the face: untouched
    corners = framed[changed, -1, 0]
    assert corners.std() > 0.15  # a backdrop of random grey


def test_grain_is_zero_mean_noise_scaled_by_each_faces_contrast():
    rng = np.random.default_rng(4)
    contrast = rng.uniform(0.02, 0.2, size=(2000, 1, 1))
    faces = 0.5 + contrast * rng.standard_normal((2000, 19, 19))  # well inside [0, 1]: no clipping
    grainy = grain(faces, 0.5, np.random.default_rng(5))
    changed = np.any(grainy != faces, axis=(1, 2))
    assert 0.45 < changed.mean() < 0.55
    noise = (grainy - faces)[changed]
    assert abs(noise.mean()) < 1e-3
    relative = noise.std(axis=(1, 2)) / faces[changed].std(axis=(1, 2))
    assert relative.max() <= 0.33 and 0.12 < relative.mean() < 0.18  # r drawn from 0 to 0.3


def test_the_faces_passed_in_are_not_changed():
    faces = np.full((20, 19, 19), 0.5)
    faces[:, ::2] = 0.6  # some contrast, for the grain to scale with
    before = faces.copy()
    for paint in (side_light, spectacles, backdrop, grain):
        assert not np.array_equal(paint(faces, 1.0, np.random.default_rng(3)), faces)
        assert np.array_equal(faces, before)
