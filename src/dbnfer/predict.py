"""From a photo to emotions: detect every face, preprocess it as in training, classify it.

An :class:`ExpressionModel` is a trained classifier plus everything needed to treat a new face
exactly as the training faces were treated: how faces were cropped (detector and margin, a fixed
box, or the whole image), the size, equalisation, and the label names. It lives in one ``.npz``.

    >>> model = train_expression_model("synthetic")                 # doctest: +SKIP
    >>> faces = predict_image(model, image)                          # doctest: +SKIP
    >>> faces[0].label, faces[0].probability                        # doctest: +SKIP
    ('happiness', 0.93)

For a batch of photos, :func:`predict_files` writes each one annotated with its faces' expressions
(``dbnfer predict``), and :func:`detect_files` each one with its face boxes alone (``dbnfer detect``).
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from skimage.io import imsave

from dbnfer.classifiers import make_classifier
from dbnfer.experiment import load_for, load_unlabeled
from dbnfer.images import as_grey, draw_boxes, image_files, read_grey
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.persist import load_npz, save_npz
from dbnfer.preprocess import central_box, face_vectors, largest_face, widen
from dbnfer.progress import Progress

FORMAT_VERSION = 1
#: The smallest face, in pixels on a side, that is classified: below it nothing of an expression is left.
MIN_FACE_SIDE = 8
#: Training faces of a whole-image data set (``crop="none"``) in which the detector is run to learn `face_frame`.
FRAME_SAMPLE = 100


class ExpressionModel:
    """A trained expression classifier with its preprocessing.

    Parameters
    ----------
    classifier : DBNClassifier
        Fitted; ``predict_proba`` columns follow ``classifier.classes_``.
    label_names : sequence of str
        Name of each class index.
    preprocessing : dict
        ``crop`` ("central", "detect", "align" or "none"), ``size``, ``equalised``, ``margin``, ``features``
        ("pixels" when absent, as in models saved before features existed); with ``crop="none"``, ``frame``
        (see `face_frame`; None or absent: a photo is classified whole).
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
        """Read a model written by :meth:`save`; a file of another kind or version, or damaged, is a ValueError."""
        arrays, settings = load_npz(path, cls.kind, FORMAT_VERSION)
        try:
            classifier = DBNClassifier.from_state({k[len("classifier/"):]: a for k, a in arrays.items()},
                                                  settings["classifier"])
            return cls(classifier, settings["label_names"], settings["preprocessing"], settings["trained_on"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}: damaged expression model file (its settings or arrays are incomplete)") from None

    def find_faces(self, image, cascade=None):
        """Where the faces of `image` are, found the way the training faces were cropped; boxes smaller than
        `MIN_FACE_SIDE` on a side are left out."""
        crop = self.preprocessing["crop"]
        frame = self.preprocessing.get("frame")
        if crop == "none" and frame is not None:  # whole-image training faces: cut each face as they were framed
            from dbnfer.detect import detect_faces

            found, _ = detect_faces(image, cascade)
            boxes = [frame_box(box, frame) for box in found] or [(0, 0, *image.shape)]
        elif crop == "none":
            boxes = [(0, 0, *image.shape)]
        elif crop == "central":
            boxes = [central_box(image.shape)]
        else:
            from dbnfer.detect import detect_faces

            found, _ = detect_faces(image, cascade)
            boxes = [widen(tuple(int(v) for v in box), self.preprocessing["margin"]) for box in found]
        return [box for box in boxes if min(box[2], box[3]) >= MIN_FACE_SIDE]

    def describe(self, image, boxes):
        """The feature vectors of the faces in `boxes`, prepared as the training faces were.

        Returns
        -------
        X : ndarray, shape (len(boxes), n_features), or a pair of them
            With a classifier that mirrors feature vectors, ``(X, X_mirror)``: those of the mirrored faces too.
        eyes : ndarray, shape (len(boxes), 2, 2)
            (x, y) of each face's left and right eye where ``crop="align"`` found them, NaN elsewhere.
        """
        p = self.preprocessing
        features = p.get("features", "pixels")
        mirrored = features != "pixels" and getattr(self.classifier, "mirror", False)
        *X, eyes, _ = face_vectors([image] * len(boxes), boxes, p["size"], p["equalised"], p["crop"], features,
                                   mirrored=mirrored)
        return (tuple(X) if mirrored else X[0]), eyes

    def probabilities(self, X):
        """Class probabilities, shape (n_faces, n_classes), of the feature vectors `X` (from `describe`)."""
        X, X_mirror = X if isinstance(X, tuple) else (X, None)
        proba = np.zeros((len(X), len(self.label_names)))
        kwargs = {} if X_mirror is None else {"X_mirror": X_mirror}
        proba[:, self.classifier.classes_] = self.classifier.predict_proba(X, **kwargs)
        return proba


@dataclass
class Face:
    """One face found in an image: its box ``(row, col, height, width)`` and what it expresses."""

    box: tuple
    label: str
    probability: float
    probabilities: dict
    eyes: tuple = None  # ((x, y) left, (x, y) right) where the model registers faces by the eyes and found them


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
    features = preprocessing.get("features") or "pixels"
    if not isinstance(make_classifier(model), DBNClassifier):
        raise ValueError(f"dbnfer train saves DBNClassifier models ('dbn' or 'mlp'), not {model!r}")
    data, X, X_mirror, settings = load_for([model], dataset, data_dir, verbose, **preprocessing)
    labels, label_names, trained_on = data.labels, data.label_names, f"{dataset} ({len(data)} images)"
    if settings["crop"] == "none":
        settings["frame"] = face_frame(data.images)
    del data  # the images (300 MB for FER-2013) are not needed while the network trains
    classifier = make_classifier(model, random_state, verbose, features, n_faces=len(X))
    X_unlabeled = None if unlabeled is None else load_unlabeled(unlabeled, settings, verbose)
    classifier.fit(X, labels, X_unlabeled=X_unlabeled, X_mirror=X_mirror)
    return ExpressionModel(classifier, label_names, settings, trained_on)


def face_frame(images, cascade=None, n=FRAME_SAMPLE, random_state=0):
    """Where whole face images (such as FER-2013's 48x48 crops) lie around the box the detector finds in them.

    For a sample of `n` images, the image rectangle is expressed in units of the largest detected box
    ``(row, col, height, width)``: ``(-row / height, -col / width, H / height, W / width)``. The median over the
    sample is the frame: a model trained on whole images cuts each face it finds in a photo by `frame_box`,
    so that the face fills the square as the training faces did.

    Returns
    -------
    list of float or None
        ``[top, left, height, width]`` in units of the box; None when the detector finds a face in fewer than
        a quarter of the sampled images (then photos are classified whole, as before).
    """
    rng = np.random.default_rng(random_state)
    sample = rng.choice(len(images), size=min(n, len(images)), replace=False)
    frames = []
    for i in sample:
        box = largest_face(images[i], cascade)
        if box is not None:
            row, col, height, width = box
            frames.append((-row / height, -col / width, images[i].shape[0] / height, images[i].shape[1] / width))
    if len(frames) < len(sample) / 4:
        return None
    return [round(float(v), 4) for v in np.median(frames, axis=0)]


def frame_box(box, frame):
    """The box `frame` (from `face_frame`) describes around a detected `box` ``(row, col, height, width)``."""
    row, col, height, width = box
    top, left, frame_height, frame_width = frame
    return (int(round(row + top * height)), int(round(col + left * width)),
            int(round(frame_height * height)), int(round(frame_width * width)))


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
    boxes = model.find_faces(grey, cascade)
    if not boxes:
        return []
    X, eyes = model.describe(grey, boxes)
    proba = model.probabilities(X)
    return [Face(tuple(int(v) for v in box), model.label_names[int(p.argmax())], float(p.max()),
                 dict(zip(model.label_names, p.round(6).tolist())),
                 None if np.isnan(e).any() else tuple(tuple(round(float(v), 1) for v in point) for point in e))
            for box, p, e in zip(boxes, proba, eyes)]


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
        if face.eyes is not None:
            ax.plot(*zip(*face.eyes), "o", color="cyan", markersize=max(2, w / 30))
    return figure


def _read_each(files):
    """``(path, grey image, None)`` for each file, or ``(path, None, error)`` for one that cannot be read."""
    for path in files:
        try:
            yield path, read_grey(path), None
        except (ValueError, OSError) as error:
            yield path, None, error


def predict_files(model, inputs, out_dir, cascade=None, verbose=False):
    """Predict on every image of `inputs`; write annotated PNGs, ``faces.csv`` and ``faces.json``.

    A file that cannot be read, shows no face, or is too small to show one (under `MIN_FACE_SIDE` pixels on a
    side), is reported in the outputs (``status``) and the batch goes on.

    Parameters
    ----------
    model : ExpressionModel
    inputs : sequence of str or Path
        Image files and folders of images.
    out_dir : str or Path
        An existing folder for the outputs.
    cascade : optional
        The detector's cascade (default: the one shipped with dbnfer).
    verbose : bool
        One progress line per image.

    Returns
    -------
    list of dict
        One row per face (or per image without a face / too small / unreadable).

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If no input is a readable image (nothing is written then).
    """
    out_dir = Path(out_dir)
    files = image_files(inputs)
    rows = []
    with Progress(len(files), "predict", verbose) as progress:
        for i, (path, image, error) in enumerate(_read_each(files)):
            if error is not None:
                rows.append({"file": str(path), "status": f"unreadable: {error}"})
                progress.step(f"{path.name}: unreadable")
                continue
            if min(image.shape) < MIN_FACE_SIDE:
                rows.append({"file": str(path), "status": f"too small: {image.shape[1]}x{image.shape[0]} pixels, "
                                                          f"a face needs {MIN_FACE_SIDE}x{MIN_FACE_SIDE}"})
                progress.step(f"{path.name}: too small")
                continue
            faces = predict_image(model, image, cascade)
            annotated_figure(image, faces).savefig(out_dir / f"{i:04d}_{path.stem}.png")
            if not faces:
                rows.append({"file": str(path), "status": "no face found"})
            rows += [{"file": str(path), "status": "ok", "box": list(face.box), "label": face.label,
                      "probability": face.probability, **face.probabilities,
                      **({} if face.eyes is None else {"eyes": [list(point) for point in face.eyes]})}
                     for face in faces]
            progress.step(f"{path.name}: " +
                          (", ".join(f"{f.label} {f.probability:.2f}" for f in faces) or "no face found"))
    _require_readable(inputs, [row["status"] for row in rows])
    _write_rows(out_dir, rows, model.label_names)
    return rows


def _require_readable(inputs, statuses):
    """A ValueError naming `inputs` when every one of their files was unreadable."""
    if all(status.startswith("unreadable") for status in statuses):
        raise ValueError(f"no readable image in {', '.join(map(str, inputs))}")


def _write_rows(out_dir, rows, label_names):
    (out_dir / "faces.json").write_text(json.dumps(rows, indent=2) + "\n")
    columns = ["file", "status", "box", "label", "probability", *label_names, "eyes"]
    with open(out_dir / "faces.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({**row, "box": " ".join(map(str, row.get("box", []))),
                          "eyes": " ".join(str(v) for point in row.get("eyes", []) for v in point)} for row in rows)


def detect_files(inputs, out_dir, cascade=None, min_neighbours=None, verbose=False):
    """Find the faces of every image of `inputs`; write each image with its boxes drawn, and ``detections.json``.

    A file that cannot be read is listed with its error and the batch goes on.

    Parameters
    ----------
    inputs : sequence of str or Path
        Image files and folders of images.
    out_dir : str or Path
        An existing folder for the outputs: ``NNNN_<name>.png`` per image and ``detections.json`` (the list
        returned).
    cascade : Cascade, optional
        The detector's cascade (default: the one shipped with dbnfer).
    min_neighbours : int, optional
        Raw detections a face needs to be kept (see :func:`dbnfer.detect.detect_faces`; default the cascade's).
    verbose : bool
        One progress line per image.

    Returns
    -------
    list of dict
        Per image ``{"image": path, "faces": [{"row", "col", "height", "width", "score"}, ...]}``, or
        ``{"image": path, "error": message}`` for a file that cannot be read.

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If no input is a readable image (``detections.json`` is not written then).
    """
    from dbnfer.detect import detect_faces

    out_dir = Path(out_dir)
    files = image_files(inputs)
    results = []
    with Progress(len(files), "detect", verbose) as progress:
        for i, (path, image, error) in enumerate(_read_each(files)):
            if error is not None:
                results.append({"image": str(path), "error": str(error)})
                progress.step(f"{path.name}: unreadable")
                continue
            boxes, scores = detect_faces(image, cascade, min_neighbours=min_neighbours)
            imsave(out_dir / f"{i:04d}_{path.stem}.png", (255 * draw_boxes(image, boxes)).astype(np.uint8),
                   check_contrast=False)
            results.append({"image": str(path), "faces": [
                {"row": int(r), "col": int(c), "height": int(h), "width": int(w), "score": float(score)}
                for (r, c, h, w), score in zip(boxes, scores)]})
            progress.step(f"{path.name}: {len(boxes)} face(s)")
    _require_readable(inputs, ["unreadable" if "error" in result else "ok" for result in results])
    (out_dir / "detections.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def expression_series(model, frames, cascade=None, verbose=False):
    """Per-frame probabilities of each expression for a sequence of frames.

    The largest face of each frame is classified; a frame without a face gives a row of NaN.

    Parameters
    ----------
    model : ExpressionModel
    frames : sequence of ndarray
        Grey or colour images.
    cascade : optional
        The detector's cascade (default: the one shipped with dbnfer).
    verbose : bool
        One progress line per frame.

    Returns
    -------
    ndarray, shape (n_frames, n_classes)
    """
    series = np.full((len(frames), len(model.label_names)), np.nan)
    with Progress(len(frames), "frame", verbose) as progress:
        for t, frame in enumerate(frames):
            faces = predict_image(model, frame, cascade)
            if faces:
                largest = max(faces, key=lambda face: face.box[2] * face.box[3])
                series[t] = [largest.probabilities[name] for name in model.label_names]
            progress.step()
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
    series = expression_series(model, frames, cascade, verbose)
    with open(out_dir / "series.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["frame", "file", *model.label_names])
        writer.writerows([t, names[t], *np.round(row, 6)] for t, row in enumerate(series))
    series_figure(series, model.label_names, f"{len(frames)} frames").savefig(out_dir / "series.png", dpi=110)
    return series
