"""dbnfer: facial expression recognition built by hand in NumPy.

Face detection with a Viola-Jones Haar cascade, restricted Boltzmann machines stacked into a deep
belief network, a backprop MLP fine-tuned from it (DBN+MLP), and the classic baselines it is
compared with. The modules follow a face through the pipeline:

    datasets/      the data sets in their original layouts, and the synthetic default: FaceDataset
    images.py      read a photo as grey, list image files, draw boxes
    detect/        the Viola-Jones face detector
    preprocess.py  face -> fixed-size vector (cut out, resize, equalise)
    networks/      RBMs, the DBN, the MLP and their training
    baselines/     nearest neighbour, nearest subspace, SVMs, sparse representation
    classifiers.py every classifier by its short name
    evaluate.py    protocols (k-fold, leave-one-subject-out) and metrics
    experiment.py  one evaluation run: load, prepare, cross-validate, report
    report.py, plots.py: report folders (Markdown and metrics.json) and their figures
    predict.py     a trained model on new photos: predict_image, predict_files, detect_files
    demo.py        what ``dbnfer demo`` runs
    cli.py         the ``dbnfer`` command
    progress.py, persist.py, validation.py: progress lines, model files, input checks
"""

__version__ = "0.1.0"


def __getattr__(name):
    """``dbnfer.predict_image`` and ``dbnfer.ExpressionModel``, imported on first use (they load the detector)."""
    if name in ("predict_image", "ExpressionModel"):
        from dbnfer import predict

        return getattr(predict, name)
    raise AttributeError(f"module 'dbnfer' has no attribute {name!r}")
