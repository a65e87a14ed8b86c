"""dbnfer: facial expression recognition built by hand in NumPy.

Face detection with a Viola-Jones Haar cascade, restricted Boltzmann machines stacked into a deep
belief network, a backprop MLP fine-tuned from it (DBN+MLP), and the classic baselines it is
compared with.
"""

__version__ = "0.1.0"


def __getattr__(name):
    """``dbnfer.predict_image`` and ``dbnfer.ExpressionModel``, imported on first use (they load the detector)."""
    if name in ("predict_image", "ExpressionModel"):
        from dbnfer import predict

        return getattr(predict, name)
    raise AttributeError(f"module 'dbnfer' has no attribute {name!r}")
