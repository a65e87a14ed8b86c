"""Training a cascade (VJ Table 2) on a tiny synthetic problem: stages, settings, progress, negative mining."""

import json

import numpy as np
import pytest
from skimage.transform import resize

from dbnfer.detect import load_cascade, train_cascade
from dbnfer.detect.cascade import Cascade
from dbnfer.detect.train import (MARKED_EYE_DISTANCE, MARKED_EYE_ROW, MARKED_MOUTH_ROW, NegativeMiner, dihedral_views,
                                 load_faces, marked_box, marked_faces)

from test_detect_cascade import (WINDOW, save_png, synthetic_background, synthetic_face, trained_cascade,
                                 write_training_folders)


@pytest.fixture
def cascade():
    return trained_cascade()


def test_training_builds_stages_that_keep_the_faces(cascade):
    assert cascade.n_stages >= 2
    assert np.all(np.diff(cascade.stage_ends) > 0)
    faces = np.stack([synthetic_face(np.random.default_rng(1000 + i)) for i in range(100)])
    assert cascade.accepts(faces).mean() >= 0.9


def test_training_records_how_it_was_called(cascade):
    settings = cascade.settings
    assert json.loads(json.dumps(settings)) == settings
    assert settings["face_dir"].endswith("faces") and settings["background_dir"].endswith("backgrounds")
    assert settings["window_shape"] == [12, 12] and settings["n_positives"] == 300 and settings["max_rounds"] == 30
    assert settings["crop"] is None and settings["face_box"] == [0.0, 0.0, 1.0, 1.0]
    assert settings["random_state"] == 0 and settings["training_seconds"] >= 0 and "verbose" not in settings


def test_progress_is_one_line_per_stage_and_nothing_when_quiet(tmp_path, capsys):
    faces, backgrounds = write_training_folders(tmp_path, n_faces=60, n_backgrounds=4)
    options = dict(window_shape=WINDOW, n_positives=100, n_negatives=100, n_features=200, max_stages=2,
                   max_rounds=5, target_false_positive_rate=1e-9, mirror=False)
    quiet = train_cascade(faces, backgrounds, verbose=False, **options)
    assert capsys.readouterr().err == ""
    train_cascade(faces, backgrounds, verbose=True, **options)
    lines = capsys.readouterr().err.splitlines()  # not a terminal: plain lines
    assert lines[0].startswith("60 faces, 4 background images")
    assert [line.split(":")[0] for line in lines[1:]] == [f"stage {s}/2" for s in range(1, len(lines))]
    assert len(lines) - 1 >= quiet.n_stages >= 1


def test_the_eight_views_of_a_background_are_its_turns_and_mirror_images():
    image = np.arange(12.0).reshape(3, 4)
    views = dihedral_views(image)
    assert [view.shape for view in views] == [(3, 4), (4, 3)] * 4
    assert len({view.tobytes() + bytes(view.shape) for view in views}) == 8  # all different
    np.testing.assert_array_equal(views[0], image)
    np.testing.assert_array_equal(views[2], image[::-1, ::-1])
    np.testing.assert_array_equal(views[4], image[:, ::-1])
    assert all(sorted(view.ravel()) == sorted(image.ravel()) for view in views)


def test_turned_backgrounds_are_mined_as_eight_images_each(tmp_path, capsys):
    faces, backgrounds = write_training_folders(tmp_path, n_faces=30, n_backgrounds=2)
    cascade = train_cascade(faces, backgrounds, window_shape=WINDOW, n_positives=50, n_negatives=50, n_features=100,
                            max_stages=1, max_rounds=3, mirror=False, turn_backgrounds=True)
    assert capsys.readouterr().err.splitlines()[0].startswith("30 faces, 16 background images")
    assert cascade.settings["turn_backgrounds"] is True


def test_faces_are_cropped_resized_and_mirrored(tmp_path):
    faces, _ = write_training_folders(tmp_path, n_faces=5, n_backgrounds=0)
    loaded = load_faces(faces, (10, 8), crop=(0.1, 0.0, 0.8, 1.0))
    assert loaded.shape == (10, 10, 8)
    np.testing.assert_array_equal(loaded[5:], loaded[:5, :, ::-1])
    assert len(load_faces([faces, faces], WINDOW, mirror=False)) == 10


def test_mining_an_empty_cascade_gives_random_windows():
    backgrounds = [np.random.default_rng(i).random((30, 30)) for i in range(3)]
    windows = NegativeMiner(backgrounds, WINDOW).mine(Cascade.empty(WINDOW), 25, np.random.default_rng(0))
    assert windows.shape == (25,) + WINDOW


def test_mined_windows_are_false_positives_and_the_cache_changes_nothing(cascade):
    backgrounds = [synthetic_background(np.random.default_rng(50 + i), (48, 48)) for i in range(6)]
    first_stage = Cascade(cascade.features[cascade.stage_slice(0)], cascade.thresholds[cascade.stage_slice(0)],
                          cascade.polarities[cascade.stage_slice(0)], cascade.alphas[cascade.stage_slice(0)],
                          cascade.stage_ends[:1], cascade.stage_thresholds[:1])
    cached = NegativeMiner(backgrounds, WINDOW, cache_limit=10**6)
    cached.mine(first_stage, 10**6, np.random.default_rng(1))  # visits every image, remembers its survivors
    from_cache = cached.mine(cascade, 40, np.random.default_rng(2))
    fresh = NegativeMiner(backgrounds, WINDOW).mine(cascade, 40, np.random.default_rng(2))
    assert len(fresh) > 0
    assert np.all(cascade.accepts(fresh))
    np.testing.assert_array_equal(from_cache, fresh)


def test_training_rejects_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        train_cascade(tmp_path / "nowhere", tmp_path, verbose=False)


def write_marked_photo(folder, marks, shape=(120, 160)):
    """folder/images/photo.png (random grey) and folder/landmarks.txt with one line per face of (x, y) marks."""
    (folder / "images").mkdir(parents=True)
    save_png(folder / "images" / "photo.png", np.random.default_rng(0).random(shape))
    lines = ["photo.png " + " ".join(f"{v:.2f}" for point in points for v in point) for points in marks]
    (folder / "landmarks.txt").write_text("\n".join(lines) + "\n")


def test_marked_box_puts_the_eyes_and_mouth_where_the_window_has_them():
    window = (19, 19)
    points = np.array([(50.0, 40.0), (80.0, 40.0), (65.0, 52.0), (65.0, 72.4)])  # eyes, nose, mouth (x, y)
    top, left, height, width = marked_box(points, window)
    s = 30 / MARKED_EYE_DISTANCE  # the eye distance and the eye-to-mouth distance agree on this width
    assert (height, width) == (round(s), round(s))
    assert abs(top + MARKED_EYE_ROW * s - 40) <= 1 and abs(left + s / 2 - 65) <= 1
    assert abs(top + MARKED_MOUTH_ROW * s - 72.4) <= 1


def test_marked_faces_are_cut_unless_too_small_tilted_or_past_the_border(tmp_path):
    upright = [(60, 50), (90, 50), (75, 62), (75, 82.4)]
    too_small = [(20, 20), (25, 20), (22, 22), (22.5, 25.4)]
    tilted = [(60, 50), (90, 70), (75, 62), (75, 82)]
    past_border = [(5, 10), (35, 10), (20, 22), (20, 42.4)]
    write_marked_photo(tmp_path / "photos", [upright, too_small, tilted, past_border])
    faces = marked_faces(tmp_path / "photos", WINDOW)
    assert len(faces) == 1 and faces[0].shape == WINDOW
    assert 0 <= faces[0].min() and faces[0].max() <= 1
    loaded = load_faces(tmp_path / "photos" / "images", WINDOW, marked_dir=tmp_path / "photos", mirror=False)
    assert len(loaded) == 2  # the photo itself as a crop, and its one usable marked face


def test_marked_faces_need_a_landmarks_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="landmarks.txt"):
        marked_faces(tmp_path, WINDOW)


@pytest.mark.parametrize("option, value", [("--negatives", "0"), ("--boosting", "real")])
def test_the_cli_refuses_bad_negatives_and_boosting_in_one_line(tmp_path, capsys, option, value):
    from dbnfer.cli import main
    code = main(["train-detector", "--faces", str(tmp_path), "--backgrounds", str(tmp_path), option, value,
                 "--out", str(tmp_path / "c.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and option in err and not (tmp_path / "c.npz").exists()


def test_the_cli_passes_marked_faces_negatives_and_gentle_boosting(tmp_path):
    from dbnfer.cli import main
    faces, backgrounds = write_training_folders(tmp_path, n_faces=40, n_backgrounds=4)
    write_marked_photo(tmp_path / "photos", [[(60, 50), (90, 50), (75, 62), (75, 82.4)]])
    code = main(["train-detector", "--faces", str(faces), "--backgrounds", str(backgrounds), "--marked-faces",
                 str(tmp_path / "photos"), "--negatives", "50", "--features", "100", "--max-stages", "2",
                 "--boosting", "gentle", "--quiet", "--out", str(tmp_path / "c.npz")])
    assert code == 0
    cascade = load_cascade(tmp_path / "c.npz")[0]
    settings = cascade.settings
    assert settings["n_negatives"] == 50 and settings["marked_dir"] == [str(tmp_path / "photos")]
    assert settings["boosting"] == "gentle" and cascade.n_stages >= 1
    unseen = np.stack([resize(synthetic_face(np.random.default_rng(2000 + i)), (19, 19), anti_aliasing=True)
                       for i in range(50)])  # as load_faces reads them for the CLI's 19x19 window
    assert cascade.accepts(unseen).mean() >= 0.9
