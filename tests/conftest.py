"""Shared fixtures: the real research data (skipped when absent) and tiny images written to disk.

The suite runs in two worker processes (``addopts`` in setup.cfg); each uses one BLAS thread, set here before
NumPy is imported, so that the two do not fight over the two cores.
"""

import os
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

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
