"""How DBN+MLP's accuracy depends on its knobs: one cross-validation per settings variant, same folds.

    python benchmarks/dbn_knobs.py --dataset jaffe --data-dir ../shared/data/jaffe --protocol kfold \\
        '{}' '{"hidden_sizes": [250]}' '{"cd_k": 3}' '{"rbm_epochs": 5}' '{"pretrain": false}'

Each argument is a JSON object of `DBNClassifier` settings applied over the registry's defaults ('{}' is the
default model). Prints a Markdown row per variant with the accuracy, the wall time and the peak memory of the
process so far (``ru_maxrss``).

``--unlabeled DIR`` adds the faces of the images in DIR to every fold's pre-training
(`DBNClassifier.fit(X_unlabeled=...)`, prepared by `dbnfer.experiment.load_unlabeled`, as ``dbnfer evaluate
--unlabeled`` does). With ``../shared/data/detection/caltech_faces`` that is about 5,900 faces of people who are
in none of the folds.
"""

import argparse
import json
import resource
import time

from dbnfer.evaluate import cross_validate, make_splits
from dbnfer.experiment import load_prepared, load_unlabeled
from dbnfer.networks.dbn import DBNClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="synthetic")
    parser.add_argument("--data-dir")
    parser.add_argument("--crop", choices=("central", "detect", "none"))
    parser.add_argument("--protocol", default="kfold", choices=("kfold", "loso", "subject-kfold"))
    parser.add_argument("--unlabeled", help="folder of face images added to every fold's pre-training")
    parser.add_argument("variants", nargs="+", help="JSON objects of DBNClassifier settings")
    args = parser.parse_args()
    dataset, X, settings = load_prepared(args.dataset, args.data_dir, crop=args.crop)
    fit_params = {}
    if args.unlabeled:
        fit_params["X_unlabeled"] = load_unlabeled(args.unlabeled, settings)
        print(f"{len(fit_params['X_unlabeled'])} unlabeled faces from {args.unlabeled}")
    splits = make_splits(dataset, args.protocol, 10, 0)
    print(f"{dataset.name}, {len(dataset)} images, {settings}, {args.protocol} ({len(splits)} folds)")
    print("| settings | accuracy (%) | seconds | peak memory (MB) |\n|---|---|---|---|")
    for variant in args.variants:
        options = json.loads(variant)
        start = time.perf_counter()
        result = cross_validate(lambda: DBNClassifier(**{"random_state": 0, **options}), X, dataset.labels, splits,
                                n_classes=len(dataset.label_names), fit_params=fit_params)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| `{variant}` | {100 * result['accuracy']:.1f} ± {100 * result['accuracy_std']:.1f} "
              f"| {time.perf_counter() - start:.0f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
