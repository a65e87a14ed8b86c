"""Train DBN+MLP on JAFFE (or FER-2013), predict on the Yale faces: other people, other camera, other data set.

    python benchmarks/cross_dataset_yale.py [--data ../shared/data] [--train-on jaffe|fer2013] [--model dbn]
                                            [--seed 0] [--crop detect|align] [--features pixels|lbp|hog|gabor|hog+lbp]
    python benchmarks/cross_dataset_yale.py --init-from fer_hog.npz [--seed 0]

With ``--train-on fer2013`` the network learns from FER-2013's whole 48x48 faces (all of train/ and test/, as
``dbnfer train --dataset fer2013`` does) and cuts each Yale face around the detector's box as those faces are
framed (`dbnfer.predict.face_frame`); ``--crop`` is then not used. With ``--init-from MODEL`` (a model written by
``dbnfer train``, e.g. on FER-2013), the network is not trained from the start: MODEL is fine-tuned on all of JAFFE as
``dbnfer train --dataset jaffe --init-from MODEL`` does (`dbnfer.transfer.fine_tune_model`: epochs and learning rate
chosen by leave-one-subject-out on JAFFE, Yale chooses nothing), and faces are prepared as MODEL prepares them.
``--average-with SAVED`` classifies each photo's largest face by the mean of the two models' probabilities (each
prepares the face its own way), as benchmarks/jaffe_ensemble.py does on JAFFE.

Prints the detection rate over all 164 Yale photos (at least one face found), the accuracy of the
largest face's expression on the happy / normal (neutral) / sad / surprised photos, that accuracy
when the choice is restricted to those four expressions, and the time per 640x480 photo of
detection plus classification. Needs the research data (../shared/data); exits with a message
when it is absent.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from skimage.transform import resize

from dbnfer.datasets import load_yale
from dbnfer.detect import detect_faces
from dbnfer.features import FEATURES
from dbnfer.images import read_grey
from dbnfer.predict import ExpressionModel, predict_image, train_expression_model
from dbnfer.transfer import fine_tune_model

YALE_CONDITIONS = ("happy", "normal", "sad", "surprised")


def largest_face_probabilities(model, image):
    """The class probabilities (in `model.label_names` order) of the largest face `model` finds, or None."""
    faces = predict_image(model, image)
    if not faces:
        return None
    largest = max(faces, key=lambda face: face.box[2] * face.box[3])
    return np.array([largest.probabilities[name] for name in model.label_names])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    parser.add_argument("--train-on", default="jaffe", choices=("jaffe", "fer2013"))
    parser.add_argument("--model", default="dbn", choices=("dbn", "mlp"))
    parser.add_argument("--seed", type=int, default=0, help="seed of the network (default 0)")
    parser.add_argument("--crop", default="detect", choices=("detect", "align"),
                        help="a fixed central box does not carry over to another camera, so detect or align")
    parser.add_argument("--features", default="pixels", choices=FEATURES)
    parser.add_argument("--init-from", metavar="MODEL", help="fine-tune this model on JAFFE instead (see above)")
    parser.add_argument("--average-with", metavar="MODEL",
                        help="classify each face by the mean of the trained model's probabilities and this saved "
                             "model's (e.g. one from dbnfer train --dataset jaffe --crop align --features hog+lbp)")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / args.train_on).is_dir() or not (data / "yalefaces").is_dir():
        sys.exit(f"{data}: {args.train_on}/ and yalefaces/ not found; this evaluation needs the research data")

    start = time.perf_counter()
    crop = args.crop if args.train_on == "jaffe" else None  # FER-2013's faces are whole images
    if args.init_from:
        model = fine_tune_model(ExpressionModel.load(args.init_from), args.train_on, data / args.train_on, args.seed)
    else:
        model = train_expression_model(args.train_on, data / args.train_on, args.model, args.seed, crop=crop,
                                       features=args.features)
    elapsed = time.perf_counter() - start
    print(f"trained {args.model} on {model.trained_on} with {model.preprocessing} in {elapsed:.0f} s")

    photos = sorted(p for p in (data / "yalefaces").iterdir() if p.name.startswith("subject"))
    found, seconds = 0, []
    for path in photos:
        image = read_grey(path)
        found += len(detect_faces(image)[0]) > 0  # a whole-image model classifies the photo whole when none is
        photo = resize(image, (480, 640), anti_aliasing=True)  # timed at the 640x480 size
        start = time.perf_counter()
        predict_image(model, photo)
        seconds.append(time.perf_counter() - start)
    print(f"Yale photos with a face found: {found}/{len(photos)} = {100 * found / len(photos):.1f} %")
    print(f"time per 640x480 photo, detection + classification: {1000 * np.median(seconds):.0f} ms (median)")

    yale = load_yale(data / "yalefaces", conditions=tuple(YALE_CONDITIONS))  # exact duplicates dropped
    common = [model.label_names.index(name) for name in yale.label_names]
    models = [model] + ([ExpressionModel.load(args.average_with)] if args.average_with else [])
    right = right4 = 0
    for image, label in zip(yale.images, yale.labels):
        probabilities = [largest_face_probabilities(m, image) for m in models]
        if all(p is not None for p in probabilities):
            proba = np.mean(probabilities, axis=0)
            right += model.label_names[int(np.argmax(proba))] == yale.label_names[label]
            right4 += int(np.argmax(proba[common])) == label
    print(f"expression accuracy on Yale happy/normal/sad/surprised ({len(yale)} photos, 7-way): "
          f"{100 * right / len(yale):.1f} %")
    print(f"  choosing among those four expressions only: {100 * right4 / len(yale):.1f} % (chance 25 %)")

if __name__ == "__main__":
    main()
