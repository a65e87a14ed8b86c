"""Several networks' held-out JAFFE predictions averaged: the accuracy of the mean class probabilities.

    python benchmarks/fer2013_to_jaffe.py fer_hog.npz --save-proba hog.npz [--protocol kfold]
    python benchmarks/jaffe_ensemble.py hog.npz [hoglbp.npz ...] [--jaffe-dbn] [--protocol kfold]

Each file holds every photo's probabilities from networks that did not train on it (same folds, same photos, in the
same order). ``--jaffe-dbn`` adds the DBN+MLP trained on JAFFE alone in the setting fixed on FER-2013 (faces
registered by the eyes, HOG+LBP; docs/results.md), trained here on the same folds (``dbnfer compare``'s folds and
seed). Averaging is the simplest ensemble (Hansen & Salamon 1990: networks that err on different faces correct each
other): a network that starts from FER-2013 knows expressions on many people, one trained on JAFFE alone knows these
ten women. Nothing is chosen here: every network given is averaged with equal weight.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from dbnfer.classifiers import make_classifier
from dbnfer.evaluate import make_splits
from dbnfer.experiment import load_prepared

#: The JAFFE-only setting of ``--jaffe-dbn``: fixed on FER-2013's validation round (docs/results.md).
JAFFE_SETTING = {"crop": "align", "features": "hog+lbp"}


def jaffe_dbn_probabilities(data_dir, protocol, seed=0):
    """Held-out class probabilities of DBN+MLP trained on JAFFE alone (`JAFFE_SETTING`), fold by fold."""
    data, X, _ = load_prepared("jaffe", data_dir, **JAFFE_SETTING)
    proba = np.zeros((len(data), len(data.label_names)))
    for train, test in make_splits(data, protocol, seed=seed):
        classifier = make_classifier("dbn", seed, features=JAFFE_SETTING["features"], n_faces=len(X))
        proba[test] = classifier.fit(X[train], data.labels[train]).predict_proba(X[test])
    return proba, data.labels, np.asarray(data.subjects)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="files written by fer2013_to_jaffe.py --save-proba")
    parser.add_argument("--jaffe-dbn", action="store_true", help="add DBN+MLP trained on JAFFE alone (see above)")
    parser.add_argument("--protocol", choices=("loso", "kfold"), default="loso", help="the files' folds")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    args = parser.parse_args()
    runs = {path: dict(np.load(path)) for path in args.files}
    for path, run in runs.items():
        if str(run.get("protocol", args.protocol)) != args.protocol:
            sys.exit(f"{path}: written under --protocol {run['protocol']}, not {args.protocol}")
    if args.jaffe_dbn:
        proba, labels, subjects = jaffe_dbn_probabilities(Path(args.data) / "jaffe", args.protocol)
        runs["DBN+MLP on JAFFE alone, align + HOG+LBP"] = {"proba": proba, "labels": labels, "subjects": subjects}
    if not runs:
        sys.exit("nothing to average: give files, --jaffe-dbn, or both")
    first = next(iter(runs.values()))
    if any(not np.array_equal(run["labels"], first["labels"]) or not np.array_equal(run["subjects"],
                                                                                     first["subjects"])
           for run in runs.values()):
        sys.exit("the networks' predictions are not of the same photos in the same order")
    labels = first["labels"]
    for name, run in runs.items():
        print(f"  {name}: {100 * np.mean(np.argmax(run['proba'], axis=1) == labels):.1f} %")
    mean = np.mean([run["proba"] for run in runs.values()], axis=0)
    print(f"{args.protocol}, mean probabilities of the {len(runs)}: "
          f"{100 * np.mean(np.argmax(mean, axis=1) == labels):.1f} % of {len(labels)} photos")


if __name__ == "__main__":
    main()
