"""Registration by the eyes: turn and scale a face so that both eyes land on fixed places of a square.

A similarity transform (rotation, uniform scale, shift) is fixed by two points. Write a point (x, y) of the
image as the complex number z = x + iy; a similarity is then z -> a z + b, where |a| is the scale and arg a
the angle. It must carry the eyes' places t_l, t_r in the output square onto the eyes e_l, e_r found in the
image:

    a t_l + b = e_l,   a t_r + b = e_r   =>   a = (e_r - e_l) / (t_r - t_l),   b = e_l - a t_l,

so s = |a| = |e_r - e_l| / |t_r - t_l| image pixels per output pixel, and θ = arg a = the angle of the eye
line in the image minus its angle in the output (0: the eyes level). As a matrix on (x, y, 1), with
a = s cos θ + i s sin θ,

    [x_image]   [s cos θ   -s sin θ   Re b] [x_out]
    [y_image] = [s sin θ    s cos θ   Im b] [y_out]
    [   1   ]   [   0          0       1  ] [  1  ]

which is what ``skimage.transform.warp`` wants: for every output pixel, where to read the image.

`EYES_AT` places the eyes at 30 % and 70 % of the side across and 36 % down, so the eyes are 0.4 side
apart and the square spans 2.5 times the distance between the eyes. Fixed a priori from the usual
proportions of an adult face (the mouth about 1.0-1.2 eye distances below the eyes, the brows about a third
of one above them): the brows land near 0.22 of the side, the mouth near 0.80, the cheeks inside, the chin
just below the square (it says little about an expression).

`register_faces` chains detection box -> eyes (`dbnfer.landmarks.locate_eyes`) -> this alignment, and falls
back to the detector's box when the eyes found are not believable (`plausible_eyes`).
"""

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage.transform import ProjectiveTransform, warp

from dbnfer.images import as_grey
from dbnfer.preprocess import cut_out, resize_square
from dbnfer.progress import report

#: (x, y) of the left and right eye (as seen in the image) in the output square, as fractions of its side.
EYES_AT = ((0.30, 0.36), (0.70, 0.36))
MAX_TILT = 35.0  # degrees: the upright-face detector hardly finds a face whose eye line is steeper
EYE_DISTANCE = (0.2, 0.8)  # believable distance between the eyes, as fractions of the detector box's width


def _complex(point):
    x, y = (float(v) for v in point)
    return complex(x, y)


def similarity_from_eyes(left, right, size, eyes_at=EYES_AT):
    """The similarity that maps output pixel (x, y, 1) to image pixel (x, y, 1), fixed by the eyes.

    With z = x + iy, t the eyes' places in the output and e the eyes in the image (module docstring):

        z_image = a z_out + b,    a = (e_r - e_l) / (t_r - t_l),    b = e_l - a t_l.

    Pixel centres are at integer coordinates, so the fraction u of the side is the output coordinate
    u * size - 0.5 (0 at the outer edge of the first pixel), the convention of `dbnfer.landmarks`.

    Parameters
    ----------
    left, right : array_like, shape (2,)
        (x, y) of the left and right eye in the image, in pixels (left as seen in the image).
    size : int
        Side of the output square.
    eyes_at : pair of (x, y)
        Where the eyes land, as fractions of the side (default `EYES_AT`).

    Returns
    -------
    ndarray, shape (3, 3)
        [[s cos θ, -s sin θ, Re b], [s sin θ, s cos θ, Im b], [0, 0, 1]].

    Raises
    ------
    ValueError
        If the two eyes (or the two places in `eyes_at`) are the same point.
    """
    e_l, e_r = _complex(left), _complex(right)
    t_l, t_r = (_complex(np.asarray(place, dtype=float) * size - 0.5) for place in eyes_at)
    if e_l == e_r:
        raise ValueError(f"both eyes are at the same point ({e_l.real:g}, {e_l.imag:g}): "
                         f"they set no rotation or scale")
    if t_l == t_r:
        raise ValueError(f"eyes_at puts both eyes at the same place {eyes_at[0]}")
    a = (e_r - e_l) / (t_r - t_l)
    b = e_l - a * t_l
    return np.array([[a.real, -a.imag, b.real],
                     [a.imag, a.real, b.imag],
                     [0.0, 0.0, 1.0]])


def _source_window(matrix, size, margin, shape):
    """Slices of the part of an image of `shape` that the output square maps onto, `margin` pixels wider.

    Clipped to the image and at least one pixel wide, so that repeating its edge pixels (warp's "edge"
    mode) gives what repeating the image's edge pixels would.
    """
    edge = (-0.5, size - 0.5)  # the outer edges of the first and last output pixels
    x, y = (matrix @ np.array([[u, v, 1.0] for u in edge for v in edge]).T)[:2]
    windows = []
    for low, high, n in ((y.min(), y.max(), shape[0]), (x.min(), x.max(), shape[1])):
        start = min(max(int(np.floor(low)) - margin, 0), n - 1)
        stop = max(min(int(np.ceil(high)) + margin + 1, n), start + 1)
        windows.append(slice(start, stop))
    return tuple(windows)


def align_face(image, left, right, size, eyes_at=EYES_AT):
    """The `size` x `size` square of the face whose eyes are at `left` and `right`, eyes at `eyes_at`.

    Every output pixel is read from the image through `similarity_from_eyes` by bilinear interpolation
    (``skimage.transform.warp``, order 1), repeating the image's edge pixels where the square leaves the
    image. When the face is shrunk (s > 1 image pixels per output pixel), the image is first blurred by a
    Gaussian of σ = (s - 1) / 2 image pixels, the anti-aliasing rule of ``skimage.transform.resize``, so
    that detail finer than the output pixels does not fold into false patterns. Only the part of the image
    the square maps onto (and 4σ round it) is blurred, so a face in a large photo costs what a small one does.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour image (`dbnfer.images.as_grey`).
    left, right : array_like, shape (2,)
        (x, y) of the left and right eye in the image (left as seen in the image).
    size : int
        Side of the output square.
    eyes_at : pair of (x, y)
        Where the eyes land, as fractions of the side (default `EYES_AT`).

    Returns
    -------
    ndarray of float64, shape (size, size)
        Grey levels in [0, 1].

    Raises
    ------
    ValueError
        If the eyes are the same point, or `image` is neither grey nor colour.

    Examples
    --------
    >>> from skimage import data
    >>> face = align_face(data.astronaut(), (203, 102), (246, 104), 64)  # her eyes
    >>> face.shape
    (64, 64)
    """
    grey = as_grey(image)
    matrix = similarity_from_eyes(left, right, size, eyes_at)
    sigma = max(0.0, (np.hypot(matrix[0, 0], matrix[1, 0]) - 1) / 2)  # s = |a|
    rows, cols = _source_window(matrix, size, int(np.ceil(4 * sigma)) + 1, grey.shape)
    patch = grey[rows, cols]
    if sigma > 0:
        patch = gaussian_filter(patch, sigma, mode="nearest")
    shift = np.array([[1.0, 0.0, -cols.start], [0.0, 1.0, -rows.start], [0.0, 0.0, 1.0]])  # image -> patch
    return warp(patch, ProjectiveTransform(matrix=shift @ matrix), output_shape=(size, size), order=1,
                mode="edge", preserve_range=True)


def plausible_eyes(landmarks, box):
    """Whether the eyes the localiser found in `box` are believable enough to align by.

    The rule: the confidence is above 0 (0 means the box was too small to search); both eyes lie inside
    the box; the eyes are between 0.2 and 0.8 of the box's width apart; and the line from the left eye to
    the right one is tilted by less than 35 degrees (which also rejects a left eye found right of the right
    one). The detector finds upright faces whose eyes sit some 0.4 box widths apart; outside these bounds
    the localiser has lost the face, and the detector's box is a safer frame than a wild rotation.

    Parameters
    ----------
    landmarks : dbnfer.landmarks.Landmarks
        What `dbnfer.landmarks.locate_eyes` returned for `box`.
    box : tuple
        (row, col, height, width) of the detected face.

    Returns
    -------
    bool
    """
    row, col, height, width = box
    (x_l, y_l), (x_r, y_r) = landmarks.left_eye, landmarks.right_eye
    inside = all(col <= x <= col + width and row <= y <= row + height for x, y in ((x_l, y_l), (x_r, y_r)))
    distance = np.hypot(x_r - x_l, y_r - y_l) / width
    tilt = abs(np.degrees(np.arctan2(y_r - y_l, x_r - x_l)))
    return bool(landmarks.confidence > 0 and inside and EYE_DISTANCE[0] <= distance <= EYE_DISTANCE[1]
                and tilt < MAX_TILT)


def register_faces(images, boxes, size, localiser=None, verbose=False):
    """Every face aligned by its eyes, or cut by its detector box when its eyes are not found.

    For each image and its box: find the eyes (`dbnfer.landmarks.locate_eyes`); if `plausible_eyes`,
    `align_face`; otherwise cut the box out and resize it (`dbnfer.preprocess.cut_out`, `resize_square`),
    and count the fallback.

    Parameters
    ----------
    images : sequence of ndarray, shape (H, W) or (H, W, 3|4)
        Grey or colour images, of any sizes.
    boxes : sequence of tuple or None
        (row, col, height, width) of the face in each image, as `dbnfer.preprocess.locate_faces` returns
        them; None stands for the whole image.
    size : int
        Side of the output squares.
    localiser : dbnfer.landmarks.EyeLocaliser, optional
        The shipped one by default.
    verbose : bool
        Report progress every 50 images.

    Returns
    -------
    faces : ndarray of float32, shape (n, size, size)
        Grey levels in [0, 1] (not equalised).
    eyes : ndarray of float64, shape (n, 2, 2)
        (x, y) of the left and right eye of each face in its image; NaN for the faces that fell back.
    n_fallbacks : int
        Faces cut by their detector box.

    Raises
    ------
    ValueError
        If a box has no positive size or lies wholly outside its image.
    """
    from dbnfer.landmarks import locate_eyes  # dbnfer.landmarks imports dbnfer.preprocess

    n = len(images)
    faces = np.empty((n, size, size), dtype=np.float32)
    eyes = np.full((n, 2, 2), np.nan)
    n_fallbacks = 0
    for i, (image, box) in enumerate(zip(images, boxes)):
        grey = as_grey(image)
        box = (0, 0) + grey.shape if box is None else tuple(box)
        landmarks = locate_eyes(grey, box, localiser)
        if plausible_eyes(landmarks, box):
            faces[i] = align_face(grey, landmarks.left_eye, landmarks.right_eye, size)
            eyes[i] = landmarks.left_eye, landmarks.right_eye
        else:
            faces[i] = resize_square(cut_out(grey, box), size)
            n_fallbacks += 1
        if (i + 1) % 50 == 0 or i + 1 == n:
            report(f"register: {i + 1}/{n} faces, {n_fallbacks} cut by the detector box (eyes not found)",
                   verbose)
    return faces, eyes, n_fallbacks
