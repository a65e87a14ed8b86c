"""Every user mistake gets one clear line and exit code 2; nothing the user had is overwritten or lost.

Each case builds its own bad input (a broken CSV, a truncated model file, a 16-bit photo, ...) and runs the
command as a user would, through ``dbnfer.cli.main``. A clean failure is: exit code 2 (130 for Ctrl-C), exactly
one line on standard error starting ``dbnfer: error:`` (or ``dbnfer: interrupted``) that names the file or option
at fault, no traceback, and no new or changed file where the user asked for output.
"""

import hashlib
import json
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from conftest import write_image
from dbnfer.cli import main

pytestmark = pytest.mark.xdist_group("test_bad_input")  # its module-wide fixtures are built once, in one worker


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("dbnfer: error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def digest(folder):
    """A checksum of every file below `folder` (names and bytes), to show that nothing changed."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def photos(tmp_path):
    """A folder with two small photos in which the shipped detector finds a face (scikit-image's astronaut)."""
    from skimage import data
    from skimage.transform import rescale
    folder = tmp_path / "photos"
    folder.mkdir()
    face = (255 * rescale(data.astronaut()[:220, 120:340].mean(axis=2) / 255, 0.5)).astype(np.uint8)
    for name in ("a.png", "b.png"):
        Image.fromarray(face).save(folder / name)
    return folder


@pytest.fixture(scope="module")
def tiny_faces(tmp_path_factory):
    """A "one folder per class" data set small enough to train on in a second: three random 16x16 images each of
    happiness and sadness (the bad-input cases need a real model file, not a good one)."""
    root = tmp_path_factory.mktemp("tiny") / "faces"
    for i, label in enumerate(["happiness", "sadness"] * 3):
        write_image(root / label / f"{i}.png", shape=(16, 16), seed=i)
    return root


def train_tiny(faces, out, *extra):
    """``dbnfer train`` of the plain MLP on `faces` at 8x8 pixels, as a user would run it; its exit code."""
    return main(["train", "--dataset", "folders", "--data-dir", str(faces), "--size", "8", "--model", "mlp",
                 "--out", str(out), "--quiet", *map(str, extra)])


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, tiny_faces):
    """A real expression model file, written by ``dbnfer train`` (whole-image crop, labels happiness and
    sadness)."""
    path = tmp_path_factory.mktemp("model") / "m.npz"
    assert train_tiny(tiny_faces, path) == 0
    return path


# 1, 10: FER-2013 CSV rows -----------------------------------------------------------------------------------

FER_PIXELS = " ".join(["128"] * 2304)


@pytest.mark.parametrize("rows, fragment", [
    (["3"], "g.csv:2"),
    ([f"12,{FER_PIXELS},Training"], "g.csv:2: emotion '12'"),
    ([f"3,{FER_PIXELS},Training", "x,1 2 3,Training"], "g.csv:3"),
    ([f"3,{' '.join(['7'] * 100)},Training"], "g.csv:2: 100 pixels"),
    ([f"3,{FER_PIXELS[:-3]}abc,Training"], "g.csv:2"),
    ([], "empty"),
])
def test_fer2013_csv_bad_rows_are_named(tmp_path, capsys, rows, fragment):
    path = tmp_path / "g.csv"
    path.write_text("emotion,pixels,Usage\n" + "".join(row + "\n" for row in rows))
    assert_one_line_error(*run(capsys, "info", "--dataset", "fer2013", "--data-dir", path)[::2], fragment)


# FER-2013 image folders, and the official protocol where it does not apply -----------------------------------

FER_LAYOUTS = {  # the image files of each bad layout (None: an empty folder), and what the error must name
    "no train/": ({"test/angry/PublicTest_1.jpg": (48, 48)}, "nor a train/ folder"),
    "unknown class": ({"train/joy/Training_1.jpg": (48, 48)}, "unknown class folder 'joy'"),
    "empty train": ({"train/angry": None, "test/angry/PublicTest_1.jpg": (48, 48)}, "train: an empty split"),
    "empty test": ({"train/angry/Training_1.jpg": (48, 48), "test/sad": None}, "test: an empty split"),
    "not 48x48": ({"train/angry/Training_1.jpg": (40, 40)}, "Training_1.jpg: 40x40 pixels"),
}


def write_fer_folders(root, files):
    for name, shape in files.items():
        if shape is None:
            (root / name).mkdir(parents=True)
        else:
            write_image(root / name, shape=shape)
    return root


@pytest.mark.parametrize("command", ["info", "evaluate"])
@pytest.mark.parametrize("layout", FER_LAYOUTS)
def test_fer2013_bad_folders_are_named(tmp_path, capsys, command, layout):
    files, fragment = FER_LAYOUTS[layout]
    write_fer_folders(tmp_path / "fer", files)
    extra = ["--protocol", "official", "--out", tmp_path / "r"] if command == "evaluate" else []
    assert_one_line_error(*run(capsys, command, "--dataset", "fer2013", "--data-dir", tmp_path / "fer", *extra)[::2],
                          fragment)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("dataset, fragment", [
    ("lfw", "lfw: the official protocol needs the data set's own training and test parts"),
    ("fer2013", "fer2013: the official protocol needs both Training images and test images"),  # train/ only
])
def test_official_protocol_needs_training_and_test_parts(tmp_path, capsys, dataset, fragment):
    data = write_fer_folders(tmp_path / "fer", {"train/angry/Training_1.jpg": (48, 48),
                                                "train/happy/Training_2.jpg": (48, 48)})
    code, _, err = run(capsys, "evaluate", "--dataset", dataset, "--data-dir", data, "--protocol", "official",
                       "--out", tmp_path / "r")
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "r").exists()


# 2, 10: option values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["evaluate", "--dataset", "lfw", "--size", "0", "--out", "{tmp}/r"], "--size"),
    (["evaluate", "--dataset", "lfw", "--size", "-3", "--out", "{tmp}/r"], "--size"),
    (["evaluate", "--dataset", "lfw", "--folds", "1", "--out", "{tmp}/r"], "--folds"),
    (["compare", "--dataset", "lfw", "--jobs", "0", "--out", "{tmp}/r"], "--jobs"),
    (["compare", "--dataset", "lfw", "--features", "sift", "--out", "{tmp}/r"], "--features"),
    (["evaluate", "--dataset", "lfw", "--features", "hog", "--size", "8", "--out", "{tmp}/r"], "hog: a 8x8 face"),
    (["train", "--dataset", "synthetic", "--size", "0", "--out", "{tmp}/m.npz"], "--size"),
    (["train", "--dataset", "synthetic", "--crop", "detect", "--margin", "-0.6", "--out", "{tmp}/m.npz"],
     "--margin"),
    (["train", "--dataset", "synthetic", "--margin", "nan", "--out", "{tmp}/m.npz"], "--margin"),
    (["compare", "--methods", "nn,bogus", "--out", "{tmp}/r"], "bogus"),
    (["compare", "--methods", "", "--out", "{tmp}/r"], "--methods"),
    (["compare", "--methods", ",", "--out", "{tmp}/r"], "--methods"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--detection-rate", "0",
      "--out", "{tmp}/c.npz"], "--detection-rate"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--detection-rate", "1.5",
      "--out", "{tmp}/c.npz"], "--detection-rate"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--max-stages", "0",
      "--out", "{tmp}/c.npz"], "--max-stages"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--features", "0",
      "--out", "{tmp}/c.npz"], "--features"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--side-light", "2",
      "--out", "{tmp}/c.npz"], "--side-light"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--glasses", "-1",
      "--out", "{tmp}/c.npz"], "--glasses"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--crop", "0.5,0.5,0.8,0.2",
      "--out", "{tmp}/c.npz"], "--crop"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--face-box=0,0,0,1",
      "--out", "{tmp}/c.npz"], "--face-box"),
])
def test_bad_option_values_are_refused_before_any_work(tmp_path, capsys, argv, fragment):
    code, _, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "r").exists() and not (tmp_path / "m.npz").exists() and not (tmp_path / "c.npz").exists()


# 3, 10: model and cascade files -----------------------------------------------------------------------------

def broken_files(folder, good):
    folder.mkdir(exist_ok=True)
    data = good.read_bytes()
    (folder / "truncated.npz").write_bytes(data[: len(data) // 2])
    (folder / "random.npz").write_bytes(np.random.default_rng(0).bytes(5000))
    (folder / "empty.npz").write_bytes(b"")
    np.savez(folder / "objects.npz", x=np.array([{"a": 1}], dtype=object))  # readable only by unpickling
    with zipfile.ZipFile(folder / "other.npz", "w") as archive:
        archive.writestr("hello.txt", "not numpy")
    return sorted(folder.iterdir())


def test_broken_model_files_are_named(tmp_path, capsys, model_file, photos):
    for path in broken_files(tmp_path / "broken", model_file):
        code, _, err = run(capsys, "predict", "--model", path, photos, "--out", tmp_path / "out", "--quiet")
        assert_one_line_error(code, err, path.name)
        assert "pickle" not in err and not (tmp_path / "out").exists()


def test_broken_cascade_files_are_named(tmp_path, capsys, photos):
    from dbnfer.detect import DEFAULT_CASCADE
    for path in broken_files(tmp_path / "broken", DEFAULT_CASCADE):
        code, _, err = run(capsys, "detect", photos, "--cascade", path, "--out", tmp_path / "out")
        assert_one_line_error(code, err, path.name)
        assert not (tmp_path / "out").exists()


def test_a_model_file_given_as_cascade_is_refused(tmp_path, capsys, model_file, photos):
    code, _, err = run(capsys, "detect", photos, "--cascade", model_file, "--out", tmp_path / "out")
    assert_one_line_error(code, err, "m.npz")


def test_train_init_from_refuses_a_missing_model_other_expressions_and_preparation_options(tmp_path, capsys,
                                                                                              model_file, tiny_faces):
    other = tmp_path / "other"
    for i, label in enumerate(["anger", "fear"]):
        write_image(other / label / f"{i}.png", shape=(16, 16), seed=i)
    out = tmp_path / "tuned.npz"
    cases = [(("--data-dir", tiny_faces, "--init-from", tmp_path / "nowhere.npz"), "nowhere.npz"),
             (("--data-dir", tiny_faces, "--init-from", model_file, "--crop", "align"), "--crop"),
             (("--data-dir", tiny_faces, "--init-from", model_file, "--model", "mlp"), "--model"),
             (("--data-dir", other, "--init-from", model_file), "anger, fear")]
    for argv, fragment in cases:
        code, _, err = run(capsys, "train", "--dataset", "folders", *argv, "--out", out, "--quiet")
        assert_one_line_error(code, err, fragment)
        assert not out.exists()


# 4, 6: unreadable and oversized images ----------------------------------------------------------------------

def test_an_image_over_the_decompression_limit_is_reported_and_the_batch_goes_on(tmp_path, capsys, photos,
                                                                                 monkeypatch):
    big = tmp_path / "in"
    big.mkdir()
    Image.fromarray(np.zeros((200, 300), np.uint8)).save(big / "huge.png")
    (big / "small.png").write_bytes((photos / "a.png").read_bytes())  # 110x110 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20000)  # Pillow refuses images over twice the limit: huge.png
    code, out, err = run(capsys, "detect", big, "--out", tmp_path / "out")
    assert code == 0 and "huge.png" in err and "Traceback" not in err
    results = json.loads((tmp_path / "out" / "detections.json").read_text())
    assert [r["image"].endswith("huge.png") and "error" in r for r in results] == [True, False]


@pytest.mark.parametrize("command", ["detect", "predict"])
def test_no_readable_input_is_an_error(tmp_path, capsys, command, model_file):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    (folder / "b.jpg").write_text("not really")
    argv = [command, folder, "--out", tmp_path / "out"] + (["--model", model_file] if command == "predict" else [])
    code, _, err = run(capsys, *argv)
    assert code == 2 and "no readable image" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("mode", ["16bit", "float", "rgba", "cmyk", "palette"])
def test_every_encoding_of_one_photo_gives_the_same_faces(tmp_path, capsys, photos, mode):
    grey = np.asarray(Image.open(photos / "a.png"))
    encoded = tmp_path / "enc"
    encoded.mkdir()
    if mode == "16bit":
        Image.fromarray(grey.astype(np.uint16) * 257).save(encoded / "a.png")
    elif mode == "float":
        Image.fromarray(grey.astype(np.float32) / 255, "F").save(encoded / "a.tiff")
    elif mode == "rgba":
        Image.fromarray(grey).convert("RGBA").save(encoded / "a.png")
    elif mode == "cmyk":
        Image.fromarray(grey).convert("CMYK").save(encoded / "a.jpg", quality=100)
    else:
        Image.fromarray(grey).convert("P").save(encoded / "a.png")
    assert main(["detect", str(photos / "a.png"), "--out", str(tmp_path / "ref")]) == 0
    assert main(["detect", str(encoded), "--out", str(tmp_path / "enc_out")]) == 0
    capsys.readouterr()
    faces = [json.loads((tmp_path / name / "detections.json").read_text())[0]["faces"]
             for name in ("ref", "enc_out")]
    assert len(faces[0]) == len(faces[1]) >= 1


def test_a_one_pixel_image_is_not_classified(tmp_path, capsys, model_file):
    Image.fromarray(np.full((1, 1), 128, np.uint8)).save(tmp_path / "dot.png")
    code, out, err = run(capsys, "predict", "--model", model_file, tmp_path / "dot.png", "--out", tmp_path / "out")
    table = (tmp_path / "out" / "faces.csv").read_text() if (tmp_path / "out").exists() else ""
    rows = table.splitlines()[1:]  # the header names every label
    assert not any("happiness" in row for row in rows) and "Traceback" not in err
    assert "too small" in err or code == 2


# 7, 13: nothing the user had is lost ------------------------------------------------------------------------

def test_a_failed_forced_train_keeps_the_earlier_model(tmp_path, capsys, model_file, tiny_faces, monkeypatch):
    target = tmp_path / "keep.npz"
    target.write_bytes(model_file.read_bytes())
    before = target.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", disk_full)
    code = train_tiny(tiny_faces, target, "--force")
    assert_one_line_error(code, capsys.readouterr().err, "No space left")
    assert target.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["keep.npz"]


def test_detect_force_leaves_no_stale_pictures(tmp_path, capsys, photos):
    out = tmp_path / "out"
    assert main(["detect", str(photos), "--out", str(out)]) == 0
    (photos / "b.png").unlink()
    assert main(["detect", str(photos), "--out", str(out), "--force"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["0000_a.png", "detections.json"]


def test_force_keeps_files_the_user_put_in_the_folder(tmp_path, capsys, photos):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["detect", str(photos), "--out", str(out), "--force"]) == 0
    assert (out / "notes.txt").read_text() == "mine"


# 9: Ctrl-C --------------------------------------------------------------------------------------------------

def test_ctrl_c_prints_one_line_exits_130_and_leaves_no_half_report(tmp_path, capsys, monkeypatch):
    from dbnfer import experiment

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(experiment, "write_report", interrupted)  # halfway: the figures are drawn, not the report
    out = tmp_path / "r"
    code, _, err = run(capsys, "evaluate", "--dataset", "lfw", "--folds", "2", "--out", out, "--quiet")
    assert code == 130 and err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    assert not out.exists() or (out / "INCOMPLETE").exists()
    monkeypatch.undo()
    assert main(["evaluate", "--dataset", "lfw", "--folds", "2", "--out", str(out), "--quiet"]) == 0
    assert (out / "metrics.json").exists() and not (out / "INCOMPLETE").exists()


# 11: a failed run leaves nothing behind, and is refused before the expensive work ---------------------------

@pytest.mark.parametrize("argv", [
    ["evaluate", "--dataset", "jaffe", "--data-dir", "{tmp}/nowhere", "--out", "{tmp}/r"],
    ["compare", "--dataset", "jaffe", "--data-dir", "{tmp}/nowhere", "--out", "{tmp}/r"],
    ["predict", "--model", "{tmp}/nowhere.npz", "{tmp}", "--out", "{tmp}/r"],
    ["detect", "{tmp}/nowhere.png", "--out", "{tmp}/r"],
])
def test_a_failed_run_leaves_no_empty_out_folder(tmp_path, capsys, argv):
    code, _, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert_one_line_error(code, err, "nowhere")
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_out_is_refused_before_training(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    code, _, err = run(capsys, "train", "--dataset", "synthetic", "--out", locked / "m.npz")
    locked.chmod(0o700)
    assert_one_line_error(code, err, "locked")


def test_an_unwritable_out_parent_is_refused_before_any_work(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "evaluate", "--dataset", "lfw", "--out", tmp_path / "file" / "r")
    assert_one_line_error(code, err, "file")


# 12: accepted silently but wrong ----------------------------------------------------------------------------

def test_leave_one_subject_out_needs_subjects(tmp_path, capsys):
    code, _, err = run(capsys, "evaluate", "--dataset", "lfw", "--protocol", "loso", "--out", tmp_path / "r")
    assert_one_line_error(code, err, "subject")
    assert not (tmp_path / "r").exists()


def test_a_one_class_training_set_is_refused(tmp_path, capsys):
    for i in range(4):
        write_image(tmp_path / "data" / "happy" / f"{i}.png", shape=(20, 20), seed=i)
    code, _, err = run(capsys, "train", "--dataset", "folders", "--data-dir", tmp_path / "data",
                       "--out", tmp_path / "m.npz")
    assert_one_line_error(code, err, "one class")
    assert not (tmp_path / "m.npz").exists()


# Big photos: a flat background is not a face -----------------------------------------------------------------

def test_flat_windows_never_pass_the_cascade():
    from dbnfer.detect import detect_faces
    for value in (0.0, 0.5, 1.0):
        boxes, _ = detect_faces(np.full((400, 500), value))
        assert len(boxes) == 0
    ramp = np.tile(np.linspace(0.2, 0.21, 500), (400, 1))  # almost flat: variance near zero
    assert len(detect_faces(ramp)[0]) == 0
