"""Redraw the README's pictures from the embedded synthetic data: ``python docs/make_figures.py``."""

from pathlib import Path

from dbnfer.datasets import make_synthetic
from dbnfer.experiment import load_prepared, run
from dbnfer.plots import confusion_figure, montage

HERE = Path(__file__).parent

#: The quick synthetic set of notebook 6's default settings (its ``SYNTHETIC`` cell).
NOTEBOOK6_SYNTHETIC = {"n_subjects": 6, "per_class": 2}


def notebook6_confusion(path=HERE / "notebook6_confusion.png"):
    """Notebook 6's DBN+MLP confusion matrix, leave-one-subject-out, on its default data (seed 0)."""
    dataset, X, _ = load_prepared("synthetic", load_options=NOTEBOOK6_SYNTHETIC)
    result = run(dataset, X, ["dbn"], ["loso"], seed=0)["dbn", "loso"]
    figure = confusion_figure(result["confusion"], dataset.label_names,
                              title=f"DBN+MLP, leave-one-subject-out: {100 * result['accuracy']:.1f} %")
    figure.savefig(path, dpi=60)


if __name__ == "__main__":
    montage(make_synthetic(n_subjects=8, per_class=1), per_class=8).savefig(HERE / "synthetic_faces.png", dpi=80)
    notebook6_confusion()
