"""dbnfer: facial expression recognition built by hand in NumPy.

Face detection with a Viola-Jones Haar cascade, restricted Boltzmann machines stacked into a deep
belief network, a backprop MLP fine-tuned from it (DBN+MLP), and the classic baselines it is
compared with.
"""

__version__ = "0.1.0"
