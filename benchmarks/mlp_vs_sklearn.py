"""One training epoch of dbnfer's MLP against scikit-learn's MLPClassifier, at equal accuracy.

The same network (2,304-500-7, logistic hidden units, softmax output), the same data, mini-batch
SGD with batch 100, learning rate 0.05, momentum 0.9 (classical, not Nesterov), L2 decay matched
(scikit-learn's alpha is divided by the batch size: alpha = 100 * weight_decay), no early
stopping, no validation split. Both train for the same number of epochs; the script prints the
time per epoch and the test accuracy of each.

Data: 5,000 noisy vectors in [0, 1] (float32, 2,304 = 48x48 values) of 7 classes, each
x = 0.1·(prototype of its class) + 0.9·(uniform noise), prototypes uniform at random; 4,000 to
train, 1,000 to test. The faint prototype keeps the task from being trivial after a few epochs.

Run:  python benchmarks/mlp_vs_sklearn.py [--epochs 5] [--repeats 2]
Threads: whatever OPENBLAS_NUM_THREADS says (set it to 1 for a single-core figure).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from dbnfer.mlp import MLP

N_SAMPLES, N_FEATURES, N_HIDDEN, N_CLASSES, N_TRAIN = 5000, 2304, 500, 7, 4000
BATCH, LEARNING_RATE, MOMENTUM, WEIGHT_DECAY = 100, 0.05, 0.9, 1e-4


def prototype_data(seed=0, signal=0.1):
    rng = np.random.default_rng(seed)
    prototypes = rng.random((N_CLASSES, N_FEATURES), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    noise = rng.random((N_SAMPLES, N_FEATURES), dtype=np.float32)
    return signal * prototypes[y] + (1 - signal) * noise, y


def timed_fit(make, X, y, repeats):
    """The fastest of `repeats` fits and the model it produced."""
    best, model = np.inf, None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    X, y = prototype_data()
    X_train, y_train, X_test, y_test = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]

    def ours():
        return MLP((N_HIDDEN,), activation="sigmoid", learning_rate=LEARNING_RATE,
                   momentum=MOMENTUM, weight_decay=WEIGHT_DECAY, n_epochs=args.epochs,
                   batch_size=BATCH, validation_fraction=0.0, random_state=0)

    def theirs():
        return MLPClassifier((N_HIDDEN,), activation="logistic", solver="sgd",
                             learning_rate_init=LEARNING_RATE, momentum=MOMENTUM,
                             nesterovs_momentum=False, alpha=WEIGHT_DECAY * BATCH,
                             batch_size=BATCH, max_iter=args.epochs, shuffle=True, tol=0.0,
                             n_iter_no_change=args.epochs + 1, early_stopping=False,
                             random_state=0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the epoch budget
        results = {"dbnfer": timed_fit(ours, X_train, y_train, args.repeats),
                   "sklearn": timed_fit(theirs, X_train, y_train, args.repeats)}
    print(f"MLP {N_FEATURES}-{N_HIDDEN}-{N_CLASSES}, batch {BATCH}, SGD momentum {MOMENTUM}, "
          f"{N_TRAIN} training vectors, {args.epochs} epochs (best of {args.repeats})")
    for name, (seconds, model) in results.items():
        print(f"  {name:8s} {seconds / args.epochs * 1000:8.1f} ms/epoch  "
              f"{N_TRAIN * args.epochs / seconds:8.0f} samples/s  "
              f"test accuracy {model.score(X_test, y_test):.3f}")
    ratio = results["sklearn"][0] / results["dbnfer"][0]
    print(f"  dbnfer speed-up: {ratio:.2f}x  (target >= 2x: {'met' if ratio >= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
