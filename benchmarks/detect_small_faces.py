"""Why a cascade misses small faces in group photos: the grain of the faces, and where the cascade stops them.

On ``../shared/data/detection/mitcmu_dev`` every marked face is cut out as the cascade's window would frame it
(`dbnfer.detect.train.marked_box` from its marked eyes and mouth centre; faces reaching past the photo are left
out) and shrunk to the window; 3,000 training crops (Caltech WebFaces cut to the CBCL framing, and CBCL's
training faces, as the shipped command reads them) are drawn beside them. Printed:

* the grain of each group: the mean absolute step between horizontal neighbours of a window after variance
  normalisation, mean_ij |z_i,j+1 - z_ij| with z = (x - mean x) / std x (smooth windows score low, noisy ones
  high);
* for each cascade, the share of the marked faces it accepts, by window side (< 24, 24-40, >= 40 px), the stage
  at which it stops the faces under 30 px, and the share of the training crops it accepts when pixel noise of
  r times each crop's standard deviation is added (r = 0, 0.13, 0.27, 0.4), or when they are blurred
  (Gaussian sigma 0.8 px): how sensitive it is to grain and to blur.

Usage::

    python benchmarks/detect_small_faces.py [--cascade FILE ...]   # default: the shipped cascade
"""

import argparse
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage.transform import resize

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "detection"
WINDOW = (19, 19)
SIDES = {"< 24 px": (0, 24), "24-40 px": (24, 40), ">= 40 px": (40, np.inf)}
NOISE = (0.0, 0.13, 0.27, 0.4)


def marked_windows(folder):
    """(windows, sides) of the marked faces of an MIT+CMU folder (points: eyes, nose, mouth corners and centre)."""
    from dbnfer.detect.train import marked_box
    from dbnfer.images import read_grey
    windows, sides = [], []
    for line in (folder / "landmarks.txt").read_text().splitlines():
        name, *values = line.split()
        points = np.array(values, dtype=np.float64).reshape(-1, 2)
        eyes_and_mouth = points[[0, 1, 4]]  # left eye, right eye, mouth centre
        eyes_and_mouth[:2] = eyes_and_mouth[np.argsort(eyes_and_mouth[:2, 0])]  # the eye on the image's left first
        image = read_grey(folder / "images" / name, np.float64)
        top, left, height, width = marked_box(eyes_and_mouth, WINDOW)
        if top >= 0 and left >= 0 and top + height <= image.shape[0] and left + width <= image.shape[1]:
            windows.append(resize(image[top:top + height, left:left + width], WINDOW, anti_aliasing=True))
            sides.append(height)
    return np.stack(windows), np.array(sides)


def grain(windows):
    """Mean absolute step between horizontal neighbours after variance normalisation, per window."""
    z = (windows - windows.mean(axis=(1, 2), keepdims=True)) / (windows.std(axis=(1, 2), keepdims=True) + 1e-12)
    return np.abs(np.diff(z, axis=2)).mean(axis=(1, 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cascade", nargs="+", help="dbnfer cascade files (default: the shipped one)")
    args = parser.parse_args()
    if not (DATA / "mitcmu_dev").is_dir():
        print(f"{DATA / 'mitcmu_dev'} is absent: MIT+CMU is research data, not distributed with dbnfer; nothing to do")
        return
    from dbnfer.detect import load_cascade, load_default_cascade
    from dbnfer.detect.train import load_faces
    cascades = {"shipped": load_default_cascade()} if not args.cascade else {
        path: load_cascade(path)[0] for path in args.cascade}
    windows, sides = marked_windows(DATA / "mitcmu_dev")
    crops = load_faces([DATA / "caltech_faces", DATA / "cbcl" / "trainset" / "faces"], WINDOW,
                       crop=[(0.2222, 0.2222, 0.5278, 0.5278), None], mirror=False)
    rng = np.random.default_rng(0)
    crops = crops[rng.choice(len(crops), 3000, replace=False)]
    bins = {name: (sides >= low) & (sides < high) for name, (low, high) in SIDES.items()}
    print(f"{len(windows)} marked MIT+CMU faces, {len(crops)} training crops, {WINDOW[0]}x{WINDOW[1]} windows")
    print(f"grain: training crops {grain(crops).mean():.3f}, marked faces "
          + ", ".join(f"{name} ({mask.sum()}) {grain(windows[mask]).mean():.3f}" for name, mask in bins.items()))
    noise = rng.standard_normal(crops.shape)
    for name, cascade in cascades.items():
        last = cascade.n_stages - 0.5
        accepted = cascade.decision_function(windows) >= last
        print(f"\n{name}: {cascade.n_stages} stages, {len(cascade.features)} features")
        print("  marked faces accepted: " + ", ".join(f"{b} {accepted[m].mean():.2f}" for b, m in bins.items()))
        stopped = np.floor(cascade.decision_function(windows[sides < 30])).astype(int)
        print(f"  faces under 30 px, by the stage that stops them (the last: accepted or stopped there): "
              f"{np.bincount(stopped, minlength=cascade.n_stages).tolist()}")
        spread = crops.std(axis=(1, 2), keepdims=True)
        shares = [np.mean(cascade.decision_function(crops + r * spread * noise) >= last) for r in NOISE]
        blurred = np.stack([gaussian_filter(crop, 0.8) for crop in crops])
        print("  training crops accepted with noise r = " + ", ".join(
            f"{r:g}: {share:.3f}" for r, share in zip(NOISE, shares))
            + f"; blurred (sigma 0.8 px): {np.mean(cascade.decision_function(blurred) >= last):.3f}")


if __name__ == "__main__":
    main()
