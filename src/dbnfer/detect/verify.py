"""A second opinion on the cascade's windows: a verifier network (Rowley, Baluja & Kanade, PAMI 1998).

Rowley, Baluja & Kanade detect faces with a neural network that looks at every 20x20 window, normalised for
lighting, and trains it on faces against the windows an earlier version of it wrongly accepted in face-free
scenes (their sec. 2.2, "bootstrapping"). A boosted cascade and a network fail differently: the cascade's
stumps look at a handful of rectangle sums, the network at every pixel. Here the network only sees the windows
that the cascade's first stages pass (`after_stage` of them), and a window is a face when

    p(face | x) = softmax(W_2 f(W_1 x + b_1) + b_2)_face >= threshold,

where x is the window with `context` pixels of its pyramid level on every side (hair, chin and background
tell a face from a face-like blob), normalised by the mean mu and standard deviation sigma of the window
itself, as the cascade normalises its features (`haar.normalise_windows`):

    x = (patch - mu) / sigma.

The windows it keeps are grouped as the cascade's are (`nms.group_boxes`), with `min_neighbours` of its own.
`scan.context_patches` cuts the patches, `scan.detect_faces` runs cascade and verifier, `train.train_verifier`
trains the network (`dbnfer.networks.mlp.MLP`) on marked faces against the windows face-free scenes pass, and
the verifier is saved inside the cascade's file.
"""

import numpy as np

from dbnfer.networks.mlp import MLP
from dbnfer.persist import with_prefix, without_prefix

CONTEXT = 4  # pixels of the pyramid level round the window that the network sees
PREFIX = "verifier_"  # names of the verifier's arrays in the cascade's file
MIN_STD = 1e-3  # floor on a window's standard deviation, as the cascade's (cascade.MIN_STD)


def patch_features(patches, context=CONTEXT):
    """x = (patch - mu) / sigma, with mu and sigma of the central window, one row per patch.

    Parameters
    ----------
    patches : ndarray, shape (n, h + 2 context, w + 2 context)
    context : int

    Returns
    -------
    ndarray of float32, shape (n, (h + 2 context) (w + 2 context))
    """
    patches = np.asarray(patches, dtype=np.float32)
    window = patches[:, context:patches.shape[1] - context, context:patches.shape[2] - context]
    mu = window.mean(axis=(1, 2), keepdims=True)
    sigma = np.maximum(window.std(axis=(1, 2), keepdims=True), MIN_STD)
    return ((patches - mu) / sigma).reshape(len(patches), patches.shape[1] * patches.shape[2])


class Verifier:
    """A network that accepts or rejects the windows a cascade's first stages pass.

    Parameters
    ----------
    network : dbnfer.networks.mlp.MLP
        Trained on `patch_features`, classes 0 (non-face) and 1 (face).
    after_stage : int
        The number of cascade stages a window passes before the network sees it.
    threshold : float
        Smallest p(face | x) kept.
    min_neighbours : int
        The grouping's minimum (`nms.group_boxes`) for the windows the network keeps.
    context : int
        Pixels of the pyramid level round the window in each patch.
    """

    def __init__(self, network, after_stage, threshold=0.5, min_neighbours=1, context=CONTEXT):
        self.network = network
        self.after_stage = int(after_stage)
        self.threshold = float(threshold)
        self.min_neighbours = int(min_neighbours)
        self.context = int(context)

    def probabilities(self, patches):
        """p(face | x) of every patch; (n,)."""
        if len(patches) == 0:
            return np.zeros(0)
        return self.network.predict_proba(patch_features(patches, self.context))[:, 1]

    def accepts(self, patches):
        """True for each patch with p(face | x) >= `threshold`."""
        return self.probabilities(patches) >= self.threshold

    def settings(self):
        """The verifier's operating point and its network's settings, ready for JSON."""
        return {"after_stage": self.after_stage, "threshold": self.threshold,
                "min_neighbours": self.min_neighbours, "context": self.context, "network": self.network.settings()}

    def state(self):
        """The network's arrays, named for the cascade's file, and the settings that rebuild the verifier."""
        arrays, _ = self.network.state()
        return with_prefix(PREFIX, arrays), self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a verifier from the cascade file's arrays (those with `PREFIX`) and `settings`; None if the
        file holds no verifier."""
        if not settings:
            return None
        settings = dict(settings)
        network = MLP.from_state(without_prefix(PREFIX, arrays), settings.pop("network"))
        return cls(network, **settings)
