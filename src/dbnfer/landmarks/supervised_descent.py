"""Eyes, nose and mouth inside a detected face by supervised descent (Xiong & De la Torre, CVPR 2013).

The face frame. The detector's box (`dbnfer.detect.detect_faces`) is cut out and resampled to an S x S grey
image, the frame. A shape x holds the L = 4 landmarks (left eye, right eye, nose, mouth centre; left as seen
in the image) in units of the box, (0, 0) at its top-left corner and (1, 1) at its bottom-right, so the same
numbers describe a face whatever its size in the photo. With the points of a shape written as complex numbers
z = x + iy, the similarity transform z -> a z + t that carries the mean shape x̄ closest to x (least squares)
has

    a = Σ_j conj(x̄_j - mean(x̄)) (x_j - mean(x)) / Σ_j |x̄_j - mean(x̄)|²,     t = mean(x) - a mean(x̄):

|a| is the size of the shape against the mean and arg a its tilt.

The features (SDM sec. 4: SIFT at each landmark; Lowe 2004). φ = h(d(x)) concatenates, for each landmark, a
histogram of gradient orientations over a c x c grid of square cells of s pixels centred on it. The grid is
laid out at the size and tilt of the current shape, a times a grid of frame pixels, and the frame is sampled
on it (bilinear), so that a face drawn larger or turned in the photo gives the same features once its shape
is found. In each cell every pixel votes its gradient magnitude into its two nearest of B orientation bins
over [0, π) (Dalal & Triggs 2005). Each landmark's vector is normalised, clipped at 0.2 and normalised again
(Lowe's normalisation), which makes it blind to the face's contrast.

The descent (SDM sec. 3). Finding the landmarks is minimising, over x,

    f(x) = || h(d(x)) - φ* ||²

where φ* = h(d(x*)) are the features at the true landmarks x*. One Newton step from a start x_0 would be

    Δx = -2 H⁻¹ J_hᵀ (φ_0 - φ*) = R_0 φ_0 + b_0,

linear in the features φ_0 = h(d(x_0)); but φ* is unknown in a new face and h has no derivative (a histogram
of pixels), so SDM learns R_0 and b_0 from faces whose landmarks are marked, and then a sequence of them:

    x_k = x_{k-1} + a_{k-1} (R_{k-1} φ_{k-1} + b_{k-1}),       k = 1..K,

where the update is predicted in the frame of the current shape and turned and scaled back into the box by
its a_{k-1} (as the features are measured in that frame). Stage k is fitted by least squares to the
displacement that remains on training faces i, each started at several x_0 (Xiong's Monte Carlo sampling of
the starts) and moved by the stages before it,

    R_k, b_k = argmin_{R, b}  Σ_i || (x*_i - x_k^i) / a_k^i - R φ_k^i - b ||²  +  λ n ||R||²,

here with a ridge term (ours: the features outnumber what a few thousand faces pin down), solved in closed
form from the normal equations (ΦᵀΦ + λ n I) R = ΦᵀΔ on centred Φ and Δ (`ridge`). The first stages learn
the big, coarse moves with wide cells, the last ones the fine moves with narrow cells.

The start. x_0 is the mean shape x̄ of the training faces inside their detector boxes: what "the eyes are
where they usually are in the box" predicts. The training starts are x̄ and x̄ moved by random similarity
transforms (shift, scale, tilt) drawn with the spread of the training faces' true shapes about x̄; the training
faces come as they are, mirrored, and turned by random angles.

The confidence. SDM minimises f, which needs φ*. The mean φ̄* of the training faces' features at their true
landmarks stands in for it: r = || φ_K - φ̄* || measures how little the end point looks like eyes, nose and
mouth. The confidence is the fraction of training faces whose own end point had a larger r (1: better than
all of them, 0: worse), a rank that does not depend on the units of r.

References
----------
Xiong, X. & De la Torre, F. (2013). Supervised descent method and its applications to face alignment. CVPR.
Lowe, D. G. (2004). Distinctive image features from scale-invariant keypoints. IJCV 60(2).
Dalal, N. & Triggs, B. (2005). Histograms of oriented gradients for human detection. CVPR.
"""

from typing import NamedTuple

import numpy as np
from scipy.linalg import solve
from scipy.ndimage import map_coordinates
from skimage.transform import rotate

from dbnfer.images import as_grey
from dbnfer.persist import Saveable
from dbnfer.preprocess import cut_out, resize_square
from dbnfer.progress import Progress

POINTS = ("left_eye", "right_eye", "nose", "mouth")
MIRRORED = [1, 0, 2, 3]  # in a mirrored face the left eye is the right one
MIN_FACE = 12  # pixels: a box smaller than this is too small to see eyes in (see `EyeLocaliser.locate`)
SIFT_CLIP = 0.2  # Lowe (2004), sec. 6.1
CHUNK = 2048  # shapes whose patches are sampled at once (bounds the memory of `descriptors`)


class Landmarks(NamedTuple):
    """The landmarks of one face, in image pixels (x = column, y = row).

    Attributes
    ----------
    left_eye, right_eye, nose, mouth : tuple of float
        (x, y) of the eye centres, the nose tip and the mouth centre; left and right as seen in the image.
    confidence : float
        In [0, 1]: the fraction of training faces the fit looked worse than; 0 when the box was too small
        to search, in which case the points are the mean positions in the box.
    """

    left_eye: tuple
    right_eye: tuple
    nose: tuple
    mouth: tuple
    confidence: float


def face_frame(image, box, size):
    """The box of a grey image resampled to `size` x `size` pixels (edge pixels repeated past the border).

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey image in [0, 1].
    box : tuple of int
        (row, col, height, width), as `detect_faces` returns it.
    size : int
        S, the side of the frame.

    Returns
    -------
    ndarray of float32, shape (size, size)
    """
    return resize_square(cut_out(image, box), size).astype(np.float32)


def to_box_units(points, box):
    """Image (x, y) pixels -> units of the box: 0 at its top-left pixel's outer corner, 1 at the opposite one.

    Parameters
    ----------
    points : array_like, shape (..., L, 2)
    box : array_like, shape (..., 4)
        (row, col, height, width), broadcast against `points`' leading axes.

    Returns
    -------
    ndarray, shape (..., L, 2)
    """
    box = np.asarray(box, dtype=np.float64)[..., None, :]
    corner, extent = box[..., [1, 0]] - 0.5, box[..., [3, 2]]  # pixel centres sit at integers
    return (np.asarray(points, dtype=np.float64) - corner) / extent


def from_box_units(shape, box):
    """The inverse of `to_box_units`."""
    box = np.asarray(box, dtype=np.float64)[..., None, :]
    return np.asarray(shape) * box[..., [3, 2]] + box[..., [1, 0]] - 0.5


def as_complex(shapes):
    """(..., L, 2) points -> (..., L) complex numbers x + iy."""
    return shapes[..., 0] + 1j * shapes[..., 1]


def as_points(z):
    """(..., L) complex numbers -> (..., L, 2) points: the inverse of `as_complex`."""
    return np.stack([z.real, z.imag], axis=-1)


def fit_similarity(mean_shape, shapes):
    """a and t of the similarity z -> a z + t that carries `mean_shape` closest to each of `shapes`.

    Parameters
    ----------
    mean_shape : ndarray, shape (L, 2)
    shapes : ndarray, shape (n, L, 2)

    Returns
    -------
    a, t : ndarray of complex, shape (n,)
        |a| is the scale, arg a the rotation (radians, clockwise on the screen, whose y axis points down).
    """
    m, z = as_complex(mean_shape), as_complex(shapes)
    mc, zc = m - m.mean(), z - z.mean(axis=-1, keepdims=True)
    a = zc @ mc.conj() / np.vdot(mc, mc).real
    return a, z.mean(axis=-1) - a * m.mean()


def descriptors(frames, shapes, a, n_cells, cell_size, n_orientations, frame_of=None):
    """φ = h(d(x)): orientation histograms of a c x c grid of cells round every landmark, at the shape's size
    and tilt `a`, SIFT-normalised.

    Parameters
    ----------
    frames : ndarray, shape (n_frames, S, S)
        Faces resampled by `face_frame`.
    shapes : ndarray, shape (n, L, 2)
        Landmarks in box units.
    a : ndarray of complex, shape (n,)
        Each shape's scale and rotation against the mean shape (`fit_similarity`); 1 lays the grids out
        along the frame's rows and columns, with cells of `cell_size` frame pixels.
    n_cells : int
        c, cells per side of the grid.
    cell_size : int
        s, pixels per side of a cell.
    n_orientations : int
        B: bins over the unsigned orientations [0, π) (a dark eye on light skin and a light one on dark skin
        vote alike).
    frame_of : ndarray of int, shape (n,), optional
        The frame each shape lies in (several starts share a training face); by default shape i in frame i.

    Returns
    -------
    ndarray of float32, shape (n, L * c * c * B)
    """
    frame_of = np.arange(len(shapes)) if frame_of is None else frame_of
    return np.concatenate([_descriptors(frames, shapes[i:i + CHUNK], a[i:i + CHUNK], n_cells, cell_size,
                                        n_orientations, frame_of[i:i + CHUNK])
                           for i in range(0, len(shapes), CHUNK)])


def _descriptors(frames, shapes, a, n_cells, cell_size, n_orientations, frame_of):
    n, L, _ = shapes.shape
    S = frames.shape[1]
    side = n_cells * cell_size
    offset = np.arange(side + 2) - (side + 1) / 2  # pixel centres of the grid, and a rim for the gradient
    grid = offset[None, :] + 1j * offset[:, None]  # (side + 2, side + 2), frame pixels of the mean shape
    z = as_complex(shapes)[:, :, None, None] + a[:, None, None, None] * grid / S  # (n, L, P, P), box units
    face = np.broadcast_to(frame_of[:, None, None, None], z.shape)
    patch = map_coordinates(frames, [face, z.imag * S - 0.5, z.real * S - 0.5], order=1, mode="nearest")
    gx = (patch[..., 1:-1, 2:] - patch[..., 1:-1, :-2]) / 2  # [-1, 0, 1] (Dalal & Triggs 2005, sec. 6.2)
    gy = (patch[..., 2:, 1:-1] - patch[..., :-2, 1:-1]) / 2  # (n, L, side, side), along the grid's axes
    magnitude = np.hypot(gx, gy)
    position = np.arctan2(gy, gx) % np.pi * (n_orientations / np.pi) - 0.5  # in bins, bin centres at integers
    low = np.floor(position)
    upper_share = position - low  # linear vote split between the two nearest bins
    low = low.astype(int)[..., None] % n_orientations
    votes = np.zeros(magnitude.shape + (n_orientations,), dtype=np.float32)
    # each pixel votes into two different bins, so setting (not adding) each share is enough
    np.put_along_axis(votes, low, (magnitude * (1 - upper_share))[..., None], axis=-1)
    np.put_along_axis(votes, (low + 1) % n_orientations, (magnitude * upper_share)[..., None], axis=-1)
    cells = votes.reshape(n, L, n_cells, cell_size, n_cells, cell_size, n_orientations).sum(axis=(3, 5))
    phi = _unit(np.minimum(_unit(cells.reshape(n, L, -1)), SIFT_CLIP))  # Lowe (2004), sec. 6.1
    return phi.reshape(n, -1)


def _unit(v, eps=1e-6):
    """`v` scaled to unit length along its last axis (a flat patch stays near 0)."""
    return v / np.sqrt(np.square(v).sum(axis=-1, keepdims=True) + eps ** 2)


def ridge(Phi, Delta, lam):
    """R, b minimising Σ_i ||Δ_i - R φ_i - b||² + λ n ||R||², the bias unpenalised.

    Parameters
    ----------
    Phi : ndarray, shape (n, F)
        Features, one row per sample.
    Delta : ndarray, shape (n, D)
        The displacements to predict.
    lam : float
        λ, per sample, so that it means the same whatever n.

    Returns
    -------
    R : ndarray, shape (F, D)
    b : ndarray, shape (D,)
        The prediction is ``Phi @ R + b``.
    """
    Phi = Phi.astype(np.float64)
    mean_phi, mean_delta = Phi.mean(axis=0), Delta.mean(axis=0)
    Phi_c = Phi - mean_phi
    gram = Phi_c.T @ Phi_c + lam * len(Phi) * np.eye(Phi.shape[1])  # ΦᵀΦ + λ n I
    R = solve(gram, Phi_c.T @ (Delta - mean_delta), assume_a="pos")
    return R, mean_delta - mean_phi @ R


def perturbed_starts(mean_shape, spread, n, rng):
    """`n` copies of `mean_shape` moved by random similarity transforms (Xiong's sampled starts x_0).

    Parameters
    ----------
    mean_shape : ndarray, shape (L, 2)
    spread : ndarray, shape (4,)
        Standard deviations of log scale, rotation (radians), x and y shift (box units) (`similarity_spread`).
    n : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, L, 2)
    """
    log_scale, angle, tx, ty = (rng.normal(0.0, s, size=(n, 1)) for s in spread)
    m = as_complex(mean_shape)
    return as_points(np.exp(log_scale + 1j * angle) * (m - m.mean()) + m.mean() + tx + 1j * ty)


def similarity_spread(shapes, mean_shape):
    """Standard deviations of log scale, rotation, x and y shift of the similarities from `mean_shape` to
    `shapes` (`fit_similarity`), the shift that of the centroid."""
    a, _ = fit_similarity(mean_shape, shapes)
    shift = as_complex(shapes).mean(axis=-1) - as_complex(mean_shape).mean()
    return np.array([np.log(np.abs(a)).std(), np.angle(a).std(), shift.real.std(), shift.imag.std()])


class EyeLocaliser(Saveable):
    """Supervised descent from the mean landmark positions in a detector box to the eyes, nose and mouth.

    Parameters
    ----------
    frame_size : int
        S: the box is resampled to S x S pixels.
    n_cells : int
        c: each landmark's descriptor has c x c cells.
    cell_sizes : tuple of int
        s for each stage, in frame pixels (at the mean shape's size); its length is the number of stages K.
    n_orientations : int
        B, orientation bins.
    lam : float
        λ, the ridge penalty per sample.
    n_starts : int
        Starts x_0 per training face: the mean shape and n_starts - 1 perturbed copies.
    mirror : bool
        Also train on every face mirrored left to right.
    rotation : float
        Also train on every (mirrored) face turned by an angle drawn with this standard deviation (degrees);
        0 for none. The start is upright, so the first stage has to learn what a tilted head looks like.
    random_state : int or numpy.random.Generator, optional
        Draws the perturbed starts and the turns.
    verbose : bool
        Show the training progress per stage.

    Attributes
    ----------
    mean_shape_ : ndarray, shape (L, 2)
        x̄, the start, in box units.
    R_ : ndarray, shape (K, F, 2L)
    b_ : ndarray, shape (K, 2L)
        The learned descent maps, in the frame of the current shape.
    phi_star_ : ndarray, shape (F,)
        φ̄*, the mean features at the true landmarks of the training faces, with the last stage's cells.
    residual_quantiles_ : ndarray, shape (101,)
        Percentiles of r = ||φ_K - φ̄*|| over the training faces, for the confidence.
    """

    kind = "eye_localiser"

    def __init__(self, frame_size=80, n_cells=4, cell_sizes=(8, 6, 5, 4), n_orientations=8, lam=1e-2,
                 n_starts=6, mirror=True, rotation=15.0, random_state=None, verbose=False):
        if not cell_sizes:
            raise ValueError("cell_sizes must name one cell size per stage, at least one")
        self._keep_settings(locals())  # self.<name> = <name> for every argument
        self.cell_sizes = tuple(int(s) for s in cell_sizes)

    # ---- training -----------------------------------------------------------------------------

    def fit(self, images, boxes, points):
        """Learn the stages from faces whose landmarks are marked.

        Parameters
        ----------
        images : iterable of ndarray
            Grey images in [0, 1], one per face (the same photo may come several times); read once, in turn.
        boxes : array_like, shape (n, 4)
            Each face's detector box (row, col, height, width).
        points : array_like, shape (n, L, 2)
            Each face's true landmarks, image (x, y) pixels, in the order of `POINTS`.

        Returns
        -------
        self
        """
        rng = np.random.default_rng(self.random_state)
        frames = np.stack([face_frame(image, box, self.frame_size) for image, box in zip(images, boxes)])
        true = to_box_units(points, boxes)  # x*, (n, L, 2)
        if self.mirror:
            frames = np.concatenate([frames, frames[:, :, ::-1]])
            true = np.concatenate([true, _mirror(true)])
        self.mean_shape_ = true.mean(axis=0)
        spread = similarity_spread(true, self.mean_shape_)
        if self.rotation:
            angles = rng.normal(0.0, self.rotation, len(frames))
            turned = [rotate(frame, angle, mode="edge") for frame, angle in zip(frames, angles)]
            frames = np.concatenate([frames, np.stack(turned).astype(np.float32)])
            true = np.concatenate([true, _rotate(true, angles)])
        n = len(frames)
        starts = perturbed_starts(self.mean_shape_, spread, n * (self.n_starts - 1), rng)
        x = np.concatenate([np.broadcast_to(self.mean_shape_, true.shape), starts])  # x_0 of every sample
        frame_of = np.concatenate([np.arange(n), np.repeat(np.arange(n), self.n_starts - 1)])
        R, b = [], []
        with Progress(len(self.cell_sizes), "stage", self.verbose) as progress:
            for s in self.cell_sizes:
                a, _ = fit_similarity(self.mean_shape_, x)
                phi = descriptors(frames, x, a, self.n_cells, s, self.n_orientations, frame_of)  # φ_k
                delta = as_points((as_complex(true[frame_of]) - as_complex(x)) / a[:, None])  # (x* - x_k) / a_k
                R_k, b_k = ridge(phi, delta.reshape(len(x), -1), self.lam)
                x = self._step(x, a, phi, R_k, b_k)
                R.append(R_k)
                b.append(b_k)
                progress.step(f"mean landmark error {_mean_error(x, true[frame_of]):.4f} of the box")
        self.R_, self.b_ = np.stack(R).astype(np.float32), np.stack(b).astype(np.float32)
        self.phi_star_ = self._features(frames, true).mean(axis=0)
        self.residual_quantiles_ = np.percentile(self._residuals(frames, x[:n]), np.arange(101))
        return self

    @staticmethod
    def _step(x, a, phi, R_k, b_k):
        """x_{k+1} = x_k + a_k (R_k φ_k + b_k), the update turned and scaled from the shape's frame."""
        update = as_complex((phi @ R_k + b_k).reshape(x.shape))
        return as_points(as_complex(x) + a[:, None] * update)

    # ---- locating -----------------------------------------------------------------------------

    def descend(self, frames):
        """Every x_k of the descent from x̄, k = 0..K (the last one is the answer).

        Parameters
        ----------
        frames : ndarray, shape (n, S, S)
            Faces resampled by `face_frame`.

        Returns
        -------
        ndarray, shape (K + 1, n, L, 2)
            The shapes in box units.
        """
        x = np.broadcast_to(self.mean_shape_, (len(frames),) + self.mean_shape_.shape)
        path = [x]
        for s, R_k, b_k in zip(self.cell_sizes, self.R_, self.b_):
            a, _ = fit_similarity(self.mean_shape_, x)
            x = self._step(x, a, descriptors(frames, x, a, self.n_cells, s, self.n_orientations), R_k, b_k)
            path.append(x)
        return np.stack(path)

    def confidence(self, frames, shapes):
        """The fraction of training faces whose end point lay farther from φ̄* than `shapes` do, in [0, 1]."""
        r = self._residuals(frames, shapes)
        return 1.0 - np.interp(r, self.residual_quantiles_, np.linspace(0.0, 1.0, 101))

    def _features(self, frames, shapes):
        """φ(x) with the last stage's cells."""
        a, _ = fit_similarity(self.mean_shape_, shapes)
        return descriptors(frames, shapes, a, self.n_cells, self.cell_sizes[-1], self.n_orientations)

    def _residuals(self, frames, shapes):
        """r = ||φ(x) - φ̄*||."""
        return np.linalg.norm(self._features(frames, shapes) - self.phi_star_, axis=1)

    def locate(self, image, boxes):
        """The landmarks of the faces in `boxes`.

        Parameters
        ----------
        image : ndarray, shape (H, W) or (H, W, 3|4)
            Grey or colour image, any dtype `dbnfer.images.as_grey` reads.
        boxes : array_like, shape (n, 4) or (4,)
            (row, col, height, width) of each face, as `detect_faces` returns them.

        Returns
        -------
        list of Landmarks
            One per box. A box smaller than `MIN_FACE` pixels is not searched: it gets the mean positions
            with confidence 0.

        Raises
        ------
        ValueError
            If a box has no positive size or lies wholly outside the image.
        """
        grey = as_grey(image)
        boxes = _check_boxes(boxes, grey.shape)
        searched = np.minimum(boxes[:, 2], boxes[:, 3]) >= MIN_FACE
        shapes = np.broadcast_to(self.mean_shape_, (len(boxes),) + self.mean_shape_.shape).copy()
        confidence = np.zeros(len(boxes))
        if searched.any():
            frames = np.stack([face_frame(grey, box, self.frame_size) for box in boxes[searched]])
            shapes[searched] = self.descend(frames)[-1]
            confidence[searched] = self.confidence(frames, shapes[searched])
        points = from_box_units(shapes, boxes)
        return [Landmarks(*(tuple(float(v) for v in point) for point in face), float(c))
                for face, c in zip(points, confidence)]

    # ---- persistence --------------------------------------------------------------------------

    def state(self):
        """The learned arrays and the settings (see `dbnfer.persist.Saveable`)."""
        arrays = {"mean_shape": self.mean_shape_, "R": self.R_, "b": self.b_, "phi_star": self.phi_star_,
                  "residual_quantiles": self.residual_quantiles_}
        return arrays, self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a trained localiser from `state`'s output."""
        localiser = cls(**settings)
        localiser.mean_shape_, localiser.R_, localiser.b_ = arrays["mean_shape"], arrays["R"], arrays["b"]
        localiser.phi_star_, localiser.residual_quantiles_ = arrays["phi_star"], arrays["residual_quantiles"]
        return localiser


def _mirror(shapes):
    """Shapes of the mirrored faces, in box units: x -> 1 - x and left and right swapped."""
    mirrored = shapes[:, MIRRORED].copy()
    mirrored[..., 0] = 1.0 - mirrored[..., 0]
    return mirrored


def _rotate(shapes, angles):
    """Shapes in box units turned about the box centre as `skimage.transform.rotate` turns the frame by
    `angles` degrees (counter-clockwise on the screen, whose y axis points down)."""
    turn = np.exp(-1j * np.deg2rad(angles))[:, None]
    return as_points(turn * (as_complex(shapes) - (0.5 + 0.5j)) + (0.5 + 0.5j))


def _mean_error(x, true):
    """Mean distance between estimated and true landmarks, in box units."""
    return float(np.linalg.norm(x - true, axis=-1).mean())


def _check_boxes(boxes, shape):
    """`boxes` as an (n, 4) int array, each with a positive size and overlapping an image of `shape`."""
    boxes = np.asarray(boxes)
    if boxes.ndim == 1:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must be (row, col, height, width) rows, got shape {boxes.shape}")
    boxes = np.rint(boxes).astype(int)
    row, col, height, width = boxes.T
    if np.any((height <= 0) | (width <= 0)):
        raise ValueError("every box needs a positive height and width")
    outside = (row >= shape[0]) | (col >= shape[1]) | (row + height <= 0) | (col + width <= 0)
    if outside.any():
        raise ValueError(f"box {tuple(boxes[outside][0])} lies outside the {shape[1]}x{shape[0]} image")
    return boxes
