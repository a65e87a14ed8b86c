"""The eye localiser (dbnfer.landmarks): features, descent, training, the shipped file, bad input."""

import json

import numpy as np
import pytest
from PIL import Image
from skimage import data

from dbnfer.datasets.synthetic import ACTION_UNITS, draw_face, random_identity
from dbnfer.landmarks import (DEFAULT_LOCALISER, EyeLocaliser, Landmarks, load_default_localiser,
                              load_eye_localiser, locate_eyes)
from dbnfer.landmarks.supervised_descent import (MIN_FACE, _mirror, _rotate, descriptors, fit_similarity,
                                                 from_box_units, perturbed_starts, ridge, similarity_spread,
                                                 to_box_units)
from dbnfer.landmarks.train import eye_error, main, match_faces, read_marked_faces, train_eye_localiser

pytestmark = pytest.mark.xdist_group("test_landmarks")  # its module-wide fixtures are built once, in one worker

# Eye centres in skimage.data.astronaut(), marked by hand on the enlarged image (x, y)
ASTRONAUT_EYES = np.array([[203.5, 101.0], [246.0, 103.0]])


def synthetic_photos(n, seed=0):
    """Cartoon faces (neutral, 96 x 96) pasted at random places in 128 x 128 photos, with their true eyes, nose
    and mouth and a box that frames each face loosely, as a detector would: (photos, boxes, points)."""
    rng = np.random.default_rng(seed)
    photos, boxes, points = [], [], []
    for _ in range(n):
        face = random_identity(rng)
        grey = draw_face(face, dict.fromkeys(ACTION_UNITS, 0.0), size=96)
        photo = np.full((128, 128), face["background"], dtype=np.float32)
        top, left = rng.integers(0, 33, size=2)
        photo[top:top + 96, left:left + 96] = grey
        cx, eye_y = face["centre_x"], face["eye_y"]
        marks = np.array([[cx - face["eye_dx"], eye_y], [cx + face["eye_dx"], eye_y],
                          [cx, eye_y + 2 + face["nose_len"]], [cx, face["mouth_y"]]]) + [left, top]
        size = int(rng.integers(84, 100))
        shift = rng.integers(-5, 6, size=2)
        photos.append(photo)
        boxes.append([top + 48 - size // 2 + shift[0], left + 48 - size // 2 + shift[1], size, size])
        points.append(marks)
    return photos, np.array(boxes), np.array(points)


SMALL = dict(frame_size=32, n_cells=4, cell_sizes=(4, 3), n_starts=4)


@pytest.fixture(scope="module")
def trained():
    photos, boxes, points = synthetic_photos(60)
    return EyeLocaliser(random_state=0, **SMALL).fit(photos, boxes, points)


# ---- geometry -----------------------------------------------------------------------------------------


def test_box_units_round_trip_and_corners():
    box = np.array([10, 20, 40, 50])  # row, col, height, width
    corners = np.array([[19.5, 9.5], [69.5, 49.5]])  # outer corners of the first and last pixels, (x, y)
    np.testing.assert_allclose(to_box_units(corners, box), [[0, 0], [1, 1]])
    points = np.random.default_rng(0).uniform(0, 100, size=(3, 4, 2))
    boxes = np.array([[0, 0, 10, 10], [5, 6, 70, 80], [-3, 2, 30, 30]])
    np.testing.assert_allclose(from_box_units(to_box_units(points, boxes), boxes), points)


def test_fit_similarity_recovers_a_known_transform():
    mean = np.random.default_rng(1).uniform(0, 1, size=(4, 2))
    a, t = 1.3 * np.exp(0.2j), 0.1 - 0.05j
    z = a * (mean @ [1, 1j]) + t
    found_a, found_t = fit_similarity(mean, np.stack([z.real, z.imag], axis=-1)[None])
    np.testing.assert_allclose([found_a[0], found_t[0]], [a, t])


def test_perturbed_starts_have_the_asked_spread():
    mean = np.array([[0.3, 0.4], [0.7, 0.4], [0.5, 0.6], [0.5, 0.75]])
    spread = np.array([0.1, 0.15, 0.03, 0.02])
    starts = perturbed_starts(mean, spread, 20000, np.random.default_rng(0))
    np.testing.assert_allclose(similarity_spread(starts, mean), spread, rtol=0.05)
    np.testing.assert_allclose(perturbed_starts(mean, np.zeros(4), 3, np.random.default_rng(0)), [mean] * 3)


def test_mirror_and_rotate_shapes():
    shape = np.array([[[0.3, 0.4], [0.7, 0.45], [0.5, 0.6], [0.52, 0.75]]])
    mirrored = _mirror(shape)
    np.testing.assert_allclose(mirrored[0, 0], [0.3, 0.45])  # the right eye, mirrored, is the left one
    np.testing.assert_allclose(_mirror(mirrored), shape)
    np.testing.assert_allclose(_rotate(_rotate(shape, np.array([20.0])), np.array([-20.0])), shape)
    # skimage.transform.rotate turns the image counter-clockwise as seen: a point right of the centre goes up
    np.testing.assert_allclose(_rotate(np.array([[[1.0, 0.5]]]), np.array([90.0])), [[[0.5, 0.0]]], atol=1e-12)


# ---- features and regression --------------------------------------------------------------------------


def reference_descriptor(frame, point, a, n_cells, cell_size, n_orientations):
    """One landmark's descriptor pixel by pixel: sample the turned grid, histogram each cell, normalise."""
    from scipy.ndimage import map_coordinates
    S, side = frame.shape[0], n_cells * cell_size
    histogram = np.zeros((n_cells, n_cells, n_orientations))
    for row in range(side):
        for col in range(side):
            samples = {}
            for dr, dc in ((0, -1), (0, 1), (-1, 0), (1, 0)):
                offset = complex(col + dc - (side - 1) / 2, row + dr - (side - 1) / 2)
                z = complex(*point) + a * offset / S
                samples[dr, dc] = map_coordinates(frame, [[z.imag * S - 0.5], [z.real * S - 0.5]], order=1,
                                                  mode="nearest")[0]
            gx, gy = (samples[0, 1] - samples[0, -1]) / 2, (samples[1, 0] - samples[-1, 0]) / 2
            angle = np.arctan2(gy, gx) % np.pi
            position = angle * n_orientations / np.pi - 0.5
            low = int(np.floor(position))
            share = position - low
            histogram[row // cell_size, col // cell_size, low % n_orientations] += np.hypot(gx, gy) * (1 - share)
            histogram[row // cell_size, col // cell_size, (low + 1) % n_orientations] += np.hypot(gx, gy) * share
    v = histogram.ravel()
    v = v / np.sqrt(np.sum(v ** 2) + 1e-12)
    v = np.minimum(v, 0.2)
    return v / np.sqrt(np.sum(v ** 2) + 1e-12)


def test_descriptors_match_a_pixel_by_pixel_count():
    rng = np.random.default_rng(0)
    frames = rng.random((2, 24, 24)).astype(np.float32)
    shapes = rng.uniform(0.3, 0.7, size=(3, 2, 2))
    a = np.array([1.0, 1.2 * np.exp(0.4j), 0.8 * np.exp(-0.3j)])
    frame_of = np.array([0, 1, 1])
    phi = descriptors(frames, shapes, a, 2, 3, 6, frame_of).reshape(3, 2, -1)
    for i in range(3):
        for j in range(2):
            expected = reference_descriptor(frames[frame_of[i]], shapes[i, j], a[i], 2, 3, 6)
            np.testing.assert_allclose(phi[i, j], expected, atol=1e-5)


def test_descriptors_ignore_contrast_and_brightness():
    frame = np.random.default_rng(0).random((1, 32, 32)).astype(np.float32)
    shape = np.array([[[0.4, 0.4], [0.6, 0.5]]])
    a = np.ones(1, dtype=complex)
    np.testing.assert_allclose(descriptors(frame, shape, a, 4, 3, 8), descriptors(0.5 * frame + 0.2, shape, a, 4, 3, 8),
                               atol=1e-5)


def test_ridge_matches_scikit_learn():
    from sklearn.linear_model import Ridge
    rng = np.random.default_rng(0)
    Phi, Delta = rng.normal(size=(50, 6)), rng.normal(size=(50, 3))
    R, b = ridge(Phi, Delta, lam=0.1)
    oracle = Ridge(alpha=0.1 * 50).fit(Phi, Delta)  # scikit-learn penalises alpha ||R||², we λ n ||R||²
    np.testing.assert_allclose(R, oracle.coef_.T, atol=1e-10)
    np.testing.assert_allclose(b, oracle.intercept_, atol=1e-10)


# ---- training and locating ----------------------------------------------------------------------------


def test_the_descent_moves_from_the_mean_to_the_eyes(trained):
    photos, boxes, points = synthetic_photos(20, seed=1)
    found = [trained.locate(photo, box)[0] for photo, box in zip(photos, boxes)]
    e = eye_error([f.left_eye for f in found], [f.right_eye for f in found], points[:, 0], points[:, 1])
    start = from_box_units(trained.mean_shape_, boxes)
    e_start = eye_error(start[:, 0], start[:, 1], points[:, 0], points[:, 1])
    assert np.median(e) < 0.5 * np.median(e_start)
    assert np.median(e) < 0.1


def test_descend_returns_every_stage_from_the_mean(trained):
    frames = np.zeros((2, 32, 32), dtype=np.float32)
    path = trained.descend(frames)
    assert path.shape == (3, 2, 4, 2)
    np.testing.assert_allclose(path[0], [trained.mean_shape_] * 2)


def test_locate_returns_landmarks_in_image_pixels_with_a_confidence(trained):
    photos, boxes, points = synthetic_photos(3, seed=2)
    found = trained.locate(photos[0], boxes[:2])
    assert len(found) == 2 and all(isinstance(f, Landmarks) for f in found)
    assert found[0].left_eye[0] < found[0].right_eye[0] < boxes[0][1] + boxes[0][3]
    assert found[0].left_eye[1] < found[0].nose[1] < found[0].mouth[1]
    assert all(0.0 <= f.confidence <= 1.0 for f in found)
    colour = np.repeat((255 * photos[0][..., None]).astype(np.uint8), 3, axis=2)
    np.testing.assert_allclose(trained.locate(colour, boxes[0])[0].left_eye, found[0].left_eye, atol=0.5)


def test_save_and_load_give_the_same_landmarks(trained, tmp_path):
    trained.save(tmp_path / "eyes.npz")
    loaded = load_eye_localiser(tmp_path / "eyes.npz")
    photos, boxes, _ = synthetic_photos(2, seed=3)
    assert loaded.locate(photos[0], boxes) == trained.locate(photos[0], boxes)


def test_train_eye_localiser_reads_marked_faces_and_cached_detections(tmp_path):
    photos, boxes, points = synthetic_photos(24, seed=4)
    (tmp_path / "images").mkdir()
    lines, cache = [], {}
    for i, (photo, box, marks) in enumerate(zip(photos, boxes, points)):
        name = f"pic{i:05d}.png"
        Image.fromarray((255 * photo).astype(np.uint8)).save(tmp_path / "images" / name)
        lines.append(name + " " + " ".join(f"{v:.2f}" for v in marks.ravel()))
        cache[name] = [box.tolist(), [0, 0, 10, 10]]  # the face and a stray small detection
    (tmp_path / "landmarks.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "detections.json").write_text(json.dumps(cache))
    np.testing.assert_allclose(read_marked_faces(tmp_path)["pic00003.png"], points[3:4], atol=0.01)
    localiser, held_out = train_eye_localiser(tmp_path, tmp_path / "detections.json", holdout=0.25, **SMALL)
    assert len(held_out) == 6 and np.median(held_out) < 0.15
    assert localiser.R_.shape == (2, 4 * 4 * 4 * 8, 8)
    main(["--data", str(tmp_path), "--detections", str(tmp_path / "detections.json"), "--frame-size", "32",
          "--cell-sizes", "4", "--out", str(tmp_path / "eyes.npz")])
    assert load_eye_localiser(tmp_path / "eyes.npz").cell_sizes == (4,)


# ---- measuring ----------------------------------------------------------------------------------------


def test_eye_error_is_the_worse_eye_over_the_eye_distance():
    true_left, true_right = np.array([[10.0, 10.0]]), np.array([[30.0, 10.0]])
    e = eye_error(true_left + [1.0, 0.0], true_right + [0.0, -3.0], true_left, true_right)
    np.testing.assert_allclose(e, [3.0 / 20.0])


def test_match_faces_needs_the_eye_midpoint_inside_a_box_of_plausible_size():
    left, right = np.array([[40.0, 50.0], [200.0, 50.0]]), np.array([[60.0, 50.0], [210.0, 50.0]])
    boxes = [[30, 20, 50, 50],    # holds face 0's eye midpoint, 2.5 x its eye distance
             [0, 0, 300, 300],    # holds both, far too big for either
             [40, 195, 20, 20]]   # holds face 1's midpoint, 2 x its eye distance
    np.testing.assert_array_equal(match_faces(boxes, left, right), [0, 2])
    np.testing.assert_array_equal(match_faces(np.zeros((0, 4)), left, right), [-1, -1])


# ---- bad input ----------------------------------------------------------------------------------------


def test_a_box_outside_the_image_or_without_size_is_a_clear_error(trained):
    image = np.zeros((50, 60))
    with pytest.raises(ValueError, match="outside"):
        trained.locate(image, [60, 10, 20, 20])
    with pytest.raises(ValueError, match="outside"):
        trained.locate(image, [10, -30, 20, 20])
    with pytest.raises(ValueError, match="positive"):
        trained.locate(image, [10, 10, 0, 20])
    with pytest.raises(ValueError, match="row, col, height, width"):
        trained.locate(image, [10, 10, 20])


def test_a_face_too_small_gets_the_mean_position_and_no_confidence(trained):
    box = [5, 5, MIN_FACE - 1, MIN_FACE - 1]
    found = trained.locate(np.random.default_rng(0).random((40, 40)), box)[0]
    assert found.confidence == 0.0
    np.testing.assert_allclose(found.left_eye, from_box_units(trained.mean_shape_, np.array(box))[0])


def test_a_box_reaching_past_the_border_is_searched(trained):
    photos, boxes, _ = synthetic_photos(1, seed=5)
    box = boxes[0] - [boxes[0][0] + 10, 0, 0, 0]  # 10 pixels above the top of the photo
    found = trained.locate(photos[0], box)[0]
    assert np.all(np.isfinite(found.left_eye))


def test_settings_need_a_stage():
    with pytest.raises(ValueError, match="cell_sizes"):
        EyeLocaliser(cell_sizes=())


# ---- the shipped localiser ----------------------------------------------------------------------------


def test_the_shipped_localiser_loads_and_is_small():
    assert DEFAULT_LOCALISER.stat().st_size < 1_000_000
    localiser = load_default_localiser()
    left, right, nose, mouth = localiser.mean_shape_
    assert left[0] < nose[0] < right[0] and max(left[1], right[1]) < nose[1] < mouth[1]


def test_the_shipped_localiser_finds_the_astronauts_eyes():
    from dbnfer.detect import detect_faces
    image = data.astronaut()
    boxes, _ = detect_faces(image)
    found = locate_eyes(image, boxes[0])
    e = eye_error([found.left_eye], [found.right_eye], ASTRONAUT_EYES[:1], ASTRONAUT_EYES[1:])
    start = from_box_units(load_default_localiser().mean_shape_, boxes[0])
    assert e[0] < 0.1 and e[0] < eye_error(start[:1], start[1:2], ASTRONAUT_EYES[:1], ASTRONAUT_EYES[1:])[0]


@pytest.mark.realdata
def test_the_shipped_localiser_on_a_few_helen_faces(shared_data):
    from dbnfer.detect import detect_faces
    from dbnfer.images import read_grey
    errors = []
    for pts in sorted((shared_data / "landmarks" / "helen_test").glob("*.pts"))[:8]:
        marks = np.loadtxt(pts)
        left, right = marks[36:42].mean(axis=0), marks[42:48].mean(axis=0)
        image = read_grey(pts.with_suffix(".jpg"))
        boxes, _ = detect_faces(image)
        match = match_faces(boxes, [left], [right])[0]
        if match >= 0:
            found = locate_eyes(image, boxes[match])
            errors.append(eye_error([found.left_eye], [found.right_eye], [left], [right])[0])
    assert len(errors) >= 5 and np.median(errors) < 0.1
