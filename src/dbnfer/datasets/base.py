"""The one data type every loader returns, and the common label vocabulary."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from skimage.transform import resize

#: The expression labels shared by all data sets (Ekman's six basic emotions, contempt, and neutral).
LABELS = ("anger", "contempt", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")
#: The official parts of a data set that comes split (FER-2013): the training part, then the test parts in the
#: order they are reported. ``Test`` holds test images whose file names do not say which test part they are in.
PARTS = ("Training", "PublicTest", "PrivateTest", "Test")


@dataclass
class FaceDataset:
    """Grey face images with expression labels and the people they show.

    Attributes
    ----------
    images : ndarray, shape (n, height, width), float32 in [0, 1]
    labels : ndarray, shape (n,), int
        Index into `label_names`.
    label_names : tuple of str
        Class names, in label order (a subset of ``LABELS`` for expression data).
    subjects : ndarray, shape (n,), str
        Who is shown; leave-one-subject-out folds hold out one value at a time.
    groups : ndarray, shape (n,), str
        Images that must stay on the same side of a split (the frames of one CK+ sequence). Data
        without sequences give every image its own group.
    paths : list of str
        Where each image came from (a file, or ``file:row`` for images stored in a table).
    name : str
        The data set's name, for reports.
    notes : list of str
        Remarks for reports (images dropped, duplicates merged).
    parts : ndarray, shape (n,), str, or None
        The data set's own split of each image, one of ``PARTS`` (FER-2013: ``Training``,
        ``PublicTest``, ``PrivateTest``), for the official protocol; None for data sets without one.
    """

    images: np.ndarray
    labels: np.ndarray
    label_names: tuple
    subjects: np.ndarray
    groups: np.ndarray
    paths: list
    name: str = "faces"
    notes: list = field(default_factory=list)
    parts: np.ndarray = None

    def __post_init__(self):
        n = len(self.images)
        if n == 0:
            raise ValueError(f"{self.name}: the data set is empty (no images were found)")
        if self.parts is not None:
            self.parts = np.asarray(self.parts, dtype=str)
            unknown = np.setdiff1d(self.parts, PARTS)
            if len(unknown):
                raise ValueError(f"{self.name}: unknown part {str(unknown[0])!r}; parts are {', '.join(PARTS)}")
        for attribute in ("labels", "subjects", "groups", "paths", "parts"):
            if getattr(self, attribute) is not None and len(getattr(self, attribute)) != n:
                raise ValueError(f"{self.name}: {attribute} has {len(getattr(self, attribute))} entries "
                                 f"for {n} images")

    def __len__(self):
        return len(self.images)

    def subset(self, index):
        """The data set restricted to `index` (an index array or boolean mask)."""
        index = np.asarray(index)
        return FaceDataset(self.images[index], self.labels[index], self.label_names,
                           self.subjects[index], self.groups[index],
                           [self.paths[i] for i in np.arange(len(self))[index]], self.name,
                           list(self.notes), None if self.parts is None else self.parts[index])

    def counts(self):
        """Number of images per label name."""
        return {name: int(np.sum(self.labels == k)) for k, name in enumerate(self.label_names)}


def from_lists(images, label_names_per_image, subjects, groups, paths, name, vocabulary=LABELS):
    """Build a FaceDataset from per-image lists, numbering the labels in `vocabulary` order.

    Images of different shapes are resized to the shape of the first one, so that they stack.
    """
    if not images:
        raise ValueError(f"{name}: the data set is empty (no images were found)")
    present = [label for label in vocabulary if label in set(label_names_per_image)]
    shape = images[0].shape
    stacked = np.stack([image if image.shape == shape else
                        resize(image, shape, anti_aliasing=True, preserve_range=True)
                        for image in images]).astype(np.float32)
    return FaceDataset(stacked, np.array([present.index(l) for l in label_names_per_image]),
                       tuple(present), np.array(subjects, dtype=str), np.array(groups, dtype=str),
                       [str(p) for p in paths], name)


def require_dir(path, what):
    """Return `path` as a Path, or raise FileNotFoundError naming it if it is not a folder."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such folder ({what} expected here)")
    if not path.is_dir():
        raise ValueError(f"{path}: is a file, but a folder of {what} was expected")
    return path
