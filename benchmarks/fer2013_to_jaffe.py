"""A DBN+MLP trained on FER-2013, on JAFFE: as it is (zero-shot), and fine-tuned on the other JAFFE subjects.

    dbnfer train --dataset fer2013 --data-dir ../shared/data/fer2013 --features hog --out fer_hog.npz
    python benchmarks/fer2013_to_jaffe.py fer_hog.npz [--data ../shared/data] [--zero-shot]

Each JAFFE photo is cut around the detector's largest box as FER-2013's faces are framed (`dbnfer.predict.face_frame`)
and described as the model's training faces were. Zero-shot, the model has never seen a JAFFE face: its accuracy is
person-independent by construction. Fine-tuned, leave-one-subject-out: for each held-out subject, the FER-2013
network (standardisation, hidden layers and softmax layer alike) continues training by backpropagation on the other
nine subjects' faces and their mirror images (batches of 20, momentum 0.9, no dropout), and the held-out subject is
predicted from the mean probabilities of each face and its mirror image. The number of epochs and the learning rate
are chosen per fold among `GRID` by an inner leave-one-subject-out over the nine training subjects (nested: the held-
out subject chooses nothing); the accuracy of every fixed grid point is printed too, for the record, not for choosing.
"""

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np

from dbnfer.datasets import load_dataset
from dbnfer.evaluate import leave_one_subject_out
from dbnfer.predict import ExpressionModel
from dbnfer.preprocess import face_vectors

#: (fine-tuning epochs, learning rate) candidates of the nested choice.
GRID = [(epochs, rate) for epochs in (10, 30, 60) for rate in (0.005, 0.02, 0.05)]


def framed_faces(model, images):
    """Feature vectors of each photo's largest face, and of its mirror image, cut as `model` frames faces."""
    boxes, found = [], 0
    for image in images:
        faces = model.find_faces(image)
        found += bool(faces)
        boxes.append(max(faces, key=lambda box: box[2] * box[3]) if faces else (0, 0, *image.shape))
    p = model.preprocessing
    X, X_mirror, _, _ = face_vectors(list(images), boxes, p["size"], p["equalised"], p["crop"], p["features"],
                                     mirrored=True)
    return X, X_mirror, found


class FineTuning:
    """The model's network, trained further on some of the standardised faces `Z` (mirror images `Z_mirror`)."""

    def __init__(self, classifier, X, X_mirror, y, seed=0):
        self.classifier, self.y, self.seed = classifier, y, seed
        self.Z = (X - classifier.mean_) / classifier.scale_
        self.Z_mirror = (X_mirror - classifier.mean_) / classifier.scale_

    def fit(self, rows, epochs, learning_rate):
        mlp = copy.deepcopy(self.classifier.mlp_)
        mlp.warm_start, mlp.n_epochs, mlp.learning_rate, mlp.average_from = True, epochs, learning_rate, None
        mlp.batch_size, mlp.dropout, mlp.validation_fraction = 20, 0.0, 0.0
        mlp.random_state, mlp.verbose = self.seed, False
        return mlp.fit(np.concatenate([self.Z[rows], self.Z_mirror[rows]]), np.tile(self.y[rows], 2))

    def right(self, mlp, rows):
        """How many of `rows` the fine-tuned `mlp` classifies correctly."""
        proba = mlp.predict_proba(self.Z[rows]) + mlp.predict_proba(self.Z_mirror[rows])
        return int(np.sum(mlp.classes_[np.argmax(proba, axis=1)] == self.y[rows]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="an expression model trained on FER-2013 by dbnfer train")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    parser.add_argument("--zero-shot", action="store_true", help="only the model as it is, no fine-tuning")
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
    fixed, nested = dict.fromkeys(GRID, 0), 0
    for train, test in leave_one_subject_out(subjects):
        inner = dict.fromkeys(GRID, 0)
        for inner_train, inner_test in leave_one_subject_out(subjects[train]):
            for point in GRID:
                inner[point] += tuning.right(tuning.fit(train[inner_train], *point), train[inner_test])
        chosen = max(GRID, key=inner.get)  # the first of equals
        for point in GRID:
            fixed[point] += tuning.right(tuning.fit(train, *point), test)
        nested += tuning.right(tuning.fit(train, *chosen), test)
        print(f"  held out {subjects[test[0]]}: chose {chosen[0]} epochs at rate {chosen[1]} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    for (epochs, rate), right in fixed.items():
        print(f"  fixed {epochs} epochs at rate {rate}: {100 * right / len(y):.1f} %")
    print(f"fine-tuned, leave-one-subject-out with the nested choice: {100 * nested / len(y):.1f} %")


if __name__ == "__main__":
    main()
