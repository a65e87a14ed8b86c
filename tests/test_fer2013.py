"""FER-2013 in both of its layouts (Kaggle's image folders and the CSV), its parts, and the official protocol."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import write_image
from dbnfer.cli import main
from dbnfer.datasets import load_dataset, load_fer2013
from dbnfer.datasets.base import FaceDataset
from dbnfer.evaluate import make_splits, split_names

CLASSES = {"angry": "anger", "happy": "happiness", "surprise": "surprise"}


def make_kaggle(root, private=True, per_class=(4, 2)):
    """``root/train/<class>/Training_N.jpg`` and ``root/test/<class>/PublicTest_N.jpg`` (and ``PrivateTest_N``),
    48x48 grey faces; PNG for the first training face of each class (lossless, to check pixels), JPEG otherwise.
    ``Training_7.jpg`` is in both angry/ and happy/, as two file names are in Kaggle's copy."""
    n_train, n_test = per_class
    seed = 0
    for folder in CLASSES:
        for k in range(n_train):
            suffix = "png" if k == 0 else "jpg"
            write_image(root / "train" / folder / f"Training_{100 * seed + k}.{suffix}", shape=(48, 48), seed=seed)
            seed += 1
        for part in ("PublicTest", "PrivateTest")[:2 if private else 1]:
            for k in range(n_test):
                write_image(root / "test" / folder / f"{part}_{100 * seed + k}.jpg", shape=(48, 48), seed=seed)
                seed += 1
    for folder in ("angry", "happy"):
        write_image(root / "train" / folder / "Training_7.jpg", shape=(48, 48), seed=99)
    return root


def test_kaggle_folders_give_labels_parts_and_paths(tmp_path):
    data = load_fer2013(make_kaggle(tmp_path))
    assert len(data) == 3 * (4 + 2 + 2) + 2 and data.images.shape[1:] == (48, 48) and data.images.dtype == np.float32
    assert data.label_names == ("anger", "happiness", "surprise")
    assert data.counts() == {"anger": 9, "happiness": 9, "surprise": 8}
    assert dict(zip(*np.unique(data.parts, return_counts=True))) == {"Training": 14, "PublicTest": 6,
                                                                      "PrivateTest": 6}
    for path, label, part in zip(data.paths, data.labels, data.parts):
        assert part == path.rsplit("/", 1)[1].split("_")[0]
        assert data.label_names[label] == CLASSES[path.split("/")[-2]]
    first = data.paths.index(str(tmp_path / "train" / "angry" / "Training_0.png"))
    assert np.array_equal(data.images[first], np.asarray(Image.open(data.paths[first]), np.float32) / 255)
    twice = [i for i, path in enumerate(data.paths) if path.endswith("Training_7.jpg")]  # two labelled images
    assert sorted(data.label_names[data.labels[i]] for i in twice) == ["anger", "happiness"]
    assert len(set(data.subjects)) == len(data) and data.subjects[twice[0]] == "train/angry/Training_7.jpg"
    assert list(data.subset(data.parts == "PrivateTest").parts) == ["PrivateTest"] * 6  # subset keeps the parts


def test_one_part_only(tmp_path):
    make_kaggle(tmp_path)
    private = load_fer2013(tmp_path, usage="PrivateTest")
    assert len(private) == 6 and set(private.parts) == {"PrivateTest"}
    assert len(load_dataset("fer2013", tmp_path, usage="Training")) == 14
    with pytest.raises(ValueError, match="usage 'Validation'"):
        load_fer2013(tmp_path, usage="Validation")
    with pytest.raises(ValueError, match="no images with part Test"):
        load_fer2013(tmp_path, usage="Test")


def test_other_spellings_of_the_class_folders_and_unnamed_parts(tmp_path):
    for k, folder in enumerate(("Anger", "Happiness", "SURPRISED", "disgusted", "fearful", "Sadness", "neutral")):
        write_image(tmp_path / "train" / folder / f"im{k}.png", shape=(48, 48), seed=k)
        write_image(tmp_path / "test" / folder / f"im{k}.png", shape=(48, 48), seed=k + 10)
    (tmp_path / "train" / "neutral" / "notes.txt").write_text("not an image")
    (tmp_path / "train" / "contempt").mkdir()  # not a FER-2013 class, even empty
    with pytest.raises(ValueError, match="unknown class folder 'contempt'; known names: anger, angry"):
        load_fer2013(tmp_path)
    (tmp_path / "train" / "contempt").rmdir()
    (tmp_path / "train" / "happy").mkdir()  # an empty class folder of a known name is fine
    data = load_fer2013(tmp_path)
    assert data.label_names == ("anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")
    assert list(data.parts) == ["Training"] * 7 + ["Test"] * 7  # test/ names without a part: "Test"
    assert split_names(data, "official", make_splits(data, "official")) == ["Test"]


def test_csv_layout_gets_parts_too(tmp_path):
    pixels = " ".join(["128"] * 2304)
    rows = [f"0,{pixels},Training", f"3,{pixels},PublicTest", f"6,{pixels},PrivateTest", f"3,{pixels},Training"]
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n" + "\n".join(rows) + "\n")
    data = load_fer2013(tmp_path)
    assert list(data.parts) == ["Training", "PublicTest", "PrivateTest", "Training"]
    assert list(load_fer2013(tmp_path, usage="PublicTest").parts) == ["PublicTest"]
    (tmp_path / "fer2013.csv").write_text("emotion,pixels\n" + f"0,{pixels}\n")
    assert load_fer2013(tmp_path).parts is None  # Kaggle's train.csv: no Usage column, no parts
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n" + f"0,{pixels},Validation\n")
    with pytest.raises(ValueError, match="fer2013.csv:2: Usage 'Validation' is not one of Training, PublicTest"):
        load_fer2013(tmp_path)


@pytest.mark.parametrize("private", [True, False])
def test_official_splits(tmp_path, private):
    data = load_fer2013(make_kaggle(tmp_path, private))
    splits = make_splits(data, "official")
    names = ["PublicTest", "PrivateTest"] if private else ["PublicTest"]
    assert split_names(data, "official", splits) == names
    for (train, test), name in zip(splits, names):
        assert np.array_equal(train, np.flatnonzero(data.parts == "Training"))
        assert np.array_equal(test, np.flatnonzero(data.parts == name))


def test_official_protocol_is_refused_without_parts(tmp_path):
    with pytest.raises(ValueError, match="lfw: the official protocol needs the data set's own training and test"):
        make_splits(load_dataset("lfw"), "official")
    make_kaggle(tmp_path)
    with pytest.raises(ValueError, match="has only Training"):
        make_splits(load_fer2013(tmp_path, usage="Training"), "official")
    with pytest.raises(ValueError, match="has only PublicTest"):
        make_splits(load_fer2013(tmp_path, usage="PublicTest"), "official")


def test_split_names_of_the_other_protocols():
    data = load_dataset("synthetic", n_subjects=3)
    assert split_names(data, "kfold", make_splits(data, "kfold", 3)) == ["fold 1", "fold 2", "fold 3"]
    assert split_names(data, "loso", make_splits(data, "loso")) == sorted(set(data.subjects))


def test_parts_must_be_known_and_one_per_image():
    images, labels, ids = np.zeros((2, 4, 4)), np.array([0, 1]), np.array(["a", "b"])
    with pytest.raises(ValueError, match="unknown part 'Validation'"):
        FaceDataset(images, labels, ("x", "y"), ids, ids, list(ids), parts=["Training", "Validation"])
    with pytest.raises(ValueError, match="parts has 1 entries for 2 images"):
        FaceDataset(images, labels, ("x", "y"), ids, ids, list(ids), parts=["Training"])


def test_evaluate_official_reports_each_test_part_on_its_own(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["evaluate", "--dataset", "fer2013", "--data-dir", str(make_kaggle(tmp_path / "fer")),
                 "--protocol", "official", "--model", "nn", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    (result,) = metrics["results"]
    public, private = result["fold_accuracy"]
    assert result["fold_names"] == ["PublicTest", "PrivateTest"]
    assert result["parts"]["PublicTest"]["accuracy"] == public and result["parts"]["PrivateTest"]["accuracy"] == private
    assert f"accuracy PublicTest {100 * public:.1f} %, PrivateTest {100 * private:.1f} %" in printed
    assert "±" not in printed
    report = (out / "report.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| nn | official"))
    assert f"PublicTest {100 * public:.1f}, PrivateTest {100 * private:.1f}" in row and "±" not in row
    for part in ("PublicTest", "PrivateTest"):
        assert (out / f"confusion_nn_official_{part}.png").is_file()
        assert f"## Confusion matrix: nn, {part}, the official split" in report


@pytest.mark.slow
@pytest.mark.realdata
def test_real_fer2013_counts(shared_data):
    if not (shared_data / "fer2013").is_dir():
        pytest.skip("../shared/data/fer2013 is absent")
    data = load_fer2013(shared_data / "fer2013")
    assert data.images.shape == (28709 + 3589, 48, 48) and len(data.label_names) == 7
    assert dict(zip(*np.unique(data.parts, return_counts=True))) == {"Training": 28709, "PublicTest": 3589}
    assert data.counts()["disgust"] == 436 + 56
    train, test = make_splits(data, "official")[0]
    assert len(train) == 28709 and len(test) == 3589
    assert sum(path.endswith("/Training_52789098.jpg") for path in data.paths) == 2


def test_info_counts_the_official_parts(tmp_path, capsys):
    assert main(["info", "--dataset", "fer2013", "--data-dir", str(make_kaggle(tmp_path / "fer"))]) == 0
    assert "official parts: PrivateTest 6, PublicTest 6, Training 14" in capsys.readouterr().out
