"""CD-1 training speed of dbnfer's BernoulliRBM against scikit-learn's and against raw GEMM.

Same data for both (5,000 random vectors in [0, 1], float32, 2,304 = 48x48 and 1,024 = 32x32
visible units), 500 hidden units, batch 100, CD-1, learning rate 0.05, several epochs, timed in
this run. Monitoring is off in both (scikit-learn computes its pseudo-likelihood only when verbose).

Flop count: 6·batch·V·H per CD-1 step, i.e. three (batch x V) by (V x H) matrix products at 2 flops
per multiply-add (up pass, down pass, second up pass). A CD-1 step really does five such products
(the two outer products <v0ᵀh0> and <v1ᵀh1> of the gradient are two more), so 6/10 = 60 % of the
GEMM rate is what a step with zero overhead besides its matrix products would reach; the script
also prints that "all five products" efficiency, twice: from the fastest run of each, and as the median over the
rounds of the same round's GEMM timing against dbnfer's, run right after it (`timing.paired_ratios`, robust to a
machine whose speed drifts during the run).

The GEMM rate is measured here on the CD shape itself: float32 (batch x V) @ (V x H).

scikit-learn is timed twice: on the same float32 data, and on float64 data, where it computes in
float64 (the issue's anchor, about 2,600 samples/s or 18 GFLOP/s at 2,304 visible units, was that
float64 run). The fits and the GEMM timing alternate (dbnfer, GEMM, scikit-learn float32, float64,
dbnfer, ...) and the fastest of each is kept, so that a load change on a shared machine hits
all alike.

Run:  python benchmarks/rbm_vs_sklearn.py [--epochs 3] [--repeats 5]
Threads: whatever OPENBLAS_NUM_THREADS says (set it to 1 for a single-core figure).
"""

import argparse

import numpy as np
from sklearn.neural_network import BernoulliRBM as SkBernoulliRBM

from dbnfer.networks.rbm import BernoulliRBM
from timing import paired_ratios, round_times  # benchmarks/timing.py, next to this script

N_SAMPLES, N_HIDDEN, BATCH, LEARNING_RATE = 5000, 500, 100, 0.05


N_GEMM_CALLS = 200


def gemm_run(n_visible):
    """A callable doing `N_GEMM_CALLS` float32 (batch x V) @ (V x H), the product CD-1 is made of."""
    rng = np.random.default_rng(0)
    v = rng.random((BATCH, n_visible), dtype=np.float32)
    W = rng.standard_normal((n_visible, N_HIDDEN), dtype=np.float32)
    out = np.empty((BATCH, N_HIDDEN), dtype=np.float32)

    def run():
        for _ in range(N_GEMM_CALLS):
            np.matmul(v, W, out=out)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n_visible in (2304, 1024):
        X = rng.random((N_SAMPLES, n_visible), dtype=np.float32)
        ours = BernoulliRBM(n_hidden=N_HIDDEN, learning_rate=LEARNING_RATE, n_epochs=args.epochs,
                            batch_size=BATCH, k=1, n_monitor=0, random_state=0)
        theirs = SkBernoulliRBM(n_components=N_HIDDEN, learning_rate=LEARNING_RATE,
                                n_iter=args.epochs, batch_size=BATCH, random_state=0)
        theirs64 = SkBernoulliRBM(n_components=N_HIDDEN, learning_rate=LEARNING_RATE,
                                  n_iter=args.epochs, batch_size=BATCH, random_state=0)
        X64 = X.astype(np.float64)
        rounds = round_times({"dbnfer": lambda: ours.fit(X), "gemm": gemm_run(n_visible),
                              "sklearn": lambda: theirs.fit(X), "sklearn float64": lambda: theirs64.fit(X64)},
                             args.repeats)
        seconds = {name: min(times) for name, times in rounds.items()}
        gemm = N_GEMM_CALLS * 2 * BATCH * n_visible * N_HIDDEN / seconds.pop("gemm") / 1e9
        rate = {name: args.epochs * N_SAMPLES / t for name, t in seconds.items()}
        flops_per_sample = 6 * n_visible * N_HIDDEN
        print(f"\n{N_SAMPLES} x {n_visible} visible, {N_HIDDEN} hidden, batch {BATCH}, CD-1, "
              f"{args.epochs} epochs (best of {args.repeats})")
        print(f"  float32 GEMM ({BATCH} x {n_visible}) @ ({n_visible} x {N_HIDDEN}): "
              f"{gemm:.1f} GFLOP/s")
        for name, samples_per_s in rate.items():
            gflops = samples_per_s * flops_per_sample / 1e9
            print(f"  {name:16s} {samples_per_s:9.0f} samples/s  {gflops:6.1f} GFLOP/s (6BVH)"
                  f"  {gflops / gemm:6.1%} of GEMM")
        ratio = rate["dbnfer"] / rate["sklearn"]
        efficiency = rate["dbnfer"] * 10 * n_visible * N_HIDDEN / 1e9 / gemm
        ratio64 = rate["dbnfer"] / rate["sklearn float64"]
        print(f"  dbnfer / sklearn on the same float32 data: {ratio:.2f}x   (target >= 4x: "
              f"{'met' if ratio >= 4 else 'NOT met'})")
        print(f"  dbnfer / sklearn on float64 data (the issue's anchor): {ratio64:.2f}x   "
              f"(target >= 4x: {'met' if ratio64 >= 4 else 'NOT met'})")
        print(f"  dbnfer at 6BVH: {rate['dbnfer'] * flops_per_sample / 1e9 / gemm:.1%} of GEMM "
              f"(target >= 60 %); counting all five products (10BVH): {efficiency:.1%}")
        # a step's five products take 5 / N_GEMM_CALLS of a GEMM run; dbnfer's run is epochs * N / BATCH steps
        paired = [5 * args.epochs * N_SAMPLES / (N_GEMM_CALLS * BATCH) / ratio
                  for ratio in paired_ratios(rounds, "dbnfer", "gemm")]
        print(f"  all five products, paired by round (median, min-max of {args.repeats}): {paired[0]:.1%} "
              f"({paired[2]:.1%}-{paired[1]:.1%})   (target >= 90 %: {'met' if paired[0] >= 0.9 else 'NOT met'})")
        ceiling = gemm * 1e9 / (10 * n_visible * N_HIDDEN)
        print(f"  ceiling, the five products at the GEMM rate and nothing else: {ceiling:.0f} "
              f"samples/s = {ceiling / rate['sklearn']:.2f}x sklearn float32, "
              f"{ceiling / rate['sklearn float64']:.2f}x sklearn float64, 60.0% of GEMM at 6BVH")


if __name__ == "__main__":
    main()
