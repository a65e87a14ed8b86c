"""Pictures for notebooks and reports: class montages, confusion matrices, learning curves, filters.

Every function returns a matplotlib ``Figure`` and never calls ``show``, so the same code serves a
notebook (the figure displays itself) and the command line (the report saves it).
"""

import numpy as np
from matplotlib.figure import Figure

from dbnfer.evaluate import normalise_rows


def montage(dataset, per_class=6, random_state=0):
    """A grid with one row per class of `per_class` example images picked at random."""
    rng = np.random.default_rng(random_state)
    n_classes = len(dataset.label_names)
    figure = Figure(figsize=(1.2 * per_class, 1.25 * n_classes))
    axes = figure.subplots(n_classes, per_class, squeeze=False)
    for label, name in enumerate(dataset.label_names):
        members = np.flatnonzero(dataset.labels == label)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for j, ax in enumerate(axes[label]):
            ax.set_axis_off()
            if j < len(chosen):
                ax.imshow(dataset.images[chosen[j]], cmap="gray", vmin=0, vmax=1)
        axes[label, 0].set_title(name, loc="left", fontsize=9)
    figure.tight_layout()
    return figure


def confusion_figure(confusion, label_names, normalised=True, title=None):
    """A labelled confusion matrix: rows are true classes, columns predictions.

    With ``normalised`` each row shows fractions of its true class (the diagonal is per-class
    recall) and each cell is annotated with its count.
    """
    confusion = np.asarray(confusion)
    shown = normalise_rows(confusion) if normalised else confusion
    n = len(label_names)
    figure = Figure(figsize=(1.0 + 0.65 * n, 0.8 + 0.6 * n))
    ax = figure.subplots()
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalised else None)
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}\n({confusion[i, j]})" if normalised else str(confusion[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > 0.6 * shown.max() else "black")
    ax.set_xticks(range(n), label_names, rotation=45, ha="right")
    ax.set_yticks(range(n), label_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=10)
    figure.colorbar(image, ax=ax, fraction=0.046)
    figure.tight_layout()
    return figure


def learning_curves(history, title=None):
    """Curves of every per-epoch series in `history` (a dict name -> list), losses and accuracies apart.

    Names containing "acc" go to the accuracy panel, the others (except "epoch") to the loss panel;
    series that are empty or all NaN (no validation split) are left out.
    """
    figure = Figure(figsize=(9, 3.2))
    loss_ax, accuracy_ax = figure.subplots(1, 2)
    for name, values in history.items():
        if name != "epoch" and np.ndim(values) == 1 and not np.all(np.isnan(np.asarray(values, dtype=float))):
            ax = accuracy_ax if "acc" in name else loss_ax
            ax.plot(np.arange(1, len(values) + 1), values, label=name)
    for ax, what in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(what)
        if ax.lines:
            ax.legend(fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def filters(W, image_shape, n=64, title=None):
    """The first `n` columns of a weight matrix W (n_visible, n_hidden) drawn as images.

    Each hidden unit's incoming weights, reshaped to the input image, show the pattern it responds
    to; each is scaled to its own range.
    """
    W = np.asarray(W)
    n = min(n, W.shape[1])
    side = int(np.ceil(np.sqrt(n)))
    figure = Figure(figsize=(0.8 * side, 0.8 * side))
    axes = figure.subplots(side, side, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k < n:
            ax.imshow(W[:, k].reshape(image_shape), cmap="gray")
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure
