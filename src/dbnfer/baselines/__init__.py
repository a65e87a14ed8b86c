"""Classic classifiers that DBN+MLP is compared with, each with ``fit`` / ``predict`` / ``score``.

One module per method: ``nearest_neighbour`` (k-NN), ``nearest_subspace`` (per-class linear subspaces),
``svm`` (linear and RBF support vector machines), ``src`` (sparse representation); ``base`` holds what they
share.
"""
