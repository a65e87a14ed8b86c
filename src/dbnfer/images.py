"""Images in and out: read a photo of any bit depth as grey, list image files, draw boxes and points.

One of each, used by every part of dbnfer, so that a photo is turned grey the same way whether it is being
classified, searched for faces or mined for negatives. Grey is the luma of ITU-R BT.709 (the weights of
`skimage.color.rgb2gray`),

    Y = 0.2125 R + 0.7154 G + 0.0721 B,

on a [0, 1] scale: 8-bit images are divided by 255, 16-bit ones by 65535, and floating-point images are taken
as they are when they already lie in [0, 1] (see `as_grey` for the others).
"""

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

#: File endings read as images where a folder may also hold other files (detector training folders).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".pgm", ".ppm")
REC709 = np.array([0.2125, 0.7154, 0.0721])  # skimage.color.rgb2gray weights


def as_grey(image):
    """A float64 grey version of a grey or RGB(A) image, on a [0, 1] scale.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        uint16 images are divided by 65535, other integer images by 255; a float image is taken as it is in
        [0, 1], divided by 255 in [0, 255], and rescaled from its own minimum and maximum otherwise.

    Returns
    -------
    ndarray of float64, shape (H, W)

    Raises
    ------
    ValueError
        If `image` is not 2-D grey or 3-D with 3 or 4 channels.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        grey = np.zeros(image.shape[:2])
        for channel, weight in zip(np.moveaxis(image[..., :3], -1, 0), REC709):
            grey += weight * channel  # one (H, W) float64 temporary at a time, never (H, W, 3)
        np.minimum(grey, np.max(image[..., :3]), out=grey)  # the weights sum to 1 only up to rounding
    elif image.ndim == 2:
        grey = image.astype(np.float64)
    else:
        raise ValueError(f"expected a grey (H, W) or colour (H, W, 3|4) image, got shape {image.shape}")
    if image.dtype == np.bool_:
        return grey
    if image.dtype == np.uint16:
        grey /= 65535.0
    elif np.issubdtype(image.dtype, np.integer):
        grey /= 255.0
    else:
        grey = _unit_range(grey)
    return grey


def _unit_range(grey):
    """A float image on a [0, 1] scale: as it is (up to rounding: as_grey of as_grey changes nothing), divided by
    255 when it is on a [0, 255] scale, else rescaled from its own range (HDR and raw float TIFFs)."""
    low, high = float(grey.min(initial=0.0)), float(grey.max(initial=0.0))
    if low >= 0.0 and high <= 1.0 + 1e-6:
        return np.minimum(grey, 1.0, out=grey) if high > 1.0 else grey
    if low >= 0.0 and high <= 255.0:
        grey /= 255.0
        return grey
    return (grey - low) / (high - low) if high > low else np.zeros_like(grey)


def read_grey(path, dtype=np.float32):
    """Read an image file of any format and bit depth Pillow knows as grey in [0, 1].

    8-bit grey and palette files come out as their values / 255 exactly; 16-bit files as values / 65535;
    32-bit integer and float files through `as_grey`; colour files through the BT.709 luma.

    Parameters
    ----------
    path : str or Path
    dtype : numpy float dtype
        float32 (the default, what the classifiers take) or float64 (what detector training has always used).

    Returns
    -------
    ndarray of `dtype`, shape (H, W)

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not a readable image.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with Image.open(path) as image:
            pixels = _pixels(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"{path}: not a readable image ({error.__class__.__name__})") from None
    return as_grey(pixels).astype(dtype, copy=False)


def _pixels(image):
    """The pixels of a Pillow image as an array whose dtype says its scale (uint8, uint16 or float)."""
    if image.mode in ("L", "P", "LA", "PA", "1") and _grey_palette(image):
        return np.asarray(image.convert("L"))
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(image).astype(np.uint16)
    if image.mode in ("I", "F"):
        return np.asarray(image, dtype=np.float64)
    return np.asarray(image.convert("RGB"))


def _grey_palette(image):
    """True unless `image` is a palette image with colours in its palette."""
    if image.mode not in ("P", "PA"):
        return True
    rgb = np.asarray(image.convert("RGB"))
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def image_files(inputs, suffixes=None):
    """The image files named by `inputs` (files, or folders read in sorted order), in order.

    In a folder every file except hidden ones is taken, whatever its name (the Yale faces are named
    ``subject01.happy``), unless `suffixes` narrows the choice; a file that is not an image is reported
    as unreadable when it is read.

    Parameters
    ----------
    inputs : iterable of str or Path
    suffixes : iterable of str, optional
        Lower-case file endings to keep inside folders (e.g. ``IMAGE_SUFFIXES``).

    Returns
    -------
    list of Path

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    ValueError
        If a folder holds no (image) file.
    """
    files = []
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.is_file() and not p.name.startswith(".")
                           and (suffixes is None or p.suffix.lower() in suffixes))
            if not found:
                raise ValueError(f"{item}: the folder holds no {'image ' if suffixes else ''}files")
            files.extend(found)
        elif item.exists():
            files.append(item)
        else:
            raise FileNotFoundError(f"{item}: no such file or folder")
    return files


def as_rgb(image):
    """An RGB float64 copy of a grey or colour image, in [0, 1], to draw on."""
    image = np.asarray(image)
    if image.ndim == 2:
        return np.repeat(as_grey(image)[..., None], 3, axis=2)
    rgb = image[..., :3]
    return rgb / 255.0 if np.issubdtype(rgb.dtype, np.integer) else rgb.astype(np.float64).copy()


def draw_boxes(image, boxes, colour=(1.0, 0.0, 0.0), thickness=2):
    """An RGB float copy of `image` with the outline of each box drawn on it.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour image, uint8 or float.
    boxes : ndarray, shape (n, 4)
        (row, col, height, width).
    colour : tuple of float
        RGB in [0, 1].
    thickness : int
        Line width in pixels.

    Returns
    -------
    ndarray of float64, shape (H, W, 3), in [0, 1]
    """
    rgb = as_rgb(image)
    for top, left, height, width in np.maximum(np.asarray(boxes, dtype=int).reshape(-1, 4), 0):
        bottom, right = top + height, left + width
        rgb[top:top + thickness, left:right] = colour
        rgb[max(bottom - thickness, top):bottom, left:right] = colour
        rgb[top:bottom, left:left + thickness] = colour
        rgb[top:bottom, max(right - thickness, left):right] = colour
    return rgb


def draw_points(image, points, colour=(0.0, 1.0, 0.0), radius=2):
    """An RGB float copy of `image` with a filled square of side 2 `radius` + 1 at each (x, y) point.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
    points : ndarray, shape (n, 2)
        (x, y) in pixels: x the column, y the row.
    colour : tuple of float
    radius : int

    Returns
    -------
    ndarray of float64, shape (H, W, 3), in [0, 1]
    """
    rgb = as_rgb(image)
    for x, y in np.rint(np.asarray(points, dtype=float).reshape(-1, 2)).astype(int):
        rgb[max(y - radius, 0):y + radius + 1, max(x - radius, 0):x + radius + 1] = colour
    return rgb
