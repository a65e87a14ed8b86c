"""Training the eye localiser on marked faces: the photos, the faces the detector finds in them, the stages.

The shipped localiser (``eyes.npz`` beside this module) is retrained with one command::

    OPENBLAS_NUM_THREADS=1 python -m dbnfer.landmarks.train --data ../shared/data/landmarks/caltech_webfaces \\
        --out src/dbnfer/landmarks/eyes.npz --detections /tmp/caltech_detections.json

It trains on the faces that the shipped detector finds among the marked ones, each in the box the detector
gives it, so that the localiser learns to start from exactly what it will be given. ``--holdout 0.2`` keeps a
fifth of the photos out and reports the eye error on them (how the settings were chosen, docs/landmarks.md).
"""

import argparse
import json
from pathlib import Path

import numpy as np

from dbnfer.images import read_grey
from dbnfer.landmarks.supervised_descent import EyeLocaliser
from dbnfer.progress import Progress, report

#: A detection frames a marked face when it holds the midpoint of the eyes and is a plausible size for it: its
#: width between these multiples of the distance between the eyes.
BOX_TO_EYES = (1.5, 4.0)
#: Thresholds of the eye error `eye_error` at which the share of faces is reported.
THRESHOLDS = (0.05, 0.10, 0.25)


def read_marked_faces(folder):
    """The marked faces of Caltech WebFaces, photo by photo.

    Parameters
    ----------
    folder : str or pathlib.Path
        Holds ``images/`` and ``landmarks.txt`` (one face a line: the photo's name, then x y of the left eye,
        right eye, nose and mouth centre).

    Returns
    -------
    dict of str -> ndarray, shape (n_faces, 4, 2)
        Landmarks (image x, y pixels) of the faces of each photo, in the order of
        `supervised_descent.POINTS`.
    """
    faces = {}
    for line in Path(folder, "landmarks.txt").read_text().splitlines():
        name, *values = line.split()
        faces.setdefault(name, []).append(np.array(values, dtype=np.float64).reshape(4, 2))
    return {name: np.stack(points) for name, points in faces.items()}


def match_faces(boxes, left_eyes, right_eyes):
    """The detection that frames each marked face, if any.

    A detection frames a face when it holds the midpoint of its eyes and its width is `BOX_TO_EYES` times
    the distance between them; of several, the first (`detect_faces` lists the surest first).

    Parameters
    ----------
    boxes : array_like, shape (n_boxes, 4)
        (row, col, height, width).
    left_eyes, right_eyes : array_like, shape (n_faces, 2)
        True eye centres, image (x, y).

    Returns
    -------
    ndarray of int, shape (n_faces,)
        Index of each face's box, -1 where none frames it.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    left_eyes, right_eyes = np.asarray(left_eyes, dtype=np.float64), np.asarray(right_eyes, dtype=np.float64)
    if len(boxes) == 0:
        return np.full(len(left_eyes), -1)
    middle = (left_eyes + right_eyes) / 2
    eyes_apart = np.linalg.norm(left_eyes - right_eyes, axis=1)
    row, col, height, width = (v[None, :] for v in boxes.T)
    x, y = middle[:, :1], middle[:, 1:]
    frames = ((col <= x) & (x < col + width) & (row <= y) & (y < row + height)
              & (BOX_TO_EYES[0] * eyes_apart[:, None] <= width) & (width <= BOX_TO_EYES[1] * eyes_apart[:, None]))
    return np.where(frames.any(axis=1), np.argmax(frames, axis=1), -1)


def eye_error(left, right, true_left, true_right):
    """Jesorsky et al. (2001): the worse eye's error over the distance between the true eyes.

        e = max(|l - l*|, |r - r*|) / |l* - r*|

    Parameters
    ----------
    left, right, true_left, true_right : array_like, shape (n, 2)

    Returns
    -------
    ndarray, shape (n,)
        e of each face; e <= 0.25 is about "within the eye", e <= 0.1 "within the iris".

    References
    ----------
    Jesorsky, O., Kirchberg, K. J. & Frischholz, R. W. (2001). Robust face detection using the Hausdorff
        distance. AVBPA, LNCS 2091.
    """
    left, right, true_left, true_right = (np.asarray(a, dtype=np.float64) for a in (left, right, true_left,
                                                                                   true_right))
    worse = np.maximum(np.linalg.norm(left - true_left, axis=-1), np.linalg.norm(right - true_right, axis=-1))
    return worse / np.linalg.norm(true_left - true_right, axis=-1)


def summarise(e):
    """'e <= 0.05: a %, e <= 0.10: b %, e <= 0.25: c %, median e d' for an array of eye errors."""
    e = np.asarray(e)
    shares = ", ".join(f"e <= {t:.2f}: {100 * np.mean(e <= t):.1f} %" for t in THRESHOLDS)
    return f"{shares}, median e {np.median(e):.3f} ({len(e)} faces)"


def detections(paths, cache=None, verbose=False):
    """The shipped detector's boxes in each photo, kept in a JSON file between runs.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        The photos.
    cache : str or pathlib.Path, optional
        JSON file {photo file name: [[row, col, height, width], ...]}: read when it exists (and holds every
        photo), written after detecting otherwise; detecting 2,000 web photos takes minutes.
    verbose : bool
        Show progress.

    Returns
    -------
    dict of str -> list of list of int
        The boxes of each photo, by file name, the surest first.
    """
    from dbnfer.detect import detect_faces
    cache = None if cache is None else Path(cache)
    if cache is not None and cache.is_file():
        found = json.loads(cache.read_text())
        if all(path.name in found for path in paths):
            return found
    found = {}
    with Progress(len(paths), "photo", verbose) as progress:
        for path in paths:
            found[path.name] = detect_faces(read_grey(path))[0].tolist()
            progress.step(path.name)
    if cache is not None:
        cache.write_text(json.dumps(found))
    return found


def detect_marked_faces(folder, cache=None, verbose=False):
    """The marked faces that the shipped detector finds, each with its box.

    Parameters
    ----------
    folder : str or pathlib.Path
        Caltech WebFaces as `read_marked_faces` reads it.
    cache : str or pathlib.Path, optional
        The detections' JSON file (`detections`).
    verbose : bool
        Show progress.

    Returns
    -------
    photos : list of str
        The photo of each found face.
    boxes : ndarray of int, shape (n, 4)
    points : ndarray, shape (n, 4, 2)
    """
    marked = read_marked_faces(folder)
    found = detections([Path(folder, "images", name) for name in marked], cache, verbose)
    photos, boxes, points = [], [], []
    for name, faces in marked.items():
        box_of = match_faces(found[name], faces[:, 0], faces[:, 1])
        for face, b in zip(faces, box_of):
            if b >= 0:
                photos.append(name)
                boxes.append(found[name][b])
                points.append(face)
    report(f"the detector frames {len(photos)} of the {sum(map(len, marked.values()))} marked faces", verbose)
    return photos, np.array(boxes, dtype=int).reshape(-1, 4), np.array(points).reshape(-1, 4, 2)


def train_eye_localiser(folder, cache=None, holdout=0.0, random_state=0, verbose=False, **settings):
    """Train an `EyeLocaliser` on the Caltech WebFaces faces the detector finds.

    Parameters
    ----------
    folder : str or pathlib.Path
        Caltech WebFaces: ``images/`` and ``landmarks.txt``.
    cache : str or pathlib.Path, optional
        The detections' JSON file (`detections`).
    holdout : float
        Share of the photos kept out of training; the eye error on their faces is reported (with `verbose`)
        and returned.
    random_state : int
        Seeds the held-out photos and the localiser's perturbed starts.
    verbose : bool
        Show progress.
    **settings
        Passed to `EyeLocaliser` (frame_size, n_cells, cell_sizes, lam, n_starts, ...).

    Returns
    -------
    localiser : EyeLocaliser
    held_out_errors : ndarray
        e (`eye_error`) of each held-out face; empty when `holdout` is 0.
    """
    rng = np.random.default_rng(random_state)
    photos, boxes, points = detect_marked_faces(folder, cache, verbose)
    names = np.unique(photos)
    kept_out = set(rng.choice(names, int(round(holdout * len(names))), replace=False))
    test = np.array([name in kept_out for name in photos], dtype=bool)
    localiser = EyeLocaliser(random_state=rng, verbose=verbose, **settings)
    localiser.fit(_images(folder, np.array(photos)[~test]), boxes[~test], points[~test])
    errors = np.zeros(0)
    if test.any():
        found = [localiser.locate(read_grey(Path(folder, "images", name)), box)[0]
                 for name, box in zip(np.array(photos)[test], boxes[test])]
        errors = eye_error([f.left_eye for f in found], [f.right_eye for f in found],
                           points[test, 0], points[test, 1])
        report(f"held out: {summarise(errors)}", verbose)
    return localiser, errors


def _images(folder, photos):
    """The grey photo of each face, read in turn (a photo with several faces is read once for all)."""
    last, image = None, None
    for name in photos:
        if name != last:
            last, image = name, read_grey(Path(folder, "images", name))
        yield image


def main(argv=None):
    """``python -m dbnfer.landmarks.train``: train and save the eye localiser."""
    parser = argparse.ArgumentParser(prog="python -m dbnfer.landmarks.train", description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="Caltech WebFaces folder (images/, landmarks.txt)")
    parser.add_argument("--out", help="where to write the localiser (.npz)")
    parser.add_argument("--detections", help="JSON cache of the detector's boxes per photo (read or written)")
    parser.add_argument("--holdout", type=float, default=0.0, help="share of photos kept out and measured")
    parser.add_argument("--frame-size", type=int, help="S, the side of the face frame (EyeLocaliser's default)")
    parser.add_argument("--cell-sizes", type=int, nargs="+", help="cell size of each stage")
    parser.add_argument("--lam", type=float, help="ridge penalty per sample")
    parser.add_argument("--rotation", type=float, help="standard deviation (degrees) of the training turns")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    settings = {name: getattr(args, name) for name in ("frame_size", "cell_sizes", "lam", "rotation")
                if getattr(args, name) is not None}
    localiser, _ = train_eye_localiser(args.data, args.detections, args.holdout, args.seed, verbose=True,
                                       **settings)
    if args.out:
        localiser.save(args.out)
        report(f"wrote {args.out}")


if __name__ == "__main__":
    main()
