"""Grouping overlapping detections with a minimum-neighbours rule, as OpenCV's ``groupRectangles``.

A face fires the detector at many nearby positions and scales; a false positive usually fires alone. Viola &
Jones (IJCV 2004, sec. 5.6) merge overlapping detections into their average. OpenCV's rule, followed here:

1. two boxes are similar when every edge of one is within
       delta = eps * (min(w1, w2) + min(h1, h2)) / 2
   of the same edge of the other;
2. the connected components of "similar" are the groups; a group of n boxes becomes their average box with
   n neighbours, and groups with n <= min_neighbours are dropped;
3. a group lying inside a bigger group that has more neighbours (more than max(3, n)) is dropped as well.

Step 3 asks whether one face lies inside another, so it compares the faces the boxes stand for: with a
detector whose window is a tight crop (eyebrows to mouth, as CBCL's), a stray detection on the chin of a strong
face sticks out of that face's window but not out of the face (`frame`). With the window as the face, as in
OpenCV, the rule is OpenCV's.
"""

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components


def group_boxes(boxes, min_neighbours=3, eps=0.2, frame=(0.0, 0.0, 1.0, 1.0)):
    """Merge similar boxes into their average and keep groups with enough members.

    Parameters
    ----------
    boxes : ndarray, shape (n, 4)
        Raw detections as (row, col, height, width).
    min_neighbours : int
        A group needs more than this many raw detections to be kept (0 keeps every group).
    eps : float
        Relative tolerance of the similarity test.
    frame : tuple of float
        (top, left, height, width) of the face a box stands for, in units of the box (`frame_boxes`); step 3
        tests these faces for lying inside one another. The default is the box itself.

    Returns
    -------
    grouped : ndarray of int, shape (m, 4)
        Average box of each kept group, (row, col, height, width).
    neighbours : ndarray of int, shape (m,)
        Number of raw detections in each kept group.

    References
    ----------
    OpenCV, ``cv::groupRectangles`` (modules/objdetect/src/cascadedetect.cpp).
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        return np.zeros((0, 4), dtype=int), np.zeros(0, dtype=int)
    _, label = connected_components(_similarity_graph(boxes, eps), directed=False)
    neighbours = np.bincount(label)
    grouped = np.stack([np.bincount(label, weights=boxes[:, k]) for k in range(4)], axis=1) / neighbours[:, None]
    keep = neighbours > min_neighbours
    grouped, neighbours = np.round(grouped[keep]).astype(int), neighbours[keep]
    inside = _inside_stronger(frame_boxes(grouped, frame), neighbours, eps)
    return grouped[~inside], neighbours[~inside]


def frame_boxes(boxes, frame):
    """The boxes (row, col, height, width) that `frame` = (top, left, height, width), in units of each box, cuts
    from `boxes`: (row + top h, col + left w, height h, width w).

    Returns
    -------
    ndarray of float, shape (n, 4)
    """
    top, left, height, width = frame
    r, c, h, w = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).T
    return np.column_stack([r + top * h, c + left * w, height * h, width * w])


def iou(boxes, others):
    """Intersection over union of every box with every other box, both (row, col, height, width); (n, m)."""
    r, c, h, w = (v[:, None] for v in np.asarray(boxes, dtype=np.float64).reshape(-1, 4).T)
    r2, c2, h2, w2 = np.asarray(others, dtype=np.float64).reshape(-1, 4).T
    down = np.clip(np.minimum(r + h, r2 + h2) - np.maximum(r, r2), 0, None)
    across = np.clip(np.minimum(c + w, c2 + w2) - np.maximum(c, c2), 0, None)
    inter = down * across
    return inter / (h * w + h2 * w2 - inter)


def _similarity_graph(boxes, eps, block=256):
    """Sparse (n, n) adjacency of OpenCV's similarity test.

    Boxes are sorted by their top edge, so the boxes that can be similar to a block of them (top edges within
    delta <= eps * largest height) form one contiguous run: memory and time stay near-linear in n.
    """
    order = np.argsort(boxes[:, 0], kind="stable")
    top, left, height, width = boxes[order].T
    edges = np.stack([top, left, top + height, left + width], axis=1)  # (n, 4), sorted by top
    rows, cols = [], []
    for start in range(0, len(boxes), block):
        part = slice(start, start + block)
        reach = eps * height[part].max()
        lo = np.searchsorted(top, top[part].min() - reach, side="left")
        hi = np.searchsorted(top, top[part].max() + reach, side="right")
        delta = eps * 0.5 * (np.minimum.outer(width[part], width[lo:hi])
                             + np.minimum.outer(height[part], height[lo:hi]))  # (block, hi - lo)
        similar = np.all(np.abs(edges[part, None, :] - edges[None, lo:hi, :]) <= delta[..., None], axis=2)
        i, j = np.nonzero(similar)
        rows.append(order[i + start])
        cols.append(order[j + lo])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(boxes), len(boxes)))


def _inside_stronger(boxes, neighbours, eps):
    """True for each box that lies inside another, stronger box (OpenCV's second filtering pass)."""
    top, left, height, width = boxes.T.astype(np.float64)
    dy, dx = np.round(height * eps), np.round(width * eps)  # tolerance of the enclosing box j, per column
    inside = ((top[:, None] >= top[None, :] - dy[None, :])
              & (left[:, None] >= left[None, :] - dx[None, :])
              & (top[:, None] + height[:, None] <= top[None, :] + height[None, :] + dy[None, :])
              & (left[:, None] + width[:, None] <= left[None, :] + width[None, :] + dx[None, :]))
    stronger = (neighbours[None, :] > np.maximum(3, neighbours[:, None])) | (neighbours[:, None] < 3)
    np.fill_diagonal(inside, False)
    return np.any(inside & stronger, axis=1)
