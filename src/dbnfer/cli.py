"""The ``dbnfer`` command. Thin: it parses arguments and calls the library.

A user's mistake (missing path, wrong layout, unreadable image, existing output folder, unknown
option) ends with one line ``dbnfer: error: ...`` on standard error and exit code 2.
"""

import argparse
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

from dbnfer import plots  # noqa: E402  (after choosing the file-only backend)
from dbnfer.datasets import load_dataset  # noqa: E402
from dbnfer.experiment import load_prepared, run  # noqa: E402
from dbnfer.models import MODELS  # noqa: E402
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


def _add_protocol_options(parser):
    parser.add_argument("--protocol", choices=("kfold", "loso", "both"), default="kfold",
                        help="kfold: stratified k-fold (person-dependent); loso: leave-one-subject-out")
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


def _evaluate(args, methods, title):
    out = new_report_dir(args.out)
    verbose = not args.quiet
    dataset, X, settings = load_prepared(args.dataset, args.data_dir, verbose, size=args.size, crop=args.crop,
                                         equalised=args.equalised)
    results = run(dataset, X, methods, _protocols(args.protocol), args.folds, args.seed, verbose)
    settings.update(folds=args.folds, seed=args.seed)
    path = write_report(out, title, dataset, settings, results,
                        figures=[("Examples per class", plots.montage(dataset))])
    for (method, protocol), result in results.items():
        print(f"{method:<12} {protocol:<6} accuracy {100 * result['accuracy']:5.1f} % "
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


def cmd_demo(args):
    args.out = args.out or _free_folder("dbnfer-demo")
    args.dataset, args.data_dir, args.size, args.crop, args.equalised = "synthetic", None, None, None, None
    args.protocol, args.folds, args.seed = "both", 5, 0
    return _evaluate(args, [args.model], "dbnfer demo: synthetic FACS faces")


def build_parser():
    parser = OneLineParser(prog="dbnfer", description="Facial expression recognition by hand in NumPy.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    demo = commands.add_parser("demo", help="run the main job on the embedded synthetic faces and write a report")
    demo.add_argument("--out", help="report folder to create (default: dbnfer-demo, or dbnfer-demo-2, ... if taken)")
    demo.add_argument("--model", default="nn", choices=list(MODELS))
    demo.add_argument("--quiet", action="store_true", help="no progress messages")
    demo.set_defaults(run=cmd_demo)

    info = commands.add_parser("info", help="counts per label and subject of a data set")
    _add_data_options(info)
    info.set_defaults(run=cmd_info)

    evaluate = commands.add_parser("evaluate", help="cross-validate one model and write a report")
    _add_data_options(evaluate)
    evaluate.add_argument("--model", default="nn", choices=list(MODELS))
    _add_preprocessing_options(evaluate)
    _add_protocol_options(evaluate)
    _add_output_options(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)

    compare = commands.add_parser("compare", help="every method on identical folds: the paper's table")
    _add_data_options(compare, default_dataset="synthetic")
    compare.add_argument("--methods", help=f"comma-separated subset of: {', '.join(MODELS)} (default: all)")
    _add_preprocessing_options(compare)
    _add_protocol_options(compare)
    _add_output_options(compare)
    compare.set_defaults(run=cmd_compare)
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
