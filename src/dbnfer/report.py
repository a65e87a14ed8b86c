"""Output folders, and the reports written into them: a Markdown page with the results table and figures, and
the metrics as JSON.

Earlier results are never lost: :func:`check_out_dir` refuses a folder that already holds files (unless told to
write into it), before any work is done; and :func:`staged_folder` writes a run's files into a hidden folder
beside the output, moved into place only when the run has finished, so that a failed or interrupted run leaves
nothing behind. Writing into an existing folder replaces the files an earlier dbnfer run wrote there
(`EARLIER_OUTPUTS`) and keeps the user's own.
"""

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from dbnfer import plots
from dbnfer.evaluate import confusion_matrix, macro_f1

#: Names of the files ``dbnfer detect`` and ``dbnfer predict`` write: one ``NNNN_<photo>.png`` per photo, and tables.
EARLIER_OUTPUTS = re.compile(r"\d{4}_.+\.png|detections\.json|faces\.(csv|json)|series\.(csv|png)")


def check_out_dir(path, force=False):
    """The output folder `path`, checked before any work: it can be created, or written into with `force`.

    Parameters
    ----------
    path : str or Path
    force : bool
        Accept a folder that already holds files (an earlier run's outputs are replaced by `staged_folder`).

    Returns
    -------
    Path

    Raises
    ------
    FileExistsError
        If `path` is a file, or a folder that is not empty (unless `force`).
    NotADirectoryError
        If the folder would go inside a file.
    PermissionError
        If the folder (or the one it would go into) cannot be written.
    """
    path = Path(path)
    if path.is_file():
        raise FileExistsError(f"{path}: is a file; give a new folder name for --out")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise FileExistsError(f"{path}: already exists and is not empty; choose another --out (nothing was changed)")
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise NotADirectoryError(f"{base}: is a file, so --out {path} cannot be created inside it")
    for folder in (base, path):
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"{folder}: cannot write there (permission denied); choose another --out")
    return path


def _nearest_existing(folder):
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


@contextmanager
def staged_folder(path, force=False):
    """A hidden folder for a run's outputs, moved to `path` when the run succeeds and removed if it fails.

    On success the staged files become the folder `path` (which must pass `check_out_dir`); with `force`, an
    existing folder keeps its user's files, loses the files an earlier dbnfer run wrote (`EARLIER_OUTPUTS`)
    and gains the new ones. On any error, Ctrl-C included, `path` is left as it was.

    Parameters
    ----------
    path : str or Path
    force : bool

    Yields
    ------
    Path
        The folder to write into.
    """
    path = check_out_dir(path, force)
    staging = _nearest_existing(path.parent) / f".{path.name}.dbnfer-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)  # left by an earlier process of the same id, killed
    staging.mkdir()
    try:
        yield staging
        if path.is_dir():
            for earlier in path.iterdir():
                if earlier.is_file() and EARLIER_OUTPUTS.fullmatch(earlier.name):
                    earlier.unlink()
            for new in staging.iterdir():
                os.replace(new, path / new.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def save_figure(figure, path):
    """Save a matplotlib Figure as PNG at 110 dpi and return the file name."""
    figure.savefig(path, dpi=110)
    return Path(path).name


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_json(path, data):
    """Write `data` (dicts, lists, NumPy values) as indented JSON."""
    Path(path).write_text(json.dumps(_jsonable(data), indent=2) + "\n")


def accuracy_text(protocol, result, unit=" %"):
    """An accuracy as a reader sees it: mean ± std over the folds, or, under the official protocol, the accuracy
    of each test part on its own (``PublicTest 41.0 %, PrivateTest 40.2 %``: the parts are never averaged)."""
    if protocol == "official":
        return ", ".join(f"{name} {100 * accuracy:.1f}{unit}"
                         for name, accuracy in zip(result["fold_names"], result["fold_accuracy"]))
    return f"{100 * result['accuracy']:.1f} ± {100 * result['accuracy_std']:.1f}{unit}"


def part_results(dataset, result):
    """The figures of each official test part on its own, from a result of the official protocol.

    Parameters
    ----------
    dataset : FaceDataset
        The data set evaluated, with its ``parts``.
    result : dict
        A result of :func:`dbnfer.experiment.run` under the official protocol (with ``fold_names``).

    Returns
    -------
    dict
        ``part -> {"accuracy", "macro_f1", "confusion"}``, in the order of ``result["fold_names"]``.
    """
    y, predictions = np.asarray(dataset.labels), np.asarray(result["predictions"])
    figures = {}
    for part in result["fold_names"]:
        tested = dataset.parts == part
        confusion = confusion_matrix(y[tested], predictions[tested], len(dataset.label_names))
        figures[part] = {"accuracy": float(np.mean(predictions[tested] == y[tested])), "macro_f1": macro_f1(confusion),
                         "confusion": confusion.tolist()}
    return figures


def results_table(results, dataset=None):
    """Markdown table: one row per (method, protocol) with accuracy, macro-F1 and times.

    The accuracy is the mean ± std over the folds; under the official protocol the accuracy and macro-F1 of each
    test part are shown on their own, which needs the `dataset` (its labels and parts).
    """
    lines = ["| method | protocol | folds | accuracy (%) | macro-F1 | fit (s) | predict (s) |",
             "|---|---|---|---|---|---|---|"]
    for (method, protocol), result in results.items():
        f1 = (", ".join(f"{part} {figures['macro_f1']:.3f}" for part, figures in part_results(dataset, result).items())
              if protocol == "official" else f"{result['macro_f1']:.3f}")
        lines.append(f"| {method} | {protocol} | {len(result['fold_accuracy'])} "
                     f"| {accuracy_text(protocol, result, '')} | {f1} "
                     f"| {result['fit_seconds']:.2f} | {result['predict_seconds']:.2f} |")
    return "\n".join(lines)


PROTOCOL_NAMES = {"kfold": "stratified k-fold, person-dependent", "loso": "leave-one-subject-out, person-independent",
                  "subject-kfold": "k folds of whole subjects, person-independent",
                  "official": "the data set's own split: trained on Training, each test part reported on its own"}


def write_report(out_dir, title, dataset, settings, results, figures=(), notes=()):
    """Write ``report.md``, ``metrics.json`` and one confusion-matrix PNG per result into `out_dir`.

    Parameters
    ----------
    out_dir : Path
        An existing folder (from :func:`staged_folder`).
    title : str
    dataset : FaceDataset
    settings : dict
        Preprocessing and protocol settings, recorded in the report and the JSON.
    results : dict
        ``(method, protocol) -> cross_validate(...) result``.
    figures : sequence of (caption, Figure)
        Extra pictures (montage, learning curves, filters).
    notes : sequence of str
        Extra lines for the report (for example how many faces the detector missed).

    Returns
    -------
    Path
        The Markdown report.
    """
    out_dir = Path(out_dir)
    lines = [f"# {title}", "", f"Data set: **{dataset.name}**, {len(dataset)} images, "
             f"{len(set(dataset.subjects))} subjects, classes: {', '.join(dataset.label_names)}.", "",
             "Settings: " + ", ".join(f"{k} = {v}" for k, v in settings.items()), "",
             "Protocols: " + "; ".join(f"`{k}` = {v}" for k, v in PROTOCOL_NAMES.items()
                                       if k in {p for _, p in results}) + ".", "",
             results_table(results, dataset), ""]
    lines += [f"- {note}" for note in [*dataset.notes, *notes]]
    for caption, figure in figures:
        name = save_figure(figure, out_dir / (caption.lower().replace(" ", "_").replace("/", "-") + ".png"))
        lines += ["", f"## {caption}", "", f"![{caption}]({name})"]
    by_part = {key: part_results(dataset, result) for key, result in results.items() if key[1] == "official"}
    for (method, protocol), result in results.items():
        for part, figures in by_part.get((method, protocol), {None: result}).items():  # one matrix per test part
            what = protocol if part is None else f"{protocol} {part}"
            name = save_figure(plots.confusion_figure(figures["confusion"], dataset.label_names,
                                                      title=f"{method}, {what}: {100 * figures['accuracy']:.1f} %"),
                               out_dir / f"confusion_{method}_{what.replace(' ', '_')}.png")
            heading = PROTOCOL_NAMES[protocol] if part is None else f"{part}, the official split"
            lines += ["", f"## Confusion matrix: {method}, {heading}", "", f"![confusion]({name})"]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n")
    metrics = {"title": title, "dataset": dataset.name, "n_images": len(dataset), "label_names": dataset.label_names,
               "settings": settings, "notes": [*dataset.notes, *notes],
               "results": [{"method": m, "protocol": p, **r, **({"parts": by_part[m, p]} if (m, p) in by_part else {})}
                           for (m, p), r in results.items()]}
    if len(results) == 1:  # a single evaluation: its mean accuracy and folds at the top level
        (result,) = results.values()
        metrics.update(accuracy=result["accuracy"], accuracy_std=result["accuracy_std"],
                       fold_accuracy=result["fold_accuracy"])
    else:
        metrics["accuracy"] = {f"{m}/{p}": r["accuracy"] for (m, p), r in results.items()}
    write_json(out_dir / "metrics.json", metrics)
    return path
