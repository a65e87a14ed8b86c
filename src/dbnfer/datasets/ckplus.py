"""The extended Cohn-Kanade data set, CK+ (Lucey et al., CVPR workshops 2010), in its two common layouts.

Original layout (as downloaded from the CK+ site)::

    cohn-kanade-images/S005/001/S005_001_00000001.png ... S005_001_00000011.png
    Emotion/S005/001/S005_001_00000011_emotion.txt        (one float code, e.g. "   3.0000000e+00")

Each sequence goes from neutral to the apex of one expression; only 327 sequences carry an emotion
label (0 neutral, 1 anger, 2 contempt, 3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise). The
usual practice takes the last few frames of each labelled sequence as its emotion and, optionally,
the first frame as neutral.

Class-folder layout (the widely shared "CK+48" copy, 48x48 crops)::

    anger/S010_004_00000017.png   contempt/...  disgust/...  fear/...  happy/...  sadness/...  surprise/...

In both layouts the subject is ``Sxxx`` and the sequence ``Sxxx_yyy``. Frames of one sequence are
near-copies, so the sequence is the group that evaluation never splits across train and test.
"""

import re

from dbnfer.datasets.base import from_lists, require_dir
from dbnfer.images import read_grey

#: CK+ emotion codes 0-7.
EMOTION_CODES = ("neutral", "anger", "contempt", "disgust", "fear", "happiness", "sadness", "surprise")

#: Folder names of the class-folder copy and the label each one stands for.
CLASS_FOLDERS = {"anger": "anger", "contempt": "contempt", "disgust": "disgust", "fear": "fear",
                 "happy": "happiness", "sadness": "sadness", "surprise": "surprise", "neutral": "neutral"}

FRAME = re.compile(r"^(?P<subject>S\d{3})_(?P<sequence>\d{3})_(?P<frame>\d{8})\.png$", re.IGNORECASE)


def load_ckplus(data_dir, last_frames=3, include_neutral=False):
    """Load CK+ from its original layout or from class folders, whichever `data_dir` holds.

    Parameters
    ----------
    data_dir : str or Path
        Either the folder holding ``cohn-kanade-images`` and ``Emotion``, or the folder holding the
        class folders (``anger``, ``happy``, ...).
    last_frames : int
        Original layout: how many frames from the end of each labelled sequence to take.
    include_neutral : bool
        Original layout: also take the first frame of each labelled sequence as neutral.

    Returns
    -------
    FaceDataset
        ``groups`` are sequences (``Sxxx_yyy``); named "ckplus" (original layout: whole photos,
        to be cropped) or "ckplus48" (class folders: faces already cropped).
    """
    folder = require_dir(data_dir, "CK+ (cohn-kanade-images/ and Emotion/, or class folders)")
    if (folder / "cohn-kanade-images").is_dir() and (folder / "Emotion").is_dir():
        return _load_original(folder, last_frames, include_neutral)
    if any((folder / name).is_dir() for name in CLASS_FOLDERS):
        return _load_class_folders(folder)
    raise ValueError(f"{folder}: unknown CK+ layout: expected cohn-kanade-images/ and Emotion/ folders, "
                     f"or class folders {' '.join(CLASS_FOLDERS)}")


def _read_emotion(path):
    try:
        code = float(path.read_text().split()[0])
    except (ValueError, IndexError):
        raise ValueError(f"{path}: not a CK+ emotion file (expected one number 0-7)") from None
    if code != int(code) or not 0 <= code <= 7:
        raise ValueError(f"{path}: emotion code {code} is not one of 0-7")
    return EMOTION_CODES[int(code)]


def _load_original(folder, last_frames, include_neutral):
    if last_frames < 1:
        raise ValueError(f"last_frames must be at least 1, not {last_frames}")
    images, labels, subjects, groups, paths = [], [], [], [], []
    for emotion_file in sorted((folder / "Emotion").glob("S*/*/*_emotion.txt")):
        label = _read_emotion(emotion_file)
        subject, sequence = emotion_file.parent.parent.name, emotion_file.parent.name
        frames_dir = folder / "cohn-kanade-images" / subject / sequence
        frames = sorted(p for p in frames_dir.glob("*.png") if FRAME.match(p.name)) if frames_dir.is_dir() else []
        if not frames:
            raise ValueError(f"{frames_dir}: no frames for the label in {emotion_file}")
        chosen = [(p, label) for p in frames[-last_frames:]]
        if include_neutral and len(frames) > last_frames:
            chosen.insert(0, (frames[0], "neutral"))
        for path, frame_label in chosen:
            images.append(read_grey(path))
            labels.append(frame_label)
            subjects.append(subject)
            groups.append(f"{subject}_{sequence}")
            paths.append(path)
    if not images:
        raise ValueError(f"{folder / 'Emotion'}: no Sxxx/yyy/*_emotion.txt label files found")
    return from_lists(images, labels, subjects, groups, paths, "ckplus")


def _load_class_folders(folder):
    images, labels, subjects, groups, paths = [], [], [], [], []
    for name, label in CLASS_FOLDERS.items():
        class_dir = folder / name
        if not class_dir.is_dir():
            continue
        for path in sorted(class_dir.iterdir()):
            match = FRAME.match(path.name)
            if not match:
                raise ValueError(f"{path}: not named like S010_004_00000017.png (Sxxx_yyy_zzzzzzzz.png)")
            images.append(read_grey(path))
            labels.append(label)
            subjects.append(match["subject"].upper())
            groups.append(f"{match['subject'].upper()}_{match['sequence']}")
            paths.append(path)
    return from_lists(images, labels, subjects, groups, paths, "ckplus48")
