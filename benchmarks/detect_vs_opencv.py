"""Face detection: dbnfer's shipped Haar cascade against OpenCV's Haar cascade and scikit-image's LBP cascade.

On the JAFFE (213) and Yale (155 once exact copies are dropped) photos in ../shared/data, each holding exactly one
face, in the same run:

* detection rate: the fraction of photos with exactly one detection, that box containing both eye centres and the
  mouth centre and being at most 3x the eye-to-mouth distance tall (a box round the whole picture does not count);
* false positives per photo: detections that do not contain the three points;
* time per 640x480 image: the first photos of each set resized to 640x480, fastest of three runs per image, the
  detectors taking turns.

The eye and mouth centres are not shipped with the photos. ``jaffe_yale_landmarks.json`` beside this script (the
default ``--landmarks``) holds them once per subject, found by dbnfer: the shipped eye localiser on each of the
subject's photos, in the shipped detector's box on their mean, and the median over the photos
(``jaffe_yale_landmarks.py`` remakes the file and says how it was checked). That is good to about +-5 px for
JAFFE, whose heads hardly move, but only to +-10-20 px for Yale, whose heads move between photos: a few Yale
photos count as missed for every detector although the box sits on the face; the comparison stays fair, the
absolute rates are a little low.

All three detectors get the same pyramid scale factor, the same smallest face and min-neighbours 3 (dbnfer: its
cascade's own, 3 without a verifier network), and run on one thread (OPENBLAS_NUM_THREADS=1,
cv2.setNumThreads(1)). OpenCV's cascade is the Debian package ``opencv-data`` (``apt-get install opencv-data``), or
the copy inside opencv-python.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/detect_vs_opencv.py [--n-timing 20] [--cascade FILE] [--landmarks FILE]
"""

import argparse
import hashlib
import json
import os
from functools import partial
from pathlib import Path

import numpy as np
from timing import best_times

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OPENCV_XML = ("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
              "/usr/share/opencv/haarcascades/haarcascade_frontalface_default.xml")
SCALE_FACTOR = 1.2
MIN_SIZE = 24  # the smallest face OpenCV's 24x24 cascade can see
MIN_NEIGHBOURS = 3
LANDMARKS = Path(__file__).with_name("jaffe_yale_landmarks.json")  # made by jaffe_yale_landmarks.py

# With no landmark file, every photo's subject gets None and "found" means exactly one detection.
NO_LANDMARKS = {}


def load_photos(landmarks):
    """(name, landmarks or None, uint8 grey image) of the JAFFE and Yale photos, exact duplicates dropped.

    Nine Yale files are pixel-identical copies of others (``subject04.sad`` of ``subject04.normal``, eight
    ``normal`` images of the same subject's ``glasses`` or ``noglasses``); the first in name order is kept.
    """
    from PIL import Image
    paths = [("jaffe/", path, path.name[:2]) for path in sorted((DATA / "jaffe").glob("*.tiff"))]
    paths += [("yale/", path, path.name.split(".")[0])
              for path in sorted(p for p in (DATA / "yalefaces").glob("subject*") if p.is_file())]
    photos, seen = [], set()
    for prefix, path, subject in paths:
        image = np.asarray(Image.open(path).convert("L"))
        digest = hashlib.sha1(image.tobytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            photos.append((prefix + path.name, landmarks.get(subject), image))
    return photos


def covers(box, landmarks, max_ratio=3.0):
    """The box (row, col, height, width) holds both eye centres and the mouth centre and is not too big.

    Without landmarks (None) every box counts as covering the face.
    """
    if landmarks is None:
        return True
    eye_row, left, right, mouth_row, mouth_col = landmarks
    r, c, h, w = box
    inside = all(r <= pr <= r + h and c <= pc <= c + w
                 for pr, pc in ((eye_row, left), (eye_row, right), (mouth_row, mouth_col)))
    return inside and h <= max_ratio * (mouth_row - eye_row)


def detectors(cascade_path):
    """name -> function(uint8 grey image) -> boxes (n, 4) as (row, col, height, width); OpenCV only if present."""
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade as LBPCascade

    from dbnfer.detect import detect_faces, load_cascade, load_default_cascade
    cascade = load_default_cascade() if cascade_path is None else load_cascade(cascade_path)[0]
    print(f"dbnfer cascade: {cascade.n_stages} stages, "
          + ("no verifier" if cascade.verifier is None else f"a verifier after stage {cascade.verifier.after_stage}")
          + f", min-neighbours {cascade.min_neighbours}")
    found = {"dbnfer Haar": lambda image: detect_faces(image, cascade, scale_factor=SCALE_FACTOR,
                                                        min_size=MIN_SIZE)[0]}  # the cascade's min-neighbours
    try:
        import cv2
    except ImportError:
        print("OpenCV (cv2) is not installed: its column is skipped (pip install 'opencv-python-headless<5')")
    else:
        xml = next((p for p in OPENCV_XML if os.path.isfile(p)), None)
        if xml is None and hasattr(cv2, "data"):
            xml = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        if xml is None or not os.path.isfile(xml) or not hasattr(cv2, "CascadeClassifier"):
            print("OpenCV's haarcascade_frontalface_default.xml or CascadeClassifier is missing: skipped "
                  "(apt-get install opencv-data; OpenCV 5 dropped CascadeClassifier)")
        else:
            cv2.setNumThreads(1)
            opencv = cv2.CascadeClassifier(xml)
            found["OpenCV Haar"] = lambda image: np.array(
                [(y, x, h, w) for x, y, w, h in opencv.detectMultiScale(
                    image, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBOURS, minSize=(MIN_SIZE, MIN_SIZE))],
                dtype=int).reshape(-1, 4)
    lbp = LBPCascade(lbp_frontal_face_cascade_filename())
    found["scikit-image LBP"] = lambda image: np.array(
        [(d["r"], d["c"], d["height"], d["width"]) for d in lbp.detect_multi_scale(
            image / 255.0, scale_factor=SCALE_FACTOR, step_ratio=1, min_size=(MIN_SIZE, MIN_SIZE),
            max_size=image.shape, min_neighbor_number=MIN_NEIGHBOURS)], dtype=int).reshape(-1, 4)
    return found


def detection_rates(detect, photos):
    """(fraction found, false positives per photo, list of missed photo names)."""
    found, false_positives, missed = 0, 0, []
    for name, landmarks, image in photos:
        good = [covers(box, landmarks) for box in detect(image)]
        hit = len(good) == 1 and good[0]
        found += hit
        false_positives += sum(not g for g in good)
        if not hit:
            missed.append(name)
    return found / len(photos), false_positives / len(photos), missed


def time_per_image(detectors, images, repeats=3):
    """{name: mean over images of the fastest of `repeats` runs, in ms}; the detectors take turns on each image
    (`timing.best_times`), so that a change of load on a shared machine hits them alike."""
    total = dict.fromkeys(detectors, 0.0)
    for image in images:
        best = best_times({name: partial(detect, image) for name, detect in detectors.items()}, repeats)
        for name in total:
            total[name] += best[name]
    return {name: 1000 * seconds / len(images) for name, seconds in total.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-timing", type=int, default=20, help="photos resized to 640x480 for the timing")
    parser.add_argument("--cascade", default=None, help="a dbnfer cascade file (default: the shipped one)")
    parser.add_argument("--landmarks", default=LANDMARKS if LANDMARKS.is_file() else None,
                        help="JSON {subject: [eye row, left-eye col, right-eye col, mouth row, mouth col]} "
                             f"(default {LANDMARKS.name} here); without one, found = exactly one detection")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: the JAFFE and Yale photos are research data, not distributed with dbnfer; "
              "nothing to benchmark")
        return
    from skimage.transform import resize
    landmarks = json.loads(Path(args.landmarks).read_text()) if args.landmarks else NO_LANDMARKS
    print("found = exactly one detection" + (", covering the eyes and mouth" if landmarks else
                                              " (no --landmarks: where it is is not checked)"))
    photos = load_photos(landmarks)
    half = args.n_timing // 2
    jaffe = [p for p in photos if p[0].startswith("jaffe")]
    yale = [p for p in photos if p[0].startswith("yale")]
    timing_images = [(resize(image, (480, 640), preserve_range=True, anti_aliasing=True)).astype(np.uint8)
                     for _, _, image in jaffe[:half] + yale[:args.n_timing - half]]
    found = detectors(args.cascade)
    results = time_per_image(found, timing_images)
    for name, detect in found.items():
        rate_jaffe, fp_jaffe, missed_jaffe = detection_rates(detect, jaffe)
        rate_yale, fp_yale, missed_yale = detection_rates(detect, yale)
        rate_all, fp_all, _ = detection_rates(detect, photos)
        ms = results[name]
        print(f"{name:17s} found JAFFE {rate_jaffe:6.1%}  Yale {rate_yale:6.1%}  all {rate_all:6.1%} | "
              f"false pos./photo JAFFE {fp_jaffe:.3f}  Yale {fp_yale:.3f}  all {fp_all:.3f} | "
              f"{ms:6.1f} ms per 640x480")
        missed = missed_jaffe + missed_yale
        print(f"{'':17s} missed ({len(missed)}): {' '.join(missed[:12])}{' ...' if len(missed) > 12 else ''}")
    ours = results["dbnfer Haar"]
    for name, ms in results.items():
        if name != "dbnfer Haar":
            print(f"time ratio dbnfer / {name}: {ours / ms:.2f}")
    print(f"({len(jaffe)} JAFFE + {len(yale)} Yale photos; timing on {len(timing_images)} of them resized to "
          f"640x480; scale factor {SCALE_FACTOR}, min size {MIN_SIZE}, min neighbours {MIN_NEIGHBOURS} (dbnfer: "
          "its cascade's), 1 thread)")


if __name__ == "__main__":
    main()
