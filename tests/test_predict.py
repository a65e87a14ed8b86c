"""dbnfer predict: a drawn face of known expression, save/load across processes, and every bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest
from skimage.io import imsave

from conftest import write_image
from dbnfer.cli import main
from dbnfer.datasets.synthetic import ACTION_UNITS, PROTOTYPES, draw_face, make_synthetic, random_identity
from dbnfer.images import image_files, read_grey
from dbnfer.networks.dbn import DBNClassifier
from dbnfer.predict import (ExpressionModel, detect_files, face_frame, frame_box, predict_files, predict_image,
                            read_frames)
from dbnfer.preprocess import cut_out, largest_face, prepare

pytestmark = pytest.mark.xdist_group("test_predict")  # its module-wide fixtures are built once, in one worker

PREPROCESSING = {"crop": "none", "size": 24, "equalised": False, "margin": 0.0}


@pytest.fixture(scope="module")
def model():
    data = make_synthetic(n_subjects=12, per_class=4, size=48, random_state=3)
    X = prepare(data, size=24, crop="none", equalised=False)
    classifier = DBNClassifier(hidden_sizes=(128,), rbm_epochs=5, n_epochs=60, random_state=0)
    return ExpressionModel(classifier.fit(X, data.labels), data.label_names, PREPROCESSING, "synthetic")


@pytest.fixture(scope="module")
def model_file(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model.save(path)
    return path


def test_a_model_that_mirrors_features_describes_the_mirrored_faces_too():
    data = make_synthetic(n_subjects=6, per_class=2, size=48, random_state=4)
    settings = {**PREPROCESSING, "size": 32, "features": "hog"}
    X, X_mirror = prepare(data, size=32, crop="none", equalised=False, features="hog", mirrored=True)
    classifier = DBNClassifier(hidden_sizes=(32,), rbm_epochs=2, n_epochs=5, mirror=True, random_state=0)
    model = ExpressionModel(classifier.fit(X, data.labels, X_mirror=X_mirror), data.label_names, settings, "s")
    (face,) = predict_image(model, data.images[0])
    expected = classifier.predict_proba(X[:1], X_mirror=X_mirror[:1])[0]
    assert list(face.probabilities.values()) == pytest.approx(expected.tolist(), abs=1e-6)
    assert expected.tolist() != pytest.approx(classifier.predict_proba(X[:1], X_mirror=X[:1])[0].tolist())


def test_train_mirrors_the_features_of_a_large_data_set(monkeypatch):
    import dbnfer.classifiers
    from dbnfer.predict import train_expression_model

    monkeypatch.setattr(dbnfer.classifiers, "LARGE_DATA", 50)  # the synthetic set counts as large here
    monkeypatch.setattr(dbnfer.classifiers, "LARGE_DATA_SCHEDULE", {"hidden_sizes": (16,)})  # fast
    monkeypatch.setitem(dbnfer.classifiers.LARGE_DATA_FEATURES, "n_epochs", 3)
    monkeypatch.setitem(dbnfer.classifiers.LARGE_DATA_FEATURES, "average_from", 2)
    model = train_expression_model("synthetic", model="mlp", features="hog", size=32)
    assert model.classifier.mirror and model.classifier.dropout == 0.3 and model.classifier.n_epochs == 3
    assert model.classifier.average_from == 2 and model.classifier.mlp_.best_epoch_ == 3
    assert len(model.preprocessing["frame"]) == 4  # whole-image faces: where the detector's box sits in them
    image = make_synthetic(n_subjects=1, per_class=1, random_state=7).images[0]
    (face,) = predict_image(model, image)
    X, X_mirror = model.describe(image, [face.box])[0]
    np.testing.assert_allclose(list(face.probabilities.values()),
                               model.classifier.predict_proba(X, X_mirror=X_mirror)[0], atol=1e-6)


@pytest.mark.parametrize("expression", ["surprise", "happiness"])
def test_a_drawn_face_of_known_expression(model, expression):
    face = random_identity(np.random.default_rng(99))  # a person the model never saw
    au = {k: 1.0 if k in PROTOTYPES[expression] else 0.0 for k in ACTION_UNITS}
    faces = predict_image(model, draw_face(face, au))
    assert len(faces) == 1 and faces[0].label == expression
    assert faces[0].box == (0, 0, 48, 48) and sum(faces[0].probabilities.values()) == pytest.approx(1, abs=1e-4)


def test_colour_uint8_image_of_any_size(model):
    image = (np.random.default_rng(0).random((37, 53, 3)) * 255).astype(np.uint8)
    (face,) = predict_image(model, image)
    assert face.box == (0, 0, 37, 53) and face.label in model.label_names


def test_loaded_in_a_new_process_gives_identical_probabilities(model, model_file, tmp_path):
    image = draw_face(random_identity(np.random.default_rng(5)), {k: 0.5 for k in ACTION_UNITS})
    np.save(tmp_path / "image.npy", image)
    code = ("import json, sys, numpy as np; from dbnfer.predict import ExpressionModel, predict_image; "
            "m = ExpressionModel.load(sys.argv[1]); "
            "print(json.dumps(predict_image(m, np.load(sys.argv[2]))[0].probabilities))")
    result = subprocess.run([sys.executable, "-c", code, str(model_file), str(tmp_path / "image.npy")],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == predict_image(model, image)[0].probabilities


def test_batch_goes_on_past_bad_files_and_reports_them(model, tmp_path):
    folder = tmp_path / "photos"
    write_image(folder / "a.png", shape=(30, 30))
    (folder / "b.jpg").write_bytes(b"not a jpeg")
    out = tmp_path / "out"
    out.mkdir()
    rows = predict_files(model, [folder], out)
    assert [row["status"] for row in rows] == ["ok", rows[1]["status"]] and rows[1]["status"].startswith("unreadable")
    assert "b.jpg" in rows[1]["status"] and (out / "faces.csv").read_text().count("\n") == 3
    assert json.loads((out / "faces.json").read_text())[0]["label"] in model.label_names


def test_detect_files_draws_and_lists_the_faces_and_goes_on_past_bad_files(tmp_path):
    from skimage import data

    from dbnfer.detect import detect_faces
    imsave(tmp_path / "astronaut.png", data.astronaut())
    (tmp_path / "broken.png").write_bytes(b"not a png")
    out = tmp_path / "out"
    out.mkdir()
    results = detect_files([tmp_path / "astronaut.png", tmp_path / "broken.png"], out)
    boxes, scores = detect_faces(read_grey(tmp_path / "astronaut.png"))
    assert results[0]["faces"] == [{"row": r, "col": c, "height": h, "width": w, "score": s}
                                   for (r, c, h, w), s in zip(boxes.tolist(), scores.tolist())]
    assert "broken.png" in results[1]["error"] and json.loads((out / "detections.json").read_text()) == results
    assert [p.name for p in sorted(out.glob("*.png"))] == ["0000_astronaut.png"]


def test_inputs_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.png: no such file or folder"):
        image_files([tmp_path / "nope.png"])
    with pytest.raises(ValueError, match="holds no files"):
        image_files([tmp_path])


def test_cli_predict_and_its_errors(model_file, tmp_path, capsys):
    photo = write_image(tmp_path / "in" / "face.png", shape=(48, 48))
    out = tmp_path / "out"
    assert main(["predict", "--model", str(model_file), str(photo), "--out", str(out), "--quiet"]) == 0
    assert (out / "0000_face.png").is_file() and (out / "faces.csv").is_file()
    capsys.readouterr()
    assert main(["predict", "--model", str(model_file), str(photo), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["predict", "--model", str(model_file), str(photo), "--out", str(out), "--force", "--quiet"]) == 0
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, weights=np.zeros(3))
    assert main(["predict", "--model", str(wrong), str(photo), "--out", str(tmp_path / "o2")]) == 2
    assert "not a dbnfer model file" in capsys.readouterr().err
    assert main(["predict", "--model", str(tmp_path / "missing.npz"), str(photo), "--out", str(tmp_path / "o3")]) == 2
    assert "no such model file" in capsys.readouterr().err


def test_cli_sequence_writes_a_time_series(model_file, tmp_path, capsys):
    face = random_identity(np.random.default_rng(1))
    frames = tmp_path / "frames"
    frames.mkdir()
    for t, level in enumerate(np.linspace(0, 1, 5)):
        au = {k: level if k in PROTOTYPES["surprise"] else 0.0 for k in ACTION_UNITS}
        imsave(frames / f"frame{t:03d}.png", (255 * draw_face(face, au)).astype(np.uint8))
    out = tmp_path / "series"
    assert main(["predict", "--model", str(model_file), str(frames), "--sequence", "--out", str(out), "--quiet"]) == 0
    lines = (out / "series.csv").read_text().splitlines()
    assert len(lines) == 6 and lines[0].startswith("frame,file,anger") and (out / "series.png").is_file()


def test_an_animated_gif_is_a_sequence(model_file, tmp_path):
    import imageio.v3 as iio

    face = random_identity(np.random.default_rng(2))
    frames = [(255 * draw_face(face, {k: level if k in PROTOTYPES["happiness"] else 0.0 for k in ACTION_UNITS}))
              .astype(np.uint8) for level in np.linspace(0, 1, 4)]
    iio.imwrite(tmp_path / "clip.gif", np.stack(frames))
    out = tmp_path / "series"
    assert main(["predict", "--model", str(model_file), str(tmp_path / "clip.gif"), "--sequence", "--out", str(out),
                 "--quiet"]) == 0
    lines = (out / "series.csv").read_text().splitlines()
    assert len(lines) == 5 and lines[4].startswith("3,clip.gif#3,")
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match="broken.mp4: cannot read the video"):
        read_frames([tmp_path / "broken.mp4"])


def test_the_package_exposes_predict_image():
    import dbnfer

    assert dbnfer.predict_image is predict_image and dbnfer.ExpressionModel is ExpressionModel
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dbnfer.nope


def test_a_model_that_registers_faces_finds_the_eyes_and_writes_them(model, tmp_path):
    from skimage import data

    aligned = ExpressionModel(model.classifier, model.label_names, {**PREPROCESSING, "crop": "align"}, "synthetic")
    (face,) = predict_image(aligned, data.astronaut())
    (left_x, left_y), (right_x, right_y) = face.eyes
    row, col, height, width = face.box
    assert col < left_x < right_x < col + width and row < left_y < row + height / 2  # both eyes, upper half
    imsave(tmp_path / "astronaut.png", data.astronaut())
    (out := tmp_path / "out").mkdir()
    (written,) = predict_files(aligned, [tmp_path / "astronaut.png"], out)
    assert json.loads((out / "faces.json").read_text())[0]["eyes"] == [list(face.eyes[0]), list(face.eyes[1])]
    assert written["eyes"] and "eyes" in (out / "faces.csv").read_text().splitlines()[0]


def test_a_frame_around_a_box_gives_back_the_image_it_was_measured_on():
    box = (10, 6, 40, 40)
    frame = [-10 / 40, -6 / 40, 48 / 40, 48 / 40]  # the image rectangle in units of the box
    assert frame_box(box, frame) == (0, 0, 48, 48)
    assert frame_box((110, 206, 80, 80), frame) == (90, 194, 96, 96)  # twice the size elsewhere: same framing
    assert frame_box(box, [0.0, 0.0, 1.0, 1.0]) == box


def test_faces_cropped_whole_are_found_in_a_photo_as_they_were_framed():
    from skimage import data

    photo = data.astronaut()[..., 0] / 255.0
    row, col, height, width = largest_face(photo)
    crops = [cut_out(photo, (row - 12 + d, col - 8 + d, height + 20, width + 20)) for d in (-2, 0, 2)]
    frame = face_frame(np.stack([c[:height + 16, :width + 16] for c in crops]))
    cropped = ExpressionModel(None, ("a", "b"), {**PREPROCESSING, "frame": frame}, "crops")
    found = cropped.find_faces(photo)[0]  # the strongest face (the red channel alone also gives a weak false one)
    side = height + 16  # the crops' framing, within the step of the detector's scale pyramid
    assert np.allclose(found, (row - 12, col - 8, side, width + 16), atol=0.06 * side)
    assert face_frame(np.zeros((8, 48, 48))) is None  # no face in the images: photos are taken whole
    assert ExpressionModel(None, ("a", "b"), {**PREPROCESSING, "frame": None}, "").find_faces(photo) == [
        (0, 0, *photo.shape)]
