"""A DBN+MLP trained on FER-2013, on JAFFE: as it is (zero-shot), and fine-tuned on the other JAFFE subjects.

    dbnfer train --dataset fer2013 --data-dir ../shared/data/fer2013 --features hog --out fer_hog.npz
    python benchmarks/fer2013_to_jaffe.py fer_hog.npz [--data ../shared/data] [--zero-shot] [--protocol loso|kfold]

Each JAFFE photo is cut around the detector's largest box as FER-2013's faces are framed (`dbnfer.predict.face_frame`)
and described as the model's training faces were. Zero-shot, the model has never seen a JAFFE face: its accuracy is
person-independent by construction. Fine-tuned, leave-one-subject-out: for each held-out subject, the FER-2013
network (standardisation, hidden layers and softmax layer alike) continues training by backpropagation on the other
nine subjects' faces and their mirror images (batches of 20, momentum 0.9, no dropout), and the held-out subject is
predicted from the mean probabilities of each face and its mirror image. The number of epochs and the learning rate
are chosen per fold among `GRID` by an inner leave-one-subject-out over the nine training subjects (nested: the held-
out subject chooses nothing; `dbnfer.transfer.choose_schedule`, what ``dbnfer train --init-from`` does on a whole data
set); the accuracy of every fixed grid point is printed too, for the record, not for choosing. ``--protocol kfold``
holds out the folds of the JAFFE tables' 10-fold instead (person-dependent), the choice still by leave-one-subject-out
over the training faces' subjects.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from dbnfer.datasets import load_dataset
from dbnfer.evaluate import make_splits
from dbnfer.predict import ExpressionModel
from dbnfer.transfer import GRID, FineTuning, choose_schedule, framed_faces


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="an expression model trained on FER-2013 by dbnfer train")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    parser.add_argument("--zero-shot", action="store_true", help="only the model as it is, no fine-tuning")
    parser.add_argument("--protocol", choices=("loso", "kfold"), default="loso",
                        help="outer folds: leave-one-subject-out (default) or the JAFFE tables' 10-fold")
    parser.add_argument("--save-proba", metavar="FILE.npz",
                        help="write each photo's class probabilities under the nested choice, its label and subject "
                             "(for benchmarks/jaffe_ensemble.py)")
    args = parser.parse_args()
    if not (Path(args.data) / "jaffe").is_dir():
        sys.exit(f"{args.data}: jaffe/ not found; this evaluation needs the research data")
    model = ExpressionModel.load(args.model)
    jaffe = load_dataset("jaffe", Path(args.data) / "jaffe")
    if tuple(jaffe.label_names) != model.label_names:
        sys.exit(f"{args.model}: classes {model.label_names}, JAFFE's are {jaffe.label_names}")
    X, X_mirror, found = framed_faces(model, jaffe.images)
    y, subjects = jaffe.labels, np.asarray(jaffe.subjects)
    zero_shot = np.argmax(model.classifier.predict_proba(X, X_mirror), axis=1)
    print(f"{model.trained_on}, {model.preprocessing['features']}: faces found in {found}/{len(y)} JAFFE photos; "
          f"zero-shot 7-way accuracy {100 * np.mean(zero_shot == y):.1f} %")
    if args.zero_shot:
        return
    tuning, start = FineTuning(model.classifier, X, X_mirror, y), time.perf_counter()
    fixed, proba = dict.fromkeys(GRID, 0), np.zeros((len(y), len(jaffe.label_names)))
    for train, test in make_splits(jaffe, args.protocol):
        chosen, _ = choose_schedule(tuning, train, subjects[train])
        for point in GRID:
            fixed[point] += tuning.right(tuning.fit(train, *point), test)
        proba[test] = tuning.proba(tuning.fit(train, *chosen), test)
        print(f"  held out {', '.join(np.unique(subjects[test]))}: chose {chosen[0]} epochs at rate {chosen[1]} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    for (epochs, rate), right in fixed.items():
        print(f"  fixed {epochs} epochs at rate {rate}: {100 * right / len(y):.1f} %")
    name = {"loso": "leave-one-subject-out", "kfold": "10-fold"}[args.protocol]
    print(f"fine-tuned, {name} with the nested choice: {100 * np.mean(np.argmax(proba, axis=1) == y):.1f} %")
    if args.save_proba:
        np.savez(args.save_proba, proba=proba, labels=y, subjects=subjects, protocol=args.protocol)


if __name__ == "__main__":
    main()
