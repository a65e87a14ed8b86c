"""FER-2013, the official protocol: train on Training, report PublicTest (and PrivateTest where present) apart.

    python benchmarks/fer2013_official.py [--data-dir ../shared/data/fer2013] [--features pixels hog]
        [--methods nn ns svm-linear dbn mlp] [--anchors LinearSVC | --no-anchors] [--seed 0]

dbnfer's DBN+MLP, the same network without pre-training, 1-NN, nearest subspace and the linear SVM (its random
coordinate order, which needs no Gram matrix), and in the same run on the same faces the scikit-learn anchors
(1-NN, LinearSVC, and MLPClassifier with one layer of 500 units; ``--anchors`` picks some by name). Prints the
accuracy of each test part, the training time and the peak memory of each dbnfer model.

The networks are built as `dbnfer evaluate` builds them: from 5,000 faces on, they train with the library's
large-data schedule (`dbnfer.classifiers.LARGE_DATA_SCHEDULE`, the settings of the issue's pilot, fixed before any
FER-2013 figure was seen): 500-500 sigmoid units, 5 CD-1 epochs per layer on mini-batches of 100 (the 28,709
training faces, without their labels, are the pre-training data), 30 fine-tuning epochs on mini-batches of 100,
mirrored training faces. On HOG (or LBP, Gabor, HOG+LBP) features they also train on the features of the
mirrored faces, use dropout 0.3, fine-tune for 60 epochs and keep the mean of the weights of epochs 41 to 60
(`dbnfer.classifiers.LARGE_DATA_FEATURES`, chosen by `benchmarks/fer2013_validation.py` on Training faces only). ``--seed`` seeds the networks. dbnfer's defaults (20 CD epochs on mini-batches of 20, 60
fine-tuning epochs) were chosen for JAFFE's 213 faces and would take hours here. The kernel SVMs and SRC are
left out: they hold an n x n Gram matrix (6.6 GB for 28,709 faces).
Needs the research data; exits with a message when it is absent.
"""

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

from dbnfer.classifiers import make_classifier, mirrors_features
from dbnfer.datasets import load_fer2013
from dbnfer.evaluate import fit_and_predict, make_splits, split_names
from dbnfer.experiment import preprocessing
from dbnfer.preprocess import prepare

ANCHORS = {
    "sklearn KNeighborsClassifier(1)": lambda: KNeighborsClassifier(1),
    "sklearn LinearSVC()": lambda: LinearSVC(),
    "sklearn MLPClassifier((500,), max_iter=30)": lambda: MLPClassifier((500,), max_iter=30, random_state=0),
    "sklearn MLPClassifier((500,), max_iter=60)": lambda: MLPClassifier((500,), max_iter=60, random_state=0),
}


def chosen_anchors(names):
    """The anchors whose name contains one of `names`; ValueError names an unknown one."""
    for name in names:
        if not any(name in anchor for anchor in ANCHORS):
            raise ValueError(f"--anchors: no anchor named {name!r}; choose from: {', '.join(ANCHORS)}")
    return {anchor: new for anchor, new in ANCHORS.items() if any(name in anchor for name in names)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013"))
    parser.add_argument("--features", nargs="+", default=["pixels", "hog"])
    parser.add_argument("--methods", nargs="+", default=["nn", "ns", "svm-linear", "dbn", "mlp"])
    parser.add_argument("--anchors", nargs="+", default=list(ANCHORS), metavar="NAME",
                        help=f"anchors whose name contains NAME (default: all of {', '.join(ANCHORS)})")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="seed of dbnfer's networks (default 0)")
    args = parser.parse_args()
    try:
        anchors = {} if args.no_anchors else chosen_anchors(args.anchors)
    except ValueError as error:
        parser.exit(2, f"{error}\n")
    if not Path(args.data_dir).exists():
        sys.exit(f"{args.data_dir}: no FER-2013 here; this benchmark needs the research data")
    dataset = load_fer2013(args.data_dir)
    splits = make_splits(dataset, "official")
    parts = split_names(dataset, "official", splits)
    y = dataset.labels
    print(f"{len(dataset)} faces; parts {dict(zip(*np.unique(dataset.parts, return_counts=True)))}", flush=True)
    for features in args.features:
        settings = preprocessing("fer2013", features=features)
        start = time.perf_counter()
        mirrored = any(mirrors_features(method, features, len(dataset)) for method in args.methods)
        X, X_mirror = prepare(dataset, mirrored=True, **settings) if mirrored else (prepare(dataset, **settings), None)
        print(f"\n## {features}: {settings}, X {X.shape}{', and the mirrored faces' if mirrored else ''}, "
              f"prepared in {time.perf_counter() - start:.0f} s", flush=True)
        for method in args.methods:
            for (train, test), part in zip(splits, parts):
                model = make_classifier(method, args.seed, features=features, n_faces=len(X))
                predicted, fit, _ = fit_and_predict(model, X, y, train, test, X_mirror=X_mirror)
                accuracy = np.mean(predicted == y[test])
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"dbnfer {method:5} {part}: {100 * accuracy:.1f} %  (fit {fit:.0f} s, peak RSS so far "
                      f"{peak:.0f} MB)", flush=True)
        for name, new in anchors.items():
            for (train, test), part in zip(splits, parts):
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    accuracy = np.mean(new().fit(X[train], y[train]).predict(X[test]) == y[test])
                print(f"{name} {part}: {100 * accuracy:.1f} %  ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
