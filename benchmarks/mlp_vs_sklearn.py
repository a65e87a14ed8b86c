"""One training epoch of dbnfer's MLP against scikit-learn's MLPClassifier, at equal accuracy.

The same network (2,304-500-7, logistic hidden units, softmax output), the same data, mini-batch
SGD with batch 100, learning rate 0.05, momentum 0.9 (classical, not Nesterov), L2 decay matched
(scikit-learn's alpha is divided by the batch size: alpha = 100 * weight_decay), no early
stopping, no validation split. Both train for the same number of epochs; the script prints the
time per epoch and the test accuracy of each. The fits alternate (dbnfer, floor, scikit-learn,
dbnfer, ...) and the fastest of each is kept, so that a load change on a shared machine hits all
alike; dbnfer's time over the floor is also given as the median over the rounds of each round's
pair (`timing.paired_ratios`: the floor runs right after dbnfer, at nearly the same machine speed).

Data: 5,000 noisy vectors in [0, 1] (float32, 2,304 = 48x48 values) of 7 classes, each
x = 0.1·(prototype of its class) + 0.9·(uniform noise), prototypes uniform at random; 4,000 to
train, 1,000 to test. The faint prototype keeps the task from being trivial after a few epochs.

The floor: a step needs two (batch x 2,304) by (2,304 x 500) float32 matrix products, the forward
pass and the weight gradient (4·batch·2,304·500 flops; the 500 x 7 layer and the hidden δ add 1.5 %
to that and are left out); the script times those two products alone, 40 times, as "GEMM floor"
(ms/epoch), and prints the speed-up over scikit-learn that an implementation doing nothing else
would reach.

Run:  python benchmarks/mlp_vs_sklearn.py [--epochs 5] [--repeats 3]
Threads: whatever OPENBLAS_NUM_THREADS says (set it to 1 for a single-core figure).
"""

import argparse
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from dbnfer.networks.mlp import MLP
from timing import paired_ratios, round_times  # benchmarks/timing.py, next to this script

N_SAMPLES, N_FEATURES, N_HIDDEN, N_CLASSES, N_TRAIN = 5000, 2304, 500, 7, 4000
BATCH, LEARNING_RATE, MOMENTUM, WEIGHT_DECAY = 100, 0.05, 0.9, 1e-4


def prototype_data(seed=0, signal=0.1):
    rng = np.random.default_rng(seed)
    prototypes = rng.random((N_CLASSES, N_FEATURES), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    noise = rng.random((N_SAMPLES, N_FEATURES), dtype=np.float32)
    return signal * prototypes[y] + (1 - signal) * noise, y


def gemm_floor(n_epochs):
    """A callable doing the two big products of every step (forward, weight gradient) of
    `n_epochs` epochs, and nothing else."""
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, N_FEATURES), dtype=np.float32)
    delta = rng.random((BATCH, N_HIDDEN), dtype=np.float32)
    W = rng.standard_normal((N_FEATURES, N_HIDDEN), dtype=np.float32)
    z = np.empty((BATCH, N_HIDDEN), dtype=np.float32)
    grad = np.empty_like(W)

    def run():
        for _ in range(n_epochs * (N_TRAIN // BATCH)):
            np.matmul(x, W, out=z)
            np.matmul(x.T, delta, out=grad)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = prototype_data()
    X_train, y_train, X_test, y_test = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]
    models = {
        "dbnfer": lambda: MLP((N_HIDDEN,), activation="sigmoid", learning_rate=LEARNING_RATE,
                              momentum=MOMENTUM, weight_decay=WEIGHT_DECAY, n_epochs=args.epochs,
                              batch_size=BATCH, validation_fraction=0.0, random_state=0),
        "sklearn": lambda: MLPClassifier((N_HIDDEN,), activation="logistic", solver="sgd",
                                         learning_rate_init=LEARNING_RATE, momentum=MOMENTUM,
                                         nesterovs_momentum=False, alpha=WEIGHT_DECAY * BATCH,
                                         batch_size=BATCH, max_iter=args.epochs, shuffle=True,
                                         tol=0.0, n_iter_no_change=args.epochs + 1,
                                         early_stopping=False, random_state=0)}
    fitted = {}

    def fit(name):
        def run():
            fitted[name] = models[name]().fit(X_train, y_train)
        return run

    runs = {"dbnfer": fit("dbnfer"), "GEMM floor": gemm_floor(args.epochs), "sklearn": fit("sklearn")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the epoch budget
        rounds = round_times(runs, args.repeats)
    seconds = {name: min(times) / args.epochs for name, times in rounds.items()}
    accuracy = {name: model.score(X_test, y_test) for name, model in fitted.items()}
    print(f"MLP {N_FEATURES}-{N_HIDDEN}-{N_CLASSES}, batch {BATCH}, SGD momentum {MOMENTUM}, "
          f"{N_TRAIN} training vectors, {args.epochs} epochs (best of {args.repeats})")
    for name in models:
        print(f"  {name:10s} {seconds[name] * 1000:8.1f} ms/epoch  "
              f"{N_TRAIN / seconds[name]:8.0f} samples/s  test accuracy {accuracy[name]:.3f}")
    print(f"  GEMM floor {seconds['GEMM floor'] * 1000:8.1f} ms/epoch  (the two (100 x 2304) by "
          f"(2304 x 500) products of each step alone: at most "
          f"{seconds['sklearn'] / seconds['GEMM floor']:.2f}x scikit-learn's speed)")
    ratio = seconds["sklearn"] / seconds["dbnfer"]
    met = ratio >= 2 and accuracy["dbnfer"] >= accuracy["sklearn"]
    print(f"  dbnfer speed-up: {ratio:.2f}x at test accuracy {accuracy['dbnfer']:.3f} vs "
          f"{accuracy['sklearn']:.3f}  (target >= 2x at equal or better accuracy: "
          f"{'met' if met else 'NOT met'})")
    print(f"  dbnfer time over the GEMM floor: {seconds['dbnfer'] / seconds['GEMM floor']:.2f}, "
          f"scikit-learn's: {seconds['sklearn'] / seconds['GEMM floor']:.2f}")
    median, low, high = paired_ratios(rounds, "dbnfer", "GEMM floor")
    print(f"  dbnfer over the floor, paired by round (median, min-max of {args.repeats}): {median:.2f} "
          f"({low:.2f}-{high:.2f})   (target <= 1.15: {'met' if median <= 1.15 else 'NOT met'})")


if __name__ == "__main__":
    main()
