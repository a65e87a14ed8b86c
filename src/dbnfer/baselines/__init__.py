"""Classic classifiers that DBN+MLP is compared with, each with ``fit`` / ``predict`` / ``score``."""
