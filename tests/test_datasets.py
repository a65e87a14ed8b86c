"""Each loader on a tiny fixture written in the data set's exact original layout, and its error paths."""

import numpy as np
import pytest

from conftest import write_image
from dbnfer.datasets import (load_ckplus, load_dataset, load_fer2013, load_folders, load_jaffe,
                             load_lfw_subset, load_yale)


def make_jaffe(folder):
    for k, (subject, code) in enumerate([("KA", "AN"), ("KA", "HA"), ("KL", "AN"), ("KL", "NE"), ("KM", "SU")]):
        write_image(folder / f"{subject}.{code}{k % 3 + 1}.{40 + k}.tiff", seed=k, mode="P" if k == 0 else "L")
    (folder / "README").write_text("not an image")
    return folder


def test_jaffe_layout(tmp_path):
    data = load_jaffe(make_jaffe(tmp_path))
    assert len(data) == 5 and data.images.shape == (5, 16, 16)
    assert data.label_names == ("anger", "happiness", "neutral", "surprise")
    assert data.counts() == {"anger": 2, "happiness": 1, "neutral": 1, "surprise": 1}
    assert list(data.subjects) == ["KA", "KA", "KL", "KL", "KM"]


def test_jaffe_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_jaffe(tmp_path / "missing")
    with pytest.raises(ValueError, match="no JAFFE files"):
        load_jaffe(tmp_path)
    write_image(tmp_path / "KA.XX1.1.tiff")
    with pytest.raises(ValueError, match="unknown JAFFE expression code 'XX'"):
        load_jaffe(tmp_path)


def test_jaffe_corrupt_image_is_named(tmp_path):
    (tmp_path / "KA.AN1.39.tiff").write_bytes(b"\x00" * 10)
    with pytest.raises(ValueError, match="KA.AN1.39.tiff: not a readable image"):
        load_jaffe(tmp_path)


def test_yale_drops_duplicates(tmp_path):
    for subject in ("01", "02"):
        for k, condition in enumerate(("happy", "normal", "sad", "centerlight")):
            write_image(tmp_path / f"subject{subject}.{condition}", seed=int(subject) * 10 + k, fmt="GIF")
    (tmp_path / "subject02.sad").write_bytes((tmp_path / "subject02.normal").read_bytes())
    data = load_yale(tmp_path)
    assert len(data) == 5 and set(data.subjects) == {"01", "02"}
    assert data.counts() == {"happiness": 2, "neutral": 2, "sadness": 1}
    assert data.notes == ["dropped subject02.sad: identical to subject02.normal"]
    with pytest.raises(ValueError, match="unknown Yale condition"):
        load_yale(tmp_path, conditions=("angry",))


def make_ckplus_original(root, sequences):
    for (subject, sequence, n_frames, code) in sequences:
        for frame in range(1, n_frames + 1):
            write_image(root / "cohn-kanade-images" / subject / sequence / f"{subject}_{sequence}_{frame:08d}.png",
                        seed=frame)
        if code is not None:
            label = root / "Emotion" / subject / sequence / f"{subject}_{sequence}_{n_frames:08d}_emotion.txt"
            label.parent.mkdir(parents=True, exist_ok=True)
            label.write_text(f"   {code:.7e}\n")
    return root


def test_ckplus_original_layout(tmp_path):
    root = make_ckplus_original(tmp_path, [("S005", "001", 6, 3), ("S010", "002", 5, 5), ("S010", "003", 4, None)])
    data = load_ckplus(root, last_frames=2, include_neutral=True)
    assert data.counts() == {"disgust": 2, "happiness": 2, "neutral": 2}
    assert list(data.groups) == ["S005_001"] * 3 + ["S010_002"] * 3
    assert data.paths[1].endswith("S005_001_00000005.png") and data.paths[0].endswith("S005_001_00000001.png")
    assert len(load_ckplus(root, last_frames=3)) == 6


def test_ckplus_class_folders(tmp_path):
    write_image(tmp_path / "happy" / "S010_004_00000017.png")
    write_image(tmp_path / "happy" / "S010_004_00000018.png", seed=1)
    write_image(tmp_path / "contempt" / "S011_001_00000009.png", seed=2)
    data = load_ckplus(tmp_path)
    assert data.counts() == {"contempt": 1, "happiness": 2}
    assert list(data.groups) == ["S011_001", "S010_004", "S010_004"] and list(data.subjects)[0] == "S011"


def test_ckplus_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown CK\\+ layout"):
        load_ckplus(tmp_path)
    write_image(tmp_path / "happy" / "photo.png")
    with pytest.raises(ValueError, match="photo.png: not named like"):
        load_ckplus(tmp_path)
    root = make_ckplus_original(tmp_path / "orig", [("S005", "001", 3, 9)])
    with pytest.raises(ValueError, match="emotion code 9.0 is not one of 0-7"):
        load_ckplus(root)


@pytest.mark.parametrize("filename, header", [("fer2013.csv", "emotion,pixels,Usage"),
                                              ("icml_face_data.csv", "emotion, Usage, pixels")])
def test_fer2013_both_spellings(tmp_path, filename, header):
    rows = []
    for k, (emotion, usage) in enumerate([(0, "Training"), (3, "Training"), (6, "PublicTest")]):
        pixels = " ".join(str((k * 7 + i) % 256) for i in range(2304))
        fields = {"emotion": str(emotion), "pixels": pixels, "Usage": usage}
        rows.append(",".join(fields[name.strip()] for name in header.split(",")))
    (tmp_path / filename).write_text(header + "\n" + "\n".join(rows) + "\n")
    data = load_fer2013(tmp_path)
    assert data.images.shape == (3, 48, 48) and data.label_names == ("anger", "happiness", "neutral")
    assert data.images[1, 0, 0] == pytest.approx(7 / 255)
    assert len(load_fer2013(tmp_path / filename, usage="Training")) == 2


def test_fer2013_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither fer2013.csv"):
        load_fer2013(tmp_path)
    (tmp_path / "fer2013.csv").write_text("label,image\n1,2\n")
    with pytest.raises(ValueError, match="not a FER2013 CSV"):
        load_fer2013(tmp_path)
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n3,1 2 3,Training\n")
    with pytest.raises(ValueError, match="fer2013.csv:2: 3 pixels, expected 2304"):
        load_fer2013(tmp_path)
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n3," + " ".join(["300"] * 2304) + ",Training\n")
    with pytest.raises(ValueError, match="fer2013.csv:2: pixel values outside 0-255"):
        load_fer2013(tmp_path)
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n")
    with pytest.raises(ValueError, match="empty"):
        load_fer2013(tmp_path)


def test_folders_resizes_to_first_image(tmp_path):
    write_image(tmp_path / "smile" / "a.png", shape=(20, 10))
    write_image(tmp_path / "frown" / "b.jpg", shape=(40, 20))
    (tmp_path / "frown" / "notes.txt").write_text("ignored")
    data = load_folders(tmp_path)
    assert data.label_names == ("frown", "smile") and data.images.shape == (2, 40, 20)
    with pytest.raises(ValueError, match="no class sub-folders"):
        load_folders(tmp_path / "smile")


def test_empty_class_tree_is_an_error(tmp_path):
    (tmp_path / "happy").mkdir()
    with pytest.raises(ValueError, match="empty"):
        load_folders(tmp_path)


def test_lfw_subset_and_registry():
    data = load_lfw_subset()
    assert data.images.shape == (200, 25, 25) and data.counts() == {"face": 100, "non-face": 100}
    with pytest.raises(ValueError, match="unknown data set"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="needs --data-dir"):
        load_dataset("jaffe")


def test_subset_keeps_everything_aligned():
    data = load_lfw_subset().subset(np.arange(95, 105))
    assert len(data) == 10 and list(data.labels) == [0] * 5 + [1] * 5 and data.paths[0] == "lfw_subset[95]"


@pytest.mark.realdata
def test_real_jaffe_counts(shared_data):
    data = load_jaffe(shared_data / "jaffe")
    assert len(data) == 213 and len(set(data.subjects)) == 10 and data.images.shape[1:] == (256, 256)
    assert data.counts() == {"anger": 30, "disgust": 29, "fear": 32, "happiness": 31, "neutral": 30,
                             "sadness": 31, "surprise": 30}


@pytest.mark.realdata
def test_real_yale_expressions(shared_data):
    data = load_yale(shared_data / "yalefaces")
    assert len(set(data.subjects)) == 15 and len(data) == 15 * 6 - 1
    assert data.notes == ["dropped subject04.sad: identical to subject04.normal"]
    assert data.counts() == {"happiness": 15, "neutral": 15, "sadness": 14, "sleepy": 15, "surprise": 15, "wink": 15}
