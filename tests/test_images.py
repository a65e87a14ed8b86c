"""One reader, one grey conversion, one listing, one way to draw: every bit depth lands on [0, 1] alike."""

import numpy as np
import pytest
from PIL import Image
from skimage.color import rgb2gray

from conftest import write_image
from dbnfer.images import IMAGE_SUFFIXES, as_grey, draw_boxes, draw_points, image_files, read_grey


def test_read_grey_scales_and_converts(tmp_path):
    path = write_image(tmp_path / "a.png", mode="RGB")
    image = read_grey(path)
    assert image.dtype == np.float32 and image.shape == (16, 16) and 0 <= image.min() <= image.max() <= 1


def test_eight_bit_grey_and_grey_palette_read_exactly(tmp_path):
    grey = np.asarray(Image.open(write_image(tmp_path / "g.png")))
    assert np.array_equal(read_grey(tmp_path / "g.png"), grey.astype(np.float32) / np.float32(255))
    assert np.array_equal(read_grey(write_image(tmp_path / "p.png", mode="P")), read_grey(tmp_path / "g.png"))


def test_colour_uses_the_same_luma_as_scikit_image(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, size=(8, 9, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(tmp_path / "c.png")
    assert np.allclose(read_grey(tmp_path / "c.png"), rgb2gray(rgb), atol=1e-6)
    assert np.allclose(as_grey(rgb), rgb2gray(rgb))


def test_one_photo_in_three_bit_depths_reads_the_same(tmp_path):
    """A 16-bit PNG and a float TIFF of the same photo are not turned white or black."""
    values = np.linspace(0, 1, 64 * 48).reshape(48, 64)
    Image.fromarray(np.round(values * 255).astype(np.uint8), "L").save(tmp_path / "8.png")
    Image.fromarray(np.round(values * 65535).astype(np.uint16)).save(tmp_path / "16.png")
    Image.fromarray(values.astype(np.float32), "F").save(tmp_path / "f.tiff")
    for name in ("16.png", "f.tiff"):
        assert np.abs(read_grey(tmp_path / name) - read_grey(tmp_path / "8.png")).max() <= 0.5 / 255 + 1e-6


def test_float_images_outside_the_unit_range_are_rescaled():
    assert np.allclose(as_grey(np.array([[0.0, 127.5], [255.0, 51.0]])), [[0, 0.5], [1, 0.2]])
    assert np.allclose(as_grey(np.array([[-1.0, 0.0], [1.0, 3.0]])), [[0, 0.25], [0.5, 1]])
    assert np.array_equal(as_grey(np.full((2, 2), 7.0)), np.full((2, 2), 7.0 / 255))


@pytest.mark.parametrize("content, message", [(None, "no such file"), (b"not an image", "not a readable image")])
def test_read_grey_errors_name_the_file(tmp_path, content, message):
    path = tmp_path / "broken.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises((ValueError, FileNotFoundError), match=message) as error:
        read_grey(path)
    assert "broken.png" in str(error.value)


def test_as_grey_refuses_other_shapes():
    with pytest.raises(ValueError, match="grey"):
        as_grey(np.zeros((4, 4, 2)))


def test_image_files_lists_folders_in_order_and_filters_by_suffix(tmp_path):
    for name in ("b.png", "a.jpg", "subject01.happy", ".hidden.png"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in image_files([tmp_path])] == ["a.jpg", "b.png", "subject01.happy"]
    assert [p.name for p in image_files([tmp_path], IMAGE_SUFFIXES)] == ["a.jpg", "b.png"]
    with pytest.raises(FileNotFoundError, match="nope"):
        image_files([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: the folder holds no files"):
        image_files([tmp_path / "empty"])


def test_draw_boxes_and_points_paint_only_where_asked():
    image = np.zeros((20, 30))
    boxed = draw_boxes(image, [[2, 3, 10, 12]], colour=(1, 0, 0), thickness=1)
    assert boxed.shape == (20, 30, 3) and boxed[2, 3:15, 0].all() and boxed[11, 3:15, 0].all()
    assert not boxed[5:10, 5:13].any()
    dotted = draw_points(image, [[10, 4]], colour=(0, 1, 0), radius=1)
    assert dotted[3:6, 9:12, 1].all() and dotted[..., 1].sum() == 9


def test_as_grey_of_as_grey_changes_nothing():
    from skimage import data
    once = as_grey(data.astronaut())
    assert once.max() <= 1.0 and np.array_equal(as_grey(once), once)
