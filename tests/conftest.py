"""Shared fixtures: the real research data (skipped when absent) and tiny images written to disk."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data():
    """Path of ../shared/data (research data, never committed); skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (research data sets are not distributed with dbnfer)")
    return SHARED_DATA


def write_image(path, shape=(16, 16), seed=0, mode="L", fmt=None):
    """Write a small random image in `mode` to `path` (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    image = Image.fromarray(pixels, "L")
    (image.convert(mode) if mode != "L" else image).save(path, format=fmt)
    return path
