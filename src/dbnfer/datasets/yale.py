"""The Yale Face Database (Belhumeur, Hespanha & Kriegman, 1997).

Layout as distributed: files ``subjectNN.condition`` with no extension (GIF inside), 15 subjects.
Six conditions are facial expressions -- happy, normal, sad, sleepy, surprised, wink -- the others
are lighting and glasses. Some files are exact copies of others (``subject04.sad`` is
``subject04.normal``, as the database itself notes, and several ``normal`` images equal the same
subject's ``glasses`` or ``noglasses``), so pixel-identical images are dropped: a copy would sit
in the training and the test fold at once.
"""

import hashlib
import re

from dbnfer.datasets.base import from_lists, require_dir
from dbnfer.images import read_grey

#: Yale's expression conditions and the label each one stands for (sleepy and wink are extra classes).
CONDITIONS = {"happy": "happiness", "normal": "neutral", "sad": "sadness", "sleepy": "sleepy",
              "surprised": "surprise", "wink": "wink"}

VOCABULARY = ("happiness", "neutral", "sadness", "sleepy", "surprise", "wink")

FILENAME = re.compile(r"^subject(?P<subject>\d\d)\.(?P<condition>[a-z]+)$")


def load_yale(data_dir, conditions=tuple(CONDITIONS)):
    """Load the expression images of the Yale faces, without exact duplicates.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding the ``subjectNN.condition`` files.
    conditions : sequence of str
        Which expression conditions to keep (default: all six).

    Returns
    -------
    FaceDataset
        Images are 243x320; ``notes`` lists each dropped duplicate and the image it copies
        (files are read in sorted order, so the first of a pair is kept).
    """
    folder = require_dir(data_dir, "Yale's subjectNN.condition files")
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise ValueError(f"unknown Yale condition(s) {sorted(unknown)}; choose from {list(CONDITIONS)}")
    files = sorted(p for p in folder.iterdir()
                   if FILENAME.match(p.name) and FILENAME.match(p.name)["condition"] in conditions)
    if not files:
        raise ValueError(f"{folder}: no Yale files named like subject01.happy found")
    images, labels, subjects, paths, seen, notes = [], [], [], [], {}, []
    for path in files:
        image = read_grey(path)
        digest = hashlib.sha1(image.tobytes()).hexdigest()
        if digest in seen:
            notes.append(f"dropped {path.name}: identical to {seen[digest]}")
            continue
        seen[digest] = path.name
        match = FILENAME.match(path.name)
        images.append(image)
        labels.append(CONDITIONS[match["condition"]])
        subjects.append(match["subject"])
        paths.append(path)
    dataset = from_lists(images, labels, subjects, [p.name for p in paths], paths, "yale", VOCABULARY)
    dataset.notes.extend(notes)
    return dataset
