"""The fast scan's parts against the forms they stand for: fixed-point box sums, matrix stages."""

import numpy as np
from skimage import data
from skimage.transform import rescale, resize

from dbnfer.detect import _fast_scan, load_default_cascade
from dbnfer.detect._fast_scan import FIXED_POINT, _bands, fixed_point_integral_image, run_stages, stage_matrices
from dbnfer.detect.adaboost import stump_predict
from dbnfer.detect.cascade import MIN_STD
from dbnfer.detect.haar import integral_images, window_moments
from dbnfer.detect.scan import raw_detections
from dbnfer.images import as_grey

from test_detect_cascade import WINDOW, face_scene, trained_cascade


def test_matrix_stages_equal_the_corner_form_on_random_windows():
    """Every stump of every stage as one product over the window's pixels = the integral-image corner form."""
    cascade = trained_cascade()
    rng = np.random.default_rng(3)
    image = resize(face_scene()[0], (40, 45), anti_aliasing=True)  # holds a window-sized face: windows pass
    row, col = rng.integers(0, 40 - 12 + 1, size=3000), rng.integers(0, 45 - 12 + 1, size=3000)
    P, Q = integral_images(image), integral_images(image ** 2)
    mu, sigma = (v[row, col] for v in window_moments(P, Q, WINDOW, min_std=MIN_STD))
    f = (cascade.features.values_at(P, row, col) - mu[:, None] * cascade.features.area_weight) / sigma[:, None]
    h = stump_predict(f, cascade.thresholds, cascade.polarities)  # (n_windows, n_features): the corner form
    X = np.lib.stride_tricks.sliding_window_view(image.astype(np.float32), WINDOW)[row, col].reshape(3000, -1)
    for s, A in enumerate(stage_matrices(cascade)):  # no early rejection
        np.testing.assert_array_equal(X @ A[:-1] < sigma[:, None] * A[-1], h[:, cascade.stage_slice(s)])
    sums = np.add.reduceat(h * cascade.alphas, np.r_[0, cascade.stage_ends[:-1]], axis=1)
    passes = np.all(sums >= cascade.stage_thresholds, axis=1)
    assert 0 < passes.sum() < len(row)
    r, c, margin = run_stages([(image, row, col, sigma, 0, None)], cascade)[0]  # with early rejection
    np.testing.assert_array_equal(np.column_stack([r, c]), np.column_stack([row, col])[passes])
    np.testing.assert_allclose(margin, sums[passes, -1] - cascade.stage_thresholds[-1], atol=1e-9)
    assert stage_matrices(cascade) is stage_matrices(cascade)  # computed once per cascade


def test_fixed_point_box_sums_are_exact_although_the_integral_image_wraps_round():
    """Box sums of the int32 integral image equal the sums of the rounded fixed-point pixels, past 2^31 in total."""
    rng = np.random.default_rng(4)
    image = rng.uniform(0.9, 1.0, size=(300, 400))  # sums to ~1.2e5 * 2^16 ~ 2^33 in fixed point
    P = fixed_point_integral_image(image)
    assert P.dtype == np.int32
    fixed = np.rint(image * FIXED_POINT).astype(np.int64)
    assert fixed.sum() > 2 ** 32
    row, col = rng.integers(0, 300 - 19, size=500), rng.integers(0, 400 - 19, size=500)
    box = P[row + 19, col + 19] - P[row, col + 19] - P[row + 19, col] + P[row, col]
    truth = [fixed[r:r + 19, c:c + 19].sum() for r, c in zip(row, col)]
    np.testing.assert_array_equal(box, truth)


def test_window_moments_in_fixed_point_are_those_of_the_rounded_pixels():
    image = np.random.default_rng(5).random((50, 60))
    Q = integral_images(image ** 2)
    mu, sigma = window_moments(fixed_point_integral_image(image), Q, (19, 19), 2, unit=FIXED_POINT)
    float_mu, float_sigma = window_moments(integral_images(image), Q, (19, 19), 2)
    np.testing.assert_allclose(mu, float_mu, atol=2 ** -17)
    np.testing.assert_allclose(sigma, float_sigma, rtol=1e-4)


def test_bands_hold_every_window_once(monkeypatch):
    monkeypatch.setattr(_fast_scan, "BAND", 100)
    level = np.zeros((97, 60))
    for step in (1, 2):
        tops = []
        for top, band in _bands(level, (19, 19), step):
            assert band.base is level or band is level  # views, not copies
            n_rows, n_cols = (band.shape[0] - 19) // step + 1, (band.shape[1] - 19) // step + 1
            assert n_rows * n_cols <= 100 or n_rows == 1
            tops += [top + step * i for i in range(n_rows)]
        np.testing.assert_array_equal(tops, np.arange(0, 97 - 19 + 1, step))


def test_bands_and_small_pools_find_the_windows_of_whole_levels(monkeypatch):
    """A big photo's levels go through their dense stages in bands of rows, and its waiting windows through their
    last stages in many small groups: the same windows as in one piece."""
    image = rescale(as_grey(data.astronaut()), 0.5, anti_aliasing=True)
    cascade = load_default_cascade()
    whole, whole_margins = raw_detections(image, cascade)
    monkeypatch.setattr(_fast_scan, "BAND", 2000)
    monkeypatch.setattr(_fast_scan, "POOL", 100)
    banded, banded_margins = raw_detections(image, cascade)
    assert len(whole) >= 3
    np.testing.assert_array_equal(banded, whole)
    np.testing.assert_allclose(banded_margins, whole_margins, atol=1e-5)
