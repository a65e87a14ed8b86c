"""Searching images for faces: the reference scan, the fast scan (the same windows), the pyramid, detect_faces."""

import tracemalloc

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from skimage import data
from skimage.transform import rescale, resize

from dbnfer.detect import boxes_to_json, detect_faces, load_default_cascade, scan
from dbnfer.detect.scan import _shrink, raw_detections, scan_level
from dbnfer.images import as_grey

from test_detect_cascade import WINDOW, face_scene, synthetic_background, trained_cascade


@pytest.fixture
def cascade():
    return trained_cascade()


def iou(a, b):
    rows = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    cols = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return rows * cols / (a[2] * a[3] + b[2] * b[3] - rows * cols)


def test_detects_the_one_face_and_nothing_else(cascade):
    image, truth = face_scene()
    boxes, scores = detect_faces(image, cascade, scale_factor=1.1, step=1)
    assert len(boxes) == 1
    assert iou(boxes[0], truth) >= 0.5
    assert scores[0] > 3  # more than min_neighbours raw detections


def test_face_free_image_gives_no_face(cascade):
    background = synthetic_background(np.random.default_rng(7), (80, 90))
    boxes, _ = detect_faces(background, cascade, scale_factor=1.1, step=1)
    assert len(boxes) == 0


def test_reference_scan_equals_the_cascade_on_extracted_windows(cascade):
    """The scan (normalisation from integral images of the whole level) = the training path (window by window)."""
    image = resize(face_scene()[0], (40, 45), anti_aliasing=True)  # the face is now window-sized
    row, col, margin = scan_level(image, cascade)
    windows = np.lib.stride_tricks.sliding_window_view(image, WINDOW)
    sums = cascade.stage_sums(windows.reshape(-1, *WINDOW))
    accepted = np.all(sums >= cascade.stage_thresholds, axis=1)
    assert 0 < accepted.sum() < len(accepted)
    np.testing.assert_array_equal(np.argwhere(accepted.reshape(windows.shape[:2])), np.column_stack([row, col]))
    np.testing.assert_allclose(margin, sums[accepted, -1] - cascade.stage_thresholds[-1], atol=1e-9)


@pytest.mark.parametrize("options", [{"scale_factor": 1.1, "step": 1}, {"step": 1}])
def test_fast_scan_finds_the_windows_of_the_reference_scan_in_a_synthetic_scene(cascade, options):
    image, _ = face_scene()
    fast, fast_margins = raw_detections(image, cascade, **options)
    reference, reference_margins = raw_detections(image, cascade, fast=False, **options)
    assert len(fast) >= 3
    np.testing.assert_array_equal(fast, reference)
    np.testing.assert_allclose(fast_margins, reference_margins, atol=1e-5)
    np.testing.assert_array_equal(detect_faces(image, cascade, fast=False, **options)[0],
                                  detect_faces(image, cascade, **options)[0])


@pytest.mark.parametrize("photo", ["astronaut", "camera", "coffee"])
def test_fast_scan_finds_the_windows_of_the_reference_scan_in_photos(photo):
    """The shipped cascade on photos halved in size (the reference is slow): every pyramid level, both strides,
    the coarse levels packed side by side. Margins are not compared: the fast path sums them in float32."""
    image = getattr(data, photo)()
    grey = image.mean(axis=2) / 255 if image.ndim == 3 else image / 255
    image = rescale(grey, 0.5, anti_aliasing=True)
    cascade = load_default_cascade()
    fast, _ = raw_detections(image, cascade)
    reference, _ = raw_detections(image, cascade, fast=False)
    np.testing.assert_array_equal(fast, reference)


def flat_backdrop(rng, shape):
    """A plain wall as an enlarged photo shows it: mid-grey, with smooth noise of 0.3 % of the grey scale."""
    noise = gaussian_filter(rng.normal(size=shape), 3)
    return 0.6 + 0.003 * noise / noise.std()


def test_a_face_on_a_big_flat_background_is_all_that_is_found(monkeypatch):
    """As in a photo enlarged many times: most windows are flat, and the stages alone take some of them for
    faces; below `FLAT_STD` they never reach the stages."""
    image = flat_backdrop(np.random.default_rng(0), (1500, 1500)).astype(np.float32)  # as read_grey reads
    image[650:850, 650:850] = as_grey(data.astronaut())[20:220, 125:325]  # her face (centre 115, 225) and hair
    boxes, _ = detect_faces(image)
    assert len(boxes) == 1
    top, left, height, width = boxes[0]
    assert top < 745 < top + height and left < 750 < left + width
    monkeypatch.setattr(scan, "FLAT_STD", 0.0)
    assert len(raw_detections(image[:500, :500], load_default_cascade())[0]) > 0  # backdrop windows, no floor


def test_the_reference_and_the_fast_scan_both_reject_flat_windows(monkeypatch):
    """Without the floor both scans let windows of a flat backdrop through, though not quite the same ones:
    normalised by a tiny sigma, a flat window's features are its rounding noise blown up."""
    cascade = load_default_cascade()
    image = flat_backdrop(np.random.default_rng(1), (240, 320))
    assert len(raw_detections(image, cascade)[0]) == len(raw_detections(image, cascade, fast=False)[0]) == 0
    monkeypatch.setattr(scan, "FLAT_STD", 0.0)
    assert len(raw_detections(image, cascade)[0]) > 0 and len(raw_detections(image, cascade, fast=False)[0]) > 0


def test_the_memory_of_a_scan_is_a_small_multiple_of_the_image():
    """The levels are made and scanned one at a time, a large level in bands: at its peak a scan holds a level
    being shrunk into the next (with its temporaries) and a band's arrays, not the pyramid."""
    image = flat_backdrop(np.random.default_rng(2), (2000, 3000)).astype(np.float32)
    tracemalloc.start()
    try:
        raw_detections(image, load_default_cascade())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * image.nbytes


def test_pyramid_levels_equal_skimage_resize():
    image = np.random.default_rng(6).random((61, 83))
    for scale in (1.2, 1.26, 2.5, 7.0):
        expected = resize(image, (int(61 / scale), int(83 / scale)), anti_aliasing=True, preserve_range=True)
        np.testing.assert_allclose(_shrink(image, scale), expected, atol=1e-12)
        single = _shrink(image.astype(np.float32), scale)  # detection's levels: float32 in, float32 out
        assert single.dtype == np.float32
        np.testing.assert_allclose(single, expected, atol=1e-6)


def test_an_image_smaller_than_the_window_has_no_detection(cascade):
    boxes, margins = raw_detections(np.zeros((8, 30)), cascade)
    assert boxes.shape == (0, 4) and margins.shape == (0,)


def test_grey_float_and_rgb_uint8_give_the_same_faces(cascade):
    image, _ = face_scene()
    rgb = np.repeat((image * 255).round().astype(np.uint8)[..., None], 3, axis=2)
    grey_boxes, _ = detect_faces((image * 255).round() / 255, cascade, min_neighbours=1)
    rgb_boxes, _ = detect_faces(rgb, cascade, min_neighbours=1)
    np.testing.assert_array_equal(grey_boxes, rgb_boxes)
    with pytest.raises(ValueError, match="shape"):
        detect_faces(np.zeros((4, 5, 6, 2)), cascade)


def test_boxes_to_json():
    _, truth = face_scene()
    assert '"row": 30' in boxes_to_json(truth[None], [4.0], "scene.png")


def test_the_shipped_cascade_finds_the_astronauts_face():
    cascade = load_default_cascade()
    assert cascade.n_stages > 0 and cascade.window_shape == (19, 19)
    boxes, scores = detect_faces(data.astronaut())  # RGB uint8, 512x512; her face is around row 115, col 225
    assert np.all(np.diff(scores) <= 0)
    top, left, height, width = boxes[0]  # the strongest detection
    assert top < 115 < top + height and left < 225 < left + width and 50 < height < 200


@pytest.mark.realdata
def test_the_shipped_cascade_finds_one_face_in_jaffe_photos(shared_data):
    from dbnfer.images import read_grey
    paths = sorted((shared_data / "jaffe").glob("*.tiff"))[::20]
    counts = [len(detect_faces(read_grey(p))[0]) for p in paths]
    assert np.mean(np.array(counts) == 1) >= 0.9
