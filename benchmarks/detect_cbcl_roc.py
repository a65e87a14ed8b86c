"""Window classification by a dbnfer cascade on the MIT CBCL test set: ROC curve and detection rate at fixed
false-positive rates.

The 472 test faces and 19,572 test non-faces (19x19, in ../shared/data/detection/cbcl/testset) are scored with
`Cascade.decision_function`, which orders windows by how far they get through the cascade and by their margin at
the stage that stops them; sweeping a threshold over that score traces the ROC curve, and the full cascade is the
point at score S - 1/2. The CBCL test faces are cropped more tightly than the faces the shipped cascade was
trained on, which makes them hard for it.

Usage::

    python benchmarks/detect_cbcl_roc.py [--cascade FILE] [--plot roc.png]
"""

import argparse
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "detection" / "cbcl" / "testset"


def roc(scores_faces, scores_nonfaces):
    """(false-positive rates, detection rates) at every distinct score taken as the threshold, strictest first."""
    thresholds = np.unique(np.concatenate([scores_faces, scores_nonfaces]))[::-1]

    def passing(scores):  # fraction of scores >= each threshold
        return 1 - np.searchsorted(np.sort(scores), thresholds, side="left") / len(scores)

    return np.r_[0.0, passing(scores_nonfaces), 1.0], np.r_[0.0, passing(scores_faces), 1.0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cascade", help="a dbnfer cascade file (default: the shipped one)")
    parser.add_argument("--plot", help="also draw the ROC curve to this image file (keep it out of the repository)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: the CBCL test set is research data, not distributed with dbnfer; nothing to do")
        return
    from dbnfer.images import image_files, read_grey
    from dbnfer.detect import load_cascade, load_default_cascade
    cascade = load_default_cascade() if args.cascade is None else load_cascade(args.cascade)[0]
    faces, nonfaces = (np.stack([read_grey(p) for p in image_files([DATA / sub])]) for sub in ("faces", "non-faces"))
    score_faces, score_nonfaces = cascade.decision_function(faces), cascade.decision_function(nonfaces)
    false_positive, detection = roc(score_faces, score_nonfaces)
    print(f"CBCL test set: {len(faces)} faces, {len(nonfaces)} non-faces; cascade of {cascade.n_stages} stages, "
          f"{len(cascade.features)} features")
    operating = cascade.n_stages - 0.5
    print(f"full cascade: detection rate {np.mean(score_faces >= operating):.3f}, false-positive rate "
          f"{np.mean(score_nonfaces >= operating):.5f}")
    for rate in (1e-3, 1e-2, 1e-1):
        print(f"detection rate at false-positive rate <= {rate:g}: {detection[false_positive <= rate].max():.3f}")
    print(f"area under the ROC curve: {np.trapezoid(detection, false_positive):.3f}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        figure, axes = plt.subplots(figsize=(5, 4))
        axes.semilogx(np.maximum(false_positive, 1e-5), detection)
        axes.set(xlim=(1e-5, 1), xlabel="false-positive rate (CBCL test non-faces)",
                 ylabel="detection rate (CBCL test faces)", title="dbnfer cascade on CBCL test windows")
        axes.grid(True, which="both", alpha=0.3)
        figure.tight_layout()
        figure.savefig(args.plot, dpi=100)
        print(f"ROC curve: {args.plot}")


if __name__ == "__main__":
    main()
