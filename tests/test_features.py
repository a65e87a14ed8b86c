"""Features of a face: pixels, uniform LBP (checked against a hand-computed code), HOG, Gabor magnitudes."""

import numpy as np
import pytest
from skimage.feature import hog

from dbnfer.features import (DEFAULT_SIZE, FEATURES, cell_index, extract, gabor_magnitudes, gradients, hog_vectors,
                             lbp_codes, lbp_histograms)


@pytest.fixture
def faces():
    return np.random.default_rng(0).random((3, 64, 64))


def test_every_feature_has_a_default_size():
    assert set(DEFAULT_SIZE) == set(FEATURES)


def test_pixels_are_the_flattened_faces(faces):
    X = extract(faces, "pixels")
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, faces.reshape(3, -1).astype(np.float32))


@pytest.mark.parametrize("name, length", [("lbp", 6 * 6 * 59), ("hog", 7 * 7 * 2 * 2 * 9),
                                          ("gabor", 5 * 6 * 8 * 8), ("hog+lbp", 1764 + 2124)])
def test_extract_gives_one_float32_row_per_face(faces, name, length):
    X = extract(faces, name)
    assert X.shape == (3, length) and X.dtype == np.float32
    assert np.isfinite(X).all()


def test_hog_and_lbp_side_by_side_are_the_two_vectors_in_that_order(faces):
    joined = extract(faces, "hog+lbp")
    np.testing.assert_array_equal(joined[:, :1764], extract(faces, "hog"))
    np.testing.assert_array_equal(joined[:, 1764:], extract(faces, "lbp"))


def test_cells_split_any_side_into_runs_that_differ_by_a_pixel_at_most():
    cells = cell_index((50, 64), 6)
    assert cells.shape == (50, 64)
    assert list(np.bincount(cells[:, 0] // 6)) == [9, 9, 8, 8, 8, 8]  # rows per cell row, as np.array_split
    assert cells[0, 0] == 0 and cells[-1, -1] == 35 and cells[0, -1] == 5


def test_lbp_code_of_a_pixel_worked_out_by_hand():
    patch = np.array([[10, 200, 200],
                      [10, 100, 200],
                      [10, 10, 10]]) / 255
    # Neighbours of the centre (100), counter-clockwise from the right: right 200 -> 1; up-right, bilinear
    # between 200, 200, 100, 200 -> 1; up 200 -> 1; up-left, 0.5 * 10 + 0.207 * 200 + 0.207 * 10
    # + 0.086 * 100 = 57 -> 0; left 10 -> 0; down-left ~10 -> 0; down 10 -> 0; down-right, 0.086 * 100
    # + 0.207 * 200 + 0.207 * 10 + 0.5 * 10 = 57 -> 0. s = 11100000: k = 3 ones in one arc from p_0 = 0,
    # uniform, so the code is 1 + (k - 1) P + (P - p_0) mod P = 1 + 16 + 0 = 17.
    assert lbp_codes(patch)[1, 1] == 17


def _brute_force_code(image, r, c, P=8, R=1):
    """The nri_uniform code of pixel (r, c), from the definition (`lbp_codes` docstring)."""
    angles = 2 * np.pi * np.arange(P) / P
    g = []
    for y, x in zip(np.round(r - R * np.sin(angles), 5), np.round(c + R * np.cos(angles), 5)):
        y0, x0 = int(np.floor(y)), int(np.floor(x))
        dy, dx = y - y0, x - x0
        y1, x1 = min(y0 + 1, image.shape[0] - 1), min(x0 + 1, image.shape[1] - 1)
        g.append((1 - dy) * (1 - dx) * image[y0, x0] + (1 - dy) * dx * image[y0, x1]
                 + dy * (1 - dx) * image[y1, x0] + dy * dx * image[y1, x1])
    s = (np.array(g) >= image[r, c]).astype(int)
    k, U = s.sum(), np.abs(s - np.roll(s, 1)).sum()
    if U > 2:
        return P * (P - 1) + 2
    if k in (0, P):
        return 0 if k == 0 else P * (P - 1) + 1
    p_0 = int(np.flatnonzero((s == 1) & (np.roll(s, 1) == 0))[0])  # where the arc of ones starts
    return 1 + (k - 1) * P + (P - p_0) % P


def test_lbp_codes_match_the_definition_on_every_inner_pixel():
    image = np.random.default_rng(1).integers(0, 256, size=(12, 12))
    codes = lbp_codes(image / 255)
    expected = [[_brute_force_code(image, r, c) for c in range(1, 11)] for r in range(1, 11)]
    np.testing.assert_array_equal(codes[1:-1, 1:-1], expected)
    assert 0 <= codes.min() and codes.max() <= 58


def test_lbp_histograms_are_59_bins_per_cell_each_summing_to_one(faces):
    h = lbp_histograms(faces[0])
    assert h.shape == (6 * 6 * 59,)
    np.testing.assert_allclose(h.reshape(36, 59).sum(axis=1), 1.0)


def test_lbp_histograms_count_the_codes_of_each_cell():
    face = np.random.default_rng(2).random((50, 50))
    h = lbp_histograms(face, grid=6).reshape(6, 6, 59)
    codes = lbp_codes(face)[:9, 9:18]  # cell (0, 1): rows 0-8, columns 9-17
    np.testing.assert_allclose(h[0, 1], np.bincount(codes.ravel(), minlength=59) / codes.size)


def test_a_flat_face_is_all_ones_patterns():
    h = lbp_histograms(np.full((64, 64), 0.5)).reshape(36, 59)
    np.testing.assert_array_equal(h[:, 57], 1.0)  # all neighbours >= centre: P(P-1) + 1


@pytest.mark.parametrize("side, length", [(64, 1764), (48, 900), (32, 324)])
def test_hog_length_at_the_sides_of_the_data_sets(side, length):
    assert hog_vectors(np.random.default_rng(0).random((2, side, side))).shape == (2, length)


@pytest.mark.parametrize("shape, dtype, cell", [((300, 64, 64), np.float32, 8), ((20, 48, 48), np.float32, 6),
                                                ((20, 37, 53), np.float64, 8)])
def test_hog_equals_scikit_image_to_the_last_bit(shape, dtype, cell):
    faces = np.random.default_rng(5).random(shape).astype(dtype)
    faces[0] = 0.0  # no gradient anywhere
    faces[1, :, 20:] = 1.0  # one vertical edge: θ = 0 and 180°
    faces[2] = faces[2].round(1)  # flat patches and repeated steps
    theirs = np.stack([hog(face, orientations=9, pixels_per_cell=(cell, cell), cells_per_block=(2, 2),
                           block_norm="L2-Hys") for face in faces]).astype(np.float32)
    np.testing.assert_array_equal(hog_vectors(faces, cell=cell), theirs)  # 300 faces: more than one chunk


def test_hog_gradients_and_an_edge_in_its_cell():
    face = np.zeros((1, 16, 16))
    face[0, :, 5:] = 1.0  # dark to light across x = 4 | 5: g_c = 1 at x = 4 and 5, pointing right (0°)
    magnitude, degrees = gradients(face)
    np.testing.assert_array_equal(magnitude[0, 3], [0, 0, 0, 0, 1, 1] + [0] * 10)
    assert (degrees == 0).all()
    histograms = hog_vectors(face[:, :, ::-1].copy(), cell=8, block=2).reshape(2, 2, 9)
    # mirrored, the edge points left (180°), unsigned: bin 0, in the cells of column 1, equal after L2-Hys
    assert (histograms[:, :, 1:] == 0).all() and (histograms[:, 0, 0] == 0).all()
    np.testing.assert_allclose(histograms[:, 1, 0], 0.2 / np.sqrt(2 * 0.2 ** 2), rtol=1e-5)


def test_gabor_vector_and_its_layout():
    face = np.zeros((64, 64))
    face[:, 32:] = 1.0  # one vertical edge down the middle
    v = gabor_magnitudes(face).reshape(5, 6, 8, 8)
    assert v.shape == (5, 6, 8, 8) and v.dtype == np.float32
    # θ = 0 is the wave along x: it answers a vertical edge, θ = 90° (index 3) hardly at all
    assert v[:, 0, :, 3:5].mean() > 10 * v[:, 3, :, 3:5].mean()


def test_gabor_a_face_turned_by_90_degrees_swaps_the_orientations():
    face = np.random.default_rng(3).random((48, 48))
    v = gabor_magnitudes(face).reshape(5, 6, 8, 8)
    turned = gabor_magnitudes(np.rot90(face)).reshape(5, 6, 8, 8)
    # orientation j of the turned face is orientation j + 3 (j + 90°) of the face, its cells turned too
    np.testing.assert_allclose(turned, np.rot90(v[:, (np.arange(6) + 3) % 6], axes=(2, 3)), rtol=1e-4,
                               atol=1e-6)


def test_gabor_batch_equals_one_face_at_a_time():
    faces = np.random.default_rng(4).random((20, 48, 48))  # more than one chunk
    np.testing.assert_allclose(gabor_magnitudes(faces)[17], gabor_magnitudes(faces[17]), rtol=1e-5)


@pytest.mark.parametrize("name, side, message", [
    ("lbp", 4, "lbp: a 4x4 face is smaller than its 6x6 grid of cells"),
    ("hog", 12, "hog: a 12x12 face is smaller than one block of 2x2 cells of 8x8 pixels"),
    ("gabor", 32, "gabor: a 32x32 face is smaller than 48x48"),
])
def test_a_face_too_small_for_the_cells_is_a_value_error(name, side, message):
    with pytest.raises(ValueError, match=message):
        extract(np.zeros((2, side, side)), name)


def test_unknown_features_and_bad_shapes_are_value_errors(faces):
    with pytest.raises(ValueError, match="unknown features 'sift'; choose one of: pixels, lbp, hog, gabor"):
        extract(faces, "sift")
    with pytest.raises(ValueError, match=r"faces must be a stack \(n, side, side\)"):
        extract(faces[0], "lbp")
