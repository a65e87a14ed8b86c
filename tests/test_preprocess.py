"""Preprocessing steps one at a time, and the whole chain over a data set."""

import numpy as np
import pytest

from dbnfer.datasets import load_lfw_subset
from dbnfer.preprocess import (central_box, cut_out, described, equalise, face_vector, face_vectors, locate_faces,
                               prepare, scale01, unlabeled_faces, widen)


def test_central_box_is_a_centred_square():
    assert central_box((256, 256)) == (88, 58, 141, 141)
    assert central_box((100, 200), fraction=0.5, centre=(0.5, 0.5)) == (25, 75, 50, 50)


def test_cut_out_inside_and_padded_outside():
    image = np.arange(100.0).reshape(10, 10)
    np.testing.assert_array_equal(cut_out(image, (2, 3, 4, 5)), image[2:6, 3:8])
    padded = cut_out(image, (-2, 8, 4, 4))
    assert padded.shape == (4, 4) and padded[0, 0] == image[0, 8] and padded[3, 3] == image[1, 9]


def test_widen_grows_on_every_side():
    assert widen((10, 20, 100, 50), 0.1) == (0, 15, 120, 60)


def test_equalise_flattens_the_histogram():
    image = np.random.default_rng(0).random((64, 64)) ** 2  # mostly dark
    counts, _ = np.histogram(equalise(image), bins=4, range=(0, 1))
    assert counts.min() > 0.15 * image.size


def test_scale01_and_constant_image():
    np.testing.assert_allclose(scale01(np.array([2.0, 4.0, 3.0])), [0, 1, 0.5])
    assert not scale01(np.full((3, 3), 5.0)).any()


def test_face_vector_and_prepare():
    data = load_lfw_subset().subset(np.arange(10))
    vector = face_vector(data.images[0], box=(2, 2, 20, 20), size=16)
    assert vector.shape == (256,) and vector.dtype == np.float32 and 0 <= vector.min() <= vector.max() <= 1
    X = prepare(data, size=16, crop="none", equalised=False)
    assert X.shape == (10, 256) and X.min() == 0 and X.max() == 1


def test_unlabeled_faces_keep_only_found_faces():
    from skimage import color, data
    photo, blank = color.rgb2gray(data.astronaut()), np.full((40, 40), 0.5)
    X = unlabeled_faces([photo, blank], size=16, crop="detect")
    assert X.shape == (1, 256) and X.dtype == np.float32  # the blank image is dropped, not cut centrally
    assert unlabeled_faces([photo, blank], size=16, crop="central").shape == (2, 256)
    with pytest.raises(ValueError, match="no face found in any of the 1 unlabeled images"):
        unlabeled_faces([blank], crop="detect")


def test_unknown_crop():
    with pytest.raises(ValueError, match="unknown crop 'eyes'"):
        locate_faces(np.zeros((1, 8, 8)), crop="eyes")


def test_align_registers_the_detected_face_and_features_describe_it():
    from skimage import color, data
    from skimage.transform import rescale

    from dbnfer.datasets.base import FaceDataset
    photo = color.rgb2gray(data.astronaut())
    images = np.stack([photo, rescale(photo[::-1, ::-1], 1.0)[::-1, ::-1], np.full(photo.shape, 0.5)])
    dataset = FaceDataset(images, np.array([0, 1, 0]), ("a", "b"), np.array(["p", "q", "r"]),
                          np.array(["p", "q", "r"]), ["1", "2", "3"], "photos")
    X = prepare(dataset, size=64, crop="align", features="hog")
    assert X.shape == (3, 1764) and X.dtype == np.float32
    assert dataset.notes[0].startswith("face detection: no face found in 1 of 3 images")  # the grey one
    assert dataset.notes[1].startswith("registration: eyes not found in")
    np.testing.assert_array_equal(X[0], X[1])  # the same photo, the same registered face


@pytest.mark.parametrize("features", ["pixels", "hog"])
def test_mirrored_describes_each_face_mirrored(features):
    data = load_lfw_subset().subset(np.arange(3))
    X, X_mirror = prepare(data, size=24, crop="none", features=features, mirrored=True)
    np.testing.assert_array_equal(X, prepare(data, size=24, crop="none", features=features))
    mirrored = data.subset(np.arange(3))
    mirrored.images = data.images[:, :, ::-1]
    np.testing.assert_allclose(X_mirror, prepare(mirrored, size=24, crop="none", features=features), atol=1e-6)
    assert not np.allclose(X_mirror, X)


@pytest.mark.parametrize("features", ["pixels", "hog", "gabor"])
def test_large_stacks_are_described_in_parts_with_progress(features, monkeypatch, capsys):
    import dbnfer.preprocess
    from dbnfer.features import extract

    faces = np.random.default_rng(0).random((7, 48, 48)).astype(np.float32)
    monkeypatch.setattr(dbnfer.preprocess, "DESCRIBE_CHUNK", 3)
    np.testing.assert_array_equal(described(faces, features, verbose=True, which="mirrored "), extract(faces, features))
    assert capsys.readouterr().err.splitlines() == [f"{features} of the mirrored faces, part {k}/3: {n}/7 faces"
                                                    for k, n in ((1, 3), (2, 6), (3, 7))]


def test_face_vectors_of_pixels_are_face_vector():
    data = load_lfw_subset().subset(np.arange(4))
    boxes = [(1, 2, 20, 21)] * 4
    X, eyes, n_fallbacks = face_vectors(data.images, boxes, 16, True, "detect", "pixels")
    np.testing.assert_array_equal(X, np.stack([face_vector(image, box, 16) for image, box in zip(data.images, boxes)]))
    assert np.isnan(eyes).all() and n_fallbacks == 0
