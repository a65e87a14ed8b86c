"""FER2013 (Goodfellow et al., ICONIP 2013): 35,887 48x48 faces from a web search, in one CSV.

Two spellings circulate: ``fer2013.csv`` with columns ``emotion,pixels,Usage`` and the Kaggle
challenge's ``icml_face_data.csv`` with ``emotion, Usage, pixels`` (note the spaces). ``pixels``
holds 2,304 space-separated grey levels; emotion codes are 0 angry, 1 disgust, 2 fear, 3 happy,
4 sad, 5 surprise, 6 neutral; ``Usage`` is Training, PublicTest or PrivateTest. The data set names
no people, so every image is its own subject and leave-one-subject-out does not apply.
"""

import csv
from pathlib import Path

import numpy as np

from dbnfer.datasets.base import FaceDataset, LABELS

EMOTION_CODES = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
FILENAMES = ("fer2013.csv", "icml_face_data.csv")


def _csv_path(data_dir):
    path = Path(data_dir)
    if path.is_dir():
        found = [path / name for name in FILENAMES if (path / name).is_file()]
        if not found:
            raise FileNotFoundError(f"{path}: holds neither {' nor '.join(FILENAMES)}")
        return found[0]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder (FER2013's CSV expected)")
    return path


def load_fer2013(data_dir, usage=None):
    """Load FER2013 from its CSV (either spelling), optionally one ``Usage`` part only.

    Parameters
    ----------
    data_dir : str or Path
        The CSV file, or a folder holding ``fer2013.csv`` or ``icml_face_data.csv``.
    usage : {None, "Training", "PublicTest", "PrivateTest"}
        Keep only rows of this part.

    Raises
    ------
    FileNotFoundError
        If there is no such file (or the folder holds neither spelling).
    ValueError
        If the columns are not FER2013's, a kept row is malformed (the message names ``file:row`` and what is
        wrong), or no row is left.
    """
    path = _csv_path(data_dir)
    images, labels, ids = [], [], []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip(): name for name in reader.fieldnames or ()}
        if not {"emotion", "pixels"} <= set(columns):
            raise ValueError(f"{path}: not a FER2013 CSV (columns emotion and pixels expected, "
                             f"found {', '.join(columns) or 'none'})")
        for number, row in enumerate(reader, start=2):
            part = (row.get(columns.get("Usage", "")) or "").strip()
            if usage is None or part == usage:
                emotion, pixels = (row[columns[name]] or "" for name in ("emotion", "pixels"))
                labels.append(_emotion(emotion, f"{path}:{number}"))
                images.append(_face(pixels, f"{path}:{number}"))
                ids.append(f"{path.name}:{number}")
    if not images:
        raise ValueError(f"{path}: the data set is empty (no rows{'' if usage is None else ' with Usage ' + usage})")
    present = [label for label in LABELS if label in set(labels)]
    return FaceDataset(np.stack(images), np.array([present.index(l) for l in labels]), tuple(present),
                       np.array(ids), np.array(ids), ids, "fer2013")


def _emotion(code, where):
    """The label name of an emotion code, which must be exactly one of 0-6."""
    if code.strip() not in {str(k) for k in range(len(EMOTION_CODES))}:
        raise ValueError(f"{where}: emotion {code!r} is not one of 0-6")
    return EMOTION_CODES[int(code)]


def _face(pixels, where):
    """The 48x48 face of a ``pixels`` field: 2,304 space-separated grey levels 0-255, scaled to [0, 1]."""
    values = pixels.split()
    if len(values) != 48 * 48:
        raise ValueError(f"{where}: {len(values)} pixels, expected 2304 (48x48)")
    try:
        face = np.array(values, dtype=np.float32)
    except ValueError:
        raise ValueError(f"{where}: the pixels are not all numbers") from None
    if not np.all((face >= 0) & (face <= 255)):
        raise ValueError(f"{where}: pixel values outside 0-255")
    return face.reshape(48, 48) / 255.0
