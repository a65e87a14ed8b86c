"""The synthetic FACS generator: deterministic per seed, subjects and classes that differ measurably."""

import numpy as np
import pytest

from dbnfer.baselines.nearest_neighbour import NearestNeighbour
from dbnfer.datasets.synthetic import ACTION_UNITS, PROTOTYPES, draw_face, make_synthetic, random_identity
from dbnfer.evaluate import cross_validate, leave_one_subject_out
from dbnfer.preprocess import prepare


def test_same_seed_same_images_other_seed_other_images():
    a, b = make_synthetic(2, 1, random_state=7), make_synthetic(2, 1, random_state=7)  # 16 images each
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, make_synthetic(2, 1, random_state=8).images)


def test_shapes_labels_subjects():
    data = make_synthetic(n_subjects=3, per_class=2, size=40, expressions=("happiness", "neutral"))
    assert data.images.shape == (12, 40, 40) and data.label_names == ("happiness", "neutral")
    assert data.counts() == {"happiness": 6, "neutral": 6} and len(set(data.subjects)) == 3
    assert data.images.dtype == np.float32 and 0 <= data.images.min() and data.images.max() <= 1


@pytest.mark.parametrize("au", ACTION_UNITS)
def test_every_action_unit_moves_the_drawing(au):
    face = random_identity(np.random.default_rng(0))
    neutral = {k: 0.0 for k in ACTION_UNITS}
    side = 1 if au == 14 else 0
    moved = draw_face(face, {**neutral, au: 1.0}, side)
    assert np.abs(moved - draw_face(face, neutral, side)).max() > 0.1


def test_classes_differ_but_are_not_trivially_separable():
    """Nearest neighbour on pixels, leave-one-subject-out: well above chance (1/8), well below 100 %."""
    data = make_synthetic(n_subjects=10, per_class=3, random_state=1)
    X = prepare(data, size=32, crop="none", equalised=False)
    accuracy = cross_validate(NearestNeighbour, X, data.labels, leave_one_subject_out(data.subjects))["accuracy"]
    assert 0.17 < accuracy < 0.8


def test_bad_arguments():
    with pytest.raises(ValueError, match="known expressions"):
        make_synthetic(expressions=("joy",))
    assert set(PROTOTYPES) == {"anger", "contempt", "disgust", "fear", "happiness", "neutral", "sadness", "surprise"}
