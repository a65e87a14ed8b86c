"""FER-2013 (Goodfellow et al., ICONIP 2013): 35,887 48x48 faces from a web search, in either layout it circulates in.

**The CSV.** Two spellings circulate: ``fer2013.csv`` with columns ``emotion,pixels,Usage`` and the Kaggle
challenge's ``icml_face_data.csv`` with ``emotion, Usage, pixels`` (note the spaces). ``pixels`` holds 2,304
space-separated grey levels; emotion codes are 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral;
``Usage`` is Training, PublicTest or PrivateTest.

**The image folders** (Kaggle's other copy): ``train/<class>/Training_N.jpg`` and ``test/<class>/PublicTest_N.jpg``
(and ``PrivateTest_N.jpg`` where a user has them), class folders ``angry disgust fear happy neutral sad surprise``
(other copies write ``disgusted``, ``fearful``, ``surprised``, ...; case does not matter). An image's part is its
file name's prefix; a name without one is Training in ``train/`` and ``Test`` (a test part it does not name) in
``test/``. A file name found in two class folders (two in Kaggle's copy) is two labelled images: both are kept.
Every face must be 48x48: a copy at another size is not the benchmark's faces (``--dataset folders`` reads any
class-folder tree and resizes).

Each image carries its part (``FaceDataset.parts``) for the official protocol: train on Training, report
PublicTest and PrivateTest separately (:func:`dbnfer.evaluate.make_splits`). The data set names no people, so
every image is its own subject and leave-one-subject-out does not apply.
"""

import csv
from pathlib import Path

import numpy as np

from dbnfer.datasets.base import LABELS, PARTS, FaceDataset
from dbnfer.images import IMAGE_SUFFIXES, read_grey

EMOTION_CODES = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
FILENAMES = ("fer2013.csv", "icml_face_data.csv")
#: The three official parts, as the ``Usage`` column and the file name prefixes write them.
USAGES = PARTS[:3]
#: Class folder names (lower case) of the image-folder copies, and the label each stands for.
CLASS_FOLDERS = {"angry": "anger", "anger": "anger", "disgust": "disgust", "disgusted": "disgust",
                 "fear": "fear", "fearful": "fear", "happy": "happiness", "happiness": "happiness",
                 "neutral": "neutral", "sad": "sadness", "sadness": "sadness", "surprise": "surprise",
                 "surprised": "surprise"}
SIDE = 48


def load_fer2013(data_dir, usage=None):
    """Load FER-2013 from its CSV (either spelling) or its image folders, optionally one part only.

    Parameters
    ----------
    data_dir : str or Path
        The CSV file; a folder holding ``fer2013.csv`` or ``icml_face_data.csv``; or a folder holding ``train/``
        (and optionally ``test/``) with one sub-folder of images per class.
    usage : {None, "Training", "PublicTest", "PrivateTest", "Test"}
        Keep only the images of this part.

    Returns
    -------
    FaceDataset
        48x48 faces in [0, 1], every image its own subject and group, ``parts`` from the ``Usage`` column or the
        file names (None for a CSV without a ``Usage`` column).

    Raises
    ------
    FileNotFoundError
        If there is no such file, or the folder holds neither CSV spelling nor ``train/``.
    ValueError
        If the CSV's columns are not FER-2013's or a kept row is malformed (the message names ``file:row``);
        if a class folder has an unknown name, a split folder holds no image, or an image is not 48x48 (the
        message names the folder or file); or if no image is left.
    """
    if usage is not None and usage not in PARTS:
        raise ValueError(f"usage {usage!r}: choose one of {', '.join(PARTS)}")
    path = Path(data_dir)
    if path.is_dir() and not _csv_files(path) and (path / "train").is_dir():
        return _load_folders(path, usage)
    return _load_csv(_csv_path(path), usage)


def _csv_files(folder):
    return [folder / name for name in FILENAMES if (folder / name).is_file()]


def _csv_path(path):
    if path.is_dir():
        found = _csv_files(path)
        if not found:
            raise FileNotFoundError(f"{path}: holds neither {' nor '.join(FILENAMES)} nor a train/ folder of class "
                                    f"folders (see data/README.md)")
        return found[0]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder (FER-2013's CSV, or its train/ and test/ folders, "
                                f"expected)")
    return path


def _load_csv(path, usage):
    """The rows of a FER-2013 CSV (of part `usage`, if given) as a FaceDataset."""
    images, labels, ids, parts = [], [], [], []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip(): name for name in reader.fieldnames or ()}
        if not {"emotion", "pixels"} <= set(columns):
            raise ValueError(f"{path}: not a FER2013 CSV (columns emotion and pixels expected, "
                             f"found {', '.join(columns) or 'none'})")
        for number, row in enumerate(reader, start=2):
            part = (row.get(columns.get("Usage", "")) or "").strip()
            if usage is None or part == usage:
                where = f"{path}:{number}"
                emotion, pixels = (row[columns[name]] or "" for name in ("emotion", "pixels"))
                labels.append(_emotion(emotion, where))
                images.append(_face(pixels, where))
                ids.append(f"{path.name}:{number}")
                if "Usage" in columns and part not in USAGES:
                    raise ValueError(f"{where}: Usage {part!r} is not one of {', '.join(USAGES)}")
                parts.append(part)
    if not images:
        raise ValueError(f"{path}: the data set is empty (no rows{'' if usage is None else ' with Usage ' + usage})")
    return _dataset(np.stack(images), labels, ids, ids, parts if "Usage" in columns else None)


def _load_folders(root, usage):
    """The images of ``root/train/<class>/`` and ``root/test/<class>/`` (of part `usage`, if given)."""
    kept = [(path, label, _part(path, split.name))
            for split in (root / "train", root / "test") if split.is_dir()
            for path, label in _split_files(split)]
    kept = [entry for entry in kept if usage is None or entry[2] == usage]
    if not kept:
        raise ValueError(f"{root}: the data set is empty (no images with part {usage})")
    images = np.empty((len(kept), SIDE, SIDE), dtype=np.float32)  # filled in place: 32,298 faces are 300 MB
    for k, (path, _, _) in enumerate(kept):
        images[k] = _checked_face(read_grey(path), path)
    ids = [path.relative_to(root).as_posix() for path, _, _ in kept]
    return _dataset(images, [label for _, label, _ in kept], ids, [str(path) for path, _, _ in kept],
                    [part for _, _, part in kept])


def _split_files(split):
    """The image files of one split folder (``train/`` or ``test/``) with their labels, class folder by class folder.

    An empty class folder is fine; an unknown class folder name, or a split without any image, is an error.
    """
    files = []
    for folder in sorted(p for p in split.iterdir() if p.is_dir() and not p.name.startswith(".")):
        label = CLASS_FOLDERS.get(folder.name.lower())
        if label is None:
            raise ValueError(f"{folder}: unknown class folder {folder.name!r}; known names: "
                             f"{', '.join(sorted(CLASS_FOLDERS))}")
        files += [(path, label) for path in sorted(folder.iterdir())
                  if path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")]
    if not files:
        raise ValueError(f"{split}: an empty split, no images in class folders (expected "
                         f"{split}/<class>/<image>.jpg)")
    return files


def _part(path, split):
    """The official part of an image: its file name's prefix, else Training in train/ and Test in test/."""
    prefix = path.name.split("_", 1)[0]
    if prefix in USAGES:
        return prefix
    return "Training" if split == "train" else "Test"


def _checked_face(face, path):
    if face.shape != (SIDE, SIDE):
        raise ValueError(f"{path}: {face.shape[1]}x{face.shape[0]} pixels, but FER-2013 faces are 48x48 "
                         f"(--dataset folders reads other sizes)")
    return face


def _dataset(images, labels, subjects, paths, parts):
    """The FaceDataset of FER-2013 faces, labels numbered in ``LABELS`` order; every image its own subject."""
    present = [label for label in LABELS if label in set(labels)]
    subjects = np.array(subjects)
    return FaceDataset(images, np.array([present.index(label) for label in labels]), tuple(present), subjects,
                       subjects, list(paths), "fer2013", parts=parts)


def _emotion(code, where):
    """The label name of an emotion code, which must be exactly one of 0-6."""
    if code.strip() not in {str(k) for k in range(len(EMOTION_CODES))}:
        raise ValueError(f"{where}: emotion {code!r} is not one of 0-6")
    return EMOTION_CODES[int(code)]


def _face(pixels, where):
    """The 48x48 face of a ``pixels`` field: 2,304 space-separated grey levels 0-255, scaled to [0, 1]."""
    values = pixels.split()
    if len(values) != SIDE * SIDE:
        raise ValueError(f"{where}: {len(values)} pixels, expected 2304 (48x48)")
    try:
        face = np.array(values, dtype=np.float32)
    except ValueError:
        raise ValueError(f"{where}: the pixels are not all numbers") from None
    if not np.all((face >= 0) & (face <= 255)):
        raise ValueError(f"{where}: pixel values outside 0-255")
    return face.reshape(SIDE, SIDE) / 255.0
