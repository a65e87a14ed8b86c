"""The attentional cascade of Viola & Jones (IJCV 2004, sec. 4): training with bootstrapped negatives, and
sliding-window detection.

A cascade is a chain of boosted stages. Stage s sums its weak classifiers and passes a window on when

    sum_t alpha_t h_t(x) >= Theta_s

and rejects it for good otherwise, so most of an image is dismissed by the first one or two stages after a handful
of features. If stage s has detection rate d_s and false-positive rate f_s, the cascade has (VJ eq. 4)

    D = prod_s d_s,      F = prod_s f_s.

Training (VJ Table 2): each stage adds weak classifiers (`adaboost.AdaBoost`) until, with Theta_s lowered so that
the stage keeps a fraction d of the faces, it passes at most a fraction f of the non-faces; the non-faces of the
next stage are false positives of the cascade so far, mined from face-free photos ("bootstrapping"); training
stops when F falls below a target or no more false positives can be found.

Detection scans an image pyramid (scale factor ~1.2) rather than scaling the features as VJ do: scaling a
feature rounds its rectangle corners and breaks the zero sum of its weights, while a pyramid evaluates exactly the
features that were trained; in NumPy a resize and two cumulative sums per level cost less than the first stage.
Each window is variance-normalised (`haar` module docstring).

Where the time goes, and the two ways a stage is evaluated. A 640x480 photo has ~250,000 windows over its
pyramid; the first stage keeps ~40 % of them, the second half of those, and only ~1 window in 6,000 reaches the
last stage. So the work is in the first few stages, and how a stage is evaluated depends on how many windows
are left:

* Dense (`dense_stages`): while most windows of a level survive, a stage runs on all of them at once. The
  corner (dr, dc) of a feature is, for every window of the level, one slice ``P[dr:, dc:]`` of the integral
  image, so a feature costs ~7 whole-array additions and no indexing at all. These run in fixed point: the
  level's pixels in units of 2^-16 summed in int32 (`fixed_point_integral_image`), which wraps round modulo
  2^32 but gives every feature value exactly, since those are small integer combinations of corners below
  2^31; only the stump test is done in float32. Half the bytes of float64 arrays, and twice the speed.
* Gathered (`run_stages`): once fewer than `DENSE_FRACTION` of the windows survive, slices would spend most of
  their work on dead windows, and the survivors are evaluated alone. Gathering the ~7 corners of every feature
  for every window (fancy indexing) costs ~20 ns per window and feature. But a Haar feature is a linear
  function of the window's pixels, f(x) = m . x with m its pixel mask (+-1 on its rectangles), and so is the
  mean, mu = sum_i x_i / n; hence

      f(x) - a mu = (m - a / n) . x.

  So each survivor's n = 19 x 19 pixels are gathered once, as a row of X, and a whole stage becomes one matrix
  product, X @ A_s with the columns of A_s the (polarity-signed) masks of the stage's features, followed by the
  stump test against sigma p theta (`Cascade.stage_matrices`). That is ~50 times the arithmetic of the corner
  form (361 multiply-adds instead of ~7 look-ups per feature), yet it costs ~5-10 ns per window and feature:
  BLAS streams through cache-resident blocks at ~100 GFlop/s, while scattered look-ups wait on memory. It is
  done in float32, where sums of 361 pixels in [0, 1] keep ~6 significant digits, as much as the float32
  feature values the thresholds were learnt on.

  The switch point follows from the two costs: a dense stage costs ~3 ns per feature and window of the level,
  a gathered one ~150 ns per surviving window (the gather) plus ~9 ns per feature, so for the 18 features of
  the third stage gathering pays once fewer than ~20 % of the windows survive.

A dense stage costs ~12 NumPy calls per feature whatever the size of the level, which on the coarse levels
(under `SMALL_LEVEL` pixels) is all the cost: those levels are placed side by side and go through their dense
stages as one image (`_dense_stages_side_by_side`), which takes ~8 % off a 640x480 photo.

With the shipped cascade on the 640x480 photos of `benchmarks/detect_vs_opencv.py` the two together take about
half the time of gathering corners for every stage, with the same detections; what remains is about a sixth
pyramid and integral images, a third dense stages and two fifths gathered stages.
"""

import time
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.special import expit
from skimage.transform import resize

from dbnfer.detect.adaboost import AdaBoost, stump_predict
from dbnfer.detect.haar import HaarFeatures, integral_images, normalise_windows
from dbnfer.detect.nms import frame_boxes, group_boxes
from dbnfer.images import IMAGE_SUFFIXES, as_grey, image_files, read_grey
from dbnfer.persist import load_npz, save_npz
from dbnfer.progress import report

KIND = "haar_cascade"
MIN_STD = 1e-3  # floor on a window's standard deviation, in units of the [0, 1] grey scale
FIXED_POINT = 2 ** 16  # the dense stages sum pixels in units of 1 / 65536 of the [0, 1] grey scale, in int32
DENSE_FRACTION = 0.2  # evaluate stages on all windows of a level while more than this fraction survives
EYES = (0.24, 0.25, 0.75)  # eye row, left and right eye columns of a CBCL-framed window (from the mean face)
SMALL_LEVEL = 8000  # pyramid levels of fewer pixels share their dense stages (`_dense_stages_side_by_side`)
CHUNK = 1024  # windows gathered together for the later stages: their pixels (1.5 MB) stay in the L2 cache


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
    """

    def __init__(self, features, thresholds, polarities, alphas, stage_ends, stage_thresholds,
                 face_box=(0.0, 0.0, 1.0, 1.0)):
        self.features = features
        self.face_box = tuple(float(v) for v in face_box)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.polarities = np.asarray(polarities, dtype=np.int8)
        self.alphas = np.asarray(alphas, dtype=np.float64)
        self.stage_ends = np.asarray(stage_ends, dtype=int)
        self.stage_thresholds = np.asarray(stage_thresholds, dtype=np.float64)

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

    @cached_property
    def stage_matrices(self):
        """Per stage, the matrix A_s with which detection tests all stumps of many windows in one product.

        Since mu = sum_i x_i / n (n = h * w pixels), f(x) - a mu = sum_i (M_i - a / n) x_i is linear in the
        pixels, with M feature j's pixel mask (`HaarFeatures.pixel_weights`). Stump j says "face" when
        p_j (f_j(x) - a_j mu) < p_j theta_j sigma, so with windows as rows of X (n pixels each)

            face = X @ A_s[:-1] < sigma * A_s[-1],   A_s = [p_j (M_j - a_j / n)  ;  p_j theta_j].

        Computed once per cascade and kept (a cascade is not changed in place: `add_stage` returns a new one).

        Returns
        -------
        list of ndarray of float32, shape (h * w + 1, n_features_s)
        """
        M = self.features.pixel_weights()
        A = np.vstack([M - self.features.area_weight / len(M), self.thresholds]) * self.polarities
        return [np.ascontiguousarray(A[:, self.stage_slice(s)], dtype=np.float32) for s in range(self.n_stages)]

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

    def save(self, path, settings=None):
        """Write the cascade to a versioned ``.npz`` file (`dbnfer.persist.save_npz`, kind "haar_cascade").

        Parameters
        ----------
        path : str or pathlib.Path
        settings : dict, optional
            Training settings to keep with it (JSON-serialisable).
        """
        arrays = {"corners": self.features.corners, "weights": self.features.weights.astype(np.int8),
                  "window_shape": np.array(self.window_shape), "thresholds": self.thresholds,
                  "polarities": self.polarities, "alphas": self.alphas, "stage_ends": self.stage_ends,
                  "stage_thresholds": self.stage_thresholds, "face_box": np.array(self.face_box)}
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
        The training settings stored with it.

    Raises
    ------
    FileNotFoundError, ValueError
        If the file is missing or holds no cascade.
    """
    a, settings = load_npz(path, KIND)
    features = HaarFeatures(a["corners"], a["weights"], a["window_shape"])
    return Cascade(features, a["thresholds"], a["polarities"], a["alphas"], a["stage_ends"],
                   a["stage_thresholds"], a["face_box"]), settings


# ----------------------------------------------------------------------------------------------- detection


def pyramid(image, window_shape, scale_factor=1.2, min_size=None, max_size=None):
    """The levels of an image pyramid on which a fixed window finds objects of every size.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey image.
    window_shape : tuple of int
        (height, width) of the detection window.
    scale_factor : float
        Ratio between the scales of consecutive levels (> 1).
    min_size, max_size : int, optional
        Smallest and largest window height to look for, in pixels of `image`.

    Yields
    ------
    scale : float
        Size of a level pixel in image pixels.
    level : ndarray
        The image resized by 1 / scale.
    """
    if scale_factor <= 1:
        raise ValueError(f"scale_factor must be > 1, got {scale_factor}")
    height = window_shape[0]
    scale = 1.0 if min_size is None else max(min_size / height, 1.0)
    max_scale = min(image.shape[0] / window_shape[0], image.shape[1] / window_shape[1])
    if max_size is not None:
        max_scale = min(max_scale, max_size / height)
    level = image if scale == 1.0 else _shrink(image, scale)
    while scale <= max_scale:
        yield scale, level
        scale *= scale_factor
        level = _shrink(level, scale, image.shape)  # from the previous level: it is smaller and already smooth


def _shrink(image, scale, original_shape=None):
    """`image` resized to `original_shape` (default its own shape) / `scale`, anti-aliased.

    As `skimage.transform.resize(image, shape, anti_aliasing=True)`: a Gaussian of standard deviation
    (ratio - 1) / 2 per axis against aliasing, then linear interpolation at the centres of the new pixels, here
    written as one pass per axis (the same numbers up to rounding, ~3x faster than `scipy.ndimage.zoom`).
    """
    shape = original_shape or image.shape
    new_shape = (int(shape[0] / scale), int(shape[1] / scale))
    sigma = np.maximum(0.0, (np.divide(image.shape, new_shape) - 1) / 2)
    # scipy cuts a Gaussian at 4 sigma: below 1/8 pixel (most steps of a 1.2 pyramid) it is one tap, a copy
    smooth = gaussian_filter(image, sigma, mode="mirror") if np.any(4 * sigma + 0.5 >= 1) else image
    return _interpolate(_interpolate(smooth, new_shape[0], axis=0), new_shape[1], axis=1)


def _interpolate(image, size, axis):
    """Linear interpolation of `image` along `axis` at the centres of `size` equal cells."""
    n = image.shape[axis]
    position = np.clip((np.arange(size) + 0.5) * (n / size) - 0.5, 0, n - 1)  # in input pixels
    left = np.minimum(position.astype(int), n - 2)
    t = (position - left).astype(image.dtype)
    t = t[:, None] if axis == 0 else t
    return np.take(image, left, axis) * (1 - t) + np.take(image, left + 1, axis) * t


def scan_level(level, cascade, step=1):
    """Run the cascade on every window of one image (one pyramid level), with early rejection.

    Parameters
    ----------
    level : ndarray, shape (H, W)
        Grey image.
    cascade : Cascade
    step : int
        Distance in pixels between neighbouring windows.

    Returns
    -------
    row, col : ndarray of int, shape (n,)
        Top-left pixels of the windows that pass every stage.
    margin : ndarray, shape (n,)
        Their last-stage sum minus its threshold.
    """
    return run_stages([dense_stages(level, cascade, step)], cascade)[0]


def dense_stages(level, cascade, step=1):
    """The first stages on all windows of one image at once, until few windows survive.

    Each corner of each feature is one slice of the integral image P for all windows together (module
    docstring), so a stage costs a few array additions per feature whatever the number of windows; the stages
    run this way while more than `DENSE_FRACTION` of the windows survive.

    Parameters
    ----------
    level : ndarray, shape (H, W)
        Grey image.
    cascade : Cascade
    step : int
        Distance in pixels between neighbouring windows.

    Returns
    -------
    batch : tuple (level, row, col, sigma, next_stage, margin)
        The surviving windows (top-left pixels, standard deviations, margins at the last stage run), ready for
        `run_stages`.
    """
    h, w = cascade.window_shape
    n_rows, n_cols = (level.shape[0] - h) // step + 1, (level.shape[1] - w) // step + 1
    if n_rows <= 0 or n_cols <= 0:
        return level, np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0), cascade.n_stages, np.zeros(0)
    P = fixed_point_integral_image(level)
    Q = integral_images(np.square(level, dtype=np.float64))
    mu, sigma = _window_moments(P, Q, cascade.window_shape, n_rows, n_cols, step)  # (n_rows, n_cols) each
    phases = [[np.ascontiguousarray(P[a::step, b::step]) for b in range(step)] for a in range(step)]
    alive, margin = np.ones((n_rows, n_cols), dtype=bool), np.zeros((n_rows, n_cols))
    mu_fixed, sigma_fixed = (np.float32(FIXED_POINT) * v.astype(np.float32) for v in (mu, sigma))
    s = 0
    while s < cascade.n_stages and (s == 0 or alive.mean() > DENSE_FRACTION):
        margin = _dense_stage_margin(phases, mu_fixed, sigma_fixed, cascade, s, n_rows, n_cols, step)
        alive &= margin >= 0
        s += 1
    row, col = np.nonzero(alive)
    return level, row * step, col * step, sigma[row, col], s, margin[row, col]


def run_stages(batches, cascade):
    """The remaining stages on given windows, one matrix product per stage (`Cascade.stage_matrices`).

    A window's pixels are gathered once; from then on it is a row of X, whatever image it came from. Windows
    go through in chunks of `CHUNK` (their pixels stay in cache); a chunk that has shrunk to ``CHUNK / 8``
    waits, and the waiting windows of all batches go through their remaining stages together (a few large
    products run much faster than many small ones).

    Parameters
    ----------
    batches : list of tuple (level, row, col, sigma, first_stage, margin)
        Windows of a grey image `level` at top-left pixels (row, col), with their (floored) standard
        deviations, that passed the stages before `first_stage`, and their margins there (or None); as
        returned by `dense_stages`.
    cascade : Cascade

    Returns
    -------
    list of tuple (row, col, margin)
        Per batch, the windows that pass every stage and their last-stage margins.
    """
    starts = np.cumsum([0] + [len(batch[1]) for batch in batches])
    done, waiting = [], {}  # (index, margin) past the last stage; next stage -> [(X, sigma, index, margin), ...]
    for (level, row, col, sigma, first_stage, margin), start in zip(batches, starts):
        margin = np.zeros(len(row)) if margin is None else margin
        if first_stage >= cascade.n_stages:
            done.append((start + np.arange(len(row)), margin))
            continue
        pixels = level.astype(np.float32, copy=False)
        windows = np.lib.stride_tricks.sliding_window_view(pixels, cascade.window_shape)
        for chunk_start in range(0, len(row), CHUNK):
            index = np.arange(chunk_start, min(chunk_start + CHUNK, len(row)))
            X = windows[row[index], col[index]].reshape(len(index), -1)  # (n, h * w) pixels
            part, s = (X, sigma[index], start + index, margin[index]), first_stage
            while s < cascade.n_stages and len(part[2]) > CHUNK // 8:
                part, s = _matrix_stage(part, cascade, s), s + 1
            if s == cascade.n_stages:
                done.append(part[2:])
            else:
                waiting.setdefault(s, []).append(part)
    part = None
    for s in range(cascade.n_stages):
        parts = waiting.get(s, []) + ([part] if part is not None else [])
        if parts:
            part = _matrix_stage(tuple(np.concatenate(arrays) for arrays in zip(*parts)), cascade, s)
    if part is not None:
        done.append(part[2:])
    index = np.concatenate([np.zeros(0, dtype=int)] + [d[0] for d in done])
    margin = np.concatenate([np.zeros(0)] + [d[1] for d in done])
    order = np.argsort(index)  # back to scan order
    index, margin = index[order], margin[order]
    row = np.concatenate([np.zeros(0, dtype=int)] + [batch[1] for batch in batches])
    col = np.concatenate([np.zeros(0, dtype=int)] + [batch[2] for batch in batches])
    bounds = np.searchsorted(index, starts)
    return [(row[index[a:b]], col[index[a:b]], margin[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _matrix_stage(part, cascade, s):
    """Stage s on windows (X, sigma, index, margin) as one product (`Cascade.stage_matrices`); its survivors."""
    X, sigma, index, _ = part
    A = cascade.stage_matrices[s]  # (h * w + 1, n_features_s)
    face = X @ A[:-1] < sigma[:, None] * A[-1]  # p (f - a mu) < p theta sigma, (n, n_features_s)
    margin = face @ cascade.alphas[cascade.stage_slice(s)] - cascade.stage_thresholds[s]
    alive = margin >= 0
    return X[alive], sigma[alive], index[alive], margin[alive]


def fixed_point_integral_image(level):
    """The padded integral image of `level` in fixed point: int32 sums of the pixels in units of 1 / FIXED_POINT.

    The running sums wrap round modulo 2^32 (a 640x480 image sums to ~2^34 units), which is harmless: a box sum
    or a feature is a small integer combination of corners, exact modulo 2^32, and its true value (at most
    3 * 19 * 19 * 2^16 < 2^31 in magnitude) is what int32 arithmetic returns.
    """
    P = np.zeros((level.shape[0] + 1, level.shape[1] + 1), dtype=np.int32)
    np.rint(level * FIXED_POINT, out=P[1:, 1:], casting="unsafe")
    np.cumsum(P[1:, 1:], axis=0, out=P[1:, 1:])
    np.cumsum(P[1:, 1:], axis=1, out=P[1:, 1:])
    return P


def _window_moments(P, Q, window_shape, n_rows, n_cols, step):
    """Mean and standard deviation (floored at MIN_STD) of every window, from the integral images of x (in fixed
    point, `fixed_point_integral_image`) and of x^2."""
    h, w = window_shape

    def box_sums(I):
        return (I[h:h + n_rows * step:step, w:w + n_cols * step:step] - I[:n_rows * step:step, w:w + n_cols * step:step]
                - I[h:h + n_rows * step:step, :n_cols * step:step] + I[:n_rows * step:step, :n_cols * step:step])

    area = h * w
    mu = box_sums(P) / (area * FIXED_POINT)
    sigma = np.sqrt(np.maximum(box_sums(Q) / area - mu ** 2, 0.0))
    return mu, np.maximum(sigma, MIN_STD)


def _dense_stage_margin(phases, mu, sigma, cascade, s, n_rows, n_cols, step):
    """Stage s's sum minus its threshold on all windows of a grid, one feature at a time (few temporaries).

    `phases[a][b]` is ``P[a::step, b::step]`` of the fixed-point integral image P, made contiguous, so that the
    corner (dr, dc) of every window of the grid is the contiguous block
    ``phases[dr % step][dc % step][dr // step:, dc // step:]``. `mu` and `sigma` are float32, in fixed-point units
    too. A stump on the normalised value, p (f - a mu) / sigma < p theta, is tested as p f < p (theta sigma + a mu),
    with f summed exactly in int32 and compared, and the margin summed, in float32 (arrays half the size of
    float64 ones: the stage runs twice as fast; on the benchmark's photos, the same windows as float64).
    """
    margin = np.full((n_rows, n_cols), -cascade.stage_thresholds[s], dtype=np.float32)
    f = np.empty((n_rows, n_cols), dtype=np.int32)
    f_real, bound, spare = (np.empty((n_rows, n_cols), dtype=np.float32) for _ in range(3))  # reused: in cache
    face = np.empty((n_rows, n_cols), dtype=bool)
    features = cascade.features
    for j in range(*cascade.stage_slice(s).indices(len(features))):
        for k, ((dr, dc), weight) in enumerate(zip(features.corners[j].tolist(), features.weights[j].tolist())):
            corner = phases[dr % step][dc % step][dr // step:dr // step + n_rows, dc // step:dc // step + n_cols]
            if k == 0:  # the first corner's weight is never 0
                np.multiply(corner, int(weight), out=f)
                continue
            add_or_subtract = np.add if weight > 0 else np.subtract
            for _ in range(int(abs(weight))):  # weights are small integers: no temporaries
                add_or_subtract(f, corner, out=f)
        f_real[...] = f
        np.multiply(sigma, np.float32(cascade.thresholds[j]), out=bound)
        if features.area_weight[j] != 0:  # three-rectangle features only
            bound += np.multiply(mu, np.float32(features.area_weight[j]), out=spare)
        if cascade.polarities[j] == 1:
            np.less(f_real, bound, out=face)
        else:
            np.greater(f_real, bound, out=face)
        margin += np.multiply(face, np.float32(cascade.alphas[j]), out=spare)
    return margin


def raw_detections(image, cascade, scale_factor=1.2, step=None, min_size=None, max_size=None):
    """Every window of every scale that passes the cascade, before grouping.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey image in [0, 1].
    cascade : Cascade
    scale_factor, step, min_size, max_size
        See `detect_faces`.

    Returns
    -------
    boxes : ndarray of float, shape (n, 4)
        (row, col, height, width) in image pixels.
    margins : ndarray, shape (n,)
        Last-stage margins.
    """
    boxes, margins = [], []
    # float32 levels: half the bytes to resize, and what the fixed-point sums and the matrix stages read anyway
    levels = list(pyramid(image.astype(np.float32), cascade.window_shape, scale_factor, min_size, max_size))
    steps = [step or (2 if scale <= 2 else 1) for scale, _ in levels]
    small = [k for k, ((_, level), k_step) in enumerate(zip(levels, steps))
             if k_step == 1 and level.shape[0] * level.shape[1] < SMALL_LEVEL]
    batches = {k: dense_stages(level, cascade, k_step) for k, ((_, level), k_step) in enumerate(zip(levels, steps))
               if k not in small}
    batches.update(zip(small, _dense_stages_side_by_side([levels[k][1] for k in small], cascade)))
    batches = [batches[k] for k in range(len(levels))]
    for (scale, _), (row, col, margin) in zip(levels, run_stages(batches, cascade)):
        size = np.array(cascade.window_shape, dtype=np.float64) * scale
        boxes.append(np.column_stack([row * scale, col * scale, np.full((len(row), 2), size)]))
        margins.append(margin)
    if not boxes:
        return np.zeros((0, 4)), np.zeros(0)
    return np.concatenate(boxes), np.concatenate(margins)


def detect_faces(image, cascade=None, scale_factor=1.2, step=None, min_size=None, max_size=None, min_neighbours=3,
                 eps=0.2):
    """Find faces in an image with a Haar cascade.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour image, uint8 or float.
    cascade : Cascade, optional
        The detector; the frontal-face cascade shipped with dbnfer by default (`load_default_cascade`).
    scale_factor : float
        Size ratio between consecutive pyramid levels.
    step : int, optional
        Window stride in pixels of each pyramid level. By default OpenCV's rule: 2 on levels shrunk by at most
        2 (small faces: many windows, each face still hit several times), 1 on the coarser levels.
    min_size, max_size : int, optional
        Smallest and largest window height (pixels) to look for; default: the window size and the image size.
    min_neighbours : int
        A face needs more than this many overlapping raw detections (`nms.group_boxes`).
    eps : float
        Tolerance of the grouping.

    Returns
    -------
    boxes : ndarray of int, shape (n, 4)
        (row, col, height, width) of each face, in pixels of `image` (the detection window mapped by the
        cascade's `face_box`; it may reach past the image border).
    scores : ndarray of float, shape (n,)
        Number of raw detections merged into each face; higher means more certain.

    Examples
    --------
    >>> from skimage import data
    >>> boxes, scores = detect_faces(data.astronaut())
    """
    from dbnfer.detect import load_default_cascade  # the shipped file is found next to the package
    cascade = load_default_cascade() if cascade is None else cascade
    boxes, _ = raw_detections(as_grey(image), cascade, scale_factor, step, min_size, max_size)
    grouped, neighbours = group_boxes(boxes, min_neighbours, eps, frame=cascade.face_box)
    order = np.argsort(-neighbours, kind="stable")
    return face_boxes(grouped[order], cascade.face_box), neighbours[order].astype(np.float64)


def _dense_stages_side_by_side(levels, cascade):
    """`dense_stages` (step 1) on small pyramid levels placed side by side in one image, split back per level.

    On a small level a dense stage costs its per-call overhead, not its arithmetic; one wide image pays it once.
    Windows that straddle two levels, or reach into the padding below a shorter one, are dropped.
    """
    if not levels:
        return []
    h, w = cascade.window_shape
    offsets = np.cumsum([0] + [level.shape[1] for level in levels])
    atlas = np.zeros((max(level.shape[0] for level in levels), offsets[-1]), dtype=levels[0].dtype)
    for level, offset in zip(levels, offsets):
        atlas[:level.shape[0], offset:offset + level.shape[1]] = level
    _, row, col, sigma, first_stage, margin = dense_stages(atlas, cascade, 1)
    batches = []
    for level, offset in zip(levels, offsets):
        inside = (col >= offset) & (col + w <= offset + level.shape[1]) & (row + h <= level.shape[0])
        batches.append((level, row[inside], col[inside] - offset, sigma[inside], first_stage, margin[inside]))
    return batches


def face_boxes(windows, face_box):
    """Map detection windows (row, col, height, width) to face boxes by the cascade's `face_box` framing.

    Returns
    -------
    ndarray of int, shape (n, 4)
    """
    return np.round(frame_boxes(windows, face_box)).astype(int)


# ------------------------------------------------------------------------------------------------ training


def load_faces(face_dir, window_shape, crop=None, mirror=True, side_light=0.0, glasses=0.0, backdrop=0.0,
               rng=None):
    """Face crops from one or more folders, resized to the detection window.

    Parameters
    ----------
    face_dir : str or Path, or sequence of them
        Folders of face images (png, jpg, pgm, ...), each framed like the detection window.
    window_shape : tuple of int
    crop : tuple of float, or sequence of them (one per folder), optional
        (top, left, height, width) as fractions of each image, cropped before resizing; the whole image if None.
    mirror : bool
        Add the left-right mirror image of every face.
    side_light : float
        Fraction of the faces (drawn at random) darkened on one side (`_side_light`), to mimic light from the
        other side, which variance normalisation alone does not undo.
    glasses : float
        Fraction of the faces (drawn at random) given drawn spectacles (`_glasses`): web and CBCL faces seldom
        wear them, so a cascade trained on them alone rejects many faces with thick frames.
    backdrop : float
        Fraction of the faces (drawn at random) whose lower corners, beside the jaw, are replaced by a flat
        backdrop (`_backdrop`): a narrow face in front of a plain wall shows the wall there.
    rng : numpy.random.Generator, optional
        Draws the side-lit faces, the spectacles and the backdrops.

    Returns
    -------
    ndarray of float64, shape (n, height, width), in [0, 1]

    Raises
    ------
    FileNotFoundError
        If a folder does not exist or holds no image.
    """
    dirs = [face_dir] if isinstance(face_dir, (str, Path)) else list(face_dir)
    one_crop = crop is None or all(np.isscalar(v) for v in crop)
    crops = [crop] * len(dirs) if one_crop else list(crop)
    faces = []
    for folder, box in zip(dirs, crops):
        for image in _read_folder(folder):
            if box is not None:
                top, left, height, width = (np.array(box) * np.array(image.shape * 2)).round().astype(int)
                image = image[top:top + height, left:left + width]
            faces.append(resize(image, window_shape, anti_aliasing=True))
    faces = np.stack(faces)
    faces = np.concatenate([faces, faces[:, :, ::-1]]) if mirror else faces
    rng = np.random.default_rng(rng)
    faces = _side_light(faces, side_light, rng) if side_light > 0 else faces
    faces = _backdrop(faces, backdrop, rng) if backdrop > 0 else faces
    return _glasses(faces, glasses, rng) if glasses > 0 else faces


def _augment(faces, fraction, rng, paint):
    """A copy of `faces` in which a random `fraction` of them are replaced by ``paint(chosen, y, x, draw)``.

    y and x are the pixel centres in units of the window, shaped to broadcast against (n, height, width), and
    ``draw(low, high)`` draws one uniform number per chosen face, shaped (n, 1, 1).
    """
    faces = faces.copy()
    chosen = np.flatnonzero(rng.random(len(faces)) < fraction)
    height, width = faces.shape[1:]
    y = ((np.arange(height) + 0.5) / height)[None, :, None]
    x = ((np.arange(width) + 0.5) / width)[None, None, :]
    faces[chosen] = paint(faces[chosen], y, x, lambda low, high: rng.uniform(low, high, size=(len(chosen), 1, 1)))
    return faces


def _side_light(faces, fraction, rng):
    """Darken one side of a random `fraction` of the faces by a ramp, as a light from the other side does.

    Each chosen face is multiplied across its columns by 1 - s (1 - t), t going from 0 at one edge to 1 at the
    other (mirrored for half of them), with depth s drawn from 0.3 to 0.8.
    """
    def shadow(lit, y, x, draw):
        t = np.linspace(0.0, 1.0, lit.shape[2])
        ramp = 1.0 - draw(0.3, 0.8) * (1.0 - t)  # (n, 1, width): dark on the left
        mirror = rng.random(len(lit)) < 0.5
        ramp[mirror] = ramp[mirror, :, ::-1]
        return lit * ramp

    return _augment(faces, fraction, rng, shadow)


def _glasses(faces, fraction, rng):
    """Draw spectacles on a random `fraction` of the faces, framed like CBCL (eyes at `EYES`).

    Each pair is two elliptic rims round the eyes, a bridge and the two temples, all of a random line width, that
    darken the pixels under them by a random factor; a quarter of the pairs are sunglasses, whose lenses darken
    the eyes too. Drawn anti-aliased on the window grid: with y, x the pixel centres in units of the window and
    (r, c) an eye, the rim is where the elliptic radius e = sqrt(((x - c) / a)^2 + ((y - r) / b)^2) is close to
    1, with coverage max(0, 1 - |e - 1| b / t) for half line width t.
    """
    def spectacles(worn, y, x, draw):
        row, left, right = EYES[0] + draw(-0.03, 0.03), EYES[1] + draw(-0.03, 0.03), EYES[2] + draw(-0.03, 0.03)
        a, b, t = draw(0.15, 0.2), draw(0.1, 0.14), draw(0.02, 0.04)
        frame = np.zeros(worn.shape)
        lens = np.zeros(worn.shape, dtype=bool)
        for c in (left, right):
            e = np.sqrt(((x - c) / a) ** 2 + ((y - row) / b) ** 2)
            frame = np.maximum(frame, np.clip(1 - np.abs(e - 1) * b / t, 0, 1))
            lens |= e < 1
        on_bar = np.clip(1 - np.abs(y - row + b / 2) / t, 0, 1)  # bridge and temples: one horizontal bar
        frame = np.maximum(frame, on_bar * ((x < left - a) | ((x > left + a) & (x < right - a)) | (x > right + a)))
        shade = 1 - draw(0.4, 0.9) * frame
        sunglasses = rng.random((len(worn), 1, 1)) < 0.25
        return worn * (shade * np.where(sunglasses & lens, 1 - draw(0.4, 0.8), 1.0))

    return _augment(faces, fraction, rng, spectacles)


def _backdrop(faces, fraction, rng):
    """Replace the lower corners of a random `fraction` of the faces by a flat backdrop of random grey.

    The face is the inside of an ellipse centred at (0.3, c) of semi-axes (b, a) in units of the window (with
    c, a, b drawn per face); below its centre, pixels outside it take the backdrop's grey, with a one-pixel
    anti-aliased edge: coverage clip((sqrt(e) - 1) a w + 1/2, 0, 1) for elliptic radius sqrt(e) and window
    width w.
    """
    def wall(chosen, y, x, draw):
        centre, a, b = 0.5 + draw(-0.03, 0.03), draw(0.42, 0.52), draw(0.7, 0.9)
        radius = np.sqrt(((x - centre) / a) ** 2 + ((y - 0.3) / b) ** 2)
        cover = np.clip((radius - 1) * a * chosen.shape[2] + 0.5, 0, 1) * (y > 0.3)
        grey = draw(0.0, 1.0) + rng.normal(0, 0.02, size=chosen.shape)
        return chosen * (1 - cover) + np.clip(grey, 0, 1) * cover

    return _augment(faces, fraction, rng, wall)


def _read_folder(folder):
    """Grey float images of every image file in `folder` (sorted by name)."""
    return [read_grey(path) for path in image_files([folder], IMAGE_SUFFIXES)]


class NegativeMiner:
    """False positives of a growing cascade, cut from face-free images (VJ sec. 4.2, "bootstrapping").

    Each image's surviving windows are remembered once they are few (at most `cache_limit`), so that mining for
    a later stage runs only the new stages on them instead of rescanning the whole pyramid.

    Parameters
    ----------
    backgrounds : list of ndarray
        Grey images with no face.
    window_shape : tuple of int
    scale_factor : float
        Pyramid of the scan.
    step : int
        Stride of the scan.
    cache_limit : int
        Remember an image's survivors when there are at most this many.
    """

    def __init__(self, backgrounds, window_shape, scale_factor=1.2, step=1, cache_limit=50_000):
        self.backgrounds = backgrounds
        self.window_shape = tuple(window_shape)
        self.scale_factor = scale_factor
        self.step = step
        self.cache_limit = cache_limit
        self._survivors = {}  # image index -> (stages checked, level index, row, col)

    def mine(self, cascade, n, rng, per_image=None):
        """Up to `n` windows that the cascade accepts, at most `per_image` from one image.

        Parameters
        ----------
        cascade : Cascade
            The stages trained so far (an empty cascade gives random windows).
        n : int
            Number of windows wanted.
        rng : numpy.random.Generator
        per_image : int, optional
            Cap per image, for variety; default ``4 * n / len(backgrounds)``.

        Returns
        -------
        ndarray, shape (m, height, width)
            m <= n windows; fewer when the images do not hold n false positives.
        """
        per_image = per_image or max(1, int(np.ceil(4 * n / len(self.backgrounds))))
        windows, found = [], 0
        for i in rng.permutation(len(self.backgrounds)):
            levels = [level for _, level in pyramid(self.backgrounds[i], self.window_shape, self.scale_factor)]
            level_index, row, col = self._accepted(i, cascade, levels)
            take = rng.choice(len(row), size=min(per_image, len(row), n - found), replace=False)
            for k in np.unique(level_index[take]):
                mine = take[level_index[take] == k]
                view = np.lib.stride_tricks.sliding_window_view(levels[k], self.window_shape)
                windows.append(view[row[mine], col[mine]])
            found += len(take)
            if found >= n:
                break
        return np.concatenate(windows) if windows else np.zeros((0,) + self.window_shape)

    def _accepted(self, i, cascade, levels):
        """(level index, row, col) of the windows of image i that pass `cascade`."""
        if i in self._survivors:  # run only the stages added since the last visit
            checked, level_index, row, col = self._survivors[i]
            visited = np.unique(level_index)
            batches = []
            for k in visited:
                on_level = level_index == k
                P = integral_images(levels[k])
                Q = integral_images(np.square(levels[k], dtype=np.float64))
                _, sigma = _moments_at(P, Q, self.window_shape, row[on_level], col[on_level])
                batches.append((levels[k], row[on_level], col[on_level], sigma, checked, None))
        else:
            visited = np.arange(len(levels))
            batches = [dense_stages(level, cascade, self.step) for level in levels]
        found = run_stages(batches, cascade)
        none = np.zeros(0, dtype=int)
        level_index = np.concatenate([none] + [np.full(len(r), k) for k, (r, _, _) in zip(visited, found)])
        row = np.concatenate([none] + [r for r, _, _ in found])
        col = np.concatenate([none] + [c for _, c, _ in found])
        if cascade.n_stages and len(row) <= self.cache_limit:
            self._survivors[i] = (cascade.n_stages, level_index, row, col)
        return level_index, row, col


def _moments_at(P, Q, window_shape, row, col):
    """Mean and floored standard deviation of the windows at (row, col), from integral images of x and x^2."""
    h, w = window_shape

    def box_sums(I):
        return I[row + h, col + w] - I[row, col + w] - I[row + h, col] + I[row, col]

    mu = box_sums(P) / (h * w)
    sigma = np.sqrt(np.maximum(box_sums(Q) / (h * w) - mu ** 2, 0.0))
    return mu, np.maximum(sigma, MIN_STD)


def train_stage(features, positives, negatives, detection_rate, false_positive_rate, max_rounds,
                held_out=None, verbose=False):
    """Boost one stage until it meets its detection and false-positive rates (VJ Table 2, inner loop).

    Parameters
    ----------
    features : HaarFeatures
        Candidate features.
    positives, negatives : ndarray, shape (n, height, width)
        Face windows (all still accepted by the cascade so far) and mined non-face windows to boost on.
    detection_rate : float
        d: the stage threshold is lowered until this fraction of the faces (`positives` and `held_out`) passes.
    false_positive_rate : float
        f: rounds are added until at most this fraction of `negatives` passes.
    max_rounds : int
        Give up on f after this many weak classifiers.
    held_out : ndarray, shape (m, height, width), optional
        More faces, not boosted on, that the threshold must also keep (VJ set it on a validation set).
    verbose : bool

    Returns
    -------
    boost : AdaBoost
        The stage's weak classifiers (`features_` index into `features`).
    stage_threshold : float
        Theta_s.
    false_positives : float
        The fraction of `negatives` the stage passes.
    """
    X = np.concatenate([positives, negatives])
    y = np.concatenate([np.ones(len(positives), dtype=int), np.zeros(len(negatives), dtype=int)])
    F = features.matrix(integral_images(normalise_windows(X, MIN_STD)))  # (n_samples, n_features)
    held_out = np.zeros((0,) + features.window_shape) if held_out is None else held_out
    P_held_out = integral_images(normalise_windows(held_out, MIN_STD))
    sums, sums_held_out = np.zeros(len(X)), np.zeros(len(held_out))  # sum_t alpha_t h_t(x)
    boost = AdaBoost().start(F, y)
    for _ in range(max_rounds):
        boost.add_round()
        j, theta, p, alpha = boost.features_[-1], boost.thresholds_[-1], boost.polarities_[-1], boost.alphas_[-1]
        sums += alpha * stump_predict(F[:, j], theta, p)
        sums_held_out += alpha * stump_predict(features[[j]].matrix(P_held_out)[:, 0], theta, p)
        face_sums = np.sort(np.concatenate([sums[y == 1], sums_held_out]))
        # Theta_s: the largest threshold that keeps a fraction d of the faces.
        stage_threshold = face_sums[int(np.floor((1 - detection_rate) * len(face_sums)))]
        false_positives = np.mean(sums[y == 0] >= stage_threshold)
        if false_positives <= false_positive_rate:
            break
    report(f"  {len(boost.alphas_)} features, detection {np.mean(face_sums >= stage_threshold):.4f}, "
           f"false positives {false_positives:.4f}", verbose)
    return boost, stage_threshold, false_positives


def train_cascade(face_dir, background_dir, crop=None, window_shape=(19, 19), n_positives=4000,
                  n_negatives=4000, n_features=8000, detection_rate=0.995, false_positive_rate=0.5,
                  target_false_positive_rate=1e-6, max_stages=30, max_rounds=200, mirror=True, scale_factor=1.2,
                  mining_step=1, side_light=0.0, glasses=0.0, backdrop=0.0, face_box=(0.0, 0.0, 1.0, 1.0),
                  verbose=True, random_state=0):
    """Train a Viola-Jones cascade from folders of face crops and of face-free images (VJ Table 2).

    Parameters
    ----------
    face_dir : str or Path, or sequence of them
        Folders of face crops framed like the window (see `load_faces`).
    background_dir : str or Path
        Folder of images with no face in them, from which the non-face windows are mined.
    crop : tuple or sequence of tuples, optional
        Crop of each face image, as fractions (top, left, height, width); see `load_faces`.
    window_shape : tuple of int
        Detection window (height, width).
    n_positives, n_negatives : int
        Faces and non-faces each stage is boosted on (the faces are drawn afresh for each stage from those the
        cascade still accepts).
    n_features : int
        Features drawn at random from the full set for each stage. The full set of a 19x19 window has 63,960
        features and storing their sorted values for 8,000 windows would take ~2.5 GB; a fresh draw per stage
        keeps memory bounded while the cascade still gets to see most of the set.
    detection_rate : float or sequence of float
        d of each stage, or of the first stages one by one (the last value goes on for the rest): the later
        stages see few windows, so a higher d there keeps more faces for little detection time.
    false_positive_rate : float
        f of each stage.
    target_false_positive_rate : float
        Stop when the product of the stages' false-positive rates falls below this.
    max_stages, max_rounds : int
        At most this many stages, and weak classifiers per stage.
    mirror : bool
        Also train on left-right mirrored faces.
    scale_factor, mining_step : float, int
        Pyramid and stride used to scan the backgrounds for false positives.
    side_light : float
        Fraction of the faces given a synthetic light from the side (see `load_faces`).
    glasses : float
        Fraction of the faces given drawn spectacles (see `load_faces`).
    backdrop : float
        Fraction of the faces given a flat backdrop in the lower corners (see `load_faces`).
    face_box : tuple of float
        Face box reported for a detection window (see `Cascade`).
    verbose : bool
        Report progress per stage.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Cascade

    References
    ----------
    P. Viola and M. Jones, "Robust real-time face detection", IJCV 57(2), 2004, Table 2.
    """
    start_time = time.perf_counter()
    rng = np.random.default_rng(random_state)
    faces = load_faces(face_dir, window_shape, crop, mirror, side_light, glasses, backdrop, rng)
    miner = NegativeMiner(_read_folder(background_dir), window_shape, scale_factor, mining_step)
    all_features = HaarFeatures.from_skimage(window_shape)
    report(f"{len(faces)} faces, {len(miner.backgrounds)} background images, {len(all_features)} features", verbose)
    cascade, overall_fp = Cascade.empty(window_shape, face_box), 1.0
    for s in range(max_stages):
        alive = faces[cascade.accepts(faces)] if cascade.n_stages else faces
        negatives = miner.mine(cascade, n_negatives, rng)
        report(f"stage {s + 1}: {len(alive)} faces still accepted, {len(negatives)} false positives mined", verbose)
        if len(negatives) < max(10, n_negatives // 100):
            report("  too few false positives left to train on: stopping", verbose)
            break
        chosen = np.zeros(len(alive), dtype=bool)
        chosen[rng.choice(len(alive), size=min(n_positives, len(alive)), replace=False)] = True
        features = all_features[np.sort(rng.choice(len(all_features), size=min(n_features, len(all_features)),
                                                   replace=False))]
        d = np.atleast_1d(detection_rate)[min(s, np.size(detection_rate) - 1)]  # this stage's d
        boost, stage_threshold, stage_fp = train_stage(features, alive[chosen], negatives, d,
                                                       false_positive_rate, max_rounds, alive[~chosen], verbose)
        cascade = cascade.add_stage(features[boost.features_], boost.thresholds_, boost.polarities_,
                                    boost.alphas_, stage_threshold)
        overall_fp *= stage_fp
        report(f"  cascade: {cascade.n_stages} stages, {len(cascade.features)} features, "
               f"false-positive rate ~{overall_fp:.2e}, {time.perf_counter() - start_time:.0f} s", verbose)
        if overall_fp <= target_false_positive_rate:
            break
    return cascade
