"""The fast path of `scan.scan_level`: the same windows, found with fixed point, whole-level slices and matrix
products (measured costs in docs/detector.md, "Where the time goes in a scan").

`scan.scan_level` is the reference: every window of a pyramid level is normalised from the integral images of
x and x^2 and goes through the stages, each feature in corner form, until a stage rejects it. This module
changes how that work is laid out, not what is computed, and finds the same windows (tests/test_detect_scan.py)
but for the rare one with a feature value within float32 rounding of its stump's threshold, which the float32
stages below may put on the other side (docs/detector.md counts them).

Where the time goes. The stages reject most windows early: the first keeps fewer than half of them, and only a
tiny share reaches the last. So the work is in the first few stages, and how a stage is best evaluated depends
on how many windows are left:

* Dense (`dense_stages`): while most windows of a level survive, a stage runs on all of them at once. The
  corner (dr, dc) of a feature is, for every window of the level, one slice ``P[dr:, dc:]`` of the integral
  image, so a feature costs a handful of whole-array additions and no indexing at all. These run in fixed point:
  the level's pixels in units of 2^-16 summed in int32 (`fixed_point_integral_image`), which wraps round modulo
  2^32 but gives every feature value exactly, since those are small integer combinations of corners below
  2^31; only the stump test is done in float32. The arrays have half the bytes of float64 ones, and a dense
  stage is bound by the bytes it streams through.
* Gathered (`run_stages`): once fewer than `DENSE_FRACTION` of the windows survive, slices would spend most of
  their work on dead windows, and the survivors are evaluated alone. Gathering the corners of every feature
  for every window (fancy indexing) waits on memory. But a Haar feature is a linear function of the window's
  pixels, f(x) = m . x with m its pixel mask (+-1 on its rectangles), and so is the mean, mu = sum_i x_i / n;
  hence

      f(x) - a mu = (m - a / n) . x.

  So each survivor's n = h x w pixels are gathered once, as a row of X, and a whole stage becomes one matrix
  product, X @ A_s with the columns of A_s the (polarity-signed) masks of the stage's features, followed by the
  stump test against sigma p theta (`stage_matrices`). That is far more arithmetic than the corner form (n
  multiply-adds instead of at most nine look-ups per feature), yet cheaper: BLAS streams through cache-resident
  blocks near the machine's peak, while scattered look-ups wait on memory. It is done in float32, where sums of
  n = 361 pixels in [0, 1] keep about six significant digits, as much as the float32 feature values the
  thresholds were learnt on.

  The switch point follows from the two costs: a dense stage costs c_d per feature and window of the level, a
  gathered one c_g per surviving window (the gather) plus c_m per feature and surviving window, so with k
  features in the stage gathering pays once the surviving fraction falls below k c_d / (c_g + k c_m);
  `DENSE_FRACTION` is that point for the third stage of the shipped cascade.

A dense stage costs about a dozen NumPy calls per feature whatever the size of the level, which on the coarse
levels (under `SMALL_LEVEL` pixels) is all the cost: those levels are placed side by side and go through their
dense stages as one image (`_dense_stages_side_by_side`).

Big photos. The arrays of a dense stage take a few dozen bytes per window, several times the level itself, and
a stage passes over them once per corner of each feature. So a level of more than `BAND` windows goes through
its dense stages in bands of rows (`_bands`), whose arrays stay in the L3 cache; the levels are read one at a
time, each let go once its survivors are gathered; and the windows waiting for a large product run as soon as
more than `POOL` wait. A scan then holds the image, about two levels and one band's arrays, and its time grows
with the pixels. Flat windows (`scan.FLAT_STD`) are dropped before the first stage.
"""

import weakref

import numpy as np

from dbnfer.detect.cascade import MIN_STD
from dbnfer.detect.haar import integral_images, window_moments

FIXED_POINT = 2 ** 16  # the dense stages sum pixels in units of 1 / 65536 of the [0, 1] grey scale, in int32
DENSE_FRACTION = 0.2  # evaluate stages on all windows of a level while more than this fraction survives
SMALL_LEVEL = 8000  # pyramid levels of fewer pixels share their dense stages (`_dense_stages_side_by_side`)
CHUNK = 1024  # windows gathered together for the later stages: their float32 pixels stay in the L2 cache
BAND = 2 ** 17  # at most this many windows go through the dense stages together (a 640x480 level is one band)
POOL = 2 ** 15  # windows waiting for their remaining stages (~45 MB of pixels) run together once this many wait

_STAGE_MATRICES = weakref.WeakKeyDictionary()  # cascade -> its stage matrices, forgotten with the cascade


def scan_levels(levels, cascade, flat_std):
    """`scan.scan_level` on every level of a pyramid, fast.

    Parameters
    ----------
    levels : iterable of tuple (scale, level, step)
        Grey float32 pyramid levels, read one at a time, with their window strides; the scales are passed
        through to the result.
    cascade : Cascade
    flat_std : float
        Windows with a smaller standard deviation are rejected before the first stage (`scan.FLAT_STD`).

    Returns
    -------
    list of tuple (scale, row, col, margin)
        Per level, the top-left pixels of the windows that pass every stage and their last-stage margins, in
        scan order.
    """
    scales, origins, small = [], [], []  # filled as run_stages reads the batches; origin: (level, top row)

    def batches():  # the large levels band by band as they come, then the small ones side by side
        for k, (scale, level, step) in enumerate(levels):
            scales.append(scale)
            if step == 1 and level.size < SMALL_LEVEL:
                small.append((k, level))
                continue
            for top, band in _bands(level, cascade.window_shape, step):
                origins.append((k, top))
                yield dense_stages(band, cascade, step, flat_std)
        origins.extend((k, 0) for k, _ in small)
        yield from _dense_stages_side_by_side([level for _, level in small], cascade, flat_std)

    found = run_stages(batches(), cascade)
    per_level = [[] for _ in scales]
    for (k, top), (row, col, margin) in zip(origins, found):
        per_level[k].append((row + top, col, margin))
    return [(scale, *map(np.concatenate, zip(*parts))) for scale, parts in zip(scales, per_level)]


def _bands(level, window_shape, step):
    """`level` cut into bands of rows of at most `BAND` windows each (views), with the row of each band's top.

    A band of window rows i0 .. i1 - 1 holds the pixel rows i0 step .. (i1 - 1) step + h - 1, so neighbouring
    bands overlap by h - step rows and every window lies in exactly one band; a level of at most `BAND`
    windows is one band. A band's integral image of x^2 starts at its own top row, so a window's sigma may
    differ from the whole level's in the last bits, and a stump test right at its threshold with it.
    """
    h, w = window_shape
    n_rows, n_cols = (level.shape[0] - h) // step + 1, (level.shape[1] - w) // step + 1
    rows_per_band = max(1, BAND // max(n_cols, 1))
    for first in range(0, max(n_rows, 1), rows_per_band):
        yield first * step, level[first * step:(first + rows_per_band - 1) * step + h]


def stage_matrices(cascade):
    """Per stage, the matrix A_s with which the scan tests all stumps of many windows in one product.

    Since mu = sum_i x_i / n (n = h * w pixels), f(x) - a mu = sum_i (M_i - a / n) x_i is linear in the
    pixels, with M feature j's pixel mask (`HaarFeatures.pixel_weights`). Stump j says "face" when
    p_j (f_j(x) - a_j mu) < p_j theta_j sigma, so with windows as rows of X (n pixels each)

        face = X @ A_s[:-1] < sigma * A_s[-1],   A_s = [p_j (M_j - a_j / n)  ;  p_j theta_j].

    Computed once per cascade and kept while the cascade lives (a cascade is not changed in place: `add_stage`
    returns a new one).

    Returns
    -------
    list of ndarray of float32, shape (h * w + 1, n_features_s)
    """
    if cascade not in _STAGE_MATRICES:
        M = cascade.features.pixel_weights()
        A = np.vstack([M - cascade.features.area_weight / len(M), cascade.thresholds]) * cascade.polarities
        _STAGE_MATRICES[cascade] = [np.ascontiguousarray(A[:, cascade.stage_slice(s)], dtype=np.float32)
                                    for s in range(cascade.n_stages)]
    return _STAGE_MATRICES[cascade]


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


def dense_stages(level, cascade, step=1, flat_std=0.0):
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
    flat_std : float
        Windows with a smaller standard deviation are rejected before the first stage (`scan.FLAT_STD`); none
        by default.

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
    mu, sigma = window_moments(P, Q, cascade.window_shape, step, MIN_STD, FIXED_POINT)  # (n_rows, n_cols) each
    phases = [[np.ascontiguousarray(P[a::step, b::step]) for b in range(step)] for a in range(step)]
    alive, margin = sigma >= flat_std, np.zeros((n_rows, n_cols))
    mu_fixed, sigma_fixed = (np.float32(FIXED_POINT) * v.astype(np.float32) for v in (mu, sigma))
    s = 0
    while s < cascade.n_stages and alive.mean() > DENSE_FRACTION:
        margin = _dense_stage_margin(phases, mu_fixed, sigma_fixed, cascade, s, n_rows, n_cols, step)
        alive &= margin >= 0
        s += 1
    row, col = np.nonzero(alive)
    return level, row * step, col * step, sigma[row, col], s, margin[row, col]


def _dense_stage_margin(phases, mu, sigma, cascade, s, n_rows, n_cols, step):
    """Stage s's sum minus its threshold on all windows of a grid, one feature at a time (few temporaries).

    `phases[a][b]` is ``P[a::step, b::step]`` of the fixed-point integral image P, made contiguous, so that the
    corner (dr, dc) of every window of the grid is the contiguous block
    ``phases[dr % step][dc % step][dr // step:, dc // step:]``. `mu` and `sigma` are float32, in fixed-point units
    too. A stump on the normalised value, p (f - a mu) / sigma < p theta, is tested as p f < p (theta sigma + a mu),
    with f summed exactly in int32 and compared, and the margin summed, in float32 (arrays half the size of
    float64 ones).
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


def _dense_stages_side_by_side(levels, cascade, flat_std):
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
    _, row, col, sigma, first_stage, margin = dense_stages(atlas, cascade, 1, flat_std)
    batches = []
    for level, offset in zip(levels, offsets):
        inside = (col >= offset) & (col + w <= offset + level.shape[1]) & (row + h <= level.shape[0])
        batches.append((level, row[inside], col[inside] - offset, sigma[inside], first_stage, margin[inside]))
    return batches


def run_stages(batches, cascade):
    """The remaining stages on given windows, one matrix product per stage (`stage_matrices`).

    A window's pixels are gathered once; from then on it is a row of X, whatever image it came from. Windows
    go through in chunks of `CHUNK` (their pixels stay in cache); a chunk that has shrunk to ``CHUNK / 8``
    waits, and the waiting windows of all batches go through their remaining stages together (a few large
    products run much faster than many small ones), at the end or as soon as more than `POOL` wait.

    Parameters
    ----------
    batches : iterable of tuple (level, row, col, sigma, first_stage, margin)
        Windows of a grey image `level` at top-left pixels (row, col), with their (floored) standard
        deviations, that passed the stages before `first_stage`, and their margins there (or None); as
        returned by `dense_stages`. Read one at a time: a batch's windows are gathered before the next is read.
    cascade : Cascade

    Returns
    -------
    list of tuple (row, col, margin)
        Per batch, the windows that pass every stage and their last-stage margins.
    """
    rows, cols, starts = [], [], [0]  # of every batch's windows: index i is window i of all batches in turn
    done, waiting, n_waiting = [], {}, 0  # (index, margin) past the last stage; stage -> [(X, sigma, index, margin)]
    for level, row, col, sigma, first_stage, margin in batches:
        start = starts[-1]
        rows.append(row)
        cols.append(col)
        starts.append(start + len(row))
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
                n_waiting += len(part[2])
        if n_waiting > POOL:  # their pixels would pile up on a big photo
            done += _run_waiting(waiting, cascade)
            waiting, n_waiting = {}, 0
    done += _run_waiting(waiting, cascade)
    index = np.concatenate([np.zeros(0, dtype=int)] + [d[0] for d in done])
    margin = np.concatenate([np.zeros(0)] + [d[1] for d in done])
    order = np.argsort(index)  # back to scan order
    index, margin = index[order], margin[order]
    row = np.concatenate([np.zeros(0, dtype=int)] + rows)
    col = np.concatenate([np.zeros(0, dtype=int)] + cols)
    bounds = np.searchsorted(index, starts)
    return [(row[index[a:b]], col[index[a:b]], margin[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _run_waiting(waiting, cascade):
    """The waiting windows ({next stage: [(X, sigma, index, margin), ...]}) through their remaining stages, one
    product per stage for all of them; [(index, margin)] of those that pass the last stage."""
    part = None
    for s in range(cascade.n_stages):
        parts = waiting.get(s, []) + ([part] if part is not None else [])
        if parts:
            part = _matrix_stage(tuple(np.concatenate(arrays) for arrays in zip(*parts)), cascade, s)
    return [] if part is None else [part[2:]]


def _matrix_stage(part, cascade, s):
    """Stage s on windows (X, sigma, index, margin) as one product (`stage_matrices`); its survivors."""
    X, sigma, index, _ = part
    A = stage_matrices(cascade)[s]  # (h * w + 1, n_features_s)
    face = X @ A[:-1] < sigma[:, None] * A[-1]  # p (f - a mu) < p theta sigma, (n, n_features_s)
    margin = face @ cascade.alphas[cascade.stage_slice(s)] - cascade.stage_thresholds[s]
    alive = margin >= 0
    return X[alive], sigma[alive], index[alive], margin[alive]
