"""When does pre-training pay? FER-2013 PublicTest accuracy against the number of labelled training faces.

    python benchmarks/fer2013_pretraining.py [--data-dir ../shared/data/fer2013] [--sizes 100 300 1000 3000]
                                            [--seeds 0 1 2]

For each size n and seed: n labelled training faces drawn stratified (seeded) from the 28,709 of Training; a
DBN+MLP pre-trained on all 28,709 training faces *without their labels* and fine-tuned on the n; the same network
from random weights fine-tuned on the same n; dbnfer's linear SVM on the same n (up to 3,000 faces: it holds an
n x n Gram matrix). Pixels as the official benchmark prepares them (32x32, equalised); the network settings of
`fer2013_official.LARGE`, except that fine-tuning sees about 60,000 faces whatever n (30 to 600 epochs), so that
small sets are not under-trained. Prints one line per run and a table of mean ± spread over the seeds.
Needs the research data; exits with a message when it is absent.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from dbnfer.baselines.svm import LinearSVM
from dbnfer.datasets import load_fer2013
from dbnfer.evaluate import make_splits
from dbnfer.experiment import preprocessing
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.preprocess import prepare

sys.path.insert(0, str(Path(__file__).parent))
from fer2013_official import LARGE  # noqa: E402

FACES_SEEN = 60_000  # fine-tuning faces (mirror images included) per run, whatever the labelled size


def labelled_subset(y, n, seed):
    """n indices of `y` drawn without replacement, each class in its share of `y` (rounded), seeded."""
    if n >= len(y):
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    take = np.maximum(1, np.round(n * counts / len(y)).astype(int))
    chosen = [rng.choice(np.flatnonzero(y == c), k, replace=False) for c, k in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def network(pretrain, n, seed):
    epochs = int(np.clip(round(FACES_SEEN / (2 * n)), 30, 600))
    return DBNClassifier(pretrain=pretrain, random_state=seed, **{**LARGE, "n_epochs": epochs})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000, 10000, 28709])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    if not Path(args.data_dir).exists():
        sys.exit(f"{args.data_dir}: no FER-2013 here; this benchmark needs the research data")
    dataset = load_fer2013(args.data_dir)
    X = prepare(dataset, **preprocessing("fer2013"))
    (train, test), *_ = make_splits(dataset, "official")
    X_train, y_train, X_test, y_test = X[train], dataset.labels[train], X[test], dataset.labels[test]
    table = {}
    for n in args.sizes:
        for seed in args.seeds:
            chosen = labelled_subset(y_train, n, seed)
            models = {"DBN+MLP": network(True, len(chosen), seed),
                      "same net, random start": network(False, len(chosen), seed)}
            if len(chosen) <= 3000:
                models["linear SVM"] = LinearSVM()
            for name, model in models.items():
                start = time.perf_counter()
                extra = {"X_unlabeled": X_train} if name == "DBN+MLP" else {}
                model.fit(X_train[chosen], y_train[chosen], **extra)
                accuracy = float(np.mean(model.predict(X_test) == y_test))
                table.setdefault((n, name), []).append(accuracy)
                print(f"n {len(chosen):6d} seed {seed} {name:24} PublicTest {100 * accuracy:.1f} %  "
                      f"({time.perf_counter() - start:.0f} s)", flush=True)
    print("\n| labelled faces | " + " | ".join(dict.fromkeys(name for _, name in table)) + " |")
    for n in args.sizes:
        cells = [table.get((n, name)) for name in dict.fromkeys(name for _, name in table)]
        print(f"| {n} | " + " | ".join("—" if c is None else f"{100 * np.mean(c):.1f} ± {100 * np.std(c):.1f}"
                                        for c in cells) + " |")


if __name__ == "__main__":
    main()
