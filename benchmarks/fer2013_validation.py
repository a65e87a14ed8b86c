"""FER-2013 settings chosen without PublicTest: accuracy on a validation split of the Training faces.

    python benchmarks/fer2013_validation.py [--data-dir ../shared/data/fer2013] [--features hog]
        [--no-mirror] [--dropout 0.2] [--input-dropout 0.2] [--anneal] [--learning-rate 0.05]
        [--weight-decay 1e-4] [--rbm-epochs 5] [--epochs 30] [--average-from 31] [--hidden 500 500] [--no-pretrain] [--seed 0]

10 % of the 28,709 Training faces, stratified by class (`dbnfer.networks.mlp.stratified_holdout`, its own fixed
seed), are held out; DBN+MLP (or with ``--no-pretrain`` the same network from random weights) trains on the other
90 % with dbnfer's large-data schedule (`dbnfer.classifiers.LARGE_DATA_SCHEDULE`: 5 CD-1 epochs a layer, 30
fine-tuning epochs, mini-batches of 100), the candidate settings given on the command line overriding it, and the
script prints the held-out accuracy. PublicTest is never read. docs/results.md lists the candidates tried and
the one chosen (now the library's setting on features, `dbnfer.classifiers.LARGE_DATA_FEATURES`:
``--dropout 0.3 --epochs 60 --average-from 41``, mirrored faces). ``--features pixels+hog`` puts the two side by
side in one vector (``hog+lbp`` is also one of the library's features, the same vector).
Needs the research data; exits with a message when it is absent.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from dbnfer.classifiers import LARGE_DATA_SCHEDULE
from dbnfer.datasets import load_fer2013
from dbnfer.experiment import preprocessing
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.networks.mlp import stratified_holdout
from dbnfer.preprocess import prepare

VALIDATION_FRACTION = 0.1
VALIDATION_SEED = 12345  # draws the held-out faces; not a model seed
DEFAULTS = DBNClassifier()  # the settings a command-line option leaves alone


def described(dataset, features):
    """X and X_mirror of the Training faces, for one feature name or several joined by '+'."""
    pairs = [prepare(dataset, mirrored=True, **preprocessing("fer2013", features=name)) for name in features.split("+")]
    return tuple(np.concatenate(views, axis=1) for views in zip(*pairs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013"))
    parser.add_argument("--features", default="hog")
    parser.add_argument("--no-mirror", action="store_true", help="train without the mirrored faces")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout rate of the hidden units")
    parser.add_argument("--input-dropout", type=float, default=0.0, help="dropout rate of the input features")
    parser.add_argument("--anneal", action="store_true", help="decay the fine-tuning learning rate linearly")
    parser.add_argument("--learning-rate", type=float, default=DEFAULTS.learning_rate, help="fine-tuning learning rate")
    parser.add_argument("--weight-decay", type=float, default=DEFAULTS.weight_decay, help="fine-tuning L2 weight decay")
    parser.add_argument("--rbm-epochs", type=int, default=LARGE_DATA_SCHEDULE["rbm_epochs"], help="CD epochs a layer")
    parser.add_argument("--hidden", type=int, nargs="+", default=[500, 500])
    parser.add_argument("--epochs", type=int, default=LARGE_DATA_SCHEDULE["n_epochs"], help="fine-tuning epochs")
    parser.add_argument("--average-from", type=int, default=None,
                        help="keep the mean of the weights after this fine-tuning epoch and every later one")
    parser.add_argument("--no-pretrain", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="seed of the network")
    args = parser.parse_args()
    if not Path(args.data_dir).exists():
        sys.exit(f"{args.data_dir}: no FER-2013 here; this benchmark needs the research data")
    training = load_fer2013(args.data_dir)
    training = training.subset(training.parts == "Training")
    X, X_mirror = described(training, args.features)
    y = training.labels
    train, held_out = stratified_holdout(y, VALIDATION_FRACTION, np.random.default_rng(VALIDATION_SEED))
    settings = {**LARGE_DATA_SCHEDULE, "hidden_sizes": tuple(args.hidden), "dropout": args.dropout,
                "input_dropout": args.input_dropout, "anneal": args.anneal,
                "learning_rate": args.learning_rate, "weight_decay": args.weight_decay,
                "rbm_epochs": args.rbm_epochs, "n_epochs": args.epochs, "average_from": args.average_from, "pretrain": not args.no_pretrain, "mirror": not args.no_mirror}
    model = DBNClassifier(random_state=args.seed, **settings)
    mirror = {"X_mirror": X_mirror[train]} if model.mirror else {}
    start = time.perf_counter()
    model.fit(X[train], y[train], **mirror)
    seconds = time.perf_counter() - start
    mirror = {"X_mirror": X_mirror[held_out]} if model.mirror else {}
    accuracy = np.mean(model.predict(X[held_out], **mirror) == y[held_out])
    print(json.dumps({"features": args.features, **settings, "seed": args.seed, "faces": [len(train), len(held_out)],
                      "validation_accuracy": round(100 * accuracy, 2), "fit_seconds": round(seconds)}), flush=True)


if __name__ == "__main__":
    main()
