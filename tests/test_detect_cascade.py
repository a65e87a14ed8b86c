"""The attentional cascade: training on a tiny synthetic problem, detection, consistency and save/load."""

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.transform import resize

from dbnfer.detect import boxes_to_json, detect_faces
from dbnfer.images import draw_boxes
from dbnfer.detect.adaboost import stump_predict
from dbnfer.detect.cascade import (FIXED_POINT, Cascade, NegativeMiner, _backdrop, _glasses, _moments_at, _shrink,
                                  _side_light, fixed_point_integral_image, load_cascade, raw_detections, run_stages,
                                  scan_level, train_cascade)
from dbnfer.detect.haar import integral_images

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


def save_png(path, image):
    Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path)


@pytest.fixture(scope="module")
def cascade(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    rng = np.random.default_rng(0)
    (root / "faces").mkdir()
    (root / "backgrounds").mkdir()
    for i in range(400):
        save_png(root / "faces" / f"{i:03d}.png", synthetic_face(rng))
    for i in range(24):
        save_png(root / "backgrounds" / f"{i:02d}.png", synthetic_background(rng, (96, 96)))
    return train_cascade(root / "faces", root / "backgrounds", window_shape=WINDOW, n_positives=300,
                         n_negatives=400, n_features=1500, detection_rate=0.995, max_stages=10, max_rounds=30,
                         target_false_positive_rate=1e-7, verbose=False, random_state=0)


@pytest.fixture(scope="module")
def scene():
    """A new background with one face, pasted at twice the window size at rows 30-53, cols 20-43."""
    rng = np.random.default_rng(99)
    image = synthetic_background(rng, (80, 90))
    image[30:54, 20:44] = resize(synthetic_face(rng), (24, 24), order=0)
    return image, np.array([30, 20, 24, 24])


def iou(a, b):
    rows = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    cols = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return rows * cols / (a[2] * a[3] + b[2] * b[3] - rows * cols)


def test_training_builds_stages_that_keep_the_faces(cascade):
    assert cascade.n_stages >= 2
    assert np.all(np.diff(cascade.stage_ends) > 0)
    faces = np.stack([synthetic_face(np.random.default_rng(1000 + i)) for i in range(100)])
    assert cascade.accepts(faces).mean() >= 0.9


def test_detects_the_one_face_and_nothing_else(cascade, scene):
    image, truth = scene
    boxes, scores = detect_faces(image, cascade, scale_factor=1.1, step=1)
    assert len(boxes) == 1
    assert iou(boxes[0], truth) >= 0.5
    assert scores[0] > 3  # more than min_neighbours raw detections


def test_face_free_image_gives_no_face(cascade):
    background = synthetic_background(np.random.default_rng(7), (80, 90))
    boxes, _ = detect_faces(background, cascade, scale_factor=1.1, step=1)
    assert len(boxes) == 0


def test_scan_equals_the_cascade_on_extracted_windows(cascade, scene):
    """Detection (normalisation from integral images, stage 1 by slicing) = training path (per-window)."""
    image = resize(scene[0], (40, 45), anti_aliasing=True)  # the face is now window-sized
    row, col, _ = scan_level(image, cascade, step=1)
    windows = np.lib.stride_tricks.sliding_window_view(image, WINDOW)
    accepted = cascade.accepts(windows.reshape(-1, *WINDOW)).reshape(windows.shape[:2])
    assert accepted.sum() > 0
    np.testing.assert_array_equal(np.argwhere(accepted), np.column_stack([row, col]))


def corner_form_stage_sums(cascade, image, row, col):
    """Every stage's sum on windows of `image`, from the integral-image corner form (the reference)."""
    P, Q = integral_images(image), integral_images(image ** 2)
    mu, sigma = _moments_at(P, Q, cascade.window_shape, row, col)
    f = (cascade.features.values_at(P, row, col) - mu[:, None] * cascade.features.area_weight) / sigma[:, None]
    weighted = stump_predict(f, cascade.thresholds, cascade.polarities) * cascade.alphas
    return np.add.reduceat(weighted, np.r_[0, cascade.stage_ends[:-1]], axis=1), sigma


def test_small_levels_side_by_side_give_the_same_detections(monkeypatch):
    """Packing the coarse pyramid levels into one image for their dense stages changes nothing found."""
    from skimage import data
    from dbnfer.detect import load_default_cascade
    from dbnfer.detect import cascade as cascade_module
    image, shipped = data.astronaut().mean(axis=2) / 255, load_default_cascade()
    packed = raw_detections(image, shipped, min_size=40)
    monkeypatch.setattr(cascade_module, "SMALL_LEVEL", 0)
    alone = raw_detections(image, shipped, min_size=40)
    assert len(packed[0]) > 0
    np.testing.assert_array_equal(packed[0], alone[0])
    np.testing.assert_array_equal(packed[1], alone[1])


def test_matrix_stages_equal_the_corner_form_on_random_windows(cascade, scene):
    """Detection's fast path (pixel masks, one product per stage) = the integral-image corner form."""
    rng = np.random.default_rng(3)
    image = resize(scene[0], (40, 45), anti_aliasing=True)  # holds a window-sized face, so windows pass stages
    row, col = rng.integers(0, 40 - 12 + 1, size=3000), rng.integers(0, 45 - 12 + 1, size=3000)
    sums, sigma = corner_form_stage_sums(cascade, image, row, col)
    windows = np.lib.stride_tricks.sliding_window_view(image.astype(np.float32), WINDOW)[row, col].reshape(3000, -1)
    for s, A in enumerate(cascade.stage_matrices):  # every stump of every stage, no early rejection
        fast = (windows @ A[:-1] < sigma[:, None] * A[-1]) @ cascade.alphas[cascade.stage_slice(s)]
        np.testing.assert_allclose(fast, sums[:, s], atol=1e-9)
    passes = np.all(sums >= cascade.stage_thresholds, axis=1)
    assert 0 < passes.sum() < len(row)
    r, c, margin = run_stages([(image, row, col, sigma, 0, None)], cascade)[0]  # with early rejection
    np.testing.assert_array_equal(np.column_stack([r, c]), np.column_stack([row, col])[passes])
    np.testing.assert_allclose(margin, sums[passes, -1] - cascade.stage_thresholds[-1], atol=1e-9)


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


def test_glasses_darken_only_the_eye_band_of_the_chosen_faces():
    faces = np.full((200, 19, 19), 0.8)
    drawn = _glasses(faces, 0.5, np.random.default_rng(0))
    changed = np.any(drawn != faces, axis=(1, 2))
    assert 0.35 < changed.mean() < 0.65
    assert np.all(drawn <= faces)
    rows_touched = np.flatnonzero(np.any(drawn != faces, axis=(0, 2)))
    assert rows_touched.min() >= 1 and rows_touched.max() <= 8  # eyes at row ~4.5 of 19: a band round them
    assert np.all(drawn[:, 12:] == faces[:, 12:])  # mouth and chin untouched


def test_side_light_darkens_one_side_of_the_chosen_faces():
    faces = np.full((400, 19, 19), 0.8)
    lit = _side_light(faces, 0.5, np.random.default_rng(1))
    changed = np.any(lit != faces, axis=(1, 2))
    assert 0.4 < changed.mean() < 0.6 and np.all(lit <= faces)
    left, right = lit[changed, :, :4].mean(axis=(1, 2)), lit[changed, :, -4:].mean(axis=(1, 2))
    assert np.all(np.abs(left - right) > 0.1)  # one side in shadow
    assert 0.3 < np.mean(left < right) < 0.7  # from either side


def test_backdrop_replaces_only_the_lower_corners():
    faces = np.full((300, 19, 19), 0.5)
    framed = _backdrop(faces, 0.5, np.random.default_rng(2))
    changed = np.any(framed != faces, axis=(1, 2))
    assert 0.35 < changed.mean() < 0.65
    assert np.all(framed[:, :6] == faces[:, :6])  # above the ellipse's centre: untouched
    assert np.all(framed[:, 6:15, 8:11] == faces[:, 6:15, 8:11])  # the middle of the face: untouched
    corners = framed[changed, -1, 0]
    assert corners.std() > 0.15  # a backdrop of random grey


def test_pyramid_levels_equal_skimage_resize():
    image = np.random.default_rng(6).random((61, 83))
    for scale in (1.2, 1.26, 2.5, 7.0):
        expected = resize(image, (int(61 / scale), int(83 / scale)), anti_aliasing=True, preserve_range=True)
        np.testing.assert_allclose(_shrink(image, scale), expected, atol=1e-12)
        single = _shrink(image.astype(np.float32), scale)  # detection's levels: float32 in, float32 out
        assert single.dtype == np.float32
        np.testing.assert_allclose(single, expected, atol=1e-6)


def test_grey_float_and_rgb_uint8_give_the_same_faces(cascade, scene):
    image, _ = scene
    rgb = np.repeat((image * 255).round().astype(np.uint8)[..., None], 3, axis=2)
    grey_boxes, _ = detect_faces((image * 255).round() / 255, cascade, min_neighbours=1)
    rgb_boxes, _ = detect_faces(rgb, cascade, min_neighbours=1)
    np.testing.assert_array_equal(grey_boxes, rgb_boxes)
    with pytest.raises(ValueError, match="shape"):
        detect_faces(np.zeros((4, 5, 6, 2)), cascade)


def test_decision_function_orders_windows_as_the_cascade_does(cascade):
    rng = np.random.default_rng(5)
    windows = np.concatenate([np.stack([synthetic_face(rng) for _ in range(20)]),
                              np.stack([synthetic_background(rng, WINDOW) for _ in range(20)])])
    scores = cascade.decision_function(windows)
    np.testing.assert_array_equal(scores >= cascade.n_stages - 0.5, cascade.accepts(windows))


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


def test_save_load_round_trip(cascade, tmp_path, scene):
    path = tmp_path / "cascade.npz"
    cascade.save(path, {"note": "synthetic"})
    loaded, settings = load_cascade(path)
    assert settings == {"note": "synthetic"}
    np.testing.assert_array_equal(loaded.stage_ends, cascade.stage_ends)
    np.testing.assert_array_equal(loaded.features.corners, cascade.features.corners)
    image, _ = scene
    np.testing.assert_array_equal(detect_faces(image, loaded)[0], detect_faces(image, cascade)[0])


def test_load_rejects_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_cascade(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="other.npz"):
        load_cascade(tmp_path / "other.npz")


def test_training_rejects_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        train_cascade(tmp_path / "nowhere", tmp_path, verbose=False)


def test_draw_boxes_and_json(scene):
    image, truth = scene
    drawn = draw_boxes(image, truth[None], thickness=1)
    assert drawn.shape == image.shape + (3,)
    assert np.all(drawn[truth[0], truth[1]] == (1.0, 0.0, 0.0))
    assert '"row": 30' in boxes_to_json(truth[None], [4.0], "scene.png")


def test_the_shipped_cascade_finds_the_astronauts_face():
    from skimage import data
    from dbnfer.detect import load_default_cascade
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
