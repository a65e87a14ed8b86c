"""JAFFE, the Japanese Female Facial Expression database (Lyons et al., FG 1998).

Layout as distributed: one flat folder of 213 grey 256x256 TIFF files named ``SS.EEn.NNN.tiff``,
where ``SS`` is the subject (10 women: KA KL KM KR MK NA NM TM UY YM), ``EE`` the posed expression,
``n`` the repetition and ``NNN`` a running number. Photos show head and shoulders, so faces must be
cropped before classification (see :mod:`dbnfer.preprocess`).
"""

import re

from dbnfer.datasets.base import from_lists, require_dir
from dbnfer.images import read_grey

#: JAFFE's expression codes and the common label each one stands for.
CODES = {"AN": "anger", "DI": "disgust", "FE": "fear", "HA": "happiness", "NE": "neutral",
         "SA": "sadness", "SU": "surprise"}

FILENAME = re.compile(r"^(?P<subject>[A-Z]{2})\.(?P<code>[A-Z]{2})\d+\.\d+\.tiff?$", re.IGNORECASE)


def load_jaffe(data_dir):
    """Load every ``SS.EEn.NNN.tiff`` image of a JAFFE folder.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding the TIFF files (other files, such as a README, are ignored).

    Returns
    -------
    FaceDataset
        Subjects are the two-letter codes; each image is its own group.

    Raises
    ------
    FileNotFoundError, ValueError
        If the folder is missing, holds no JAFFE-named file, or a file has an unknown code or
        cannot be read.
    """
    folder = require_dir(data_dir, "JAFFE's SS.EEn.NNN.tiff files")
    files = sorted(p for p in folder.iterdir() if FILENAME.match(p.name))
    if not files:
        raise ValueError(f"{folder}: no JAFFE files named like KA.AN1.39.tiff (SS.EEn.NNN.tiff) found")
    images, labels, subjects = [], [], []
    for path in files:
        match = FILENAME.match(path.name)
        code = match["code"].upper()
        if code not in CODES:
            raise ValueError(f"{path}: unknown JAFFE expression code {code!r} "
                             f"(expected one of {' '.join(CODES)})")
        images.append(read_grey(path))
        labels.append(CODES[code])
        subjects.append(match["subject"].upper())
    return from_lists(images, labels, subjects, [p.name for p in files], files, "jaffe")
