"""Registration by the eyes: the similarity fixed by two points, the aligned square, the fallback."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from skimage.transform import ProjectiveTransform, warp

from dbnfer.landmarks import Landmarks
from dbnfer.preprocess import cut_out, resize_square
from dbnfer.register import EYES_AT, align_face, plausible_eyes, register_faces, similarity_from_eyes


def _image_point(matrix, x, y):
    return (matrix @ [x, y, 1.0])[:2]


def test_similarity_maps_the_eye_places_onto_the_eyes():
    left, right, size = (120.3, 85.0), (171.9, 101.4), 64
    M = similarity_from_eyes(left, right, size)
    (u_l, v_l), (u_r, v_r) = EYES_AT
    np.testing.assert_allclose(_image_point(M, u_l * size - 0.5, v_l * size - 0.5), left, atol=1e-9)
    np.testing.assert_allclose(_image_point(M, u_r * size - 0.5, v_r * size - 0.5), right, atol=1e-9)
    # a similarity: a rotation times one scale, s = |e_r - e_l| / |t_r - t_l|, no shear, no mirror
    A = M[:2, :2]
    s = np.hypot(171.9 - 120.3, 101.4 - 85.0) / (0.4 * size)
    np.testing.assert_allclose(A.T @ A, s ** 2 * np.eye(2), atol=1e-9)
    assert np.linalg.det(A) > 0 and np.all(M[2] == [0, 0, 1])


def test_level_eyes_at_their_places_give_the_identity():
    size = 50
    M = similarity_from_eyes((0.3 * size - 0.5, 0.36 * size - 0.5), (0.7 * size - 0.5, 0.36 * size - 0.5), size)
    np.testing.assert_allclose(M, np.eye(3), atol=1e-12)


def _two_dots(shape, left, right, radius=3.0):
    """A white image with two dark round dots (the eyes) at (x, y) `left` and `right`."""
    y, x = np.mgrid[:shape[0], :shape[1]]
    image = np.ones(shape)
    for cx, cy in (left, right):
        image -= np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius ** 2))
    return np.clip(image, 0, 1)


def _dark_centroid(face, columns):
    """(x, y) of the centre of mass of the darkness in `columns` of `face`."""
    darkness = (1 - face)[:, columns]
    y, x = np.mgrid[:face.shape[0], :face.shape[1]]
    return (np.sum(darkness * x[:, columns]) / darkness.sum(), np.sum(darkness * y[:, columns]) / darkness.sum())


def test_align_face_puts_the_eyes_of_a_tilted_face_on_their_places():
    angle = np.radians(20)
    centre, half = np.array([100.0, 90.0]), 35.0  # eyes 70 px apart, turned by 20 degrees
    offset = half * np.array([np.cos(angle), np.sin(angle)])
    left, right = centre - offset, centre + offset
    size = 64
    face = align_face(_two_dots((200, 220), left, right), left, right, size)
    assert face.shape == (size, size) and 0 <= face.min() and face.max() <= 1
    for (u, v), columns in zip(EYES_AT, (slice(0, size // 2), slice(size // 2, size))):
        np.testing.assert_allclose(_dark_centroid(face, columns), (u * size - 0.5, v * size - 0.5), atol=1.0)


def test_align_face_blurs_before_shrinking():
    stripes = np.tile([0.0, 1.0], (400, 200))  # 1-pixel stripes, far finer than the output pixels
    face = align_face(stripes, (140.0, 200.0), (260.0, 200.0), 32)  # s = 120 / 12.8 ≈ 9 px per output px
    np.testing.assert_allclose(face, 0.5, atol=0.02)  # averaged out, not aliased into a false pattern


def test_align_face_reads_only_the_window_it_needs_and_matches_a_warp_of_the_whole_blurred_image():
    image = np.random.default_rng(0).random((120, 160))
    left, right, size = (10.0, 30.0), (70.0, 5.0), 24  # a tilted face reaching out of the image
    M = similarity_from_eyes(left, right, size)
    sigma = (np.hypot(M[0, 0], M[1, 0]) - 1) / 2
    expected = warp(gaussian_filter(image, sigma, mode="nearest"), ProjectiveTransform(matrix=M),
                    output_shape=(size, size), order=1, mode="edge")
    np.testing.assert_allclose(align_face(image, left, right, size), expected, atol=1e-12)


def test_eyes_outside_the_image_repeat_its_edge_pixels():
    image = np.tile(np.linspace(0, 1, 80), (60, 1))  # grey levels grow from left to right
    face = align_face(image, (-500.0, 20.0), (-450.0, 20.0), 16)  # the whole square left of the image
    np.testing.assert_allclose(face, 0.0, atol=1e-12)
    face = align_face(image, (1000.0, -300.0), (1050.0, -300.0), 16)  # right of it and above
    np.testing.assert_allclose(face, 1.0, atol=1e-12)


def test_colour_images_are_aligned_as_their_grey():
    rgb = np.random.default_rng(1).integers(0, 256, size=(50, 60, 3), dtype=np.uint8)
    grey = (rgb @ [0.2125, 0.7154, 0.0721]) / 255
    np.testing.assert_allclose(align_face(rgb, (20, 25), (40, 24), 20), align_face(grey, (20, 25), (40, 24), 20),
                               atol=1e-9)


def test_eyes_at_one_point_are_a_value_error():
    with pytest.raises(ValueError, match=r"both eyes are at the same point \(12, 7\)"):
        similarity_from_eyes((12, 7), (12, 7), 32)
    with pytest.raises(ValueError, match="eyes_at puts both eyes at the same place"):
        similarity_from_eyes((12, 7), (20, 7), 32, eyes_at=((0.5, 0.4), (0.5, 0.4)))


def _landmarks(left, right, confidence=0.8):
    return Landmarks(left, right, (0.0, 0.0), (0.0, 0.0), confidence)


@pytest.mark.parametrize("left, right, confidence, plausible", [
    ((35, 40), (65, 40), 0.8, True),     # level, 0.3 box widths apart
    ((35, 40), (65, 40), 0.0, False),    # box too small to search
    ((35, 40), (65, 40), 0.01, True),
    ((5, 40), (35, 40), 0.8, False),     # left eye outside the box
    ((45, 40), (55, 40), 0.8, False),    # 0.1 box widths apart
    ((25, 40), (110, 40), 0.8, False),   # right eye outside, 0.85 apart
    ((35, 40), (58, 60), 0.8, False),    # tilted by 41 degrees
    ((35, 40), (60, 55), 0.8, True),     # tilted by 31 degrees
    ((65, 40), (35, 40), 0.8, False),    # left and right swapped: tilted by 180 degrees
])
def test_plausible_eyes(left, right, confidence, plausible):
    assert plausible_eyes(_landmarks(left, right, confidence), (20, 20, 80, 100)) is plausible


class _Localiser:
    """A stand-in for EyeLocaliser that finds the same eyes in every box."""

    def __init__(self, landmarks):
        self.landmarks = landmarks

    def locate(self, image, boxes):
        return [self.landmarks]


def test_register_faces_aligns_plausible_eyes_and_falls_back_on_the_others():
    images = [_two_dots((100, 120), (45, 50), (75, 50)) for _ in range(2)]
    box = (20, 20, 70, 80)
    good = register_faces(images, [box, box], 32, localiser=_Localiser(_landmarks((45, 50), (75, 50))))
    faces, eyes, n_fallbacks = good
    assert faces.shape == (2, 32, 32) and faces.dtype == np.float32 and n_fallbacks == 0
    np.testing.assert_allclose(eyes[0], [(45, 50), (75, 50)])
    np.testing.assert_allclose(faces[0], align_face(images[0], (45, 50), (75, 50), 32), atol=1e-6)

    faces, eyes, n_fallbacks = register_faces(images, [box, None], 32,
                                              localiser=_Localiser(_landmarks((75, 50), (45, 50))))
    assert n_fallbacks == 2 and np.isnan(eyes).all()
    np.testing.assert_allclose(faces[0], resize_square(cut_out(images[0], box), 32), atol=1e-6)
    np.testing.assert_allclose(faces[1], resize_square(images[1], 32), atol=1e-6)  # None: the whole image


def test_register_faces_falls_back_when_the_box_is_too_small_to_search():
    blank = np.full((60, 60), 0.5)
    faces, eyes, n_fallbacks = register_faces([blank, blank], [(10, 10, 8, 8), (20, 20, 10, 10)], 24)
    assert n_fallbacks == 2 and np.isnan(eyes).all()
    np.testing.assert_allclose(faces, 0.5, atol=1e-6)


def test_register_faces_finds_the_eyes_of_a_real_face():
    from skimage import data

    image = data.astronaut()
    faces, eyes, n_fallbacks = register_faces([image], [(80, 181, 87, 87)], 64)  # the detector's box
    assert n_fallbacks == 0
    left, right = eyes[0]
    assert 190 < left[0] < 215 and 230 < right[0] < 260 and 90 < left[1] < 115 and 90 < right[1] < 115


def test_register_faces_reports_progress(capsys):
    blank = np.full((30, 30), 0.5)
    register_faces([blank], [(0, 0, 8, 8)], 16, verbose=True)
    assert "register: 1/1 faces, 1 cut by the detector box" in capsys.readouterr().err
