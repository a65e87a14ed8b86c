"""The scikit-learn anchors of the comparison table, on dbnfer's own features and folds.

    python benchmarks/anchors_sklearn.py --dataset jaffe --data-dir ../shared/data/jaffe [--crop detect]

Loads and prepares the data exactly as ``dbnfer compare`` does (same preset, same overrides), makes
the same folds (stratified 10-fold with seed 0, and leave-one-subject-out), and cross-validates
scikit-learn's counterparts of the baselines: 1-NN, an RBF SVC at our C and at its default C, a
LinearSVC with the hinge loss, and an MLPClassifier with one hidden layer of 500 units. Prints a
Markdown table to paste beside ``dbnfer compare``'s.
"""

import argparse
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC, LinearSVC

from dbnfer.evaluate import cross_validate, make_splits
from dbnfer.experiment import load_prepared

ANCHORS = {
    "KNeighborsClassifier(1)": lambda: KNeighborsClassifier(1),
    "SVC(rbf, C=100, gamma=scale)": lambda: SVC(C=100, gamma="scale"),
    "SVC() defaults (C=1)": lambda: SVC(),
    "LinearSVC(C=1, hinge)": lambda: LinearSVC(C=1.0, loss="hinge", max_iter=100_000),
    "MLPClassifier((500,))": lambda: MLPClassifier((500,), max_iter=500, random_state=0),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="synthetic")
    parser.add_argument("--data-dir")
    parser.add_argument("--crop", choices=("central", "detect", "none"))
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    dataset, X, settings = load_prepared(args.dataset, args.data_dir, crop=args.crop)
    print(f"{dataset.name}, {len(dataset)} images, {settings}")
    print("| anchor | protocol | accuracy (%) |\n|---|---|---|")
    for protocol in ("kfold", "loso"):
        splits = make_splits(dataset, protocol, args.folds, 0)
        for name, make in ANCHORS.items():
            result = cross_validate(make, X, dataset.labels, splits, n_classes=len(dataset.label_names))
            print(f"| {name} | {protocol} | {100 * result['accuracy']:.1f} ± {100 * result['accuracy_std']:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
