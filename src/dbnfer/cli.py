"""The ``dbnfer`` command. Thin: it parses arguments and calls the library.

A user's mistake (missing path, wrong layout, unreadable image, existing output folder, unknown
option or a value out of its range) ends with one line ``dbnfer: error: ...`` on standard error and exit
code 2, found before any long work; Ctrl-C ends with one line ``dbnfer: interrupted`` and exit code 130.
Output files and folders appear only once complete, so neither leaves anything half-written behind.
"""

import argparse
import math
import os
import sys
from pathlib import Path

# dbnfer multiplies small matrices (mini-batches of tens of faces): there, BLAS threads waiting for each other
# cost far more than they save (docs/results.md, "The synthetic default"). The command runs BLAS on one thread
# unless the user's environment says otherwise; set before NumPy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

from dbnfer.classifiers import CLASSIFIERS  # noqa: E402
from dbnfer.datasets import load_dataset  # noqa: E402
from dbnfer.evaluate import PROTOCOLS  # noqa: E402
from dbnfer.experiment import run_and_report  # noqa: E402
from dbnfer.features import FEATURES  # noqa: E402
from dbnfer.preprocess import CROPS  # noqa: E402
from dbnfer.report import accuracy_text, staged_folder  # noqa: E402

USER_ERRORS = (ValueError, OSError)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are ValueErrors, reported by `main` like any other user mistake."""

    def error(self, message):
        raise ValueError(message)


def _number(kind, low, high=math.inf, low_open=False):
    """An argparse type: a finite `kind` (int or float) from `low` (excluded if `low_open`) to `high`."""
    what = "an integer" if kind is int else "a number"
    allowed = f"{'above' if low_open else 'at least'} {low:g}" + (f" and at most {high:g}" if high < math.inf else "")

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not (math.isfinite(value) and (value > low if low_open else value >= low) and value <= high):
            raise argparse.ArgumentTypeError(f"{text}: must be {what} {allowed}")
        return value
    return parse


POSITIVE = _number(int, 1)
FRACTION = _number(float, 0, 1)


def _box_type(inside_image, allow_none=False):
    """An argparse type: 'top,left,height,width' -> 4 floats, height and width positive; inside [0, 1] if
    `inside_image`; 'none' -> None if `allow_none`."""
    def parse(text):
        if allow_none and text == "none":
            return None
        try:
            box = tuple(float(v) for v in text.split(","))
        except ValueError:
            box = ()
        if len(box) != 4 or not all(map(math.isfinite, box)):
            raise argparse.ArgumentTypeError(f"{text}: expected top,left,height,width" +
                                             (" or none" if allow_none else ""))
        top, left, height, width = box
        if height <= 0 or width <= 0:
            raise argparse.ArgumentTypeError(f"{text}: the height and width must be positive")
        if inside_image and not (top >= 0 and left >= 0 and top + height <= 1 and left + width <= 1):
            raise argparse.ArgumentTypeError(f"{text}: the box must lie inside the image (fractions 0-1)")
        return box
    return parse


def _method_list(text):
    """An argparse type: comma-separated names of CLASSIFIERS, at least one."""
    methods = [name.strip() for name in text.split(",") if name.strip()]
    if not methods:
        raise argparse.ArgumentTypeError("give at least one method")
    unknown = [name for name in methods if name not in CLASSIFIERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(CLASSIFIERS)}")
    return methods


def _add_data_options(parser, default_dataset=None):
    parser.add_argument("--dataset", default=default_dataset, required=default_dataset is None,
                        help="jaffe, ckplus, fer2013, yale, folders, synthetic or lfw")
    parser.add_argument("--data-dir", help="folder (or CSV) holding the data set in its original layout")


def _add_training_options(parser):
    """How the faces are prepared, and the unlabeled faces for pre-training: evaluate, compare, train."""
    parser.add_argument("--size", type=POSITIVE,
                        help="side of the square face images (default: the data set's preset)")
    parser.add_argument("--crop", choices=CROPS,
                        help="how faces are framed: a fixed central box, the detector's box, the detected face "
                             "aligned by its eyes, or the whole image (default: the data set's preset)")
    parser.add_argument("--features", choices=FEATURES,
                        help="what the classifiers see of a face: its pixels (default), uniform LBP histograms, "
                             "HOG, Gabor magnitudes, or HOG and LBP side by side; the face side defaults to 64 "
                             "for all but pixels")
    parser.add_argument("--no-equalise", dest="equalised", action="store_false", default=None,
                        help="skip histogram equalisation")
    parser.add_argument("--unlabeled", metavar="DIR",
                        help="folder of face images without labels, added to DBN pre-training (cropped like the "
                             "data set's faces, by the detector where it uses a fixed box; images without a face "
                             "are dropped)")


def _add_evaluation_options(parser):
    """Preparation, protocol and report folder: evaluate and compare."""
    _add_training_options(parser)
    parser.add_argument("--protocol", choices=(*PROTOCOLS, "both"), default="kfold",
                        help="kfold: stratified k-fold (person-dependent); loso: leave-one-subject-out; "
                             "subject-kfold: k folds of whole subjects; official: the data set's own split "
                             "(FER-2013: train on Training, PublicTest and PrivateTest reported separately); "
                             "both: kfold and loso")
    parser.add_argument("--folds", type=_number(int, 2), default=10, help="k of k-fold (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and the models")
    parser.add_argument("--jobs", type=POSITIVE, default=1,
                        help="folds run in this many processes, one BLAS thread each (same figures as 1; "
                             "default 1)")
    _add_output_options(parser, "report folder to create (must not exist or be empty); it appears only when the "
                                "report is complete, so a failed or interrupted run (Ctrl-C) leaves nothing")


def _add_output_options(parser, out_help, force_help=None):
    parser.add_argument("--out", required=True, help=out_help)
    if force_help:
        parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("--quiet", action="store_true", help="no progress messages")


def _protocols(name):
    return ("kfold", "loso") if name == "both" else (name,)


def cmd_info(args):
    dataset = load_dataset(args.dataset, args.data_dir)
    print(f"{dataset.name}: {len(dataset)} images of {dataset.images.shape[2]}x{dataset.images.shape[1]} pixels, "
          f"{len(set(dataset.subjects))} subjects, {len(set(dataset.groups))} groups")
    for name, count in dataset.counts().items():
        print(f"  {name:<10} {count}")
    if dataset.parts is not None:
        parts, counts = np.unique(dataset.parts, return_counts=True)
        print("  official parts: " + ", ".join(f"{part} {count}" for part, count in zip(parts, counts)))
    subjects, counts = np.unique(dataset.subjects, return_counts=True)
    if len(subjects) <= 50:
        print("  per subject: " + ", ".join(f"{s} {c}" for s, c in zip(subjects, counts)))
    for note in dataset.notes:
        print(f"  note: {note}")
    return 0


def _print_results(path, results):
    for (method, protocol), result in results.items():
        print(f"{method:<12} {protocol:<13} accuracy {accuracy_text(protocol, result)}")
    print(f"report: {path}")
    return 0


def _evaluate(args, methods, title):
    return _print_results(*run_and_report(
        args.out, title, args.dataset, methods, _protocols(args.protocol), args.data_dir, args.folds, args.seed,
        args.unlabeled, verbose=not args.quiet, jobs=args.jobs, size=args.size, crop=args.crop,
        equalised=args.equalised, features=args.features))


def cmd_evaluate(args):
    return _evaluate(args, [args.model], f"dbnfer evaluate: {args.model} on {args.dataset}")


def cmd_compare(args):
    methods = args.methods or list(CLASSIFIERS)
    return _evaluate(args, methods, f"dbnfer compare on {args.dataset}")


def _free_folder(stem):
    """`stem`, or `stem-2`, `stem-3`, ... whichever does not exist yet."""
    candidate, n = Path(stem), 1
    while candidate.exists():
        n += 1
        candidate = Path(f"{stem}-{n}")
    return candidate


def cmd_demo(args):
    from dbnfer.demo import run_demo

    return _print_results(*run_demo(args.out or _free_folder("dbnfer-demo"), args.model, not args.quiet))


def _refuse_existing_file(path, force, what="file"):
    """The ``.npz`` file to write; an error if it exists (without `force`), has no writable folder or another
    suffix."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path}: already exists; choose another --out or add --force (nothing was changed)")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder for --out")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise PermissionError(f"{path.parent}: cannot write there (permission denied); choose another --out")
    if path.suffix != ".npz":
        raise ValueError(f"{path}: the {what} name must end in .npz")
    return path


def cmd_train(args):
    from dbnfer.predict import train_expression_model

    out = _refuse_existing_file(args.out, args.force, "model file")
    if args.init_from:
        return _fine_tune(args, out)
    model = train_expression_model(args.dataset, args.data_dir, args.model, args.seed, not args.quiet,
                                   unlabeled=args.unlabeled, size=args.size, crop=args.crop,
                                   equalised=args.equalised, margin=args.margin, features=args.features)
    model.save(out)
    print(f"{args.model} trained on {model.trained_on}, preprocessing {model.preprocessing}: saved {out}")
    return 0


#: The options of `dbnfer train` (destination: flag) that prepare faces or choose a network: a model to start from
#: fixes them all.
FIXED_BY_INIT = {"size": "--size", "crop": "--crop", "features": "--features", "equalised": "--no-equalise",
                 "margin": "--margin", "unlabeled": "--unlabeled"}


def _fine_tune(args, out):
    from dbnfer.predict import ExpressionModel
    from dbnfer.transfer import fine_tune_model

    given = [flag for name, flag in FIXED_BY_INIT.items() if getattr(args, name) is not None]
    given += ["--model"] * (args.model != "dbn")
    if given:
        raise ValueError(f"--init-from {args.init_from}: the model fixes how faces are prepared and the network, so "
                         f"{given[0]} cannot be given with it")
    model = fine_tune_model(ExpressionModel.load(args.init_from), args.dataset, args.data_dir, args.seed,
                            not args.quiet)
    model.save(out)
    print(f"trained on {model.trained_on}, preprocessing {model.preprocessing}: saved {out}")
    return 0


def cmd_predict(args):
    from dbnfer.predict import ExpressionModel, predict_files, predict_sequence

    model = ExpressionModel.load(args.model)
    if args.crop:
        model.preprocessing["crop"] = args.crop
    out = Path(args.out)
    with staged_folder(out, args.force) as folder:
        if args.sequence:
            series = predict_sequence(model, args.inputs, folder, verbose=not args.quiet)
        else:
            rows = predict_files(model, args.inputs, folder, verbose=not args.quiet)
    if args.sequence:
        print(f"{len(series)} frames, {int(np.isnan(series[:, 0]).sum())} without a face: {out / 'series.csv'}")
        return 0
    faces = sum(row["status"] == "ok" for row in rows)
    problems = [row for row in rows if row["status"] != "ok"]
    for row in problems:
        print(f"{row['file']}: {row['status']}", file=sys.stderr)
    print(f"{faces} faces; {len(problems)} images without a face, too small or unreadable: {out / 'faces.csv'}")
    return 0


def cmd_detect(args):
    from dbnfer.detect import load_cascade
    from dbnfer.predict import detect_files

    cascade = load_cascade(args.cascade)[0] if args.cascade else None
    out = Path(args.out)
    with staged_folder(out, args.force) as folder:
        results = detect_files(args.inputs, folder, cascade, args.min_neighbours, verbose=not args.quiet)
    unreadable = [result for result in results if "error" in result]
    for result in unreadable:
        print(f"warning: {result['error']}", file=sys.stderr)
    faces = sum(len(result.get("faces", ())) for result in results)
    print(f"{faces} faces in {len(results) - len(unreadable)} images; {len(unreadable)} unreadable: "
          f"{out / 'detections.json'}")
    return 0


def cmd_train_detector(args):
    from dbnfer.detect import train_cascade

    out = _refuse_existing_file(args.out, args.force, "cascade file")
    crops = args.crop
    if len(crops) not in (1, len(args.faces)):
        raise ValueError(f"--crop: give one box for all --faces folders or one per folder ({len(args.faces)})")
    cascade = train_cascade(args.faces, args.backgrounds, crop=crops[0] if len(crops) == 1 else crops,
                            marked_dir=args.marked_faces, n_negatives=args.negatives, n_features=args.features,
                            detection_rate=args.detection_rate,
                            max_stages=args.max_stages, side_light=args.side_light, glasses=args.glasses,
                            backdrop=args.backdrop, grain=args.grain, face_box=args.face_box, boosting=args.boosting,
                            turn_backgrounds=args.turn_backgrounds, verbose=not args.quiet, random_state=args.seed)
    cascade.save(out)  # with the settings train_cascade recorded
    print(f"cascade of {cascade.n_stages} stages, {len(cascade.features)} features saved to {out}")
    return 0


def cmd_train_verifier(args):
    from dbnfer.detect import load_cascade, load_default_cascade
    from dbnfer.detect.train import train_verifier

    out = _refuse_existing_file(args.out, args.force, "cascade file")
    cascade = load_cascade(args.cascade)[0] if args.cascade else load_default_cascade()
    cascade = train_verifier(cascade, args.marked_faces, args.backgrounds, after_stage=args.after_stage,
                             mine_after=args.mine_after, hidden_units=args.hidden, n_epochs=args.epochs,
                             bootstrap_rounds=args.bootstrap,
                             threshold=args.threshold, min_neighbours=args.min_neighbours, verbose=not args.quiet,
                             random_state=args.seed)
    cascade.save(out)
    verifier = cascade.verifier
    print(f"cascade of {cascade.n_stages} stages with a verifier after stage {verifier.after_stage} "
          f"(threshold {verifier.threshold}, min-neighbours {verifier.min_neighbours}) saved to {out}")
    return 0


STAGED_OUT = "; it appears only when the run is complete, so a failed or interrupted run (Ctrl-C) leaves nothing"
FORCE_HELP = ("write into an existing, non-empty --out: the files an earlier dbnfer run wrote there are replaced, "
              "any others kept")


def build_parser():
    parser = OneLineParser(prog="dbnfer", description="Facial expression recognition by hand in NumPy.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    demo = commands.add_parser("demo", help="run the main job on the embedded synthetic faces and write a report")
    demo.add_argument("--out", help="report folder to create (default: dbnfer-demo, or dbnfer-demo-2, ... if taken)")
    demo.add_argument("--model", default="dbn", choices=list(CLASSIFIERS), help="default: DBN+MLP")
    demo.add_argument("--quiet", action="store_true", help="no progress messages")
    demo.set_defaults(run=cmd_demo)

    info = commands.add_parser("info", help="counts per label and subject of a data set")
    _add_data_options(info)
    info.set_defaults(run=cmd_info)

    evaluate = commands.add_parser("evaluate", help="cross-validate one model and write a report")
    _add_data_options(evaluate)
    evaluate.add_argument("--model", default="nn", choices=list(CLASSIFIERS))
    _add_evaluation_options(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)

    compare = commands.add_parser("compare", help="every method on identical folds: the paper's table")
    _add_data_options(compare, default_dataset="synthetic")
    compare.add_argument("--methods", type=_method_list,
                         help=f"comma-separated subset of: {', '.join(CLASSIFIERS)} (default: all)")
    _add_evaluation_options(compare)
    compare.set_defaults(run=cmd_compare)

    train = commands.add_parser("train", help="train DBN+MLP (or the plain MLP) on a whole data set; save it")
    _add_data_options(train)
    train.add_argument("--model", default="dbn", choices=("dbn", "mlp"))
    _add_training_options(train)
    train.add_argument("--margin", type=_number(float, -0.5, low_open=True),
                       help="with --crop detect or align: widen each detected box by this fraction on every side "
                            "(above -0.5; negative narrows it)")
    train.add_argument("--init-from", metavar="MODEL",
                       help="start from this model (e.g. one trained on FER-2013) and fine-tune its whole network "
                            "on the data set, epochs and learning rate chosen by leave-one-subject-out; the "
                            "faces are prepared as MODEL prepares them, so the preparation options do not apply")
    train.add_argument("--seed", type=int, default=0)
    _add_output_options(train, "model file to write (.npz); written whole or not at all",
                        "overwrite an existing model file (kept as it was if the run fails)")
    train.set_defaults(run=cmd_train)

    predict = commands.add_parser("predict", help="the expression of every face in images, a folder or a sequence")
    predict.add_argument("--model", required=True, help="a model file written by dbnfer train")
    predict.add_argument("inputs", nargs="+", help="image files and/or folders of images (with --sequence: "
                                                   "a folder of frames or one video file)")
    predict.add_argument("--sequence", action="store_true",
                         help="the inputs are the frames of one sequence (or a video: GIF, or others with "
                              "imageio[ffmpeg]): write an expression time series")
    predict.add_argument("--crop", choices=CROPS, help="override the model's face cropping")
    _add_output_options(predict, "folder to create for the annotated images and tables" + STAGED_OUT,
                        FORCE_HELP)
    predict.set_defaults(run=cmd_predict)

    detect = commands.add_parser("detect", help="find faces with the Viola-Jones cascade; draw and list the boxes")
    detect.add_argument("inputs", nargs="+", help="image files and/or folders of images")
    detect.add_argument("--cascade", help="a cascade file from dbnfer train-detector (default: the shipped one)")
    detect.add_argument("--min-neighbours", type=_number(int, 0),
                        help="overlapping raw detections a face needs to be kept (default: the cascade's, 3 "
                             "without a verifier; more: fewer false faces, more missed ones)")
    _add_output_options(detect, "folder to create for the drawn boxes and detections.json" + STAGED_OUT,
                        FORCE_HELP)
    detect.set_defaults(run=cmd_detect)

    train_detector = commands.add_parser("train-detector", help="train a Viola-Jones face cascade from scratch")
    train_detector.add_argument("--faces", required=True, nargs="+", help="folder(s) of face crops")
    train_detector.add_argument("--crop", nargs="+", type=_box_type(inside_image=True, allow_none=True),
                                default=[None], metavar="BOX",
                                help="top,left,height,width of the face in each --faces folder's images, as "
                                     "fractions of the image, or none; one for all folders or one per folder")
    train_detector.add_argument("--marked-faces", nargs="+", metavar="FOLDER",
                                help="folder(s) of photos with marked faces (images/ and landmarks.txt: image, then "
                                     "x y of left eye, right eye, ..., mouth centre), cut out at native resolution")
    train_detector.add_argument("--backgrounds", required=True, help="folder of images with no faces")
    train_detector.add_argument("--turn-backgrounds", action="store_true",
                                help="also mine the backgrounds turned by quarter turns and mirrored (8 views each)")
    train_detector.add_argument("--negatives", type=POSITIVE, default=4000,
                                help="non-face windows mined for each stage (default 4000)")
    train_detector.add_argument("--features", type=POSITIVE, default=8000,
                                help="Haar features drawn at random for each stage (default 8000)")
    train_detector.add_argument("--max-stages", type=POSITIVE, default=30)
    train_detector.add_argument("--detection-rate", type=_number(float, 0, 1, low_open=True), nargs="+",
                                default=[0.995], metavar="D",
                                help="fraction of the faces each stage must keep (default 0.995); several values "
                                     "are for the first stages in turn, the last one going on for the rest")
    train_detector.add_argument("--side-light", type=FRACTION, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given a synthetic light from one side")
    train_detector.add_argument("--glasses", type=FRACTION, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given drawn spectacles")
    train_detector.add_argument("--backdrop", type=FRACTION, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given a flat backdrop beside the jaw")
    train_detector.add_argument("--grain", type=FRACTION, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given pixel noise, as small faces in scanned photos have")
    train_detector.add_argument("--face-box", type=_box_type(inside_image=False), default=(0.0, 0.0, 1.0, 1.0),
                                help="top,left,height,width of the reported face box in units of the window "
                                     "(write --face-box=-0.1,... when it starts with a minus)")
    train_detector.add_argument("--boosting", choices=("discrete", "gentle"), default="discrete",
                                help="boost each stage by discrete AdaBoost (Viola-Jones, the default) or Gentle "
                                     "AdaBoost (Lienhart et al. 2003)")
    train_detector.add_argument("--seed", type=int, default=0)
    _add_output_options(train_detector, "cascade file to write (.npz); written whole or not at all",
                        "overwrite an existing cascade file (kept as it was if the run fails)")
    train_detector.set_defaults(run=cmd_train_detector)

    train_verifier = commands.add_parser(
        "train-verifier", help="train the network that has the last word on a cascade's windows (Rowley et al. 1998)")
    train_verifier.add_argument("--cascade", help="a cascade file from dbnfer train-detector (default: the shipped "
                                                  "one; a verifier it has is replaced)")
    train_verifier.add_argument("--marked-faces", required=True, nargs="+", metavar="FOLDER",
                                help="folder(s) of photos with marked faces, as train-detector reads them")
    train_verifier.add_argument("--backgrounds", required=True, help="folder of images with no faces")
    train_verifier.add_argument("--after-stage", type=POSITIVE, default=16,
                                help="cascade stages a window passes before the network sees it (default 16)")
    train_verifier.add_argument("--mine-after", type=POSITIVE, default=10,
                                help="cascade stages a training window passes (default 10)")
    train_verifier.add_argument("--hidden", type=POSITIVE, default=64, help="hidden units (default 64)")
    train_verifier.add_argument("--epochs", type=POSITIVE, default=10, help="training epochs (default 10)")
    train_verifier.add_argument("--bootstrap", type=_number(int, 0), default=0, metavar="ROUNDS",
                                help="rounds of adding the non-face windows the network accepts and training "
                                     "again (Rowley et al.; default 0)")
    train_verifier.add_argument("--threshold", type=FRACTION, default=0.5,
                                help="smallest probability of a face that the verifier keeps (default 0.5)")
    train_verifier.add_argument("--min-neighbours", type=_number(int, 0), default=1,
                                help="the grouping's minimum for the verified windows (default 1)")
    train_verifier.add_argument("--seed", type=int, default=0)
    _add_output_options(train_verifier, "cascade file to write (.npz), the cascade with its verifier",
                        "overwrite an existing cascade file (kept as it was if the run fails)")
    train_verifier.set_defaults(run=cmd_train_verifier)
    return parser


def main(argv=None):
    """Entry point of the ``dbnfer`` console script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except USER_ERRORS as error:
        print(f"dbnfer: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dbnfer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
