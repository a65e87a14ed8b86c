"""Any "one folder per class" tree of images, and scikit-image's LFW subset (faces / non-faces)."""

import numpy as np

from dbnfer.datasets.base import FaceDataset, from_lists, require_dir
from dbnfer.images import IMAGE_SUFFIXES, read_grey


def load_folders(data_dir):
    """Load ``data_dir/<class name>/<image>``; class names are the folder names, sorted.

    Every image is its own subject and group (the layout says nothing about people). Images of
    different sizes are resized to the first one's size.
    """
    root = require_dir(data_dir, "one sub-folder per class")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not classes:
        raise ValueError(f"{root}: no class sub-folders found (expected {root}/<class>/<image>)")
    images, labels, paths = [], [], []
    for name in classes:
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(read_grey(path))
                labels.append(name)
                paths.append(path)
    ids = [f"{p.parent.name}/{p.name}" for p in paths]
    return from_lists(images, labels, ids, ids, paths, root.name, vocabulary=classes)


def load_lfw_subset():
    """scikit-image's ``data.lfw_subset()``: 100 real 25x25 faces then 100 non-faces.

    Labels are 0 "face" and 1 "non-face". Embedded in scikit-image, so it needs no download.
    """
    from skimage import data

    images = data.lfw_subset().astype(np.float32)
    labels = np.repeat([0, 1], 100)
    ids = [f"lfw_subset[{i}]" for i in range(len(images))]
    return FaceDataset(images, labels, ("face", "non-face"), np.array(ids), np.array(ids), ids, "lfw")
