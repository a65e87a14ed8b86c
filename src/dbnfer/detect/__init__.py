"""Face detection with a Viola-Jones Haar cascade, trained from scratch.

The modules in the order of the paper and of a face through the detector:

    haar.py        Haar-like features from integral images, variance normalisation (VJ sec. 2, 5.6)
    adaboost.py    discrete AdaBoost with decision stumps (VJ Table 1)
    cascade.py     the attentional cascade: the model and its file (VJ sec. 4)
    train.py       training a cascade with bootstrapped negatives (VJ Table 2)
    augment.py     side light, spectacles, backdrops and grain painted onto training faces
    scan.py        pyramid, the reference sliding-window scan, `detect_faces` (VJ sec. 5)
    _fast_scan.py  the same scan, fast: fixed point, whole-level slices, matrix products
    nms.py         grouping of overlapping detections (OpenCV's min-neighbours rule)
    verify.py      a network that verifies the windows of the first stages (Rowley, Baluja & Kanade 1998)

Quick start::

    from dbnfer.detect import detect_faces
    boxes, scores = detect_faces(image)   # boxes: (n, 4) ints (row, col, height, width)

The shipped cascade (``frontal_face.npz``) frames a face from the eyebrows to just below the mouth, as the
MIT CBCL face images do; a scan runs its first 16 stages and lets its verifier network judge the windows they
pass. docs/detector.md says what both were trained on.
"""

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from dbnfer.detect.cascade import Cascade, load_cascade
from dbnfer.detect.scan import detect_faces
from dbnfer.detect.train import train_cascade

DEFAULT_CASCADE = Path(__file__).with_name("frontal_face.npz")

__all__ = ["Cascade", "detect_faces", "load_cascade", "load_default_cascade", "train_cascade",
           "boxes_to_json"]


@lru_cache(maxsize=1)
def load_default_cascade():
    """The frontal-face cascade shipped with dbnfer (read once, then cached).

    Returns
    -------
    Cascade
    """
    return load_cascade(DEFAULT_CASCADE)[0]


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
