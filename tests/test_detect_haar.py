"""Haar-like features from integral images: agreement with scikit-image and with brute-force pixel sums."""

import numpy as np
import pytest
from skimage.feature import haar_like_feature, haar_like_feature_coord
from skimage.transform import integral_image

from dbnfer.detect.haar import FEATURE_TYPES, HaarFeatures, integral_images, normalise_windows, window_moments


def brute_force(image, row, col, feature_coord):
    """Each feature as the signed sum of the pixels of its rectangles (scikit-image's signs: -, +, -, +)."""
    return np.array([sum((-1) ** (k + 1) * image[row + r0:row + r1 + 1, col + c0:col + c1 + 1].sum()
                         for k, ((r0, c0), (r1, c1)) in enumerate(feature)) for feature in feature_coord])


def test_integral_images_match_skimage():
    windows = np.random.default_rng(0).random((3, 7, 9))
    P = integral_images(windows)
    assert P.shape == (3, 8, 10)
    assert np.all(P[:, 0] == 0) and np.all(P[:, :, 0] == 0)
    for window, padded in zip(windows, P):
        np.testing.assert_allclose(padded[1:, 1:], integral_image(window))


@pytest.mark.parametrize("feature_type", FEATURE_TYPES)
def test_feature_matrix_matches_skimage(feature_type):
    windows = np.random.default_rng(1).random((4, 9, 8))
    features = HaarFeatures.from_skimage((9, 8), feature_type)
    expected = np.stack([haar_like_feature(integral_image(w), 0, 0, 8, 9, feature_type) for w in windows])
    np.testing.assert_allclose(features.matrix(integral_images(windows)), expected, rtol=1e-5, atol=1e-4)


def test_values_at_random_windows_equal_brute_force_sums():
    rng = np.random.default_rng(2)
    image = rng.random((40, 50))
    coord, _ = haar_like_feature_coord(10, 12)  # width 10, height 12
    pick = rng.choice(len(coord), size=300, replace=False)
    features = HaarFeatures.from_skimage((12, 10))[pick]
    rows, cols = rng.integers(0, 40 - 12, size=6), rng.integers(0, 50 - 10, size=6)
    values = features.values_at(integral_images(image), rows, cols)
    for row, col, got in zip(rows, cols, values):
        np.testing.assert_allclose(got, brute_force(image, row, col, coord[pick]), atol=1e-9)


def test_pixel_masks_give_the_corner_form_values_on_random_windows():
    rng = np.random.default_rng(4)
    image = rng.random((40, 50))
    all_features = HaarFeatures.from_skimage((12, 10))
    features = all_features[rng.choice(len(all_features), size=300, replace=False)]
    rows, cols = rng.integers(0, 40 - 12 + 1, size=50), rng.integers(0, 50 - 10 + 1, size=50)
    X = np.lib.stride_tricks.sliding_window_view(image, (12, 10))[rows, cols].reshape(50, -1)
    np.testing.assert_allclose(X @ features.pixel_weights(), features.values_at(integral_images(image), rows, cols),
                               atol=1e-9)


def test_full_set_sizes_match_skimage():
    assert len(HaarFeatures.from_skimage((10, 12))) == len(haar_like_feature_coord(12, 10)[0])


def test_area_weight_is_response_to_a_constant_window():
    features = HaarFeatures.from_skimage((6, 6))
    ones = features.matrix(integral_images(np.ones((1, 6, 6))))[0]
    np.testing.assert_allclose(features.area_weight, ones)
    assert np.all(features.area_weight[:len(HaarFeatures.from_skimage((6, 6), ["type-2-x", "type-2-y"]))] == 0)


def test_normalise_windows_gives_zero_mean_unit_std_and_survives_flat_windows():
    windows = np.random.default_rng(3).random((5, 6, 6))
    windows[0] = 0.5
    x = normalise_windows(windows)
    np.testing.assert_allclose(x.mean(axis=(1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(x[1:].std(axis=(1, 2)), 1)
    assert np.all(np.isfinite(x[0]))


def test_window_moments_are_the_mean_and_std_of_every_window():
    image = np.random.default_rng(5).random((30, 41))
    image[:12, :12] = 0.25  # flat windows: sigma is floored
    mu, sigma = window_moments(integral_images(image), integral_images(image ** 2), (7, 9), step=2, min_std=0.01)
    windows = np.lib.stride_tricks.sliding_window_view(image, (7, 9))[::2, ::2]
    assert mu.shape == windows.shape[:2] == (12, 17)
    np.testing.assert_allclose(mu, windows.mean(axis=(2, 3)), atol=1e-12)
    np.testing.assert_allclose(sigma, np.maximum(windows.std(axis=(2, 3)), 0.01), atol=1e-7)
    assert sigma[0, 0] == 0.01


def test_matrix_rejects_integral_images_of_another_size():
    with pytest.raises(ValueError, match="5x5 windows"):
        HaarFeatures.from_skimage((6, 6)).matrix(integral_images(np.zeros((2, 5, 5))))
