"""Face detection on MIT+CMU photos: dbnfer's cascade against OpenCV's Haar cascade and scikit-image's LBP cascade.

On ``../shared/data/detection/mitcmu_dev`` (65 grey photos holding 241 marked faces, half of the MIT+CMU frontal
test set of Rowley, Baluja & Kanade 1998; scanned group photos, posters, news pictures), in one run:

* found and false positives at the default settings: a detection finds a face when its box and the face's true
  box overlap by IoU >= 0.3; true boxes are matched greedily, the pair of highest IoU first, each true box and
  each detection at most once; every detection left unmatched is a false positive (a face that is not marked,
  e.g. a drawing, counts as one too);
* the rates by true face height (box height: < 30, 30-45, 45-70, >= 70 px);
* time per photo, and per 640x480 equivalent (total time over total pixels, times 640 x 480), fastest of
  ``--repeats`` runs per photo, the detectors taking turns on each photo (`timing.best_times`), as ratios to
  OpenCV's;
* ROC-style curves, faces found against false positives: min-neighbours swept from 0 to 20 for each detector
  (each with its own grouping rule, as its users get it), and for dbnfer, at its cascade's min-neighbours,
  the last stage's threshold Theta_S moved by delta or, for a cascade with a verifier network, the verifier's
  threshold on p(face | x) swept from 0.02 to 0.998. The raw windows of each photo are found once (dbnfer's
  with the most lenient threshold, OpenCV's with minNeighbors=0, scikit-image's with no merging) and grouped
  for every setting; the script checks that this gives the default settings' detections again.

Settings, the same for all: pyramid scale factor 1.2, min-neighbours 3 (dbnfer: its cascade's own, 3 without a
verifier), smallest face 20 px, one thread (OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 are set here unless
given; cv2.setNumThreads(1)). Each detector scans windows from 20 px up, or from its own training window where that
is larger: dbnfer's shipped cascade from 20 px (its window is 19x19, eyebrows to mouth; the box it reports is 1.4
times as tall, so 28 px at the least), OpenCV and scikit-image from 24 px (24x24 windows, whole faces).
Min-neighbours is each library's rule: OpenCV's and dbnfer's keep a group of more than k raw windows,
scikit-image's at least k (its min_neighbor_number); at k = 0 OpenCV returns the raw windows ungrouped and
scikit-image every cluster. OpenCV's cascade is the Debian package ``opencv-data``, or the copy inside
opencv-python.

``--cascade`` evaluates another dbnfer cascade file, ``--skip-anchors`` leaves OpenCV and scikit-image out (the
time ratios then go), ``--plot`` draws the curves, ``--json`` writes every figure::

    {"settings": {...}, "detectors": {"dbnfer Haar": {"found", "faces", "rate", "false_positives",
        "by_height": {bin: {"found", "faces"}}, "ms_per_photo", "ms_per_640x480", "time_ratio_to_opencv",
        "min_neighbours_curve": [{"min_neighbours", "found", "false_positives"}, ...],
        "theta_curve": [{"delta_over_alpha_sum", "delta", "found", "false_positives"}, ...]  (a cascade alone)
        or "verifier_curve": [{"threshold", "found", "false_positives"}, ...]  (with a verifier), "min_neighbours"},
        "OpenCV Haar": {... no theta_curve}, "scikit-image LBP": {...}}}

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/detect_mitcmu.py [--repeats 3] [--plot docs/detect_mitcmu_roc.png]
        [--json OUT.json] [--cascade FILE.npz] [--skip-anchors]
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before NumPy and OpenMP load
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
from detect_vs_opencv import OPENCV_XML  # noqa: E402
from timing import best_times  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "detection" / "mitcmu_dev"
SCALE_FACTOR = 1.2
MIN_SIZE = 20
MIN_NEIGHBOURS = 3
MIN_IOU = 0.3
HEIGHT_BINS = [(0, 30, "< 30 px"), (30, 45, "30-45 px"), (45, 70, "45-70 px"), (70, np.inf, ">= 70 px")]
SWEEP = range(0, 21)  # min-neighbours
THETA_OFFSETS = np.round(np.arange(-0.05, 0.1001, 0.01), 2)  # delta / sum of the last stage's alphas
VERIFIER_THRESHOLDS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998)
FP_BUDGETS = (10, 20, 35, 50)  # false positives: the best rate of any swept setting within each is printed
OURS, OPENCV, SKIMAGE = "dbnfer Haar", "OpenCV Haar", "scikit-image LBP"


@dataclass
class Detector:
    """A detector as this benchmark drives it; boxes are (n, 4) int arrays (row, col, height, width).

    detect(image) -> boxes at the default settings (what is timed); raw(image) -> the raw windows, found once;
    group(raw, k) -> the boxes at min-neighbours k.
    """

    detect: Callable
    raw: Callable
    group: Callable
    min_neighbours: int = MIN_NEIGHBOURS  # of the default settings
    verified: bool = False  # a dbnfer cascade with a verifier network


def load_photos(folder):
    """[(name, uint8 grey image, (n, 4) true boxes x1 y1 x2 y2)] of the photos in ``folder/images``."""
    from PIL import Image
    truths = {}
    for line in (folder / "boxes.txt").read_text().splitlines():
        if line.strip():
            name, *box = line.split()
            truths.setdefault(name, []).append([float(v) for v in box])
    photos = []
    for path in sorted((folder / "images").iterdir()):
        boxes = np.array(truths.get(path.name, []), dtype=np.float64).reshape(-1, 4)
        photos.append((path.name, np.asarray(Image.open(path).convert("L")), boxes))
    return photos


# --- the detectors -------------------------------------------------------------------------------------------

def dbnfer_detector(cascade, offsets):
    """dbnfer's `detect_faces`; its raw windows are scanned once, and `group(raw, k, x)` keeps those that pass
    the sweep's setting x. Without a verifier, x is delta: the windows scanned with the last stage's threshold
    lowered by the most lenient offset, kept when they pass Theta_S + delta. With a verifier, x is its threshold
    on p(face | x): the windows its stages pass, with their probabilities, kept when p >= x."""
    from dbnfer.detect import Cascade, detect_faces
    from dbnfer.detect.nms import frame_boxes, group_boxes
    from dbnfer.detect.scan import context_patches, raw_detections
    from dbnfer.images import as_grey
    verifier = cascade.verifier
    lowest = min(0.0, min(offsets))
    thresholds = cascade.stage_thresholds.copy()
    thresholds[-1] += lowest
    lenient = Cascade(cascade.features, cascade.thresholds, cascade.polarities, cascade.alphas,
                      cascade.stage_ends, thresholds, cascade.face_box)

    def detect(image):
        return detect_faces(image, cascade, scale_factor=SCALE_FACTOR, min_size=MIN_SIZE)[0]

    def raw(image):  # as detect_faces does, up to the grouping
        grey = as_grey(image).astype(np.float32)
        if verifier is None:
            return raw_detections(grey, lenient, SCALE_FACTOR, min_size=MIN_SIZE)
        windows, _ = raw_detections(grey, cascade.scanned_stages, SCALE_FACTOR, min_size=MIN_SIZE)
        patches = context_patches(grey, windows, cascade.window_shape, SCALE_FACTOR, MIN_SIZE, None, verifier.context)
        return windows, verifier.probabilities(patches)

    def group(raw_windows, k, x=None):
        windows, values = raw_windows  # margins over Theta_S + lowest, or probabilities
        if verifier is None:
            kept = windows[values >= (x or 0.0) - lowest]
        else:
            kept = windows[values >= (verifier.threshold if x is None else x)]
        grouped, _ = group_boxes(kept, k, frame=cascade.face_box)
        return np.round(frame_boxes(grouped, cascade.face_box)).astype(int)

    return Detector(detect, raw, group, cascade.min_neighbours, verifier is not None)


def opencv_detector():
    """(OpenCV's CascadeClassifier with haarcascade_frontalface_default, which file) or (None, why not)."""
    try:
        import cv2
    except ImportError:
        return None, "OpenCV (cv2) is not installed (pip install 'opencv-python-headless<5')"
    xml = next((p for p in OPENCV_XML if os.path.isfile(p)), None)
    if xml is None and hasattr(cv2, "data"):
        xml = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
    if xml is None or not os.path.isfile(xml) or not hasattr(cv2, "CascadeClassifier"):
        return None, "OpenCV's haarcascade_frontalface_default.xml or CascadeClassifier is missing"
    cv2.setNumThreads(1)
    opencv = cv2.CascadeClassifier(xml)

    def as_boxes(rects):  # OpenCV's (x, y, w, h) -> (row, col, height, width)
        return np.array([(y, x, h, w) for x, y, w, h in rects], dtype=int).reshape(-1, 4)

    def detect(image, k=MIN_NEIGHBOURS):
        return as_boxes(opencv.detectMultiScale(image, scaleFactor=SCALE_FACTOR, minNeighbors=k,
                                                minSize=(MIN_SIZE, MIN_SIZE)))

    def group(raw_windows, k):  # what detectMultiScale does with minNeighbors=k: groupRectangles, eps 0.2
        if k == 0 or len(raw_windows) == 0:
            return raw_windows
        rects = [[int(c), int(r), int(w), int(h)] for r, c, h, w in raw_windows]
        return as_boxes(cv2.groupRectangles(rects, k, 0.2)[0])

    return Detector(detect, lambda image: detect(image, 0), group), f"OpenCV {cv2.__version__}, {xml}"


def skimage_detector():
    """scikit-image's LBP `Cascade` with its frontal-face file, as in detect_vs_opencv.py."""
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade as LBPCascade
    lbp = LBPCascade(lbp_frontal_face_cascade_filename())

    def detect(image, k=MIN_NEIGHBOURS, merge=0.5):
        return np.array([(d["r"], d["c"], d["height"], d["width"]) for d in lbp.detect_multi_scale(
            image / 255.0, scale_factor=SCALE_FACTOR, step_ratio=1, min_size=(MIN_SIZE, MIN_SIZE),
            max_size=image.shape, min_neighbor_number=k, intersection_score_threshold=merge)],
            dtype=int).reshape(-1, 4)

    def raw(image):  # merge=1.0: no overlap exceeds all of the smaller box, so no window joins another yet
        return skimage_clusters(detect(image, 0, merge=1.0))

    def group(clusters, k):
        means, counts = clusters
        return means[counts >= k]

    return Detector(detect, raw, group)


def skimage_clusters(windows, merge=0.5):
    """The clusters of scikit-image's `_group_detections` (skimage/feature/_cascade.pyx), which it does not expose:
    (mean boxes (n, 4), number of windows in each); it keeps those of at least min_neighbor_number windows.

    In scan order each window joins the cluster whose mean box (integer means) it overlaps most, by intersection
    over the smaller area, if that exceeds `merge`, or starts a new one.
    """
    sums, counts = [], []
    for window in windows:
        scores = [_overlap_of_smaller(window, s // n) for s, n in zip(sums, counts)]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] > merge:
            sums[best] = sums[best] + window
            counts[best] += 1
        else:
            sums.append(np.array(window))
            counts.append(1)
    means = np.array([s // n for s, n in zip(sums, counts)], dtype=int).reshape(-1, 4)
    return means, np.array(counts, dtype=int)


def _overlap_of_smaller(a, b):
    """Intersection area of boxes a and b (row, col, height, width) over the smaller one's area."""
    rows = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    cols = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return rows * cols / min(a[2] * a[3], b[2] * b[3])


# --- scoring ---------------------------------------------------------------------------------------------------

def iou(boxes, truths):
    """(n_boxes, n_truths) intersection over union; boxes (row, col, height, width), truths x1 y1 x2 y2."""
    r, c, h, w = (v[:, None] for v in np.asarray(boxes, dtype=np.float64).reshape(-1, 4).T)  # (n_boxes, 1)
    x1, y1, x2, y2 = truths.T  # (n_truths,)
    across = np.clip(np.minimum(c + w, x2) - np.maximum(c, x1), 0, None)
    down = np.clip(np.minimum(r + h, y2) - np.maximum(r, y1), 0, None)
    inter = across * down
    return inter / (h * w + (x2 - x1) * (y2 - y1) - inter)


def match(boxes, truths, min_iou=MIN_IOU):
    """(bool per true box: found, number of false positives), pairs taken greedily by IoU, highest first."""
    overlap = iou(boxes, truths)
    found, used = np.zeros(len(truths), dtype=bool), np.zeros(len(overlap), dtype=bool)
    for i, j in zip(*np.unravel_index(np.argsort(-overlap, axis=None, kind="stable"), overlap.shape)):
        if overlap[i, j] < min_iou:
            break
        if not (used[i] or found[j]):
            used[i] = found[j] = True
    return found, int(np.sum(~used))


def score(boxes_per_photo, photos):
    """(bool per true face, in photo order; total false positives)."""
    results = [match(boxes, truths) for boxes, (_, _, truths) in zip(boxes_per_photo, photos)]
    return np.concatenate([found for found, _ in results]), sum(fp for _, fp in results)


def rates_by_height(found, photos):
    """{bin label: (faces found, faces in the bin)} by true box height."""
    heights = np.concatenate([truths[:, 3] - truths[:, 1] for _, _, truths in photos])
    rates = {}
    for lo, hi, label in HEIGHT_BINS:
        in_bin = (heights >= lo) & (heights < hi)
        rates[label] = (int(found[in_bin].sum()), int(in_bin.sum()))
    return rates


def curve(detector, raws, photos):
    """[(k, faces found, false positives)] for min-neighbours k in `SWEEP`."""
    points = []
    for k in SWEEP:
        found, false_positives = score([detector.group(raw, k) for raw in raws], photos)
        points.append((k, int(found.sum()), false_positives))
    return points


def theta_curve(detector, raws, photos, scale):
    """[(delta / scale, delta, faces found, false positives)] at the default min-neighbours, for Theta_S moved by
    delta = `THETA_OFFSETS` x `scale` (the last stage's sum of alphas)."""
    points = []
    for offset in THETA_OFFSETS:
        found, false_positives = score([detector.group(raw, detector.min_neighbours, offset * scale)
                                        for raw in raws], photos)
        points.append((float(offset), float(offset * scale), int(found.sum()), false_positives))
    return points


def verifier_curve(detector, raws, photos):
    """[(threshold, faces found, false positives)] at the default min-neighbours, for the verifier's threshold
    on p(face | x) swept over `VERIFIER_THRESHOLDS`."""
    points = []
    for t in VERIFIER_THRESHOLDS:
        found, false_positives = score([detector.group(raw, detector.min_neighbours, t) for raw in raws], photos)
        points.append((float(t), int(found.sum()), false_positives))
    return points


# --- the run ---------------------------------------------------------------------------------------------------

def timed_detections(detectors, photos, repeats):
    """({name: [boxes per photo]}, {name: [seconds per photo]}): the default settings, fastest of `repeats`
    runs, the detectors taking turns on each photo."""
    boxes = {name: [] for name in detectors}
    seconds = {name: [] for name in detectors}
    for _, image, _ in photos:
        last = {}

        def runner(name, detect):
            return lambda: last.__setitem__(name, detect(image))

        best = best_times({name: runner(name, d.detect) for name, d in detectors.items()}, repeats)
        for name in detectors:
            boxes[name].append(last[name])
            seconds[name].append(best[name])
    return boxes, seconds


def figures(detectors, photos, repeats, theta_scale):
    """Every figure of the benchmark, as a JSON-ready dict per detector."""
    boxes, seconds = timed_detections(detectors, photos, repeats)
    pixels = sum(image.size for _, image, _ in photos)
    results = {}
    for name, detector in detectors.items():
        found, false_positives = score(boxes[name], photos)
        raws = [detector.raw(image) for _, image, _ in photos]
        points = curve(detector, raws, photos)
        k3 = next(p for p in points if p[0] == detector.min_neighbours)
        results[name] = {
            "found": int(found.sum()), "faces": len(found), "rate": float(found.mean()),
            "false_positives": false_positives,
            "by_height": {label: {"found": f, "faces": n} for label, (f, n) in rates_by_height(found, photos).items()},
            "ms_per_photo": 1000 * float(np.mean(seconds[name])),
            "ms_per_640x480": 1000 * sum(seconds[name]) / pixels * 640 * 480,
            "sweep_reproduces_default": [k3[1], k3[2]] == [int(found.sum()), false_positives],
            "min_neighbours": detector.min_neighbours,
            "min_neighbours_curve": [{"min_neighbours": k, "found": f, "false_positives": fp} for k, f, fp in points]}
        if name == OURS and detector.verified:
            results[name]["verifier_curve"] = [{"threshold": t, "found": f, "false_positives": fp}
                                               for t, f, fp in verifier_curve(detector, raws, photos)]
        elif name == OURS:
            results[name]["theta_curve"] = [
                {"delta_over_alpha_sum": x, "delta": d, "found": f, "false_positives": fp}
                for x, d, f, fp in theta_curve(detector, raws, photos, theta_scale)]
    if OPENCV in results:
        for entry in results.values():
            entry["time_ratio_to_opencv"] = entry["ms_per_640x480"] / results[OPENCV]["ms_per_640x480"]
    return results


def print_table(results, photos):
    """The figures at the default settings, the curves' points, and the best rate within a few budgets of false
    positives."""
    first = next(iter(results.values()))
    labels = [label for _, _, label in HEIGHT_BINS]
    print(f"MIT+CMU dev: {len(photos)} photos, {first['faces']} faces; found = IoU >= {MIN_IOU} with a true box\n")
    print(f"{'detector':17s} | {'found':>13s} | {'false pos.':>10s} | "
          + " | ".join(f"{label} ({first['by_height'][label]['faces']})" for label in labels)
          + " | ms/photo | ms/640x480 | x OpenCV")
    for name, r in results.items():
        by_height = [r["by_height"][label] for label in labels]
        ratio = f"{r['time_ratio_to_opencv']:8.2f}" if "time_ratio_to_opencv" in r else f"{'-':>8s}"
        print(f"{name:17s} | {r['found']:3d} ({r['rate']:6.1%}) | {r['false_positives']:10d} | "
              + " | ".join(f"{b['found'] / max(1, b['faces']):>{len(label) + 5}.1%}"
                           for b, label in zip(by_height, labels))
              + f" | {r['ms_per_photo']:8.1f} | {r['ms_per_640x480']:10.1f} | {ratio}")
    print("\nfaces found (false positives) by min-neighbours k:")
    for name, r in results.items():
        print(f"{name:17s} " + " ".join(f"{p['min_neighbours']}:{p['found']}({p['false_positives']})"
                                        for p in r["min_neighbours_curve"]))
        if not r["sweep_reproduces_default"]:
            print(f"{'':17s} warning: the sweep at k = {r['min_neighbours']} differs from the default call")
    ours_k = results[OURS]["min_neighbours"]
    if "verifier_curve" in results[OURS]:
        print(f"\n{OURS}, min-neighbours {ours_k}, the verifier's threshold on p(face): faces found (false positives)")
        print(" ".join(f"{p['threshold']}:{p['found']}({p['false_positives']})"
                       for p in results[OURS]["verifier_curve"]))
    if "theta_curve" in results[OURS]:
        print(f"\n{OURS}, min-neighbours {ours_k}, last stage's threshold Theta_S + delta (in units of its "
              "sum of alphas): faces found (false positives)")
        print(" ".join(f"{p['delta_over_alpha_sum']:+.2f}:{p['found']}({p['false_positives']})"
                       for p in results[OURS]["theta_curve"]))
    print()
    for name, r in results.items():
        points = r["min_neighbours_curve"] + r.get("theta_curve", []) + r.get("verifier_curve", [])
        best = [max((p["found"] for p in points if p["false_positives"] <= budget), default=0) / r["faces"]
                for budget in FP_BUDGETS]
        print(f"{name:17s} best found at <= " + ", ".join(f"{budget} f.p.: {rate:.1%}"
                                                          for budget, rate in zip(FP_BUDGETS, best)))


def plot(results, path):
    """Faces found against false positives, one curve per detector and sweep; the default settings marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, r in results.items():
        points = r["min_neighbours_curve"]
        line, = ax.plot([p["false_positives"] for p in points], [p["found"] / r["faces"] for p in points],
                        marker=".", label=f"{name}, min-neighbours 0-{SWEEP[-1]}")
        ax.plot(r["false_positives"], r["rate"], marker="o", ms=9, mfc="none", color=line.get_color())
        for key, what in (("theta_curve", "last-stage threshold"), ("verifier_curve", "verifier's threshold")):
            if key in r:
                ax.plot([p["false_positives"] for p in r[key]], [p["found"] / r["faces"] for p in r[key]], ls="--",
                        marker="x", color=line.get_color(),
                        label=f"{name}, {what}, min-neighbours {r['min_neighbours']}")
    ax.set(xlabel="false positives (65 photos)", ylabel="fraction of the 241 faces found", xlim=(0, 150),
           ylim=(0, 1), title="MIT+CMU dev (circles: the default settings)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"\nwrote {path}")


def fail(message):
    """A user's mistake: one line, exit status 2."""
    print(f"detect_mitcmu.py: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cascade", help="a dbnfer cascade file (default: the shipped one)")
    parser.add_argument("--skip-anchors", action="store_true", help="dbnfer only: no OpenCV, no scikit-image")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per photo and detector (the fastest)")
    parser.add_argument("--json", help="write every figure, curve points included, to this JSON file")
    parser.add_argument("--plot", help="draw the curves to this PNG")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: MIT+CMU is research data, not distributed with dbnfer; nothing to benchmark")
        return
    from dbnfer.detect import load_cascade, load_default_cascade
    try:
        cascade = load_default_cascade() if args.cascade is None else load_cascade(args.cascade)[0]
    except (OSError, ValueError) as error:
        fail(f"--cascade {error}")
    theta_scale = float(np.sum(cascade.alphas[cascade.stage_slice(cascade.n_stages - 1)]))
    detectors = {OURS: dbnfer_detector(cascade, THETA_OFFSETS * theta_scale)}
    if not args.skip_anchors:
        opencv, note = opencv_detector()
        if opencv is None:
            print(f"{note}: its column is skipped")
        else:
            print(note)
            detectors[OPENCV] = opencv
        detectors[SKIMAGE] = skimage_detector()
    photos = load_photos(DATA)
    results = figures(detectors, photos, args.repeats, theta_scale)
    print_table(results, photos)
    window = cascade.window_shape
    print(f"\nscale factor {SCALE_FACTOR}, smallest face {MIN_SIZE} px (dbnfer window {window[0]}x{window[1]}, "
          f"OpenCV and scikit-image 24x24), min-neighbours {MIN_NEIGHBOURS} (dbnfer: its cascade's, "
          f"{cascade.min_neighbours}), one thread; time: fastest of "
          f"{args.repeats} runs per photo, detectors taking turns; delta in units of the last stage's sum of "
          f"alphas, {theta_scale:.2f}")
    if args.json:
        settings = {"scale_factor": SCALE_FACTOR, "min_size": MIN_SIZE, "min_neighbours": MIN_NEIGHBOURS,
                    "dbnfer_min_neighbours": cascade.min_neighbours,
                    "min_iou": MIN_IOU, "repeats": args.repeats, "cascade": args.cascade or "shipped",
                    "photos": len(photos), "last_stage_alpha_sum": theta_scale}
        Path(args.json).write_text(json.dumps({"settings": settings, "detectors": results}, indent=1))
        print(f"wrote {args.json}")
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
