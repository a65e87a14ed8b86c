"""The ``dbnfer`` command. Thin: it parses arguments and calls the library.

A user's mistake (missing path, wrong layout, unreadable image, existing output folder, unknown
option) ends with one line ``dbnfer: error: ...`` on standard error and exit code 2.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

# dbnfer multiplies small matrices (mini-batches of tens of faces): there, BLAS threads waiting for each other
# cost far more than they save (the demo took 45 s on one thread and 7.5 min on two, on a 2-core machine). The
# command runs BLAS on one thread unless the user's environment says otherwise; set before NumPy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.use("Agg")

from dbnfer import plots  # noqa: E402  (after choosing the file-only backend)
from dbnfer.datasets import load_dataset  # noqa: E402
from dbnfer.experiment import load_prepared, load_unlabeled, run  # noqa: E402
from dbnfer.images import draw_boxes, image_files, read_grey  # noqa: E402
from dbnfer.models import MODELS, make_model  # noqa: E402
from dbnfer.report import new_report_dir, write_report  # noqa: E402

USER_ERRORS = (ValueError, OSError)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message):
        self.exit(2, f"dbnfer: error: {message}\n")


def _add_data_options(parser, default_dataset=None):
    parser.add_argument("--dataset", default=default_dataset, required=default_dataset is None,
                        help="jaffe, ckplus, fer2013, yale, folders, synthetic or lfw")
    parser.add_argument("--data-dir", help="folder (or CSV) holding the data set in its original layout")


def _add_preprocessing_options(parser):
    parser.add_argument("--size", type=int, help="side of the square face images (default: the data set's preset)")
    parser.add_argument("--crop", choices=("central", "detect", "none"), help="how faces are cropped")
    parser.add_argument("--no-equalise", dest="equalised", action="store_false", default=None,
                        help="skip histogram equalisation")


def _add_unlabeled_option(parser):
    parser.add_argument("--unlabeled", metavar="DIR",
                        help="folder of face images without labels, added to DBN pre-training (cropped like the "
                             "data set's faces, by the detector where it uses a fixed box; images without a face "
                             "are dropped)")


def _add_protocol_options(parser):
    parser.add_argument("--protocol", choices=("kfold", "loso", "subject-kfold", "both"), default="kfold",
                        help="kfold: stratified k-fold (person-dependent); loso: leave-one-subject-out; "
                             "subject-kfold: k folds of whole subjects; both: kfold and loso")
    parser.add_argument("--folds", type=int, default=10, help="k of k-fold (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and the models")


def _add_output_options(parser):
    parser.add_argument("--out", required=True, help="report folder to create (must not exist or be empty)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")


def _protocols(name):
    return ("kfold", "loso") if name == "both" else (name,)


def cmd_info(args):
    dataset = load_dataset(args.dataset, args.data_dir)
    print(f"{dataset.name}: {len(dataset)} images of {dataset.images.shape[2]}x{dataset.images.shape[1]} pixels, "
          f"{len(set(dataset.subjects))} subjects, {len(set(dataset.groups))} groups")
    for name, count in dataset.counts().items():
        print(f"  {name:<10} {count}")
    subjects, counts = np.unique(dataset.subjects, return_counts=True)
    if len(subjects) <= 50:
        print("  per subject: " + ", ".join(f"{s} {c}" for s, c in zip(subjects, counts)))
    for note in dataset.notes:
        print(f"  note: {note}")
    return 0


def _evaluate(args, methods, title, protocols=None, load_options=None, extra_figures=None):
    """Load, prepare, cross-validate `methods`, and write the report folder `args.out`."""
    out = new_report_dir(args.out)
    verbose = not args.quiet
    dataset, X, settings = load_prepared(args.dataset, args.data_dir, verbose, load_options, size=args.size,
                                         crop=args.crop, equalised=args.equalised)
    X_unlabeled = None
    if getattr(args, "unlabeled", None):
        X_unlabeled = load_unlabeled(args.unlabeled, settings, verbose)
        settings["unlabeled"] = f"{args.unlabeled} ({len(X_unlabeled)} faces, DBN pre-training only)"
    results = run(dataset, X, methods, protocols or _protocols(args.protocol), args.folds, args.seed, verbose,
                  X_unlabeled)
    settings.update(folds=args.folds, seed=args.seed)
    figures = [("Examples per class", plots.montage(dataset))]
    if extra_figures:
        figures += extra_figures(dataset, X, settings)
    path = write_report(out, title, dataset, settings, results, figures)
    for (method, protocol), result in results.items():
        print(f"{method:<12} {protocol:<13} accuracy {100 * result['accuracy']:5.1f} % "
              f"± {100 * result['accuracy_std']:4.1f}")
    print(f"report: {path}")
    return 0


def cmd_evaluate(args):
    return _evaluate(args, [args.model], f"dbnfer evaluate: {args.model} on {args.dataset}")


def cmd_compare(args):
    methods = args.methods.split(",") if args.methods else list(MODELS)
    return _evaluate(args, methods, f"dbnfer compare on {args.dataset}")


def _free_folder(stem):
    """`stem`, or `stem-2`, `stem-3`, ... whichever does not exist yet."""
    candidate, n = Path(stem), 1
    while candidate.exists():
        n += 1
        candidate = Path(f"{stem}-{n}")
    return candidate


#: The demo's share of the synthetic faces: 12 people x 8 expressions x 3 images, small enough for about a minute.
DEMO_DATA = {"n_subjects": 12, "per_class": 3}


def cmd_demo(args):
    args.out = args.out or _free_folder("dbnfer-demo")
    args.dataset, args.data_dir, args.size, args.crop, args.equalised = "synthetic", None, None, None, None
    args.folds, args.seed = 5, 0

    def what_it_learned(dataset, X, settings):
        model = make_model(args.model, random_state=args.seed, verbose=not args.quiet).fit(X, dataset.labels)
        if not hasattr(model, "W_"):
            return []
        side = settings["size"]
        return [("First-layer filters", plots.filters(model.W_, (side, side), title=f"{args.model}: first layer")),
                ("Learning curves", plots.learning_curves(model.history_, title="fine-tuning on all demo images"))]

    return _evaluate(args, [args.model], "dbnfer demo: synthetic FACS faces", ("kfold", "subject-kfold"),
                     DEMO_DATA, what_it_learned)


def _refuse_existing_file(path, force):
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path}: already exists; choose another --out or add --force (nothing was changed)")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder for --out")
    return path


def cmd_train(args):
    from dbnfer.predict import train_expression_model

    out = _refuse_existing_file(args.out, args.force)
    if out.suffix != ".npz":
        raise ValueError(f"{out}: the model file name must end in .npz")
    model = train_expression_model(args.dataset, args.data_dir, args.model, args.seed, not args.quiet,
                                   unlabeled=args.unlabeled, size=args.size, crop=args.crop,
                                   equalised=args.equalised, margin=args.margin)
    model.save(out)
    print(f"{args.model} trained on {model.trained_on}, preprocessing {model.preprocessing}: saved {out}")
    return 0


def cmd_predict(args):
    from dbnfer.predict import ExpressionModel, predict_files, predict_sequence

    model = ExpressionModel.load(args.model)
    if args.crop:
        model.preprocessing["crop"] = args.crop
    out = new_report_dir(args.out, force=args.force)
    if args.sequence:
        series = predict_sequence(model, args.inputs, out, verbose=not args.quiet)
        print(f"{len(series)} frames, {int(np.isnan(series[:, 0]).sum())} without a face: {out / 'series.csv'}")
        return 0
    rows = predict_files(model, args.inputs, out, verbose=not args.quiet)
    faces = sum(row["status"] == "ok" for row in rows)
    problems = [row for row in rows if row["status"] != "ok"]
    for row in problems:
        print(f"{row['file']}: {row['status']}", file=sys.stderr)
    print(f"{faces} faces; {len(problems)} images without a face or unreadable: {out / 'faces.csv'}")
    return 0


def cmd_detect(args):
    from dbnfer.detect import boxes_to_json, detect_faces, load_cascade
    from skimage.io import imsave

    cascade = load_cascade(args.cascade)[0] if args.cascade else None
    files = image_files(args.inputs)
    out = new_report_dir(args.out, force=args.force)
    results = []
    for i, path in enumerate(files):
        try:
            image = read_grey(path)
        except (ValueError, OSError) as error:
            print(f"warning: {error}", file=sys.stderr)
            results.append({"image": str(path), "error": str(error)})
            continue
        boxes, scores = detect_faces(image, cascade)
        imsave(out / f"{i:04d}_{path.stem}.png", (255 * draw_boxes(image, boxes)).astype(np.uint8),
               check_contrast=False)
        results.append(json.loads(boxes_to_json(boxes, scores, path)))
        print(f"{path}: {len(boxes)} face(s)")
    (out / "detections.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


def cmd_train_detector(args):
    from dbnfer.detect import train_cascade

    out = _refuse_existing_file(args.out, args.force)
    if out.suffix != ".npz":
        raise ValueError(f"{out}: the cascade file name must end in .npz")
    crops = [_box(box, "--crop", allow_none=True) for box in args.crop]
    if len(crops) not in (1, len(args.faces)):
        raise ValueError(f"--crop: give one box for all --faces folders or one per folder ({len(args.faces)})")
    settings = {"faces": args.faces, "crop": args.crop, "backgrounds": args.backgrounds,
                "n_features": args.features, "max_stages": args.max_stages, "detection_rate": args.detection_rate,
                "side_light": args.side_light, "glasses": args.glasses, "backdrop": args.backdrop,
                "face_box": args.face_box, "random_state": args.seed}
    start = time.perf_counter()
    cascade = train_cascade(args.faces, args.backgrounds, crop=crops[0] if len(crops) == 1 else crops,
                            n_features=args.features, detection_rate=args.detection_rate,
                            max_stages=args.max_stages, side_light=args.side_light, glasses=args.glasses,
                            backdrop=args.backdrop, face_box=_box(args.face_box, "--face-box"),
                            verbose=not args.quiet, random_state=args.seed)
    cascade.save(out, {**settings, "training_seconds": round(time.perf_counter() - start)})
    print(f"cascade of {cascade.n_stages} stages, {len(cascade.features)} features saved to {out}")
    return 0


def _box(text, option, allow_none=False):
    """'top,left,height,width' -> a tuple of 4 floats ('none' -> None if allowed); a one-line error otherwise."""
    if allow_none and text == "none":
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise ValueError(f"{option} {text}: expected top,left,height,width" + (" or none" if allow_none else ""))
    return values


def build_parser():
    parser = OneLineParser(prog="dbnfer", description="Facial expression recognition by hand in NumPy.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    demo = commands.add_parser("demo", help="run the main job on the embedded synthetic faces and write a report")
    demo.add_argument("--out", help="report folder to create (default: dbnfer-demo, or dbnfer-demo-2, ... if taken)")
    demo.add_argument("--model", default="dbn", choices=list(MODELS), help="default: DBN+MLP")
    demo.add_argument("--quiet", action="store_true", help="no progress messages")
    demo.set_defaults(run=cmd_demo)

    info = commands.add_parser("info", help="counts per label and subject of a data set")
    _add_data_options(info)
    info.set_defaults(run=cmd_info)

    evaluate = commands.add_parser("evaluate", help="cross-validate one model and write a report")
    _add_data_options(evaluate)
    evaluate.add_argument("--model", default="nn", choices=list(MODELS))
    _add_preprocessing_options(evaluate)
    _add_unlabeled_option(evaluate)
    _add_protocol_options(evaluate)
    _add_output_options(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)

    compare = commands.add_parser("compare", help="every method on identical folds: the paper's table")
    _add_data_options(compare, default_dataset="synthetic")
    compare.add_argument("--methods", help=f"comma-separated subset of: {', '.join(MODELS)} (default: all)")
    _add_preprocessing_options(compare)
    _add_unlabeled_option(compare)
    _add_protocol_options(compare)
    _add_output_options(compare)
    compare.set_defaults(run=cmd_compare)

    train = commands.add_parser("train", help="train DBN+MLP (or the plain MLP) on a whole data set; save it")
    _add_data_options(train)
    train.add_argument("--model", default="dbn", choices=("dbn", "mlp"))
    _add_preprocessing_options(train)
    _add_unlabeled_option(train)
    train.add_argument("--margin", type=float, help="with --crop detect: widen each detected box by this fraction")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, help="model file to write (.npz)")
    train.add_argument("--force", action="store_true", help="overwrite an existing model file")
    train.add_argument("--quiet", action="store_true", help="no progress messages")
    train.set_defaults(run=cmd_train)

    predict = commands.add_parser("predict", help="the expression of every face in images, a folder or a sequence")
    predict.add_argument("--model", required=True, help="a model file written by dbnfer train")
    predict.add_argument("inputs", nargs="+", help="image files and/or folders of images (with --sequence: "
                                                   "a folder of frames or one video file)")
    predict.add_argument("--sequence", action="store_true",
                         help="the inputs are the frames of one sequence (or a video: GIF, or others with "
                              "imageio[ffmpeg]): write an expression time series")
    predict.add_argument("--crop", choices=("central", "detect", "none"), help="override the model's face cropping")
    predict.add_argument("--out", required=True, help="folder to create for the annotated images and tables")
    predict.add_argument("--force", action="store_true", help="write into an existing, non-empty --out")
    predict.add_argument("--quiet", action="store_true", help="no progress messages")
    predict.set_defaults(run=cmd_predict)

    detect = commands.add_parser("detect", help="find faces with the Viola-Jones cascade; draw and list the boxes")
    detect.add_argument("inputs", nargs="+", help="image files and/or folders of images")
    detect.add_argument("--cascade", help="a cascade file from dbnfer train-detector (default: the shipped one)")
    detect.add_argument("--out", required=True, help="folder to create for the drawn boxes and detections.json")
    detect.add_argument("--force", action="store_true", help="write into an existing, non-empty --out")
    detect.set_defaults(run=cmd_detect)

    train_detector = commands.add_parser("train-detector", help="train a Viola-Jones face cascade from scratch")
    train_detector.add_argument("--faces", required=True, nargs="+", help="folder(s) of face crops")
    train_detector.add_argument("--crop", nargs="+", default=["none"], metavar="BOX",
                                help="top,left,height,width of the face in each --faces folder's images, as "
                                     "fractions of the image, or none; one for all folders or one per folder")
    train_detector.add_argument("--backgrounds", required=True, help="folder of images with no faces")
    train_detector.add_argument("--features", type=int, default=8000,
                                help="Haar features drawn at random for each stage (default 8000)")
    train_detector.add_argument("--max-stages", type=int, default=30)
    train_detector.add_argument("--detection-rate", type=float, nargs="+", default=[0.995], metavar="D",
                                help="fraction of the faces each stage must keep (default 0.995); several values "
                                     "are for the first stages in turn, the last one going on for the rest")
    train_detector.add_argument("--side-light", type=float, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given a synthetic light from one side")
    train_detector.add_argument("--glasses", type=float, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given drawn spectacles")
    train_detector.add_argument("--backdrop", type=float, default=0.0, metavar="FRACTION",
                                help="fraction of the faces given a flat backdrop beside the jaw")
    train_detector.add_argument("--face-box", default="0,0,1,1",
                                help="top,left,height,width of the reported face box in units of the window "
                                     "(write --face-box=-0.1,... when it starts with a minus)")
    train_detector.add_argument("--seed", type=int, default=0)
    train_detector.add_argument("--out", required=True, help="cascade file to write (.npz)")
    train_detector.add_argument("--force", action="store_true", help="overwrite an existing cascade file")
    train_detector.add_argument("--quiet", action="store_true", help="no progress messages")
    train_detector.set_defaults(run=cmd_train_detector)
    return parser


def main(argv=None):
    """Entry point of the ``dbnfer`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except USER_ERRORS as error:
        print(f"dbnfer: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
