"""Eye localisation inside dbnfer's face boxes: the mean position, OpenCV's eye cascade and dbnfer's localiser.

On the faces that dbnfer's shipped detector finds in two sets nobody trained or tuned on,

* ``landmarks/helen_test``: 330 HELEN photos, one marked face each (68 points; an eye's centre is the mean of
  its six points 36-41 or 42-47, the mouth's the mean of the twenty points 48-67),
* ``detection/mitcmu_dev``: 65 MIT+CMU photos holding 241 marked, often small faces (eye centres and mouth
  centre marked),

a detection frames a marked face when it holds the midpoint of its eyes and is 1.5 to 4 times as wide as the
eyes are apart (`dbnfer.landmarks.train.match_faces`). Each method then places the eyes in that box, and the
error is Jesorsky et al.'s (2001)

    e = max(|l - l*|, |r - r*|) / |l* - r*|

(e <= 0.25: within the eye; e <= 0.10: within the iris). The methods, in the same run:

* mean position: the localiser's start, the mean eye positions inside the detector's box of the Caltech
  WebFaces faces it was trained on;
* OpenCV haarcascade_eye: OpenCV's eye cascade run inside the face box (its upper half), the largest
  detection on each side of the box's middle; where a side has none, that eye takes the mean position;
* dbnfer localiser: `dbnfer.landmarks.locate_eyes` with the shipped (or a given) localiser.

Time per face is the fastest of three runs on each face, one thread, the methods taking turns; the face's
detection is not counted. ``--plot`` writes the fraction of faces with error at most e against e.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/landmarks_eyes.py --plot landmarks_eyes.png \\
        [--localiser FILE] [--detections DIR]
"""

import argparse
import os
from functools import partial
from pathlib import Path

import numpy as np
from timing import best_times

from dbnfer.images import read_grey
from dbnfer.landmarks import load_default_localiser, load_eye_localiser, locate_eyes
from dbnfer.landmarks.supervised_descent import from_box_units
from dbnfer.landmarks.train import THRESHOLDS, detections, eye_error, match_faces

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SCALE_FACTOR, MIN_NEIGHBOURS = 1.1, 3  # OpenCV's defaults for its eye cascade


def helen(folder):
    """[(photo path, (1, 3, 2) true left eye, right eye and mouth centre)] of HELEN's test photos."""
    photos = []
    for pts in sorted(Path(folder).glob("*.pts")):
        p = np.loadtxt(pts)
        marks = np.stack([p[36:42].mean(axis=0), p[42:48].mean(axis=0), p[48:68].mean(axis=0)])
        photos.append((pts.with_suffix(".jpg"), marks[None]))
    return photos


def mitcmu(folder):
    """The same for MIT+CMU: eyes and mouth centre from ``landmarks.txt`` (six points a face)."""
    faces = {}
    for line in Path(folder, "landmarks.txt").read_text().splitlines():
        name, *values = line.split()
        p = np.array(values, dtype=np.float64).reshape(6, 2)
        faces.setdefault(name, []).append(p[[0, 1, 4]])
    return [(Path(folder, "images", name), np.stack(marks)) for name, marks in sorted(faces.items())]


def found_faces(photos, cache):
    """(grey image, box, true marks) of every marked face the detector frames, and the number of faces."""
    boxes = detections([path for path, _ in photos], cache)
    faces = []
    for path, marks in photos:
        image = read_grey(path)
        for mark, b in zip(marks, match_faces(boxes[path.name], marks[:, 0], marks[:, 1])):
            if b >= 0:
                faces.append((image, np.array(boxes[path.name][b]), mark))
    return faces, sum(len(marks) for _, marks in photos)


def opencv_eye_cascade():
    """OpenCV's eye cascade, run on one thread."""
    import cv2
    cv2.setNumThreads(1)
    return cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, "haarcascade_eye.xml"))


def opencv_eye_pair(cascade, image, box):
    """[left eye, right eye] (x, y) found by OpenCV's eye cascade in the upper half of the box: the largest
    detection on each side of its middle, None for a side without one."""
    row, col, height, width = box
    top, left = max(row, 0), max(col, 0)
    upper = (255 * image[top:row + (height + 1) // 2, left:col + width]).astype(np.uint8)
    found = cascade.detectMultiScale(upper, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBOURS)
    centres = [(w * h, left + x + (w - 1) / 2, top + y + (h - 1) / 2) for x, y, w, h in found]
    middle = col + (width - 1) / 2
    sides = [[c for c in centres if c[1] < middle], [c for c in centres if c[1] >= middle]]
    return [np.array(max(side)[1:]) if side else None for side in sides]


def mean_eyes(localiser, box):
    """The localiser's start, the mean positions in the box: (left eye, right eye, mouth) image (x, y)."""
    left, right, _, mouth = from_box_units(localiser.mean_shape_, box)
    return left, right, mouth


def measure(faces, localiser):
    """{method: [(left eye, right eye, mouth or None) of each face]} and {method: ms per face}."""
    cascade = opencv_eye_cascade()

    def opencv(image, box):  # an eye OpenCV misses stays at the mean position
        pair, mean = opencv_eye_pair(cascade, image, box), mean_eyes(localiser, box)
        return tuple(m if p is None else p for p, m in zip(pair, mean[:2])) + (None,)

    methods = {"mean position": lambda image, box: mean_eyes(localiser, box),
               "OpenCV haarcascade_eye": opencv,
               "dbnfer localiser": lambda image, box: _eyes_and_mouth(locate_eyes(image, box, localiser))}
    found = {name: [] for name in methods}
    seconds = dict.fromkeys(methods, 0.0)
    for image, box, _ in faces:
        for name, method in methods.items():
            found[name].append(method(image, box))
        best = best_times({name: partial(method, image, box) for name, method in methods.items()}, 3)
        for name in seconds:
            seconds[name] += best[name]
    return found, {name: 1000 * s / len(faces) for name, s in seconds.items()}


def _eyes_and_mouth(landmarks):
    """(left eye, right eye, mouth) of a `Landmarks`."""
    return np.array(landmarks.left_eye), np.array(landmarks.right_eye), np.array(landmarks.mouth)


def errors(found, faces):
    """{method: (eye error e, mouth error / eye distance or None)} of every face."""
    true = np.array([mark for _, _, mark in faces])
    eyes_apart = np.linalg.norm(true[:, 0] - true[:, 1], axis=1)
    result = {}
    for name, points in found.items():
        left, right = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        mouth = None if points[0][2] is None else np.array([p[2] for p in points])
        result[name] = (eye_error(left, right, true[:, 0], true[:, 1]),
                        None if mouth is None else np.linalg.norm(mouth - true[:, 2], axis=1) / eyes_apart)
    return result


def print_table(title, n_found, n_faces, errs, ms, extra):
    """A Markdown table: the share of faces within each threshold of e, median errors, time per face."""
    print(f"\n{title}: the detector frames {n_found} of {n_faces} marked faces")
    print("| method | " + " | ".join(f"e <= {t:.2f}" for t in THRESHOLDS)
          + " | median e | median mouth error | ms per face |")
    print("|---" * (len(THRESHOLDS) + 4) + "|")
    for name, (e, mouth) in errs.items():
        shares = " | ".join(f"{100 * np.mean(e <= t):.1f} %" for t in THRESHOLDS)
        mouth_text = "—" if mouth is None else f"{np.median(mouth):.3f}"
        print(f"| {name}{extra.get(name, '')} | {shares} | {np.median(e):.3f} | {mouth_text} | {ms[name]:.2f} |")


def confidence_line(faces, localiser, e):
    """How well the localiser's confidence picks out its failures."""
    confidence = np.array([locate_eyes(image, box, localiser).confidence for image, box, _ in faces])
    low = confidence < np.quantile(confidence, 0.1)
    failed = e > 0.10
    return (f"confidence: the 10 % least confident faces hold {failed[low].sum()} of the {failed.sum()} faces "
            f"with e > 0.10 (e > 0.10 in {100 * failed[low].mean():.0f} % of them, {100 * failed[~low].mean():.0f} % "
            f"of the others)")


def plot(curves, path):
    """One panel per data set: the fraction of faces with error at most e, against e, for each method."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 4), sharey=True)
    grid = np.linspace(0, 0.3, 301)
    for ax, (title, errs) in zip(np.atleast_1d(axes), curves.items()):
        for name, (e, _) in errs.items():
            ax.plot(grid, [np.mean(e <= t) for t in grid], label=name)
        for t in THRESHOLDS:
            ax.axvline(t, color="0.8", lw=0.8, zorder=0)
        ax.set(title=title, xlabel="e = worse eye's error / distance between the eyes", xlim=(0, 0.3), ylim=(0, 1))
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("fraction of faces with error <= e")
    np.atleast_1d(axes)[0].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"\nwrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="write the curves of the fraction of faces against e to this PNG")
    parser.add_argument("--localiser", help="a dbnfer eye localiser file (default: the shipped one)")
    parser.add_argument("--detections", help="folder for the JSON caches of the detector's boxes")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: HELEN and MIT+CMU are research data, not distributed with dbnfer; nothing to do")
        return
    localiser = load_default_localiser() if args.localiser is None else load_eye_localiser(args.localiser)
    sets = {"HELEN test": helen(DATA / "landmarks" / "helen_test"),
            "MIT+CMU dev": mitcmu(DATA / "detection" / "mitcmu_dev")}
    curves = {}
    for (title, photos), cache_name in zip(sets.items(), ("helen_test.json", "mitcmu_dev.json")):
        cache = None if args.detections is None else Path(args.detections, cache_name)
        faces, n_faces = found_faces(photos, cache)
        found, ms = measure(faces, localiser)
        errs = errors(found, faces)
        cascade = opencv_eye_cascade()
        pairs = sum(all(eye is not None for eye in opencv_eye_pair(cascade, image, box)) for image, box, _ in faces)
        print_table(title, len(faces), n_faces, errs, ms, {"OpenCV haarcascade_eye": f" (a pair in {pairs} faces)"})
        print(confidence_line(faces, localiser, errs["dbnfer localiser"][0]))
        curves[title] = errs
    if args.plot:
        plot(curves, args.plot)


if __name__ == "__main__":
    main()
