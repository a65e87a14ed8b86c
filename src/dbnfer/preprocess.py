"""From a photo to the vector a classifier sees: find the face, cut it out (or register it by its eyes), resize,
equalise, and describe it (pixels, LBP, HOG or Gabor: :mod:`dbnfer.features`).

Each step is a plain function on one image, so a notebook can show them one at a time;
:func:`prepare` chains them over a whole :class:`~dbnfer.datasets.FaceDataset`, and
:func:`face_vectors` does the same for the faces of one new photo with the settings a model was trained with.

Boxes are ``(row, col, height, width)`` in pixels, the convention of :mod:`dbnfer.detect`.
"""

import numpy as np
from skimage.exposure import equalize_hist
from skimage.transform import rescale, resize

from dbnfer.features import extract
from dbnfer.progress import Progress, report

#: How a face is framed: a fixed central box, the detector's box, the detector's face registered by its eyes
#: (:mod:`dbnfer.register`), or the whole image.
CROPS = ("central", "detect", "align", "none")
#: Images with a shorter side than this are enlarged before detection: a small face crop holds too few
#: windows of the 19x19 cascade for the min-neighbours rule (docs/results.md, "Pipeline measurements").
MIN_DETECTION_SIDE = 72
#: Faces described at once by :func:`described`, between two progress lines.
DESCRIBE_CHUNK = 4_000


def central_box(shape, fraction=0.55, centre=(0.62, 0.5)):
    """A fixed square box: side `fraction` of the shorter image side, centred at `centre` (relative).

    The default suits head-and-shoulders portraits such as JAFFE's, where the face sits a little
    below the middle of the frame; it is the crop used until a detector finds the face.
    """
    height, width = shape[:2]
    side = int(round(fraction * min(height, width)))
    row = int(round(centre[0] * height - side / 2))
    col = int(round(centre[1] * width - side / 2))
    return row, col, side, side


def widen(box, margin):
    """Grow `box` by `margin` times its size on every side (0.1: 10 % more on each side)."""
    row, col, height, width = box
    dr, dc = int(round(margin * height)), int(round(margin * width))
    return row - dr, col - dc, height + 2 * dr, width + 2 * dc


def cut_out(image, box):
    """Cut `box` out of `image`, repeating the edge pixels where the box leaves the image."""
    row, col, height, width = (int(v) for v in box)
    pad = max(0, -row, -col, row + height - image.shape[0], col + width - image.shape[1])
    if pad:
        image = np.pad(image, pad, mode="edge")
        row, col = row + pad, col + pad
    return image[row:row + height, col:col + width]


def resize_square(image, size):
    """Resize to `size` x `size` pixels with anti-aliasing."""
    return resize(image, (size, size), anti_aliasing=True, preserve_range=True)


def equalise(image):
    """Histogram equalisation: map grey levels through their cumulative distribution (flat histogram)."""
    return equalize_hist(image)


def scale01(image):
    """Stretch the grey levels linearly to fill [0, 1] (a constant image becomes all zeros)."""
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def finish(face, equalised=True):
    """The last step of every crop: equalise the histogram (or stretch to [0, 1]), as float32."""
    return (equalise(face) if equalised else scale01(face)).astype(np.float32)


def face_vector(image, box=None, size=32, equalised=True):
    """One face image -> a float32 vector of ``size * size`` values in [0, 1].

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey image.
    box : tuple, optional
        ``(row, col, height, width)`` of the face; the whole image when None.
    size : int
        Side of the square the face is resized to.
    equalised : bool
        Apply histogram equalisation (otherwise only a linear stretch to [0, 1]).
    """
    face = image if box is None else cut_out(image, box)
    return finish(resize_square(face, size), equalised).ravel()


def face_squares(images, boxes, size=32, equalised=True, align=False, localiser=None, verbose=False):
    """The face in each image's box as a ``size`` x ``size`` square, cut out or registered by the eyes.

    Parameters
    ----------
    images : sequence of ndarray, shape (H, W)
        Grey images.
    boxes : sequence of tuple or None
        The face's ``(row, col, height, width)`` in each image; None for the whole image.
    size : int
    equalised : bool
        As in :func:`face_vector`.
    align : bool
        Rotate and scale each face so that its eyes land on fixed points (:func:`dbnfer.register.register_faces`);
        a face whose eyes are not found is cut by its box instead.
    localiser : dbnfer.landmarks.EyeLocaliser, optional
        The eye localiser of `align` (the shipped one by default).
    verbose : bool

    Returns
    -------
    faces : ndarray of float32, shape (n, size, size)
    eyes : ndarray, shape (n, 2, 2)
        (x, y) of the left and right eye in each image; NaN where the face was cut by its box.
    n_fallbacks : int
        Faces to be aligned whose eyes were not found.
    """
    if align:
        from dbnfer.register import register_faces  # register -> landmarks -> preprocess

        squares, eyes, n_fallbacks = register_faces(images, boxes, size, localiser, verbose)
        return np.stack([finish(face, equalised) for face in squares]), eyes, n_fallbacks
    faces = np.empty((len(boxes), size, size), dtype=np.float32)  # filled face by face: FER-2013's are 0.5 GB
    for face, image, box in zip(faces, images, boxes):
        face[:] = finish(resize_square(image if box is None else cut_out(image, box), size), equalised)
    return faces, np.full((len(faces), 2, 2), np.nan), 0


def face_vectors(images, boxes, size=32, equalised=True, crop="central", features="pixels", localiser=None,
                 verbose=False, mirrored=False):
    """The design matrix of the faces in `boxes`: squares (:func:`face_squares`) described by `features`.

    Returns
    -------
    X : ndarray of float32, shape (n, d)
    X_mirror : ndarray of float32, shape (n, d)
        Only with ``mirrored=True``: the same description of each face's left-right mirror image (what
        `DBNClassifier` needs to mirror feature vectors).
    eyes : ndarray, shape (n, 2, 2)
        NaN unless ``crop="align"`` found the eyes.
    n_fallbacks : int
        With ``crop="align"``, the faces cut by their box because their eyes were not found.
    """
    faces, eyes, n_fallbacks = face_squares(images, boxes, size, equalised, crop == "align", localiser, verbose)
    if mirrored:
        return (described(faces, features, verbose), described(faces[:, :, ::-1], features, verbose, "mirrored "),
                eyes, n_fallbacks)
    return described(faces, features, verbose), eyes, n_fallbacks


def described(faces, features, verbose=False, which=""):
    """`dbnfer.features.extract` of a stack of faces, `DESCRIBE_CHUNK` faces at a time with a progress line
    after each when there are more (FER-2013's HOG takes minutes)."""
    if len(faces) <= DESCRIBE_CHUNK:
        return extract(faces, features)
    starts = range(0, len(faces), DESCRIBE_CHUNK)
    parts = []
    with Progress(len(starts), f"{features} of the {which}faces, part", verbose) as progress:
        for start in starts:
            parts.append(extract(faces[start:start + DESCRIBE_CHUNK], features))
            progress.step(f"{start + len(parts[-1])}/{len(faces)} faces")
    return np.concatenate(parts)


def largest_face(image, cascade=None):
    """The box of the largest face the Viola-Jones detector finds in `image`, or None."""
    from dbnfer.detect import detect_faces

    boxes, _ = detect_faces(image, cascade)
    if len(boxes) == 0:
        return None
    return tuple(int(v) for v in max(boxes, key=lambda box: box[2] * box[3]))


def _check_crop(crop):
    if crop not in CROPS:
        raise ValueError(f"unknown crop {crop!r}; choose one of: {', '.join(CROPS)}")


def locate_faces(images, crop="central", margin=0.0, cascade=None, verbose=False):
    """The box each image is cropped to, and how many images fell back to the central box.

    Parameters
    ----------
    images : ndarray, shape (n, H, W)
    crop : {"central", "detect", "align", "none"}
        ``central``: :func:`central_box`; ``detect`` and ``align``: the largest face the Viola-Jones cascade
        finds, widened by `margin`, or the central box when it finds none; ``none``: the whole image.
    margin : float
        Fraction of the detected box added on every side. The shipped cascade's box already spans
        brows to mouth, so 0 suits it (docs/results.md, "Pipeline measurements").
    cascade : optional
        The detector's cascade (default: the one shipped with dbnfer).

    Returns
    -------
    boxes : list of tuple or None
    fallbacks : int
        Images where detection found no face.
    """
    _check_crop(crop)
    if crop == "none":
        return [None] * len(images), 0
    if crop == "central":
        return [central_box(image.shape) for image in images], 0
    boxes, fallbacks = [], 0
    for i, image in enumerate(images):
        box = largest_face(image, cascade)
        if box is None:
            fallbacks += 1
            boxes.append(central_box(image.shape))
        else:
            boxes.append(widen(box, margin))
        if (i + 1) % 50 == 0 or i + 1 == len(images):
            report(f"detect: {i + 1}/{len(images)} images, {fallbacks} without a face", verbose)
    return boxes, fallbacks


def prepare(dataset, size=32, crop="central", equalised=True, margin=0.0, features="pixels", cascade=None,
            verbose=False, mirrored=False):
    """Turn every image of `dataset` into a vector: the design matrix X of the classifiers.

    Parameters
    ----------
    dataset : FaceDataset
    size, equalised : int, bool
        As in :func:`face_vector`.
    crop, margin, cascade
        As in :func:`locate_faces`; ``align`` registers the detected face by its eyes.
    features : {"pixels", "lbp", "hog", "gabor", "hog+lbp"}
        What the classifiers see of each face (:func:`dbnfer.features.extract`).
    verbose : bool
    mirrored : bool
        Also describe every face's left-right mirror image.

    Returns
    -------
    X : ndarray, shape (n, d), float32
        ``d = size * size`` pixels in [0, 1] for ``features="pixels"``.
    X_mirror : ndarray, shape (n, d), float32
        Only with ``mirrored=True``: row i describes the mirror image of the face of row i of X.

    Notes
    -----
    With ``crop="detect"`` or ``"align"`` the number of images where no face was found (and the central box
    was used instead), and with ``"align"`` the number of faces whose eyes were not found, are appended to
    ``dataset.notes``.
    """
    boxes, fallbacks = locate_faces(dataset.images, crop, margin, cascade, verbose)
    if crop in ("detect", "align"):
        dataset.notes.append(f"face detection: no face found in {fallbacks} of {len(dataset)} images "
                             f"(central box used for those)")
    *vectors, _, no_eyes = face_vectors(dataset.images, boxes, size, equalised, crop, features, verbose=verbose,
                                        mirrored=mirrored)
    if crop == "align":
        dataset.notes.append(f"registration: eyes not found in {no_eyes} of {len(dataset)} faces "
                             f"(the detector's box used for those)")
    return tuple(vectors) if mirrored else vectors[0]


def unlabeled_faces(images, size=32, crop="central", equalised=True, margin=0.0, features="pixels", cascade=None,
                    verbose=False):
    """Face vectors of images without labels, for pre-training (`DBNClassifier.fit(X_unlabeled=...)`).

    Prepared like :func:`prepare` prepares labelled faces, except with ``crop="detect"`` or ``"align"``: images
    whose shorter side is below `MIN_DETECTION_SIDE` are enlarged first, and an image where no face is found is
    dropped rather than cut by the central box (an unlabeled face is only worth its framing).

    Parameters
    ----------
    images : iterable of ndarray, shape (H, W)
        Grey images in [0, 1], of any sizes.
    size, crop, equalised, margin, features, cascade, verbose
        As in :func:`prepare`.

    Returns
    -------
    ndarray, shape (n_found, d), float32

    Raises
    ------
    ValueError
        If no face is left.
    """
    _check_crop(crop)
    squares, n_images = [], 0
    for n_images, image in enumerate(images, start=1):
        if crop in ("detect", "align"):
            image = rescale(image, max(1.0, MIN_DETECTION_SIDE / min(image.shape)))
            box = largest_face(image, cascade)
            if box is None:
                continue
            box = widen(box, margin)
        else:
            box = central_box(image.shape) if crop == "central" else None
        squares.append(face_squares([image], [box], size, equalised, crop == "align")[0])
        if n_images % 500 == 0:
            report(f"unlabeled faces: {len(squares)} of {n_images} images", verbose)
    if not squares:
        raise ValueError(f"no face found in any of the {n_images} unlabeled images")
    report(f"unlabeled faces: {len(squares)} of {n_images} images kept", verbose)
    return extract(np.concatenate(squares), features)
