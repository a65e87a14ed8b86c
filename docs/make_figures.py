"""Redraw the README's pictures from the embedded synthetic data: ``python docs/make_figures.py``."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from dbnfer.datasets import make_synthetic  # noqa: E402
from dbnfer.plots import montage  # noqa: E402

HERE = Path(__file__).parent

if __name__ == "__main__":
    montage(make_synthetic(n_subjects=8, per_class=1), per_class=8).savefig(HERE / "synthetic_faces.png", dpi=80)
