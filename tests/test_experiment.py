"""Presets and the preparation of unlabeled faces for pre-training."""

import numpy as np
import pytest
from skimage import color, data, io

from dbnfer.experiment import load_unlabeled, preprocessing


def test_presets_and_overrides():
    assert preprocessing("jaffe")["crop"] == "central"
    assert preprocessing("jaffe", crop="detect", size=None) == {**preprocessing("jaffe"), "crop": "detect"}
    assert preprocessing("no-such-set") == preprocessing("folders")


def test_unlabeled_photos_are_cropped_by_the_detector_where_the_labelled_crop_is_a_fixed_box(tmp_path):
    io.imsave(tmp_path / "astronaut.png", (255 * color.rgb2gray(data.astronaut())).astype(np.uint8))
    io.imsave(tmp_path / "wall.png", np.full((40, 40), 128, dtype=np.uint8), check_contrast=False)
    settings = {"size": 16, "crop": "central", "equalised": True, "margin": 0.0}
    assert load_unlabeled(tmp_path, settings).shape == (1, 256)  # detected; the wall has no face
    assert load_unlabeled(tmp_path, {**settings, "crop": "none"}).shape == (2, 256)
    with pytest.raises(FileNotFoundError, match="nope: no such file or folder"):
        load_unlabeled(tmp_path / "nope", settings)
