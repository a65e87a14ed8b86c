"""Synthetic grey expression faces drawn from FACS action units: the default data, no download needed.

The Facial Action Coding System (Ekman & Friesen, 1978) describes an expression as a set of action
units (AUs), each a visible movement of the face. EMFACS gives prototypes for the basic emotions;
this generator uses

    happiness  AU6 + AU12             sadness   AU1 + AU4 + AU15
    surprise   AU1 + AU2 + AU5 + AU26 fear      AU1 + AU2 + AU4 + AU5 + AU20 + AU26
    anger      AU4 + AU5 + AU7 + AU23 disgust   AU9 + AU15 + AU16
    contempt   AU14 on one side only  neutral   none

and draws each AU with ``skimage.draw`` as a movement of a cartoon face (positions in pixels of the
96x96 drawing canvas, at full intensity 1):

    AU1  inner brow raiser      inner ends of both brows up 5 px
    AU2  outer brow raiser      outer ends of both brows up 5 px
    AU4  brow lowerer           brows down 4 px, inner ends down a further 2 px and 3 px closer together
    AU5  upper lid raiser       eye opening x1.6, the white shows above the iris
    AU6  cheek raiser           eye opening x0.65 from below, crow's-feet lines, raised cheek shading
    AU7  lid tightener          eye opening x0.6
    AU9  nose wrinkler          three wrinkle lines across the nose bridge, nostrils up 2 px, brows down 1 px
    AU12 lip corner puller      mouth corners up 5 px and out 2 px, nasolabial folds deepen
    AU14 dimpler                (contempt: one side) that corner up 3 px and in 1 px, a dimple beside it
    AU15 lip corner depressor   mouth corners down 4 px
    AU16 lower lip depressor    lower lip down 3 px, the mouth opens a little
    AU20 lip stretcher          mouth 30 % wider and flatter
    AU23 lip tightener          mouth 20 % narrower, lips thinner
    AU26 jaw drop               mouth opens 9 px, chin 4 px lower

Each subject has its own face (shape, feature placement and size, brow thickness, skin and
background brightness, contrast); each image has its own AU intensities (the prototype's AUs at
0.35-1, plus weak spurious AUs), a small pose jitter (rotation, shift, scale) and pixel noise. So the
task has subjects for person-independent evaluation and is not trivially separable: nearest
neighbour on pixels is well below 100 %.
"""

import numpy as np
from skimage import draw
from skimage.transform import SimilarityTransform, resize, warp

from dbnfer.datasets.base import FaceDataset, LABELS

#: EMFACS prototypes: the action units of each expression (contempt's AU14 is unilateral).
PROTOTYPES = {
    "anger": (4, 5, 7, 23),
    "contempt": (14,),
    "disgust": (9, 15, 16),
    "fear": (1, 2, 4, 5, 20, 26),
    "happiness": (6, 12),
    "neutral": (),
    "sadness": (1, 4, 15),
    "surprise": (1, 2, 5, 26),
}

ACTION_UNITS = (1, 2, 4, 5, 6, 7, 9, 12, 14, 15, 16, 20, 23, 26)
CANVAS = 96


def random_identity(rng):
    """Draw one subject's face: geometry, feature sizes, and tones (a dict of floats)."""
    return {
        "face_rx": rng.uniform(27, 33), "face_ry": rng.uniform(35, 41),
        "centre_x": rng.uniform(46, 50), "centre_y": rng.uniform(48, 52),
        "eye_y": rng.uniform(38, 43), "eye_dx": rng.uniform(12, 16),
        "eye_rx": rng.uniform(4.5, 6.5), "eye_ry": rng.uniform(2.2, 3.2),
        "brow_gap": rng.uniform(6, 9), "brow_thick": rng.uniform(1.5, 3.0), "brow_len": rng.uniform(10, 14),
        "nose_len": rng.uniform(11, 15), "mouth_y": rng.uniform(69, 74), "mouth_w": rng.uniform(18, 26),
        "lip_thick": rng.uniform(1.2, 2.4), "skin": rng.uniform(0.55, 0.8),
        "background": rng.uniform(0.1, 0.9), "contrast": rng.uniform(0.7, 1.2),
    }


def random_intensities(expression, rng, spurious=0.25):
    """AU intensities for one image: the prototype's AUs at 0.35-1, the others at 0-`spurious`."""
    prototype = PROTOTYPES[expression]
    return {au: rng.uniform(0.35, 1.0) if au in prototype else rng.uniform(0, spurious) * (rng.random() < 0.5)
            for au in ACTION_UNITS}


def _fill(canvas, rr, cc, value):
    inside = (rr >= 0) & (rr < canvas.shape[0]) & (cc >= 0) & (cc < canvas.shape[1])
    canvas[rr[inside], cc[inside]] = value


def _stroke(canvas, points, thickness, value):
    """A thick polyline through `points` ((x, y) pairs): a filled quadrilateral per segment, a disc per joint."""
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        length = np.hypot(x1 - x0, y1 - y0)
        if length > 0:
            nx, ny = (y0 - y1) / length * thickness / 2, (x1 - x0) / length * thickness / 2
            _fill(canvas, *draw.polygon([y0 + ny, y1 + ny, y1 - ny, y0 - ny], [x0 + nx, x1 + nx, x1 - nx, x0 - nx],
                                        shape=canvas.shape), value)
    for x, y in points:
        _fill(canvas, *draw.disk((y, x), thickness / 2, shape=canvas.shape), value)


def _draw_eye(canvas, x, y, face, au):
    opening = 1 + 0.6 * au[5] - 0.35 * au[6] - 0.4 * au[7]
    ry = max(face["eye_ry"] * opening, 0.6)
    centre_y = y + face["eye_ry"] * 0.35 * au[6]  # AU6 pushes the lower lid up: the eye narrows from below
    _fill(canvas, *draw.ellipse(centre_y, x, ry, face["eye_rx"], shape=canvas.shape), 0.92)
    iris_r, iris_y = min(face["eye_ry"] * 1.05, ry), centre_y + 0.5 * face["eye_ry"] * au[5]
    rr, cc = draw.disk((iris_y, x), iris_r, shape=canvas.shape)
    keep = ((rr - centre_y) / ry) ** 2 + ((cc - x) / face["eye_rx"]) ** 2 <= 1
    _fill(canvas, rr[keep], cc[keep], 0.1)
    lid = [(x + dx, centre_y - ry * np.sqrt(max(1 - (dx / face["eye_rx"]) ** 2, 0)))
           for dx in np.linspace(-face["eye_rx"], face["eye_rx"], 7)]
    _stroke(canvas, lid, 1.2, 0.15)


def _draw_brow(canvas, eye_x, side, face, au):
    """`side` is -1 for the left brow (image left), +1 for the right; inner end towards the centre."""
    y = face["eye_y"] - face["brow_gap"] + 4 * au[4] + au[9]
    inner_x = eye_x - side * (face["brow_len"] / 2 - 3 * au[4])
    outer_x = eye_x + side * face["brow_len"] / 2
    inner_y = y - 5 * au[1] + 2 * au[4]
    outer_y = y - 5 * au[2] + 1.5
    middle = ((inner_x + outer_x) / 2, (inner_y + outer_y) / 2 - 1.5)
    _stroke(canvas, [(inner_x, inner_y), middle, (outer_x, outer_y)], face["brow_thick"], 0.12)


def _draw_mouth(canvas, face, au, contempt_side):
    cx, y = face["centre_x"], face["mouth_y"]
    half = face["mouth_w"] / 2 * (1 + 0.3 * au[20] - 0.2 * au[23]) + 2 * au[12]
    lift = 5 * au[12] - 4 * au[15] - 1.5 * au[20]
    left = lift + (3 * au[14] if contempt_side < 0 else 0)
    right = lift + (3 * au[14] if contempt_side > 0 else 0)
    open_up = 1.2 * au[9] + 2.0 * au[26]
    open_down = 3 * au[16] + 7 * au[26] + 0.5 * au[20]
    thick = face["lip_thick"] * (1 - 0.5 * au[23])
    t = np.linspace(-1, 1, 15)
    xs = cx + half * t - np.sign(t) * au[14] * (contempt_side * np.sign(t) > 0)
    corner = -(left * (1 - t) / 2 + right * (1 + t) / 2) * t ** 2
    upper, lower = y + corner - open_up * (1 - t ** 2), y + corner + open_down * (1 - t ** 2)
    if open_up + open_down > 0.8:
        rr, cc = draw.polygon(np.r_[upper, lower[::-1]], np.r_[xs, xs[::-1]], shape=canvas.shape)
        _fill(canvas, rr, cc, 0.08)
    _stroke(canvas, list(zip(xs, upper)), thick, 0.3)
    _stroke(canvas, list(zip(xs, lower + 0.5)), thick * 1.2, 0.35)
    if au[14] > 0.2 and contempt_side:
        dimple_x = cx + contempt_side * (half + 2.5)
        _fill(canvas, *draw.disk((y - (left if contempt_side < 0 else right) * 0.8, dimple_x), 1.0 + au[14],
                                 shape=canvas.shape), face["skin"] * 0.55)


def _draw_folds(canvas, face, au):
    """Nasolabial folds and cheek shading (AU6, AU12), crow's feet (AU6), nose wrinkles (AU9)."""
    cx, tone = face["centre_x"], face["skin"]
    depth = 0.35 * au[6] + 0.45 * au[12] + 0.3 * au[9]
    for side in (-1, 1):
        top = (cx + side * 6, face["eye_y"] + face["nose_len"] - 2)
        bottom = (cx + side * (face["mouth_w"] / 2 + 3), face["mouth_y"] + 1)
        _stroke(canvas, [top, (top[0] + side * 4, (top[1] + bottom[1]) / 2), bottom], 1.2,
                tone * (1 - 0.2 - depth))
        if au[6] > 0.1:
            eye_x = cx + side * face["eye_dx"]
            _fill(canvas, *draw.ellipse(face["eye_y"] + 8 - 2 * au[6], eye_x, 3, 6, shape=canvas.shape),
                  tone * (1 + 0.2 * au[6]))
            for k in (-1, 0, 1):
                start = (eye_x + side * (face["eye_rx"] + 1), face["eye_y"] + k * 1.5)
                _stroke(canvas, [start, (start[0] + side * 3 * au[6], start[1] + k * 2)], 0.9,
                        tone * (1 - 0.45 * au[6]))
    for k in range(3):
        if au[9] > 0.1:
            y = face["eye_y"] + 2 + 2.2 * k
            _stroke(canvas, [(cx - 3, y), (cx + 3, y - 0.5)], 0.9, tone * (1 - 0.5 * au[9]))


def _draw_nose(canvas, face, au):
    cx, top = face["centre_x"], face["eye_y"] + 2
    tip = top + face["nose_len"] - 2 * au[9]
    _stroke(canvas, [(cx + 1, top), (cx + 2, tip - 2), (cx, tip)], 1.0, face["skin"] * 0.75)
    for side in (-1, 1):
        _fill(canvas, *draw.ellipse(tip, cx + side * 3.5, 1.2, 2.0, shape=canvas.shape), 0.2)


def draw_face(face, au, contempt_side=0, size=48, rng=None):
    """Draw one face with action-unit intensities `au` (dict AU number -> 0..1).

    Parameters
    ----------
    face : dict
        A subject from :func:`random_identity`.
    au : dict
        Intensity of every AU in ``ACTION_UNITS``.
    contempt_side : {-1, 0, 1}
        Which mouth corner AU14 acts on (0: both, unused by the prototypes).
    size : int
        Side of the returned square image.
    rng : numpy.random.Generator, optional
        Pose jitter and pixel noise; none when omitted.

    Returns
    -------
    ndarray, shape (size, size), float32 in [0, 1]
    """
    canvas = np.full((CANVAS, CANVAS), face["background"], dtype=np.float64)
    chin = face["face_ry"] + 4 * au[26]
    rr, cc = draw.ellipse(face["centre_y"] + 2 * au[26], face["centre_x"], chin, face["face_rx"],
                          shape=canvas.shape)
    canvas[rr, cc] = face["skin"]
    _draw_folds(canvas, face, au)
    for side in (-1, 1):
        eye_x = face["centre_x"] + side * face["eye_dx"]
        _draw_eye(canvas, eye_x, face["eye_y"], face, au)
        _draw_brow(canvas, eye_x, side, face, au)
    _draw_nose(canvas, face, au)
    _draw_mouth(canvas, face, au, contempt_side)
    if rng is not None:
        jitter = SimilarityTransform(scale=rng.uniform(0.95, 1.05), rotation=np.deg2rad(rng.normal(0, 3)),
                                     translation=rng.normal(0, 1.5, size=2))
        centre = SimilarityTransform(translation=-CANVAS / 2)
        canvas = warp(canvas, (centre + jitter + centre.inverse).inverse, mode="edge")
    canvas = face["background"] + face["contrast"] * (canvas - face["background"])
    image = resize(canvas, (size, size), anti_aliasing=True)
    if rng is not None:
        image = image + rng.normal(0, 0.03, image.shape)
    return np.clip(image, 0, 1).astype(np.float32)


def make_synthetic(n_subjects=20, per_class=4, size=48, expressions=LABELS, random_state=0):
    """Generate the synthetic expression data set.

    Parameters
    ----------
    n_subjects : int
        Number of people; each shows every expression `per_class` times.
    per_class : int
        Images per subject and expression.
    size : int
        Side of the square images.
    expressions : sequence of str
        Which of the eight labels to generate.
    random_state : int or numpy.random.Generator
        The same seed gives the same images.

    Returns
    -------
    FaceDataset
        ``n_subjects * len(expressions) * per_class`` images.

    Example
    -------
    >>> data = make_synthetic(n_subjects=2, per_class=1)
    >>> data.images.shape
    (16, 48, 48)
    """
    unknown = set(expressions) - set(PROTOTYPES)
    if unknown or n_subjects < 1 or per_class < 1:
        raise ValueError(f"make_synthetic needs known expressions {sorted(PROTOTYPES)} and positive counts; "
                         f"got {sorted(unknown)}, n_subjects={n_subjects}, per_class={per_class}")
    rng = np.random.default_rng(random_state)
    names = tuple(label for label in LABELS if label in expressions)
    images, labels, subjects = [], [], []
    for subject in range(n_subjects):
        face = random_identity(rng)
        for label, expression in enumerate(names):
            for _ in range(per_class):
                au = random_intensities(expression, rng)
                side = rng.choice([-1, 1]) if expression == "contempt" else 0
                images.append(draw_face(face, au, side, size, rng))
                labels.append(label)
                subjects.append(f"synth{subject:02d}")
    ids = [f"synthetic[{i}]" for i in range(len(images))]
    return FaceDataset(np.stack(images), np.array(labels), names, np.array(subjects), np.array(ids), ids,
                       "synthetic")
