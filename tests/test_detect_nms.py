"""Grouping of detections: agreement with OpenCV's groupRectangles (the oracle, when installed)."""

import numpy as np
import pytest

from dbnfer.detect.nms import frame_boxes, group_boxes


def clustered_boxes(seed):
    """Clusters of jittered boxes (faces) plus scattered singletons (false positives), as (row, col, h, w)."""
    rng = np.random.default_rng(seed)
    boxes = []
    for _ in range(4):
        row, col, size = rng.integers(0, 200), rng.integers(0, 200), rng.integers(20, 60)
        for _ in range(rng.integers(1, 9)):
            jitter = rng.integers(-2, 3, size=3)
            boxes.append([row + jitter[0], col + jitter[1], size + jitter[2], size + jitter[2]])
    singles = rng.integers(0, 300, size=(5, 2))
    sizes = rng.integers(20, 40, size=5)
    boxes += [[r, c, s, s] for (r, c), s in zip(singles, sizes)]
    return np.array(boxes)


def test_a_tight_cluster_becomes_its_average_and_a_loner_is_dropped():
    boxes = np.array([[10, 10, 30, 30], [11, 10, 30, 30], [10, 11, 31, 31], [9, 9, 30, 30], [100, 100, 20, 20]])
    grouped, neighbours = group_boxes(boxes, min_neighbours=2)
    np.testing.assert_array_equal(grouped, [[10, 10, 30, 30]])
    np.testing.assert_array_equal(neighbours, [4])
    assert len(group_boxes(boxes, min_neighbours=4)[0]) == 0
    assert len(group_boxes(np.zeros((0, 4)))[0]) == 0


def test_a_small_group_inside_a_stronger_one_is_dropped():
    big = [[50, 50, 100, 100]] * 6
    small = [[70, 70, 30, 30]] * 2
    grouped, _ = group_boxes(np.array(big + small), min_neighbours=1)
    np.testing.assert_array_equal(grouped, [[50, 50, 100, 100]])


def test_a_small_group_inside_the_face_a_stronger_window_frames_is_dropped():
    """A tight window (eyebrows to mouth) and a stray detection on the chin below it: inside the face, not the
    window."""
    window = [[50, 50, 100, 100]] * 6
    chin = [[130, 70, 50, 50]] * 2  # reaches row 180, below the window's 150 (+ 20 tolerance)
    boxes = np.array(window + chin)
    assert len(group_boxes(boxes, min_neighbours=1)[0]) == 2
    grouped, _ = group_boxes(boxes, min_neighbours=1, frame=(-0.1, -0.2, 1.4, 1.4))  # the face: rows 40-180
    np.testing.assert_array_equal(grouped, [[50, 50, 100, 100]])


def test_frame_boxes_cuts_the_framed_box():
    np.testing.assert_allclose(frame_boxes([[10, 20, 100, 50]], (-0.1, -0.2, 1.4, 1.4)), [[0, 10, 140, 70]])
    np.testing.assert_allclose(frame_boxes([[10, 20, 100, 50]], (0, 0, 1, 1)), [[10, 20, 100, 50]])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("min_neighbours", [1, 2, 3])
def test_matches_opencv_group_rectangles(seed, min_neighbours):
    cv2 = pytest.importorskip("cv2")
    boxes = clustered_boxes(seed)
    grouped, neighbours = group_boxes(boxes, min_neighbours, eps=0.2)
    cv_rects = [[int(c), int(r), int(w), int(h)] for r, c, h, w in boxes]
    cv_grouped, cv_weights = cv2.groupRectangles(cv_rects, min_neighbours, 0.2)
    ours = sorted(zip(map(tuple, grouped[:, [1, 0, 3, 2]].tolist()), neighbours.tolist()))
    theirs = sorted(zip(map(tuple, np.asarray(cv_grouped).reshape(-1, 4).tolist()),
                        np.asarray(cv_weights).ravel().tolist()))
    assert ours == theirs
