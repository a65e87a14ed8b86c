"""The dbnfer command: reports, metrics JSON, and one-line errors with exit code 2 for user mistakes."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import write_image
from dbnfer.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_writes_report_and_metrics(tmp_path, capsys):
    out = tmp_path / "report"
    code, stdout, _ = run(capsys, "evaluate", "--dataset", "lfw", "--model", "nn", "--folds", "5", "--out", out,
                          "--quiet")
    assert code == 0 and "nn" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.5 < metrics["accuracy"] <= 1 and len(metrics["fold_accuracy"]) == 5
    assert (out / "confusion_nn_kfold.png").stat().st_size > 0 and "nn | kfold" in (out / "report.md").read_text()


def test_evaluate_with_unlabeled_faces_for_pretraining(tmp_path, capsys):
    for i in range(6):
        write_image(tmp_path / "faces" / f"{i}.png", shape=(25, 25), seed=i)
        write_image(tmp_path / "labelled" / ("happy", "sad")[i % 2] / f"{i}.png", shape=(16, 16), seed=10 + i)
    out = tmp_path / "report"  # a tiny labelled set at 8x8 pixels: the DBN's schedule, in seconds
    code, stdout, _ = run(capsys, "evaluate", "--dataset", "folders", "--data-dir", tmp_path / "labelled", "--size", 8,
                          "--model", "dbn", "--folds", "2", "--unlabeled", tmp_path / "faces", "--out", out, "--quiet")
    assert code == 0 and "faces (6 faces, DBN pre-training only)" in (out / "report.md").read_text()


def test_existing_report_folder_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("precious")
    code, _, err = run(capsys, "evaluate", "--dataset", "lfw", "--out", tmp_path)
    assert code == 2 and "already exists" in err and err.count("\n") == 1
    assert (tmp_path / "mine.txt").read_text() == "precious" and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("argv, message", [
    (["info", "--dataset", "jaffe", "--data-dir", "{tmp}/missing"], "missing: no such folder"),
    (["info", "--dataset", "jaffe", "--data-dir", "{tmp}"], "no JAFFE files"),
    (["info", "--dataset", "ckplus", "--data-dir", "{tmp}"], "unknown CK+ layout"),
    (["info", "--dataset", "jaffe"], "needs --data-dir"),
    (["info", "--dataset", "nope", "--data-dir", "{tmp}"], "unknown data set 'nope'"),
    (["evaluate", "--dataset", "lfw", "--model", "nope", "--out", "{tmp}/r"], "invalid choice: 'nope'"),
    (["evaluate", "--dataset", "lfw", "--out", "{tmp}/r", "--bogus"], "unrecognized arguments: --bogus"),
    (["evaluate", "--dataset", "lfw", "--out", "{tmp}/r", "--unlabeled", "{tmp}/nope"], "nope: no such file"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--crop", "0.1,0.2", "--out", "{tmp}/c.npz"],
     "--crop: 0.1,0.2: expected top,left,height,width or none"),
    (["train-detector", "--faces", "{tmp}/none", "--backgrounds", "{tmp}", "--out", "{tmp}/c.npz"],
     "none: no such file or folder"),
    (["train-detector", "--faces", "{tmp}", "--backgrounds", "{tmp}", "--out", "{tmp}/c.txt"], "must end in .npz"),
    (["detect", "{tmp}/missing.png", "--out", "{tmp}/d"], "missing.png: no such file"),
])
def test_user_mistakes_are_one_line_with_exit_2(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("dbnfer: error:")


def test_train_detector_writes_a_cascade_with_its_settings_and_never_overwrites(tmp_path, capsys):
    from test_detect_cascade import synthetic_background, synthetic_face

    from dbnfer.detect import load_cascade
    for folder, images in [("faces", [synthetic_face(np.random.default_rng(i)) for i in range(40)]),
                           ("scenes", [synthetic_background(np.random.default_rng(i), (80, 90)) for i in range(3)])]:
        (tmp_path / folder).mkdir()
        for i, image in enumerate(images):
            Image.fromarray((255 * image).astype(np.uint8)).save(tmp_path / folder / f"{i}.png")
    out = tmp_path / "cascade.npz"
    argv = ["train-detector", "--faces", tmp_path / "faces", "--backgrounds", tmp_path / "scenes", "--features", 300,
            "--max-stages", 2, "--detection-rate", 0.99, 0.995, "--glasses", 0.5, "--crop", "0.05,0.05,0.9,0.9",
            "--out", out, "--quiet"]
    code, stdout, _ = run(capsys, *argv)
    cascade, settings = load_cascade(out)
    assert code == 0 and "saved to" in stdout and 1 <= cascade.n_stages <= 2
    assert settings["glasses"] == 0.5 and settings["crop"] == [0.05, 0.05, 0.9, 0.9] and settings["n_features"] == 300
    assert settings["detection_rate"] == [0.99, 0.995] and settings["training_seconds"] >= 0
    before = out.read_bytes()
    code, _, err = run(capsys, *argv)
    assert code == 2 and "already exists" in err and out.read_bytes() == before


def test_detect_draws_and_lists_the_faces(tmp_path, capsys):
    from skimage import data
    Image.fromarray(data.astronaut()).save(tmp_path / "astronaut.png")
    code, stdout, err = run(capsys, "detect", tmp_path / "astronaut.png", "--out", tmp_path / "found")
    detections = json.loads((tmp_path / "found" / "detections.json").read_text())
    assert code == 0 and len(detections) == 1
    assert stdout.startswith(f"{len(detections[0]['faces'])} faces in 1 images; 0 unreadable: ")
    assert f"astronaut.png: {len(detections[0]['faces'])} face(s)" in err  # the progress line
    assert detections[0]["faces"] and detections[0]["faces"][0]["score"] > 3  # the strongest: more than 3 windows
    assert len(list((tmp_path / "found").glob("*astronaut.png"))) == 1


def test_unreadable_image_names_the_file_without_traceback(tmp_path):
    write_image(tmp_path / "KA.AN1.39.tiff")
    (tmp_path / "KA.HA1.40.tiff").write_bytes(b"garbage")
    result = subprocess.run([sys.executable, "-m", "dbnfer.cli", "info", "--dataset", "jaffe", "--data-dir",
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("KA.HA1.40.tiff: not a readable image (UnidentifiedImageError)")


def test_info_counts(tmp_path, capsys):
    code, out, _ = run(capsys, "info", "--dataset", "lfw")
    assert code == 0 and "200 images" in out and "non-face   100" in out
