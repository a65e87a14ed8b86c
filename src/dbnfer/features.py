"""What a classifier sees of a face: its pixels, uniform LBP histograms, HOG, or Gabor magnitudes.

Each extractor describes aligned, square grey faces in [0, 1] (already equalised or scaled by the caller)
by vectors; :func:`extract` applies one of them to a stack of faces and returns the design matrix X. HOG is
written out here step by step (and equals scikit-image's ``hog`` to the last bit, 4 to 5 times faster on a
stack); the LBP codes and the Gabor kernels are scikit-image's. What the module adds is the layout, written
down so a reader knows what every element of each vector is.

    pixels  the face itself, row by row                                 side² values
    lbp     uniform LBP codes, one 59-bin histogram per cell of a       6 x 6 x 59 = 2,124
            6 x 6 grid (Ojala et al. 2002; Shan et al. 2009)
    hog     histograms of gradient orientations, 9 bins per 8 x 8-px    1,764 at 64 px, 900 at 48 px
            cell, normalised per 2 x 2-cell block (Dalal & Triggs 2005)
    gabor   a bank of 5 x 6 Gabor filters' magnitudes, averaged over    5 x 6 x 8 x 8 = 1,920
            the cells of an 8 x 8 grid (Lyons et al. 1998)
    hog+lbp the HOG vector, then the LBP histograms: where the edges    1,764 + 2,124 = 3,888 at 64 px
            run, and which micro-patterns each region holds

`DEFAULT_SIZE` is the face side each expects. It was fixed before any experiment: 32 px for pixels (dbnfer's
default since the start), 64 px for the others, the side of the scikit-learn anchors of issue 14 (HOG with
8 x 8-pixel cells as in Dalal & Triggs 2005; LBP over a 6 x 6 grid, near the 6 x 7 regions of 18 x 21 pixels
of Shan et al. 2009). Every extractor also takes the 48 x 48 faces of CK+48 and FER-2013 at their native
size; a face too small for an extractor's cells is a ValueError.

References
----------
Ojala, T., Pietikäinen, M. & Mäenpää, T. (2002). Multiresolution gray-scale and rotation invariant texture
    classification with local binary patterns. IEEE TPAMI 24(7), 971-987.
Shan, C., Gong, S. & McOwan, P. W. (2009). Facial expression recognition based on local binary patterns: a
    comprehensive study. Image and Vision Computing 27(6), 803-816.
Dalal, N. & Triggs, B. (2005). Histograms of oriented gradients for human detection. CVPR.
Lyons, M., Akamatsu, S., Kamachi, M. & Gyoba, J. (1998). Coding facial expressions with Gabor wavelets.
    Third IEEE International Conference on Automatic Face and Gesture Recognition (FG), 200-205.
"""

from functools import lru_cache

import numpy as np
from scipy.signal import fftconvolve
from skimage.feature import local_binary_pattern
from skimage.filters import gabor_kernel

FEATURES = ("pixels", "lbp", "hog", "gabor", "hog+lbp")
#: The face side (pixels) each feature expects by default, fixed a priori (see the module docstring).
DEFAULT_SIZE = {"pixels": 32, "lbp": 64, "hog": 64, "gabor": 64, "hog+lbp": 64}
GABOR_FINEST = 16  # cycles across the face of the finest Gabor filter (`gabor_bank`)
HOG_CHUNK = 128  # faces described at once by `hog_vectors`: bounds its (chunk, H, W) float64 arrays
GABOR_CHUNK = 16  # faces filtered at once: bounds the (chunk, 6, N, N) complex spectra to tens of MB


def extract(faces, features):
    """The feature vectors of a stack of faces: the design matrix X of the classifiers.

    Parameters
    ----------
    faces : ndarray, shape (n, side, side)
        Grey faces in [0, 1], aligned or cropped, equalised or scaled by the caller.
    features : {"pixels", "lbp", "hog", "gabor", "hog+lbp"}
        ``pixels``: the flattened faces (``faces.reshape(n, -1)``); ``lbp``: :func:`lbp_histograms`;
        ``hog``: :func:`hog_vectors`; ``gabor``: :func:`gabor_magnitudes`, each with its defaults;
        ``hog+lbp``: the ``hog`` and ``lbp`` vectors of each face side by side, in that order.

    Returns
    -------
    ndarray of float32, shape (n, d)

    Raises
    ------
    ValueError
        If `features` is not one of `FEATURES`, `faces` is not a stack of 2-D images, or the faces are
        smaller than the feature's cells.

    Examples
    --------
    >>> faces = np.random.default_rng(0).random((3, 64, 64))
    >>> extract(faces, "lbp").shape
    (3, 2124)
    """
    if features not in FEATURES:
        raise ValueError(f"unknown features {features!r}; choose one of: {', '.join(FEATURES)}")
    faces = np.asarray(faces)
    if faces.ndim != 3:
        raise ValueError(f"faces must be a stack (n, side, side) of grey faces, got shape {faces.shape}")
    if features == "pixels":
        return faces.reshape(len(faces), -1).astype(np.float32)
    if features == "gabor":
        return gabor_magnitudes(faces).astype(np.float32)
    if features == "hog":
        return hog_vectors(faces)
    if features == "hog+lbp":
        return np.concatenate([extract(faces, "hog"), extract(faces, "lbp")], axis=1)
    return np.stack([lbp_histograms(face) for face in faces]).astype(np.float32)


def _check_fits(name, shape, need, what):
    """ValueError unless an image of `shape` is at least `need` pixels on each side."""
    height, width = shape[-2:]
    if min(height, width) < need:
        raise ValueError(f"{name}: a {height}x{width} face is smaller than {what}")


def cell_index(shape, grid):
    """The cell of every pixel in a `grid` x `grid` layout of cells.

    The rows (and the columns) are split into `grid` runs as ``np.array_split`` splits them, so any side
    works: the cells differ by at most one pixel.

    Parameters
    ----------
    shape : tuple of int
        (height, width) of the image.
    grid : int

    Returns
    -------
    ndarray of int, shape (height, width)
        Cell number ``i * grid + j`` for the cell in row i and column j of the grid.
    """
    rows, cols = (np.repeat(np.arange(grid), [len(run) for run in np.array_split(np.arange(n), grid)])
                  for n in shape)
    return rows[:, None] * grid + cols[None, :]


def lbp_codes(face, P=8, R=1):
    """The uniform LBP code of every pixel (Ojala, Pietikäinen & Mäenpää 2002).

    The code of a pixel with grey level g_c compares it with P neighbours g_0 .. g_{P-1} sampled on a
    circle of radius R round it (neighbour p at angle 2πp/P, counter-clockwise from the right as the image
    is shown; bilinear interpolation where a point falls between pixels), Ojala et al. (2002), eq. 9:

        s_p = 1 if g_p >= g_c else 0,        LBP = Σ_p s_p 2^p.

    A pattern is uniform when, read round the circle, it changes from 0 to 1 or 1 to 0 at most twice,

        U = Σ_p |s_p - s_{p-1}| <= 2      (s_{-1} = s_{P-1}),

    i.e. its ones form one arc: a spot (no ones), a flat area (all ones), or an edge, line end or corner
    (k ones in a row, 1 <= k <= P-1, starting at any of P places). That makes 2 + P(P-1) uniform patterns,
    58 for P = 8, and they are most of the pixels (Ojala et al.: nearly 90 % at P = 8, R = 1); every
    non-uniform pattern goes to one more bin, hence 59 = P(P-1) + 3 codes. scikit-image's ``nri_uniform``
    ("non-rotation-invariant uniform") numbers them: 0 for no ones; 1 + (k-1)P + (P - p_0) mod P for k ones
    in an arc starting (counter-clockwise) at neighbour p_0; P(P-1) + 1 for all ones; P(P-1) + 2 for every
    non-uniform pattern.

    Parameters
    ----------
    face : ndarray, shape (H, W)
        Grey face in [0, 1]. It is quantised to 256 levels first, as scikit-image advises: on floats,
        rounding noise between equal neighbours would flip the bits of flat areas. Its edge pixels are
        repeated R pixels outwards, so that the pixels of the border compare with their own kind rather than
        with the black that scikit-image reads outside the image.
    P, R : int
        Number of neighbours and radius (pixels).

    Returns
    -------
    ndarray of int, shape (H, W)
        Codes in 0 .. P(P-1) + 2.
    """
    pad = int(np.ceil(R))
    grey = np.pad(np.round(np.clip(face, 0, 1) * 255).astype(np.uint8), pad, mode="edge")
    codes = local_binary_pattern(grey, P, R, method="nri_uniform").astype(np.intp)
    return codes[pad:-pad, pad:-pad]


def lbp_histograms(face, grid=6, P=8, R=1):
    """Uniform LBP histograms over a grid of cells (Shan, Gong & McOwan 2009).

    One histogram of the `lbp_codes` of its pixels per cell, as a fraction of the cell's pixels; the
    cells' histograms concatenated say which micro-patterns (spots, edges, corners, flat areas) occur
    where on the face: at the eyes, at the mouth corners. P(P-1) + 3 bins per cell, 59 for P = 8.

    Parameters
    ----------
    face : ndarray, shape (H, W)
        Grey face in [0, 1].
    grid : int
        The face is split into `grid` x `grid` cells (`cell_index`).
    P, R : int
        Number of neighbours and radius (pixels) of `lbp_codes`.

    Returns
    -------
    ndarray of float64, shape (grid * grid * (P(P-1) + 3),)
        Element ``(i * grid + j) * n_bins + b`` is the fraction of the pixels of cell (i, j) (row i, column j
        of the grid) whose code is b; each cell's n_bins elements sum to 1. 6 x 6 x 59 = 2,124 values for
        the defaults.

    Raises
    ------
    ValueError
        If the face has fewer pixels a side than the grid has cells.
    """
    _check_fits("lbp", face.shape, grid, f"its {grid}x{grid} grid of cells")
    n_bins = P * (P - 1) + 3
    cells = cell_index(face.shape, grid)
    counts = np.bincount((cells * n_bins + lbp_codes(face, P, R)).ravel(), minlength=grid * grid * n_bins)
    return (counts.reshape(grid * grid, n_bins) / np.bincount(cells.ravel())[:, None]).ravel()


def hog_vectors(faces, orientations=9, cell=8, block=2):
    """Histograms of oriented gradients (Dalal & Triggs 2005) of a stack of faces, by hand.

    Three steps, each a function below:

    1. `gradients`: centred differences [-1, 0, 1] down and across, their magnitude
       m = √(g_r² + g_c²) and unsigned direction θ = atan2(g_r, g_c) mod 180° (a dark-to-light edge and a
       light-to-dark one vote alike);
    2. `orientation_histograms`: every pixel votes m into the bin of θ (`orientations` bins over
       [0°, 180°)) of its cell, and each cell's histogram is divided by its number of pixels. The vote is
       not split between the two nearest bins and cells as Dalal & Triggs (sec. 6.3) do;
    3. `l2_hys`: each block of `block` x `block` cells, overlapping by all but one cell, is normalised by
       L2-Hys (Dalal & Triggs sec. 6.4), which makes the vector blind to the local contrast.

    These are the choices of ``skimage.feature.hog`` (with ``block_norm="L2-Hys"``), and the vectors equal
    its own to the last bit (the tests compare them); computed for a whole stack at once, they take a
    fraction of its time on FER-2013's 64,596 faces and mirror images.

    Parameters
    ----------
    faces : ndarray, shape (n, H, W)
        Grey faces in [0, 1]. The gradients are differences in the faces' own float type, as scikit-image
        takes them; everything after is float64.
    orientations : int
        Bins per cell histogram.
    cell : int
        Side of a cell (pixels); the ``H // cell`` by ``W // cell`` cells start at the top-left corner.
    block : int
        Side of a block (cells).

    Returns
    -------
    ndarray of float32, shape (n, B_r * B_c * block * block * orientations)
        For each block (row-major; B_r = H // cell - block + 1 blocks down, B_c likewise across), its cells
        (row-major) and each cell's normalised orientation bins. 7 x 7 x 2 x 2 x 9 = 1,764 values at 64 x 64,
        5 x 5 x 2 x 2 x 9 = 900 at 48 x 48, 324 at 32 x 32.

    Raises
    ------
    ValueError
        If the faces are smaller than one block.
    """
    faces = np.asarray(faces)
    _check_fits("hog", faces.shape, cell * block,
                f"one block of {block}x{block} cells of {cell}x{cell} pixels")
    vectors = [l2_hys(orientation_histograms(*gradients(faces[start:start + HOG_CHUNK]), orientations, cell),
                      block)
               for start in range(0, len(faces), HOG_CHUNK)]
    return np.concatenate(vectors).astype(np.float32)


def gradients(faces):
    """Gradient magnitude and unsigned direction (degrees in [0, 180)) of every pixel of a stack of faces.

    g_r(y, x) = I(y + 1, x) - I(y - 1, x) and g_c(y, x) = I(y, x + 1) - I(y, x - 1), zero on the first
    and last rows (g_r) and columns (g_c); m = hypot(g_c, g_r), θ = atan2(g_r, g_c) · 180/π mod 180.

    Returns
    -------
    magnitude, degrees : ndarray of float64, shape of `faces`
    """
    g_row = np.zeros_like(faces)
    g_row[:, 1:-1] = faces[:, 2:] - faces[:, :-2]
    g_col = np.zeros_like(faces)
    g_col[:, :, 1:-1] = faces[:, :, 2:] - faces[:, :, :-2]
    g_row, g_col = g_row.astype(np.float64), g_col.astype(np.float64)
    return np.hypot(g_col, g_row), np.arctan2(g_row, g_col) * (180 / np.pi) % 180


def orientation_histograms(magnitude, degrees, orientations=9, cell=8):
    """Each cell's histogram of gradient directions, weighted by magnitude, per pixel of the cell.

    Bin b holds the pixels with b·180°/orientations <= θ < (b + 1)·180°/orientations (the bin edges in
    single precision; a θ rounded up to 180° falls in no bin). As scikit-image does, each cell's sums are
    accumulated in single precision, pixel by pixel in row-major order: the loop runs over the cell² places
    of a pixel in its cell and adds that pixel of every cell of every face at once.

    Returns
    -------
    ndarray of float64, shape (n, H // cell, W // cell, orientations)
    """
    n, height, width = magnitude.shape
    rows, cols = height // cell, width // cell
    edges = (180.0 / orientations * np.arange(orientations + 1)).astype(np.float32).astype(np.float64)
    bins = np.searchsorted(edges, degrees[:, :rows * cell, :cols * cell], side="right") - 1

    def by_place(a):  # (n, rows·cell, cols·cell) -> (cell², n·rows·cols): row p·cell + q is place (p, q)
        return a.reshape(n, rows, cell, cols, cell).transpose(2, 4, 0, 1, 3).reshape(cell * cell, -1)

    slots = np.arange(n * rows * cols) * (orientations + 1)  # bin `orientations` catches θ = 180°
    sums = np.zeros(len(slots) * (orientations + 1), dtype=np.float32)
    for place_bins, place_magnitude in zip(by_place(bins), by_place(magnitude[:, :rows * cell, :cols * cell])):
        votes = slots + place_bins
        sums[votes] = sums[votes] + place_magnitude  # float32 + float64 rounded to float32, as `total += m`
    histograms = sums.reshape(n, rows, cols, orientations + 1)[..., :orientations] / np.float32(cell * cell)
    return histograms.astype(np.float64)


def l2_hys(histograms, block=2, clip=0.2, eps=1e-5):
    """The cells' histograms normalised per block by L2-Hys (Dalal & Triggs 2005, sec. 6.4).

    For the vector v of a block's block² histograms: v <- v / √(||v||² + ε²), clip every element at
    `clip`, and normalise again the same way.

    Parameters
    ----------
    histograms : ndarray, shape (n, rows, cols, orientations)

    Returns
    -------
    ndarray of float64, shape (n, (rows - block + 1) (cols - block + 1) block² orientations)
    """
    n, rows, cols, orientations = histograms.shape
    down, across = rows - block + 1, cols - block + 1
    blocks = np.empty((n, down, across, block, block, orientations))
    for r in range(block):
        for c in range(block):
            blocks[:, :, :, r, c] = histograms[:, r:r + down, c:c + across]
    v = blocks.reshape(n, down, across, -1)
    v = v / np.sqrt(np.sum(v ** 2, axis=-1, keepdims=True) + eps ** 2)
    v = np.minimum(v, clip)
    v = v / np.sqrt(np.sum(v ** 2, axis=-1, keepdims=True) + eps ** 2)
    return v.reshape(n, -1)


@lru_cache(maxsize=8)
def gabor_bank(side, n_frequencies=5, n_orientations=6, finest=GABOR_FINEST):
    """The Gabor filters of `gabor_magnitudes` for square faces of `side` pixels, one stack per frequency.

    Frequency k (k = 0 .. n_frequencies - 1) is f_k = finest 2^-k / side cycles per pixel, an octave apart:
    with the defaults, 16, 8, 4, 2 and 1 cycles across the face, i.e. wavelengths of side/16 (4 px at 64,
    3 px at 48: fine lines and wrinkles, still longer than the 2 px of the Nyquist limit) up to the whole
    face (its layout: an open mouth, raised brows). Orientation j is θ_j = jπ / n_orientations, the
    direction of the wave (θ = 0: a wave along x, which answers vertical edges). Each kernel is
    scikit-image's

        g(x, y) = 1 / (2π σ²) exp(-(x² + y²) / (2σ²)) exp(2πi f (x cos θ + y sin θ)),

    with σ set by a bandwidth of one octave (σ ≈ 0.56 / f), the Gaussian cut at 3σ. A kernel wider than
    2 side - 1 is cut to that: farther from its centre, it never meets the face in a "same" convolution, so
    the cut changes nothing.

    Returns
    -------
    tuple of ndarray, each of complex64, shape (n_orientations, K_k, K_k)
        The kernels of frequency k, centred and zero-padded to a common odd side K_k.
    """
    bank = []
    for k in range(n_frequencies):
        kernels = [gabor_kernel(finest * 2.0 ** -k / side, theta=np.pi * j / n_orientations)
                   for j in range(n_orientations)]
        half = min(max(kernel.shape[0] for kernel in kernels) // 2, side - 1)
        stack = np.zeros((n_orientations, 2 * half + 1, 2 * half + 1), dtype=np.complex64)
        for j, kernel in enumerate(kernels):
            r, c = (min(n // 2, half) for n in kernel.shape)  # half-sides of the part kept
            centre_r, centre_c = kernel.shape[0] // 2, kernel.shape[1] // 2
            stack[j, half - r:half + r + 1, half - c:half + c + 1] = \
                kernel[centre_r - r:centre_r + r + 1, centre_c - c:centre_c + c + 1]
        bank.append(stack)
    return tuple(bank)


def gabor_magnitudes(faces, n_frequencies=5, n_orientations=6, grid=8):
    """The magnitudes of a Gabor filter bank's responses, averaged over a grid of cells (Lyons et al. 1998).

    Lyons et al. code a face by Gabor filters at five spatial frequencies an octave apart and six
    orientations, the model of the receptive fields of the visual cortex (Daugman 1985); the
    amplitude |(I * g)(x, y)| of the complex response (the energy of a quadrature pair: the even, cosine
    part and the odd, sine part) changes little when an edge moves by less than a wavelength, which makes
    the code tolerant to small misalignments. Where they sample it at the nodes of a grid placed on the
    face by hand, here it is averaged over the cells of a `grid` x `grid` layout of the aligned face:

        G_{k,j}(x, y) = | (I - mean I) * g_{f_k, θ_j} |(x, y),
        v_{k,j,c} = mean of G_{k,j} over the pixels of cell c.

    The filters are those of `gabor_bank`. Each face's mean grey is subtracted first, so that the zeros
    the FFT convolution pads the face with stand for its mean grey, not black (a weaker false edge at
    the border). The convolutions are products of Fourier transforms (``scipy.signal.fftconvolve``), a
    chunk of faces and a frequency's kernels at a time, each face's transform shared by the kernels.

    Parameters
    ----------
    faces : ndarray, shape (n, H, W) or (H, W)
        Grey faces in [0, 1]; all the same size.
    n_frequencies, n_orientations : int
        Size of the bank (Lyons et al.: 5 and 6).
    grid : int
        The magnitudes are averaged over `grid` x `grid` cells (`cell_index`).

    Returns
    -------
    ndarray of float32, shape (n, n_frequencies * n_orientations * grid * grid), or without n for one face
        Element ``((k * n_orientations + j) * grid + r) * grid + c`` is the mean magnitude of frequency k,
        orientation j, over the cell in row r and column c of the grid: 5 x 6 x 8 x 8 = 1,920 values for
        the defaults.

    Raises
    ------
    ValueError
        If the faces have fewer pixels a side than the grid has cells, or fewer than 3 * 16 = 48, below
        which the finest filter's wavelength (side / 16) would be under 3 pixels, too near the Nyquist
        limit of 2 to mean anything.

    References
    ----------
    Daugman, J. G. (1985). Uncertainty relation for resolution in space, spatial frequency, and orientation
        optimized by two-dimensional visual cortical filters. JOSA A 2(7), 1160-1169.
    """
    faces = np.asarray(faces, dtype=np.float32)
    if faces.ndim == 2:
        return gabor_magnitudes(faces[None], n_frequencies, n_orientations, grid)[0]
    _check_fits("gabor", faces.shape, grid, f"its {grid}x{grid} grid of cells")
    _check_fits("gabor", faces.shape, 3 * GABOR_FINEST,
                f"{3 * GABOR_FINEST}x{3 * GABOR_FINEST}, where its finest filter ({GABOR_FINEST} cycles "
                f"across the face) has 3 pixels a cycle")
    n, height, width = faces.shape
    bank = gabor_bank(max(height, width), n_frequencies, n_orientations)  # the cut stays exact
    cells = cell_index((height, width), grid).ravel()
    pool = (cells[:, None] == np.arange(grid * grid)) / np.bincount(cells).astype(np.float32)  # (H W, cells)
    features = np.empty((n, n_frequencies, n_orientations, grid * grid), dtype=np.float32)
    for start in range(0, n, GABOR_CHUNK):
        chunk = faces[start:start + GABOR_CHUNK]
        chunk = (chunk - chunk.mean(axis=(1, 2), keepdims=True))[:, None]  # (m, 1, H, W)
        for k, kernels in enumerate(bank):
            # "same" is the centred (H, W) of "full"; fftconvolve's own "same" would also cut the
            # orientation axis that the six kernels broadcast the faces to, down to the faces' 1
            c = kernels.shape[-1] // 2
            full = fftconvolve(chunk, kernels[None], mode="full", axes=(2, 3))  # (m, 6, H + 2c, W + 2c)
            G = np.abs(full[..., c:c + height, c:c + width])  # (m, 6, H, W)
            features[start:start + GABOR_CHUNK, k] = G.reshape(len(chunk), n_orientations, -1) @ pool
    return features.reshape(n, -1)
