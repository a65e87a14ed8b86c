"""Hand-written baselines against scikit-learn, same data in the same run: SVM fit time, NN predict time.

Targets (issue 5): KernelSVM's fit within 3x of scikit-learn's libsvm-based ``SVC``; NearestNeighbour's
predict at least as fast as ``KNeighborsClassifier(algorithm="brute")``. LinearSVM against LIBLINEAR's
``LinearSVC`` (same hinge loss, same regularised bias) is printed for context, without a target.

Data: the synthetic default faces (``load_dataset("synthetic")``, 640 images, 8 classes) through the
naive pipeline (central crop, 32x32, equalised), split by stratified 10-fold (seed 0) into its first
training and test fold; also a JAFFE-sized subset (the first 213 images of a seeded permutation) and,
when ../shared/data/jaffe exists, JAFFE itself (213 images, 7 classes), first 10-fold fold.
Each time is the best of ``--repeats`` runs. The two SVMs use the same C and gamma ("scale").

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/baselines_vs_sklearn.py [--repeats 5] [--C 100]
Threads: whatever OPENBLAS_NUM_THREADS says; libsvm is single-threaded, so set it to 1 for a fair figure.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC, LinearSVC

from dbnfer.baselines.nearest_neighbour import NearestNeighbour
from dbnfer.baselines.svm import KernelSVM, LinearSVM
from dbnfer.datasets import load_dataset
from dbnfer.evaluate import stratified_kfold
from dbnfer.preprocess import prepare

JAFFE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "jaffe"


def best_time(run, repeats):
    """Smallest wall-clock time of `repeats` calls of run(), and run()'s last result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def compare(name, X, y, repeats, C):
    """Print fit / predict times of ours and scikit-learn's on the first stratified 10-fold split."""
    train, test = stratified_kfold(y, n_splits=10, seed=0)[0]
    X_train, y_train, X_test = X[train], y[train], X[test]
    print(f"\n{name}: {len(train)} training and {len(test)} test vectors of {X.shape[1]} values, "
          f"{len(np.unique(y))} classes")

    ours_fit, ours = best_time(lambda: KernelSVM(C=C).fit(X_train, y_train), repeats)
    sk_fit, sk = best_time(lambda: SVC(C=C, gamma="scale").fit(X_train, y_train), repeats)
    agree = np.mean(ours.predict(X_test) == sk.predict(X_test))
    print(f"  {f'RBF SVM fit (C={C:g}):':22s}  ours {1e3 * ours_fit:8.1f} ms   SVC {1e3 * sk_fit:8.1f} ms   "
          f"ratio {ours_fit / sk_fit:5.2f} (target <= 3)   test predictions agree {100 * agree:.0f} %")

    nn = NearestNeighbour(k=1).fit(X_train, y_train)
    knn = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(X_train, y_train)
    ours_predict, ours_labels = best_time(lambda: nn.predict(X_test), repeats)
    sk_predict, sk_labels = best_time(lambda: knn.predict(X_test), repeats)
    print(f"  1-NN predict:           ours {1e3 * ours_predict:8.2f} ms   KNN  {1e3 * sk_predict:8.2f} ms   "
          f"ratio {ours_predict / sk_predict:5.2f} (target <= 1)   predictions agree "
          f"{100 * np.mean(ours_labels == sk_labels):.0f} %")

    ours_fit, ours = best_time(lambda: LinearSVM(C=1.0).fit(X_train, y_train), 1)
    sk_fit, sk = best_time(lambda: LinearSVC(C=1.0, loss="hinge", max_iter=100_000).fit(X_train, y_train), 1)
    print(f"  linear SVM fit (C=1):   ours {1e3 * ours_fit:8.1f} ms   LinearSVC(hinge) "
          f"{1e3 * sk_fit:8.1f} ms   ratio {ours_fit / sk_fit:5.2f} (no target)   test predictions agree "
          f"{100 * np.mean(ours.predict(X_test) == sk.predict(X_test)):.0f} %")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing; the best is kept")
    parser.add_argument("--C", type=float, default=100.0, help="C of both RBF SVMs (registry default 100)")
    args = parser.parse_args()

    synthetic = load_dataset("synthetic")
    X, y = prepare(synthetic, size=32, crop="central"), np.asarray(synthetic.labels)
    compare("synthetic", X, y, args.repeats, args.C)
    subset = np.sort(np.random.default_rng(0).permutation(len(y))[:213])
    compare("synthetic, JAFFE-sized subset", X[subset], y[subset], args.repeats, args.C)
    if JAFFE.is_dir():
        jaffe = load_dataset("jaffe", JAFFE)
        X = prepare(jaffe, size=32, crop="central")
        compare("JAFFE", X, np.asarray(jaffe.labels), args.repeats, args.C)
    else:
        print(f"\n{JAFFE} is absent: JAFFE skipped")


if __name__ == "__main__":
    main()
