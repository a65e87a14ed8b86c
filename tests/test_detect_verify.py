"""The verifier network after the cascade's first stages (Rowley et al. 1998): patches, file, scan, training."""

import numpy as np
import pytest
from skimage import data
from skimage.transform import resize

from dbnfer.detect import detect_faces, load_cascade, load_default_cascade
from dbnfer.detect.cascade import Cascade
from dbnfer.detect.scan import context_patches, pyramid, raw_detections
from dbnfer.detect.train import MARKED_EYE_DISTANCE, MARKED_EYE_ROW, MARKED_MOUTH_ROW, train_verifier
from dbnfer.detect.verify import CONTEXT, Verifier, patch_features
from dbnfer.images import as_grey
from dbnfer.networks.mlp import MLP

from test_detect_cascade import WINDOW, save_png, synthetic_background, synthetic_face, trained_cascade


def constant_network(n_inputs, p_face):
    """An MLP whose p(face | x) is `p_face` whatever x: zero weights, the output biases set."""
    logit = np.log(p_face / (1 - p_face))
    arrays = {"W0": np.zeros((n_inputs, 2), np.float32), "b0": np.zeros(2, np.float32),
              "W1": np.zeros((2, 2), np.float32), "b1": np.array([0.0, logit], np.float32),
              "classes": np.array([0, 1])}
    return MLP.from_state(arrays, MLP((2,), activation="relu").settings())


def with_verifier(cascade, verifier):
    return Cascade(cascade.features, cascade.thresholds, cascade.polarities, cascade.alphas, cascade.stage_ends,
                   cascade.stage_thresholds, cascade.face_box, cascade.settings, verifier)


def test_context_patches_hold_each_window_of_its_level_with_its_surroundings():
    cascade = trained_cascade()
    rng = np.random.default_rng(3)
    image = synthetic_background(rng, (70, 80)).astype(np.float32)
    boxes, _ = raw_detections(image, cascade.first_stages(2), 1.2)
    assert len(boxes) > 10
    patches = context_patches(image, boxes, WINDOW, 1.2)
    levels = {round(scale * WINDOW[0], 6): (scale, level) for scale, level in pyramid(image, WINDOW, 1.2)}
    for box, patch in zip(boxes, patches):
        scale, level = levels[round(box[2], 6)]
        padded = np.pad(level, CONTEXT, mode="edge")
        r, c = int(round(box[0] / scale)), int(round(box[1] / scale))
        np.testing.assert_array_equal(patch, padded[r:r + WINDOW[0] + 2 * CONTEXT, c:c + WINDOW[1] + 2 * CONTEXT])
        np.testing.assert_array_equal(patch[CONTEXT:-CONTEXT, CONTEXT:-CONTEXT], level[r:r + 12, c:c + 12])
    assert context_patches(image, np.zeros((0, 4)), WINDOW).shape == (0, 20, 20)


def test_patch_features_give_the_window_zero_mean_and_unit_deviation():
    patches = np.random.default_rng(0).random((5, 20, 20)) * 3 + 1
    x = patch_features(patches).reshape(5, 20, 20)
    window = x[:, CONTEXT:-CONTEXT, CONTEXT:-CONTEXT]
    np.testing.assert_allclose(window.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(window.std(axis=(1, 2)), 1, atol=1e-4)
    assert patch_features(np.zeros((0, 20, 20))).shape == (0, 400)


@pytest.mark.parametrize("p_face, expect_all", [(0.9, True), (1e-6, False)])
def test_a_verifier_keeps_all_or_none_of_the_first_stages_faces(p_face, expect_all):
    shipped = load_default_cascade()
    side = shipped.window_shape[0] + 2 * CONTEXT
    verified = with_verifier(shipped, Verifier(constant_network(side * side, p_face), after_stage=16))
    boxes, _ = detect_faces(data.astronaut(), verified)
    if expect_all:
        expected, _ = detect_faces(data.astronaut(), shipped.first_stages(16), min_neighbours=1)  # no verifier
        np.testing.assert_array_equal(boxes, expected)
        assert len(boxes) >= 1
    else:
        assert len(boxes) == 0


def test_the_cascade_file_keeps_its_verifier(tmp_path):
    shipped = load_default_cascade()
    side = shipped.window_shape[0] + 2 * CONTEXT
    network = constant_network(side * side, 0.7)
    network.weights_[0] = np.random.default_rng(0).normal(size=network.weights_[0].shape).astype(np.float32)
    verified = with_verifier(shipped, Verifier(network, after_stage=12, threshold=0.6, min_neighbours=2))
    verified.save(tmp_path / "v.npz")
    loaded, settings = load_cascade(tmp_path / "v.npz")
    assert (loaded.verifier.after_stage, loaded.verifier.threshold, loaded.min_neighbours) == (12, 0.6, 2)
    assert settings["verifier"]["after_stage"] == 12 and "verifier" not in loaded.settings
    patches = np.random.default_rng(1).random((30, side, side)).astype(np.float32)
    np.testing.assert_array_equal(loaded.verifier.probabilities(patches), verified.verifier.probabilities(patches))
    assert loaded.scanned_stages.n_stages == 12
    shipped.first_stages(shipped.n_stages).save(tmp_path / "plain.npz")  # the stages without the verifier
    plain = load_cascade(tmp_path / "plain.npz")[0]
    assert plain.verifier is None and plain.scanned_stages is plain and plain.min_neighbours == 3


def test_first_stages_are_the_cascades_first_stages():
    cascade = trained_cascade()
    windows = np.stack([synthetic_face(np.random.default_rng(i)) for i in range(20)])
    first = cascade.first_stages(3)
    assert first.n_stages == 3
    np.testing.assert_allclose(first.stage_sums(windows), cascade.stage_sums(windows)[:, :3])


def write_marked_scenes(folder, n_photos=6, seed=5):
    """Photos of synthetic backgrounds with one synthetic face pasted at 24x24 and 18x18 each, and their marks:
    eyes and mouth placed so that `marked_box` frames each pasted face."""
    rng = np.random.default_rng(seed)
    (folder / "images").mkdir(parents=True)
    lines = []
    for i in range(n_photos):
        image = synthetic_background(rng, (90, 100))
        for size, (top, left) in ((24, (10, 10)), (18, (50, 60))):
            top, left = top + rng.integers(0, 10), left + rng.integers(0, 10)
            image[top:top + size, left:left + size] = resize(synthetic_face(rng), (size, size), order=0)
            eye_row, centre = top + MARKED_EYE_ROW * size, left + size / 2
            half = MARKED_EYE_DISTANCE * size / 2
            points = [(centre - half, eye_row), (centre + half, eye_row), (centre, top + MARKED_MOUTH_ROW * size)]
            lines.append(f"{i}.png " + " ".join(f"{v:.2f}" for point in points for v in point))
        save_png(folder / "images" / f"{i}.png", image)
    (folder / "landmarks.txt").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    root = tmp_path_factory.mktemp("verifier")
    marked = write_marked_scenes(root / "marked")
    (root / "backgrounds").mkdir()
    rng = np.random.default_rng(8)
    for i in range(6):
        save_png(root / "backgrounds" / f"{i}.png", synthetic_background(rng, (90, 90)))
    return train_verifier(trained_cascade(), marked, root / "backgrounds", after_stage=6, mine_after=3,
                          hidden_units=16, n_epochs=20, per_view=60, bootstrap_rounds=1, verbose=False,
                          random_state=0)


def test_a_trained_verifier_tells_new_faces_from_new_clutter(verified):
    assert verified.verifier.after_stage == 6 and verified.n_stages == trained_cascade().n_stages
    assert verified.settings["verifier_training"]["bootstrap_rounds"] == 1
    rng = np.random.default_rng(77)
    image = synthetic_background(rng, (90, 100)).astype(np.float32)
    image[30:54, 40:64] = resize(synthetic_face(rng), (24, 24), order=0)
    boxes, _ = raw_detections(image, verified.first_stages(3), 1.2)  # as the network was trained
    p = verified.verifier.probabilities(context_patches(image, boxes, WINDOW, 1.2))
    on_face = (np.abs(boxes[:, 0] - 30) <= 4) & (np.abs(boxes[:, 1] - 40) <= 4) & (np.abs(boxes[:, 2] - 24) <= 5)
    assert on_face.any() and (~on_face).any()
    assert p[on_face].mean() > 0.5 > p[~on_face].mean()


def test_train_verifier_refuses_stage_counts_the_cascade_lacks(tmp_path):
    with pytest.raises(ValueError, match="after_stage"):
        train_verifier(trained_cascade(), tmp_path, tmp_path, after_stage=99, verbose=False)


def test_the_cli_refuses_a_missing_cascade_file_in_one_line(tmp_path, capsys):
    from dbnfer.cli import main
    code = main(["train-verifier", "--cascade", str(tmp_path / "none.npz"), "--marked-faces", str(tmp_path),
                 "--backgrounds", str(tmp_path), "--out", str(tmp_path / "v.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "none.npz" in err and not (tmp_path / "v.npz").exists()


def test_the_grey_image_is_what_the_verifier_sees(verified):
    rgb = np.dstack([data.camera()[:120, :120]] * 3)
    np.testing.assert_array_equal(detect_faces(rgb, verified)[0], detect_faces(as_grey(rgb), verified)[0])


def test_train_verifier_says_when_no_marked_face_passes_the_first_stages(tmp_path):
    marked = tmp_path / "marked"
    (marked / "images").mkdir(parents=True)
    save_png(marked / "images" / "0.png", np.full((60, 60), 0.5))  # flat: no window passes a stage
    (marked / "landmarks.txt").write_text("0.png 20 20 40 20 30 45\n")
    (tmp_path / "backgrounds").mkdir()
    save_png(tmp_path / "backgrounds" / "0.png", synthetic_background(np.random.default_rng(0), (60, 60)))
    with pytest.raises(ValueError, match="no window of a marked face"):
        train_verifier(trained_cascade(), marked, tmp_path / "backgrounds", after_stage=6, mine_after=3, verbose=False)
