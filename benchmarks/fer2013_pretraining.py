"""When does pre-training pay? FER-2013 PublicTest accuracy against the number of labelled training faces.

    python benchmarks/fer2013_pretraining.py [--data-dir ../shared/data/fer2013] [--sizes 100 300 1000 3000]
                                            [--seeds 0 1 2] [--plot FILE.png]
    python benchmarks/fer2013_pretraining.py --from-logs RUNS.txt [...] [--plot FILE.png]

For each size n and seed: n labelled training faces drawn stratified (seeded) from the 28,709 of Training; a
DBN+MLP pre-trained on all 28,709 training faces *without their labels* and fine-tuned on the n; the same network
from random weights fine-tuned on the same n; dbnfer's linear SVM on the same n (up to 3,000 faces: it holds an
n x n Gram matrix). Pixels as the official benchmark prepares them (32x32, equalised); the network settings of
dbnfer's large-data schedule (`dbnfer.classifiers.LARGE_DATA_SCHEDULE`, 500-500 units), except that fine-tuning
runs 60,000 / (2n) epochs (about 60,000 faces, mirror images included), at least 30 and at most 600, so that small
sets are not under-trained. Prints one line per run and a table of mean ± spread over the seeds; `--plot` draws
the table (mean and standard deviation over the seeds against n). The whole curve takes hours, so it was measured
in several runs: `--from-logs` rebuilds the table and plot from the run lines those printed
(`fer2013_pretraining_runs.txt` here holds the lines behind docs/results.md). Needs the research data to run;
exits with a message when it is absent.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

from dbnfer.baselines.svm import LinearSVM
from dbnfer.classifiers import LARGE_DATA_SCHEDULE
from dbnfer.datasets import load_fer2013
from dbnfer.evaluate import make_splits
from dbnfer.experiment import preprocessing
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.preprocess import prepare

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
    return DBNClassifier(pretrain=pretrain, random_state=seed, **{**LARGE_DATA_SCHEDULE, "n_epochs": epochs})


RUN_LINE = re.compile(r"^n +(\d+) seed (\d+) (.+?) +PublicTest ([\d.]+) %")


def read_runs(paths):
    """{(n, method): [accuracy, ...]} from the run lines that earlier runs of this script printed."""
    table = {}
    for path in paths:
        if not Path(path).is_file():
            sys.exit(f"{path}: no such file")
        for match in filter(None, map(RUN_LINE.match, Path(path).read_text().splitlines())):
            n, _, name, accuracy = match.groups()
            table.setdefault((int(n), name), []).append(float(accuracy) / 100)
    if not table:
        sys.exit(f"{', '.join(map(str, paths))}: no run lines ('n 100 seed 0 DBN+MLP  PublicTest 27.2 %') found")
    return table


def measure(data_dir, sizes, seeds):
    """Run the experiment; {(n, method): [accuracy per seed]}, printing one line per run."""
    dataset = load_fer2013(data_dir)
    X = prepare(dataset, **preprocessing("fer2013"))
    (train, test), *_ = make_splits(dataset, "official")
    X_train, y_train, X_test, y_test = X[train], dataset.labels[train], X[test], dataset.labels[test]
    table = {}
    for n in sizes:
        for seed in seeds:
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
                table.setdefault((len(chosen), name), []).append(accuracy)
                print(f"n {len(chosen):6d} seed {seed} {name:24} PublicTest {100 * accuracy:.1f} %  "
                      f"({time.perf_counter() - start:.0f} s)", flush=True)
    return table


def print_table(table):
    methods = list(dict.fromkeys(name for _, name in table))
    print("\n| labelled faces | " + " | ".join(methods) + " |")
    for n in sorted({n for n, _ in table}):
        cells = [table.get((n, name)) for name in methods]
        print(f"| {n} | " + " | ".join("—" if c is None else f"{100 * np.mean(c):.1f} ± {100 * np.std(c):.1f}"
                                        for c in cells) + " |")


def plot(table, path):
    """Mean ± standard deviation over the seeds against the number of labelled faces, one line per method."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for name, marker in zip(dict.fromkeys(name for _, name in table), "os^"):
        sizes = sorted(n for n, method in table if method == name)
        scores = [100 * np.asarray(table[n, name]) for n in sizes]
        ax.errorbar(sizes, [s.mean() for s in scores], yerr=[s.std() for s in scores], marker=marker, capsize=3,
                    label=f"{name} ({len(scores[0])} seeds)")
    ax.set_xscale("log")
    ax.set_xlabel("labelled training faces (DBN+MLP pre-trained on all 28,709 without labels)")
    ax.set_ylabel("FER-2013 PublicTest accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"plot written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000, 10000, 28709])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--from-logs", nargs="+", metavar="LOG", help="build the table from these runs' output")
    parser.add_argument("--plot", metavar="FILE", help="draw the table as a PNG")
    args = parser.parse_args()
    if args.from_logs:
        table = read_runs(args.from_logs)
    elif not Path(args.data_dir).exists():
        sys.exit(f"{args.data_dir}: no FER-2013 here; this benchmark needs the research data")
    else:
        table = measure(args.data_dir, args.sizes, args.seeds)
    print_table(table)
    if args.plot:
        plot(table, args.plot)


if __name__ == "__main__":
    main()
