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
    """
    path = _csv_path(data_dir)
    rows = []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip(): name for name in reader.fieldnames or ()}
        if not {"emotion", "pixels"} <= set(columns):
            raise ValueError(f"{path}: not a FER2013 CSV (columns emotion and pixels expected, "
                             f"found {', '.join(columns) or 'none'})")
        for number, row in enumerate(reader, start=2):
            part = row.get(columns.get("Usage", ""), "").strip()
            if usage is None or part == usage:
                rows.append((number, row[columns["emotion"]], row[columns["pixels"]]))
    images, labels = [], []
    for number, emotion, pixels in rows:
        values = np.array(pixels.split(), dtype=np.float32)
        if values.size != 48 * 48 or emotion.strip() not in "0123456":
            raise ValueError(f"{path}:{number}: expected an emotion 0-6 and 2304 pixels, "
                             f"found {emotion!r} and {values.size} pixels")
        images.append(values.reshape(48, 48) / 255.0)
        labels.append(EMOTION_CODES[int(emotion)])
    if not images:
        raise ValueError(f"{path}: the data set is empty (no rows{'' if usage is None else ' with Usage ' + usage})")
    present = [label for label in LABELS if label in set(labels)]
    ids = [f"{path.name}:{number}" for number, _, _ in rows]
    return FaceDataset(np.stack(images), np.array([present.index(l) for l in labels]), tuple(present),
                       np.array(ids), np.array(ids), ids, "fer2013")
