"""From a photo to emotions: detect every face, preprocess it as in training, classify it.

An :class:`ExpressionModel` is a trained classifier plus everything needed to treat a new face
exactly as the training faces were treated: how faces were cropped (detector and margin, a fixed
box, or the whole image), the size, equalisation, and the label names. It lives in one ``.npz``.

    >>> model = train_expression_model("synthetic")                 # doctest: +SKIP
    >>> faces = predict_image(model, image)                          # doctest: +SKIP
    >>> faces[0].label, faces[0].probability                        # doctest: +SKIP
    ('happiness', 0.93)
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dbnfer.dbn import DBNClassifier
from dbnfer.experiment import load_prepared, load_unlabeled
from dbnfer.images import as_grey, image_files, read_grey
from dbnfer.models import make_model
from dbnfer.persist import load_npz, save_npz
from dbnfer.preprocess import central_box, face_vector, widen
from dbnfer.progress import report

FORMAT_VERSION = 1


class ExpressionModel:
    """A trained expression classifier with its preprocessing.

    Parameters
    ----------
    classifier : DBNClassifier
        Fitted; ``predict_proba`` columns follow ``classifier.classes_``.
    label_names : sequence of str
        Name of each class index.
    preprocessing : dict
        ``crop`` ("detect", "central" or "none"), ``size``, ``equalised``, ``margin``.
    trained_on : str
        Where the training data came from (for reports).
    """

    kind = "expression_model"

    def __init__(self, classifier, label_names, preprocessing, trained_on=""):
        self.classifier = classifier
        self.label_names = tuple(label_names)
        self.preprocessing = dict(preprocessing)
        self.trained_on = trained_on

    def save(self, path):
        """Write the model to one ``.npz`` (the classifier's arrays prefixed ``classifier/``)."""
        arrays, settings = self.classifier.state()
        save_npz(path, self.kind, {f"classifier/{k}": a for k, a in arrays.items()},
                 {"label_names": list(self.label_names), "preprocessing": self.preprocessing,
                  "trained_on": self.trained_on, "classifier": settings}, FORMAT_VERSION)

    @classmethod
    def load(cls, path):
        """Read a model written by :meth:`save`; a file of another kind or version is a ValueError."""
        arrays, settings = load_npz(path, cls.kind, FORMAT_VERSION)
        classifier = DBNClassifier.from_state({k[len("classifier/"):]: a for k, a in arrays.items()},
                                              settings["classifier"])
        return cls(classifier, settings["label_names"], settings["preprocessing"], settings["trained_on"])

    def face_boxes(self, image, cascade=None):
        """Where the faces of `image` are, found the way the training faces were cropped."""
        crop = self.preprocessing["crop"]
        if crop == "none":
            return [(0, 0, *image.shape)]
        if crop == "central":
            return [central_box(image.shape)]
        from dbnfer.detect import detect_faces

        boxes, _ = detect_faces(image, cascade)
        return [widen(tuple(int(v) for v in box), self.preprocessing["margin"]) for box in boxes]

    def probabilities(self, image, boxes):
        """Class probabilities, shape (len(boxes), n_classes), of the faces in `boxes`."""
        X = np.stack([face_vector(image, box, self.preprocessing["size"], self.preprocessing["equalised"])
                      for box in boxes])
        proba = np.zeros((len(boxes), len(self.label_names)))
        proba[:, self.classifier.classes_] = self.classifier.predict_proba(X)
        return proba


@dataclass
class Face:
    """One face found in an image: its box ``(row, col, height, width)`` and what it expresses."""

    box: tuple
    label: str
    probability: float
    probabilities: dict


def train_expression_model(dataset, data_dir=None, model="dbn", random_state=0, verbose=False, unlabeled=None,
                           **preprocessing):
    """Train a classifier on a whole data set and keep its preprocessing with it.

    Parameters
    ----------
    dataset : str
        A data-set name of :func:`dbnfer.datasets.load_dataset`.
    data_dir : str or Path, optional
    model : {"dbn", "mlp"}
        DBN+MLP or the same network without pre-training.
    unlabeled : str or Path, optional
        A folder of face images without labels for the pre-training (`dbnfer.experiment.load_unlabeled`).
    **preprocessing
        Overrides of the data set's preset (``crop``, ``size``, ``equalised``, ``margin``).
    """
    classifier = make_model(model, random_state=random_state, verbose=verbose)
    if not isinstance(classifier, DBNClassifier):
        raise ValueError(f"dbnfer train saves DBNClassifier models ('dbn' or 'mlp'), not {model!r}")
    data, X, settings = load_prepared(dataset, data_dir, verbose, **preprocessing)
    X_unlabeled = None if unlabeled is None else load_unlabeled(unlabeled, settings, verbose)
    classifier.fit(X, data.labels, X_unlabeled=X_unlabeled)
    return ExpressionModel(classifier, data.label_names, settings, f"{dataset} ({len(data)} images)")


def predict_image(model, image, cascade=None):
    """Every face of `image` with its most probable expression.

    Parameters
    ----------
    model : ExpressionModel
    image : ndarray
        Grey or colour, any size, uint8 or float in [0, 1].
    cascade : optional
        The detector's cascade (default: the one shipped with dbnfer).

    Returns
    -------
    list of Face
        Empty when no face is found.
    """
    grey = as_grey(image)
    boxes = model.face_boxes(grey, cascade)
    if not boxes:
        return []
    proba = model.probabilities(grey, boxes)
    return [Face(tuple(int(v) for v in box), model.label_names[int(p.argmax())], float(p.max()),
                 dict(zip(model.label_names, p.round(6).tolist())))
            for box, p in zip(boxes, proba)]


def annotated_figure(image, faces):
    """`image` at its own size with each face's box and top expression drawn on it."""
    height, width = image.shape[:2]
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    for face in faces:
        row, col, h, w = face.box
        ax.add_patch(Rectangle((col, row), w, h, fill=False, edgecolor="lime", linewidth=2))
        ax.text(col, row - 2, f"{face.label} {face.probability:.2f}", color="black", fontsize=max(6, w / 12),
                va="bottom", bbox={"facecolor": "lime", "edgecolor": "none", "pad": 1})
    return figure


def predict_files(model, inputs, out_dir, cascade=None, verbose=False):
    """Predict on every image of `inputs`; write annotated PNGs, ``faces.csv`` and ``faces.json``.

    A file that cannot be read, or shows no face, is reported in the outputs (``status``) and the
    batch goes on.

    Returns
    -------
    list of dict
        One row per face (or per image without a face / unreadable image).
    """
    out_dir = Path(out_dir)
    files = image_files(inputs)
    rows = []
    for i, path in enumerate(files):
        try:
            image = read_grey(path)
        except (ValueError, OSError) as error:
            rows.append({"file": str(path), "status": f"unreadable: {error}"})
            report(f"warning: {error}", verbose)
            continue
        faces = predict_image(model, image, cascade)
        annotated_figure(image, faces).savefig(out_dir / f"{i:04d}_{path.stem}.png")
        if not faces:
            rows.append({"file": str(path), "status": "no face found"})
        rows += [{"file": str(path), "status": "ok", "box": list(face.box), "label": face.label,
                  "probability": face.probability, **face.probabilities} for face in faces]
        report(f"predict: {i + 1}/{len(files)} {path.name}: " +
               (", ".join(f"{f.label} {f.probability:.2f}" for f in faces) or "no face found"), verbose)
    _write_rows(out_dir, rows, model.label_names)
    return rows


def _write_rows(out_dir, rows, label_names):
    (out_dir / "faces.json").write_text(json.dumps(rows, indent=2) + "\n")
    columns = ["file", "status", "box", "label", "probability", *label_names]
    with open(out_dir / "faces.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({**row, "box": " ".join(map(str, row.get("box", [])))} for row in rows)


def expression_series(model, frames, cascade=None):
    """Per-frame probabilities of each expression for a sequence of frames.

    The largest face of each frame is classified; a frame without a face gives a row of NaN.

    Returns
    -------
    ndarray, shape (n_frames, n_classes)
    """
    series = np.full((len(frames), len(model.label_names)), np.nan)
    for t, frame in enumerate(frames):
        faces = predict_image(model, frame, cascade)
        if faces:
            largest = max(faces, key=lambda face: face.box[2] * face.box[3])
            series[t] = [largest.probabilities[name] for name in model.label_names]
    return series


def series_figure(series, label_names, title=None):
    """Probability of each expression against the frame number."""
    figure = Figure(figsize=(8, 3.2))
    ax = figure.subplots()
    for k, name in enumerate(label_names):
        ax.plot(series[:, k], label=name)
    ax.set_xlabel("frame")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=4)
    if title:
        ax.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


VIDEO_SUFFIXES = {".gif", ".mp4", ".avi", ".mov", ".mkv", ".webm"}


def read_frames(inputs):
    """The frames of a sequence and a name for each: one video file, or image files and folders of frames.

    A video is read with imageio (installed with scikit-image): animated GIFs always work, other formats
    need imageio's video plugin (``pip install imageio[ffmpeg]``).

    Raises
    ------
    ValueError
        If the video cannot be read or holds no frames.
    """
    if len(inputs) == 1 and Path(inputs[0]).suffix.lower() in VIDEO_SUFFIXES and Path(inputs[0]).is_file():
        import imageio.v3 as iio

        path = Path(inputs[0])
        try:
            frames = [as_grey(frame) for frame in iio.imiter(path)]
        except Exception as error:  # imageio raises many types, by plugin; all mean "cannot read this video"
            raise ValueError(f"{path}: cannot read the video ({error.__class__.__name__}: {error}); "
                             f"for formats other than GIF, pip install imageio[ffmpeg]") from None
        if not frames:
            raise ValueError(f"{path}: the video holds no frames")
        return frames, [f"{path.name}#{t}" for t in range(len(frames))]
    files = image_files(inputs)
    return [read_grey(path) for path in files], [path.name for path in files]


def predict_sequence(model, inputs, out_dir, cascade=None, verbose=False):
    """Expression time series of a sequence (a video, or numbered frames): ``series.csv`` and ``series.png``."""
    out_dir = Path(out_dir)
    frames, names = read_frames(inputs)
    report(f"sequence: {len(frames)} frames", verbose)
    series = expression_series(model, frames, cascade)
    with open(out_dir / "series.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["frame", "file", *model.label_names])
        writer.writerows([t, names[t], *np.round(row, 6)] for t, row in enumerate(series))
    series_figure(series, model.label_names, f"{len(frames)} frames").savefig(out_dir / "series.png", dpi=110)
    return series
