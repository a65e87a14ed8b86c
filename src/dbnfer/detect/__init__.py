"""Face detection with a Viola-Jones Haar cascade, trained from scratch.

    haar.py      Haar-like features from integral images
    adaboost.py  discrete AdaBoost with decision stumps
    cascade.py   the attentional cascade: training with bootstrapped negatives, multi-scale detection
    nms.py       grouping of overlapping detections (OpenCV's min-neighbours rule)

Quick start::

    from dbnfer.detect import detect_faces
    boxes, scores = detect_faces(image)   # boxes: (n, 4) ints (row, col, height, width)

The shipped cascade (``frontal_face.npz``) frames a face from the eyebrows to just below the mouth, as the
MIT CBCL face images do; see the README for what it was trained on.
"""

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from dbnfer.detect.cascade import Cascade, detect_faces, load_cascade, train_cascade

DEFAULT_CASCADE = Path(__file__).with_name("frontal_face.npz")

__all__ = ["Cascade", "detect_faces", "load_cascade", "load_default_cascade", "train_cascade",
           "draw_boxes", "boxes_to_json"]


@lru_cache(maxsize=1)
def load_default_cascade():
    """The frontal-face cascade shipped with dbnfer (read once, then cached).

    Returns
    -------
    Cascade
    """
    return load_cascade(DEFAULT_CASCADE)[0]


def draw_boxes(image, boxes, colour=(1.0, 0.0, 0.0), thickness=2):
    """An RGB float copy of `image` with the outline of each box drawn on it.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour image, uint8 or float.
    boxes : ndarray, shape (n, 4)
        (row, col, height, width).
    colour : tuple of float
        RGB in [0, 1].
    thickness : int
        Line width in pixels.

    Returns
    -------
    ndarray of float64, shape (H, W, 3), in [0, 1]
    """
    from dbnfer.detect.cascade import as_grey
    rgb = np.repeat(as_grey(image)[..., None], 3, axis=2) if np.ndim(image) == 2 else _as_unit_rgb(image)
    for top, left, height, width in np.maximum(np.asarray(boxes, dtype=int).reshape(-1, 4), 0):
        bottom, right = top + height, left + width
        rgb[top:top + thickness, left:right] = colour
        rgb[max(bottom - thickness, top):bottom, left:right] = colour
        rgb[top:bottom, left:left + thickness] = colour
        rgb[top:bottom, max(right - thickness, left):right] = colour
    return rgb


def _as_unit_rgb(image):
    rgb = np.asarray(image)[..., :3]
    return rgb / 255.0 if np.issubdtype(rgb.dtype, np.integer) else rgb.astype(np.float64).copy()


def boxes_to_json(boxes, scores, image_path=None):
    """A JSON string listing the detections of one image.

    Parameters
    ----------
    boxes : ndarray, shape (n, 4)
        (row, col, height, width).
    scores : ndarray, shape (n,)
    image_path : str, optional
        Recorded as "image".

    Returns
    -------
    str
        ``{"image": ..., "faces": [{"row": r, "col": c, "height": h, "width": w, "score": s}, ...]}``
    """
    faces = [{"row": int(r), "col": int(c), "height": int(h), "width": int(w), "score": float(s)}
             for (r, c, h, w), s in zip(np.asarray(boxes).reshape(-1, 4), scores)]
    return json.dumps({"image": None if image_path is None else str(image_path), "faces": faces}, indent=2)
