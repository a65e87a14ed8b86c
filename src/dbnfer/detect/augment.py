"""Training-face augmentation: what the face crops lack, painted onto a share of them.

The faces a cascade learns from (web crops, CBCL) are mostly evenly lit, without spectacles, and framed so
that the window holds only face. Photos to search hold all three: light from one side, which variance
normalisation (VJ sec. 5.6) does not undo; thick frames; a plain wall beside a narrow jaw; the grain of a small
face in a scanned photo. A cascade never shown them rejects such faces, so `train.load_faces` paints each onto a
random fraction of the training faces.

Each function takes faces of shape (n, height, width) in [0, 1], the fraction to change and a
``numpy.random.Generator``, and returns a changed copy. They are drawn on the window grid: y and x below are the
pixel centres in units of the window (0 at the top/left edge, 1 at the bottom/right), and the faces are framed
like CBCL's, eyes at `EYES`.
"""

import numpy as np

EYES = (0.24, 0.25, 0.75)  # eye row, left and right eye columns of a CBCL-framed window (from the mean face)


def side_light(faces, fraction, rng):
    """Darken one side of a random `fraction` of the faces by a ramp, as a light from the other side does.

    Variance normalisation removes a window's brightness and contrast, not a shadow across it, so a cascade
    trained on evenly lit faces misses side-lit ones. Each chosen face is multiplied across its columns by
    1 - s (1 - t), t going from 0 at one edge to 1 at the other (mirrored for half of them), with depth s drawn
    from 0.3 to 0.8.

    Parameters
    ----------
    faces : ndarray, shape (n, height, width)
    fraction : float
        Share of the faces to change, each drawn with this probability.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, height, width)
    """
    def shadow(lit, y, x, draw):
        t = np.linspace(0.0, 1.0, lit.shape[2])
        ramp = 1.0 - draw(0.3, 0.8) * (1.0 - t)  # (n, 1, width): dark on the left
        mirror = rng.random(len(lit)) < 0.5
        ramp[mirror] = ramp[mirror, :, ::-1]
        return lit * ramp

    return _paint(faces, fraction, rng, shadow)


def spectacles(faces, fraction, rng):
    """Draw spectacles on a random `fraction` of the faces (see `side_light` for the parameters).

    Web and CBCL faces seldom wear them, so a cascade trained on them alone rejects many faces with thick frames.
    Each pair is two elliptic rims round the eyes, a bridge and the two temples, all of a random line width, that
    darken the pixels under them by a random factor; a quarter of the pairs are sunglasses, whose lenses darken
    the eyes too. Drawn anti-aliased: with (r, c) an eye, the rim is where the elliptic radius
    e = sqrt(((x - c) / a)^2 + ((y - r) / b)^2) is close to 1, with coverage max(0, 1 - |e - 1| b / t) for half
    line width t.
    """
    def frames(worn, y, x, draw):
        row, left, right = EYES[0] + draw(-0.03, 0.03), EYES[1] + draw(-0.03, 0.03), EYES[2] + draw(-0.03, 0.03)
        a, b, t = draw(0.15, 0.2), draw(0.1, 0.14), draw(0.02, 0.04)
        frame = np.zeros(worn.shape)
        lens = np.zeros(worn.shape, dtype=bool)
        for c in (left, right):
            e = np.sqrt(((x - c) / a) ** 2 + ((y - row) / b) ** 2)
            frame = np.maximum(frame, np.clip(1 - np.abs(e - 1) * b / t, 0, 1))
            lens |= e < 1
        on_bar = np.clip(1 - np.abs(y - row + b / 2) / t, 0, 1)  # bridge and temples: one horizontal bar
        frame = np.maximum(frame, on_bar * ((x < left - a) | ((x > left + a) & (x < right - a)) | (x > right + a)))
        shade = 1 - draw(0.4, 0.9) * frame
        sunglasses = rng.random((len(worn), 1, 1)) < 0.25
        return worn * (shade * np.where(sunglasses & lens, 1 - draw(0.4, 0.8), 1.0))

    return _paint(faces, fraction, rng, frames)


def backdrop(faces, fraction, rng):
    """Replace the lower corners of a random `fraction` of the faces by a flat backdrop of random grey (see
    `side_light` for the parameters).

    Beside the jaw of a narrow face in front of a plain wall, the window shows the wall, where the training crops
    show cheek. The face is the inside of an ellipse centred at (0.3, c) of semi-axes (b, a) (with c, a, b drawn
    per face); below its centre, pixels outside it take the backdrop's grey, with a one-pixel anti-aliased edge:
    coverage clip((sqrt(e) - 1) a w + 1/2, 0, 1) for elliptic radius sqrt(e) and window width w.
    """
    def wall(chosen, y, x, draw):
        centre, a, b = 0.5 + draw(-0.03, 0.03), draw(0.42, 0.52), draw(0.7, 0.9)
        radius = np.sqrt(((x - centre) / a) ** 2 + ((y - 0.3) / b) ** 2)
        cover = np.clip((radius - 1) * a * chosen.shape[2] + 0.5, 0, 1) * (y > 0.3)
        grey = draw(0.0, 1.0) + rng.normal(0, 0.02, size=chosen.shape)
        return chosen * (1 - cover) + np.clip(grey, 0, 1) * cover

    return _paint(faces, fraction, rng, wall)


def grain(faces, fraction, rng):
    """Add pixel noise to a random `fraction` of the faces (see `side_light` for the parameters).

    A face 20-30 px tall in a scanned group photo (MIT+CMU) is grainy where the training crops, shrunk from large
    faces, are smooth: at the window's size its mean absolute step between neighbouring pixels, after variance
    normalisation, is ~0.43 against the crops' ~0.39 (`benchmarks/detect_small_faces.py`). A cascade trained on
    smooth faces rejects grainy ones: noise of 0.27 of a face's standard deviation cut the share of training
    faces the discrete cascade shipped before 2026-11-30 accepts from 0.91 to 0.81. Each chosen face x gets
    independent Gaussian noise per pixel, clip(x + r sigma_x epsilon, 0, 1) with epsilon ~ N(0, 1), sigma_x the
    face's standard deviation and r drawn from 0 to 0.3.
    """
    def noise(chosen, y, x, draw):
        spread = draw(0.0, 0.3) * chosen.std(axis=(1, 2), keepdims=True)
        return np.clip(chosen + spread * rng.standard_normal(chosen.shape), 0, 1)

    return _paint(faces, fraction, rng, noise)


def _paint(faces, fraction, rng, paint):
    """A copy of `faces` in which a random `fraction` of them are replaced by ``paint(chosen, y, x, draw)``.

    y and x are the pixel centres in units of the window, shaped to broadcast against (n, height, width), and
    ``draw(low, high)`` draws one uniform number per chosen face, shaped (n, 1, 1).
    """
    faces = faces.copy()
    chosen = np.flatnonzero(rng.random(len(faces)) < fraction)
    height, width = faces.shape[1:]
    y = ((np.arange(height) + 0.5) / height)[None, :, None]
    x = ((np.arange(width) + 0.5) / width)[None, None, :]
    faces[chosen] = paint(faces[chosen], y, x, lambda low, high: rng.uniform(low, high, size=(len(chosen), 1, 1)))
    return faces
