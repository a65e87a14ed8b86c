"""Landmarks: where the eyes (and nose and mouth) are inside a detected face.

    supervised_descent.py  the localiser: features round each landmark, the cascade of learned linear
                           updates from the mean position in the box (Xiong & De la Torre 2013)
    train.py               training it on the marked Caltech WebFaces faces the detector finds;
                           ``python -m dbnfer.landmarks.train`` retrains the shipped file
    eyes.npz               the shipped localiser (docs/landmarks.md says how it was trained and how well it does)

Quick start::

    from dbnfer.detect import detect_faces
    from dbnfer.landmarks import locate_eyes
    boxes, _ = detect_faces(image)
    face = locate_eyes(image, boxes[0])   # Landmarks(left_eye=(x, y), right_eye=..., nose=..., mouth=...,
                                          #           confidence=...), in image pixels
"""

from functools import lru_cache
from pathlib import Path

from dbnfer.landmarks.supervised_descent import EyeLocaliser, Landmarks

DEFAULT_LOCALISER = Path(__file__).with_name("eyes.npz")

__all__ = ["EyeLocaliser", "Landmarks", "load_default_localiser", "load_eye_localiser", "locate_eyes"]


def load_eye_localiser(path):
    """Read a localiser written by `EyeLocaliser.save`.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    EyeLocaliser

    Raises
    ------
    FileNotFoundError, ValueError
        If the file is missing or holds no eye localiser.
    """
    return EyeLocaliser.load(path)


@lru_cache(maxsize=1)
def load_default_localiser():
    """The eye localiser shipped with dbnfer (read once, then cached).

    Returns
    -------
    EyeLocaliser
    """
    return load_eye_localiser(DEFAULT_LOCALISER)


def locate_eyes(image, box, localiser=None):
    """The eyes, nose and mouth of the face in `box`.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour image.
    box : array_like, shape (4,)
        (row, col, height, width) of the face, as `dbnfer.detect.detect_faces` returns it (the localiser
        learnt where the landmarks sit in such boxes).
    localiser : EyeLocaliser, optional
        The shipped one by default.

    Returns
    -------
    Landmarks
        (x, y) image pixels of each landmark, and the confidence in [0, 1]; a box smaller than
        `supervised_descent.MIN_FACE` pixels gets the mean positions with confidence 0.

    Raises
    ------
    ValueError
        If the box has no positive size or lies wholly outside the image.

    Examples
    --------
    >>> from skimage import data
    >>> from dbnfer.detect import detect_faces
    >>> image = data.astronaut()
    >>> face = locate_eyes(image, detect_faces(image)[0][0])
    """
    localiser = load_default_localiser() if localiser is None else localiser
    return localiser.locate(image, box)[0]
