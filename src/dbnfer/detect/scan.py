"""Searching an image for faces with a cascade (Viola & Jones, IJCV 2004, sec. 5): pyramid, scan, grouping.

1. Pyramid (`pyramid`). The window has a fixed size, so the image is shrunk step by step (scale factor ~1.2)
   and every level is scanned. VJ scale the features instead; but scaling a feature rounds its rectangle
   corners and breaks the zero sum of its weights, while a pyramid evaluates exactly the features that were
   trained, and in NumPy a resize and two cumulative sums per level cost less than the first stage.
2. Scan (`scan_level`). On each level: the integral images of x and x^2 (VJ eq. 1-2), from which every window's
   mean mu and standard deviation sigma (VJ sec. 5.6); then, for every window, the stages in turn, each feature
   in corner form and normalised, f_norm = (f(x) - a mu) / sigma (`haar`), until a stage rejects the window.
   A flat window, sigma < `FLAT_STD`, is rejected before the first stage: normalising it would blow its
   noise up to the contrast of a face (OpenCV does the same). The windows that pass every stage are the raw
   detections (`raw_detections`). `scan_level` is the reference, written as the paper reads; `detect_faces`
   runs the fast path (`_fast_scan`), which finds the same windows (but for float32 rounding at a stump's
   threshold, rarely). The levels are made and scanned one at a time, so a scan holds the image and about two
   levels, whatever the number of levels.
3. Grouping (`nms.group_boxes`). A face fires the cascade at many nearby positions and scales, a false positive
   seldom: overlapping detections are merged into their average and groups with few members dropped.
4. The face box. A cascade trained on tight crops (eyebrows to mouth, as CBCL) reports a larger box round each
   group, given by its `face_box` (`nms.frame_boxes`).

A cascade with a verifier (`verify`) runs only its first ``verifier.after_stage`` stages in step 2; the windows
they pass are cut again from their pyramid levels with some context round them (`context_patches`), and those
the verifier's network accepts are grouped in step 3.
"""

import numpy as np
from scipy.ndimage import gaussian_filter

from dbnfer.detect._fast_scan import scan_levels
from dbnfer.detect.adaboost import stump_predict
from dbnfer.detect.cascade import MIN_STD
from dbnfer.detect.verify import CONTEXT
from dbnfer.detect.haar import integral_images, window_moments
from dbnfer.detect.nms import frame_boxes, group_boxes
from dbnfer.images import as_grey

# A window whose pixels stray less than this from their mean (in units of the [0, 1] grey scale, ~2.5 levels of
# 255) is flat: no face, whatever the stages make of its noise once normalised. OpenCV's Haar detector skips
# windows up to sigma = 10/255 (cascadedetect.cpp, HaarEvaluator::setWindow); the faintest face windows in
# real photos here have sigma ~0.02, so the floor sits lower (docs/detector.md, "Big photos").
FLAT_STD = 0.01


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
    written as one pass per axis (the same numbers up to rounding, and faster than `scipy.ndimage.zoom`).
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
    resized, right = np.take(image, left, axis), np.take(image, left + 1, axis)
    resized *= 1 - t  # (1 - t) x_left + t x_right, in place: big photos make big levels
    right *= t
    resized += right
    return resized


def scan_level(level, cascade, step=1):
    """Run the cascade on every window of one image (one pyramid level), with early rejection: the reference.

    As VJ sec. 4-5: one integral image for the whole level, the mean and standard deviation of every window
    from it and from the integral image of x^2, then the stages in turn on the windows that are not flat
    (sigma >= `FLAT_STD`), each on the windows the earlier ones kept, each feature evaluated in corner form and
    normalised, in float64. `raw_detections` runs the fast path (`_fast_scan`), tested to find the same windows.

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
        Top-left pixels of the windows that pass every stage, in scan order.
    margin : ndarray, shape (n,)
        Their last-stage sum minus its threshold.
    """
    P, Q = integral_images(level), integral_images(np.square(level, dtype=np.float64))  # VJ eq. 2, of x and x^2
    mu, sigma = window_moments(P, Q, cascade.window_shape, step, MIN_STD)  # (n_rows, n_cols)
    row, col = np.nonzero(sigma >= FLAT_STD)  # every window but the flat ones, in scan order
    mu, sigma, margin = mu[row, col], sigma[row, col], np.zeros(len(row))
    row, col = row * step, col * step  # top-left pixels
    for s in range(cascade.n_stages):
        stage = cascade.stage_slice(s)
        features = cascade.features[stage]
        f = (features.values_at(P, row, col) - mu[:, None] * features.area_weight) / sigma[:, None]  # f_norm
        h = stump_predict(f, cascade.thresholds[stage], cascade.polarities[stage])  # (n_windows, n_features_s)
        margin = h @ cascade.alphas[stage] - cascade.stage_thresholds[s]  # sum_t alpha_t h_t(x) - Theta_s
        passed = margin >= 0  # the others are rejected for good
        row, col, mu, sigma, margin = row[passed], col[passed], mu[passed], sigma[passed], margin[passed]
    return row, col, margin


def raw_detections(image, cascade, scale_factor=1.2, step=None, min_size=None, max_size=None, fast=True):
    """Every window of every scale that passes the cascade, before grouping.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey image in [0, 1].
    cascade : Cascade
    scale_factor, step, min_size, max_size, fast
        See `detect_faces`.

    Returns
    -------
    boxes : ndarray of float, shape (n, 4)
        (row, col, height, width) in image pixels.
    margins : ndarray, shape (n,)
        Last-stage margins.
    """
    # float32 levels: half the bytes to resize, and what the fixed-point sums and the matrix stages read anyway
    levels = ((scale, level, step or (2 if scale <= 2 else 1))  # made one at a time, as the scan asks for them
              for scale, level in pyramid(image.astype(np.float32, copy=False), cascade.window_shape,
                                          scale_factor, min_size, max_size))
    if fast:
        found = scan_levels(levels, cascade, FLAT_STD)
    else:
        found = [(scale, *scan_level(level, cascade, level_step)) for scale, level, level_step in levels]
    boxes = [np.zeros((0, 4))]
    for scale, row, col, _ in found:
        size = np.array(cascade.window_shape, dtype=np.float64) * scale
        boxes.append(np.column_stack([row * scale, col * scale, np.full((len(row), 2), size)]))
    return np.concatenate(boxes), np.concatenate([np.zeros(0)] + [margin for _, _, _, margin in found])


def context_patches(image, boxes, window_shape, scale_factor=1.2, min_size=None, max_size=None, context=CONTEXT):
    """The windows a scan found, cut from their pyramid levels with `context` pixels round them.

    The pyramid is made again as `raw_detections` made it (the same arguments give the same levels), one level
    at a time, and stops after the coarsest level that holds a window; the level's border is repeated where
    the context reaches past it.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        The grey image that was scanned.
    boxes : ndarray, shape (n, 4)
        Windows from `raw_detections` on `image` with the same `scale_factor`, `min_size` and `max_size`.
    window_shape : tuple of int
    context : int

    Returns
    -------
    ndarray of float32, shape (n, h + 2 context, w + 2 context)
    """
    h, w = window_shape
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    patches = np.zeros((len(boxes), h + 2 * context, w + 2 * context), dtype=np.float32)
    left = np.ones(len(boxes), dtype=bool)
    levels = pyramid(image.astype(np.float32, copy=False), window_shape, scale_factor, min_size, max_size)
    for scale, level in levels if len(boxes) else ():
        on = np.flatnonzero(left & np.isclose(boxes[:, 2], h * scale, rtol=1e-9))  # a box's height is h scale
        if len(on):
            padded = np.pad(level, context, mode="edge")
            row = np.round(boxes[on, 0] / scale).astype(int)[:, None, None] + np.arange(h + 2 * context)[:, None]
            col = np.round(boxes[on, 1] / scale).astype(int)[:, None, None] + np.arange(w + 2 * context)
            patches[on] = padded[row, col]
            left[on] = False
        if not left.any():
            break
    return patches


def detect_faces(image, cascade=None, scale_factor=1.2, step=None, min_size=None, max_size=None, min_neighbours=None,
                 eps=0.2, fast=True):
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
    min_neighbours : int, optional
        A face needs more than this many overlapping raw detections (`nms.group_boxes`); by default the
        cascade's own (`Cascade.min_neighbours`: 3, or its verifier's).
    eps : float
        Tolerance of the grouping.
    fast : bool
        Scan with the fast path (`_fast_scan`); False runs the reference `scan_level`, slowly (the same windows
        but for float32 rounding at a stump's threshold, rarely).

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
    grey = as_grey(image).astype(np.float32)  # the float64 copy goes at once: a big photo holds only this one
    windows, _ = raw_detections(grey, cascade.scanned_stages, scale_factor, step, min_size, max_size, fast)
    if cascade.verifier is not None:
        patches = context_patches(grey, windows, cascade.window_shape, scale_factor, min_size, max_size,
                                  cascade.verifier.context)
        windows = windows[cascade.verifier.accepts(patches)]
    min_neighbours = cascade.min_neighbours if min_neighbours is None else min_neighbours
    grouped, neighbours = group_boxes(windows, min_neighbours, eps, frame=cascade.face_box)
    order = np.argsort(-neighbours, kind="stable")
    faces = np.round(frame_boxes(grouped[order], cascade.face_box)).astype(int)
    return faces, neighbours[order].astype(np.float64)
