"""JAFFE by crop x features, a setting chosen without looking at the figure it reports, and the sklearn anchors.

    python benchmarks/registration_features.py [--data-dir ../shared/data/jaffe] [--jobs 2] [--json out.json]

1. Every cell of crop {central, detect, align} x features {pixels, lbp, hog, gabor}: the baselines (and
   DBN+MLP and the same net without pre-training, with --grid-networks) under stratified 10-fold and
   leave-one-subject-out, identical folds (seed 0). Printed: the best method per cell.
2. Nested selection: in every outer fold, the setting (crop x features) is chosen by an inner
   cross-validation *on that fold's training images only* (inner leave-one-subject-out over the training
   people for the person-independent protocol, inner stratified 9-fold for k-fold), scored by the RBF SVM;
   then every method is trained with the chosen setting and tested on the outer fold. This is the figure to
   quote: no test face took part in choosing its own setting.
3. The anchors, scikit-learn's SVC (linear and RBF kernels, default settings) on the central crop at 64x64,
   equalised, leave-one-subject-out, on pixels, HOG and LBP: same run, same folds.
4. Time per face of detection, eye localisation + alignment, and each feature extractor.
5. The setting a model trained on all of JAFFE should use on other photos (for
   benchmarks/cross_dataset_yale.py): chosen by the same inner leave-one-subject-out rule on all 213 faces,
   among the detected and registered crops (a fixed central box does not carry over to another camera).

Needs the research data; exits with a message when it is absent.
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.svm import SVC

from dbnfer.classifiers import make_classifier
from dbnfer.datasets import load_dataset
from dbnfer.evaluate import fit_and_predict, leave_one_subject_out, make_splits, stratified_kfold, summarise
from dbnfer.experiment import preprocessing, run
from dbnfer.features import extract
from dbnfer.parallel import map_folds
from dbnfer.preprocess import face_squares, locate_faces

CROPS = ("central", "detect", "align")
FEATURES = ("pixels", "lbp", "hog", "gabor")  # the grid of issue 14, fixed before any figure
BASELINES = ["nn", "nn-cosine", "ns", "svm-linear", "svm-rbf", "src"]
NETWORKS = ["dbn", "mlp"]
SELECTOR = "svm-rbf"
PROTOCOLS = ("kfold", "loso")


def prepare_all(dataset):
    """X of every (crop, features) cell, and the time per face of each step."""
    images, n = dataset.images, len(dataset)
    start = time.perf_counter()
    boxes = {"central": locate_faces(images, "central")[0]}
    boxes["detect"] = boxes["align"] = locate_faces(images, "detect")[0]
    timing = {"detection": (time.perf_counter() - start) / n}
    X = {}
    for crop in CROPS:
        for features in FEATURES:
            settings = preprocessing("jaffe", crop=crop, features=features)
            start = time.perf_counter()
            faces, _, no_eyes = face_squares(images, boxes[crop], settings["size"], True, crop == "align")
            squares = time.perf_counter() - start
            if crop == "align" and features == "pixels":
                timing["eyes + alignment (32 px)"] = squares / n
                print(f"align: eyes not found in {no_eyes} of {n} faces")
            start = time.perf_counter()
            X[crop, features] = extract(faces, features)
            if crop == "align":
                timing[f"{features} features ({settings['size']} px)"] = (time.perf_counter() - start) / n
    return X, timing


def grid(dataset, X, methods, jobs):
    """Every method in every cell under both protocols: {(crop, features): {(method, protocol): result}}."""
    results = {}
    for (crop, features), Xc in X.items():
        start = time.perf_counter()
        results[crop, features] = run(dataset, Xc, methods, PROTOCOLS, 10, 0, jobs=jobs, features=features)
        best = {p: max(methods, key=lambda m: results[crop, features][m, p]["accuracy"]) for p in PROTOCOLS}
        print(f"{crop:8} {features:7} " + "  ".join(
            f"{p} best {best[p]} {100 * results[crop, features][best[p], p]['accuracy']:.1f}" for p in PROTOCOLS)
            + f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    return results


def inner_splits(dataset, train, protocol):
    """The inner folds of an outer training set, as indices into the whole data set."""
    if protocol == "loso":
        inner = leave_one_subject_out(dataset.subjects[train])
    else:
        inner = stratified_kfold(dataset.labels[train], 9, 0, dataset.groups[train])
    return [(train[a], train[b]) for a, b in inner]


def choose(dataset, X, train, protocol):
    """The cell with the best inner cross-validated accuracy of the selector on the training images."""
    y = dataset.labels
    scores = {}
    for cell, Xc in X.items():
        features = cell[1]
        correct = [np.mean(fit_and_predict(make_classifier(SELECTOR, 0, features=features), Xc, y, a, b)[0] == y[b])
                   for a, b in inner_splits(dataset, train, protocol)]
        scores[cell] = np.mean(correct)
    return max(scores, key=scores.get)


def nested(dataset, X, methods, jobs):
    """Each method's accuracy when every outer fold uses the cell its training images chose."""
    results, chosen = {}, {}
    for protocol in PROTOCOLS:
        splits = make_splits(dataset, protocol, 10, 0)
        chosen[protocol] = [choose(dataset, X, train, protocol) for train, _ in splits]
        print(f"nested {protocol}: cells chosen {dict(Counter(chosen[protocol]))}", flush=True)
        folds = {}
        for cell in set(chosen[protocol]):
            mine = [(m, k) for m in methods for k, c in enumerate(chosen[protocol]) if c == cell]
            jobs_list = [(m, 0, cell[1], *splits[k]) for m, k in mine]
            outputs = map_folds(jobs_list, X[cell], dataset.labels, None, jobs) if jobs > 1 else [
                fit_and_predict(make_classifier(m, seed, features=f), X[cell], dataset.labels, tr, te)
                for m, seed, f, tr, te in jobs_list]
            folds.update(zip(mine, outputs))
        for method in methods:
            results[method, protocol] = summarise(dataset.labels, splits,
                                                  [folds[method, k] for k in range(len(splits))],
                                                  len(dataset.label_names))
            print(f"nested {protocol} {method}: {100 * results[method, protocol]['accuracy']:.1f} %", flush=True)
    return results, chosen


def anchors(dataset):
    """scikit-learn SVCs on the central crop at 64x64, leave-one-subject-out."""
    splits = make_splits(dataset, "loso", 10, 0)
    y, out = dataset.labels, {}
    faces64 = face_squares(dataset.images, locate_faces(dataset.images, "central")[0], 64)[0]
    for features in ("pixels", "hog", "lbp"):
        Xf = extract(faces64, features)
        for kernel in ("linear", "rbf"):
            accuracy = [np.mean(SVC(kernel=kernel).fit(Xf[tr], y[tr]).predict(Xf[te]) == y[te]) for tr, te in splits]
            out[f"sklearn SVC({kernel}) {features} 64px"] = float(np.mean(accuracy))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "jaffe"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--grid-networks", action="store_true",
                        help="DBN+MLP and the MLP in every cell of the grid too (slow), not only in the nested run")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    if not Path(args.data_dir).is_dir():
        sys.exit(f"{args.data_dir}: no JAFFE folder; this benchmark needs the research data")
    dataset = load_dataset("jaffe", args.data_dir)
    X, timing = prepare_all(dataset)
    print("ms per face: " + ", ".join(f"{k} {1000 * v:.1f}" for k, v in timing.items()), flush=True)
    anchor = anchors(dataset)
    print("anchors: " + ", ".join(f"{k} {100 * v:.1f}" for k, v in anchor.items()), flush=True)
    for_other_photos = choose(dataset, {c: Xc for c, Xc in X.items() if c[0] != "central"},
                              np.arange(len(dataset)), "loso")
    print(f"setting for a model trained on all of JAFFE: crop {for_other_photos[0]}, features {for_other_photos[1]}",
          flush=True)
    nested_results, chosen = nested(dataset, X, BASELINES + NETWORKS, args.jobs)
    cells = grid(dataset, X, BASELINES + (NETWORKS if args.grid_networks else []), args.jobs)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "timing_s_per_face": timing, "anchors": anchor, "for_other_photos": list(for_other_photos),
            "nested": {f"{m} {p}": r["accuracy"] for (m, p), r in nested_results.items()},
            "nested_std": {f"{m} {p}": r["accuracy_std"] for (m, p), r in nested_results.items()},
            "chosen": {p: [list(c) for c in cs] for p, cs in chosen.items()},
            "grid": {f"{c} {f}": {f"{m} {p}": r["accuracy"] for (m, p), r in res.items()}
                     for (c, f), res in cells.items()}}, indent=1))


if __name__ == "__main__":
    main()
