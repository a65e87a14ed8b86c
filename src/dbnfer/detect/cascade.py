"""The attentional cascade of Viola & Jones (IJCV 2004, sec. 4): the model and its file.

A cascade is a chain of boosted stages. Stage s sums its weak classifiers (`adaboost`: stumps on Haar features
of the variance-normalised window, `haar`) and passes a window on when

    sum_t alpha_t h_t(x) >= Theta_s

and rejects it for good otherwise, so most of an image is dismissed by the first one or two stages after a handful
of features. If stage s has detection rate d_s and false-positive rate f_s, the cascade has (VJ eq. 4)

    D = prod_s d_s,      F = prod_s f_s.

How the stages are learnt is in `train` (VJ Table 2), how an image is searched with them in `scan`. A cascade is
saved as one ``.npz`` file (`dbnfer.persist`, kind "haar_cascade") holding its features in corner form, the
stumps (theta, p, alpha), the stage ends and thresholds Theta_s, the face box it reports, the settings it was
trained with and, when it has one, the network that verifies the windows its first stages pass (`verify`).
"""

import numpy as np
from scipy.special import expit

from dbnfer.detect.adaboost import stump_predict
from dbnfer.detect.haar import HaarFeatures, integral_images, normalise_windows
from dbnfer.detect.verify import Verifier
from dbnfer.persist import load_npz, save_npz

KIND = "haar_cascade"
MIN_STD = 1e-3  # floor on a window's standard deviation, in units of the [0, 1] grey scale
MIN_NEIGHBOURS = 3  # the grouping's minimum for a cascade without a verifier (OpenCV's default)


class Cascade:
    """A trained cascade of boosted stages of Haar-feature stumps.

    Parameters
    ----------
    features : HaarFeatures
        The features of all stages, stage after stage.
    thresholds, polarities, alphas : ndarray, shape (n_features,)
        theta, p and alpha of each feature's stump.
    stage_ends : ndarray of int, shape (n_stages,)
        Stage s uses features ``stage_ends[s-1]:stage_ends[s]``.
    stage_thresholds : ndarray, shape (n_stages,)
        Theta_s.
    face_box : tuple of float
        (top, left, height, width) of the face box that `detect_faces` reports, in units of the window
        relative to its top-left corner; (0, 0, 1, 1) reports the window itself. Lets a cascade trained on tight
        crops (eyebrows to mouth, as CBCL) report the whole face.
    settings : dict, optional
        How the cascade was trained (JSON-serialisable; `train_cascade` records its arguments and training
        time), saved with it.
    verifier : verify.Verifier, optional
        A network that has the last word on the windows the first ``verifier.after_stage`` stages pass; the
        later stages are then not run (`scanned_stages`).
    """

    def __init__(self, features, thresholds, polarities, alphas, stage_ends, stage_thresholds,
                 face_box=(0.0, 0.0, 1.0, 1.0), settings=None, verifier=None):
        self.features = features
        self.face_box = tuple(float(v) for v in face_box)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.polarities = np.asarray(polarities, dtype=np.int8)
        self.alphas = np.asarray(alphas, dtype=np.float64)
        self.stage_ends = np.asarray(stage_ends, dtype=int)
        self.stage_thresholds = np.asarray(stage_thresholds, dtype=np.float64)
        self.settings = {} if settings is None else dict(settings)
        self.verifier = verifier
        self._scanned = None

    @classmethod
    def empty(cls, window_shape, face_box=(0.0, 0.0, 1.0, 1.0)):
        """A cascade with no stage, which accepts every window."""
        features = HaarFeatures(np.zeros((0, 9, 2)), np.zeros((0, 9)), window_shape)
        return cls(features, [], [], [], [], [], face_box)

    @property
    def window_shape(self):
        """(height, width) of the detection window."""
        return self.features.window_shape

    @property
    def n_stages(self):
        return len(self.stage_ends)

    @property
    def min_neighbours(self):
        """The grouping's default minimum: the verifier's, or `MIN_NEIGHBOURS`."""
        return MIN_NEIGHBOURS if self.verifier is None else self.verifier.min_neighbours

    def first_stages(self, n):
        """The cascade of the first `n` stages (no verifier)."""
        end = self.stage_ends[n - 1] if n > 0 else 0
        return Cascade(self.features[:end], self.thresholds[:end], self.polarities[:end], self.alphas[:end],
                       self.stage_ends[:n], self.stage_thresholds[:n], self.face_box)

    @property
    def scanned_stages(self):
        """The stages a scan runs before the verifier: all of them without one (the same cascade, kept once so
        that the fast scan's cached matrices are reused)."""
        if self.verifier is None:
            return self
        if self._scanned is None:
            self._scanned = self.first_stages(self.verifier.after_stage)
        return self._scanned

    def stage_slice(self, s):
        """The features of stage `s`."""
        return slice(self.stage_ends[s - 1] if s > 0 else 0, self.stage_ends[s])

    def add_stage(self, features, thresholds, polarities, alphas, stage_threshold):
        """Append one stage (returns a new cascade; this one is unchanged)."""
        all_features = HaarFeatures(np.concatenate([self.features.corners, features.corners]),
                                    np.concatenate([self.features.weights, features.weights]), self.window_shape)
        return Cascade(all_features, np.append(self.thresholds, thresholds), np.append(self.polarities, polarities),
                       np.append(self.alphas, alphas), np.append(self.stage_ends, len(all_features)),
                       np.append(self.stage_thresholds, stage_threshold), self.face_box)

    def stage_sums(self, windows):
        """sum_t alpha_t h_t(x) of every stage for every window (no early rejection; for training and ROC).

        Parameters
        ----------
        windows : ndarray, shape (n, height, width)
            Grey windows of `window_shape`; they are variance-normalised here.

        Returns
        -------
        ndarray, shape (n, n_stages)
        """
        F = self.features.matrix(integral_images(normalise_windows(windows, MIN_STD)))
        weighted = stump_predict(F, self.thresholds, self.polarities) * self.alphas  # (n, n_features)
        starts = np.concatenate([[0], self.stage_ends[:-1]]).astype(int)
        if self.n_stages == 0:
            return np.zeros((len(F), 0))
        return np.add.reduceat(weighted, starts, axis=1)

    def accepts(self, windows):
        """True for each window that passes every stage."""
        return np.all(self.stage_sums(windows) >= self.stage_thresholds, axis=1)

    def decision_function(self, windows):
        """A score that orders windows by how far they get through the cascade.

        A window rejected at stage s (counting from 0) scores ``s + expit(margin_s)``, a window that passes all
        S stages ``S - 1 + expit(margin_{S-1})``, with margin = stage sum - Theta. So the cascade accepts exactly
        the windows scoring >= S - 1/2, and thresholds above or below that trace its ROC curve.

        Parameters
        ----------
        windows : ndarray, shape (n, height, width)

        Returns
        -------
        ndarray, shape (n,)
        """
        margins = self.stage_sums(windows) - self.stage_thresholds  # (n, n_stages)
        passed = margins >= 0
        first_fail = np.where(np.all(passed, axis=1), self.n_stages - 1, np.argmin(passed, axis=1))
        return first_fail + expit(margins[np.arange(len(margins)), first_fail])

    def save(self, path):
        """Write the cascade and its `settings` to a versioned ``.npz`` file (`dbnfer.persist.save_npz`).

        Parameters
        ----------
        path : str or pathlib.Path
        """
        arrays = {"corners": self.features.corners, "weights": self.features.weights.astype(np.int8),
                  "window_shape": np.array(self.window_shape), "thresholds": self.thresholds,
                  "polarities": self.polarities, "alphas": self.alphas, "stage_ends": self.stage_ends,
                  "stage_thresholds": self.stage_thresholds, "face_box": np.array(self.face_box)}
        settings = dict(self.settings)
        if self.verifier is not None:
            verifier_arrays, settings["verifier"] = self.verifier.state()
            arrays.update(verifier_arrays)
        save_npz(path, KIND, arrays, settings)


def load_cascade(path):
    """Read a cascade written by `Cascade.save`.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    cascade : Cascade
    settings : dict
        The training settings stored with it (also ``cascade.settings``); those of its verifier, if it has one,
        under "verifier".

    Raises
    ------
    FileNotFoundError, ValueError
        If the file is missing or holds no cascade.
    """
    a, settings = load_npz(path, KIND)
    features = HaarFeatures(a["corners"], a["weights"], a["window_shape"])
    verifier = Verifier.from_state(a, settings.get("verifier"))
    cascade_settings = {name: value for name, value in settings.items() if name != "verifier"}
    return Cascade(features, a["thresholds"], a["polarities"], a["alphas"], a["stage_ends"],
                   a["stage_thresholds"], a["face_box"], cascade_settings, verifier), settings
