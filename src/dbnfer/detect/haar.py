"""Haar-like rectangle features computed from integral images.

Viola & Jones (IJCV 2004), sec. 2: a feature is a weighted sum of pixel sums over two, three or four adjacent
rectangles inside the detection window. The five types are scikit-image's (`skimage.feature.haar_like_feature_coord`):

    type-2-x  [- +]        type-2-y  [-]         type-3-x  [- + -]     type-3-y  [-]     type-4  [- +]
                                     [+]                                         [+]             [+ -]
                                                                                 [-]

with the signs scikit-image uses (rectangle k gets sign (-1)^(k+1)). Every rectangle sum costs four look-ups in
the integral image (VJ eq. 1-2)

    P[r, c] = sum_{r' < r, c' < c} x[r', c']          (padded: P has a leading row and column of zeros)
    sum over rows r0..r1, cols c0..c1 = P[r1+1, c1+1] - P[r0, c1+1] - P[r1+1, c0] + P[r0, c0]

Adjacent rectangles share corners, so a feature is at most nine corners of P with integer weights ("corner
form"): f(x) = sum_k w_k P[r + dr_k, c + dc_k] for a window whose top-left pixel is (r, c). Both training
(one row per sample) and detection (all windows of an image at once) evaluate features in this form. Written
out pixel by pixel, the same feature is a mask, f(x) = sum_ij m_ij x_ij with m = +-1 on its rectangles
(`HaarFeatures.pixel_weights`), the form the fast scan uses once few windows are left (`_fast_scan`).

Variance normalisation (VJ sec. 5.6): windows are compared after (x - mu) / sigma. Because P of a constant
image is mu * r * c, a feature of the normalised window is

    f_norm = (f(x) - mu * a) / sigma,      a = sum_k w_k dr_k dc_k

(a is zero for the two- and four-rectangle features and minus one rectangle's area for the three-rectangle ones).
A scan needs mu and sigma of every window, and takes them from two integral images, of x and of x^2
(`window_moments`): with S_P and S_Q a window's box sums in them and n = h w its pixels,

    mu = S_P / n,      sigma^2 = S_Q / n - mu^2.
"""

import numpy as np
from scipy import sparse
from skimage.feature import haar_like_feature_coord

FEATURE_TYPES = ("type-2-x", "type-2-y", "type-3-x", "type-3-y", "type-4")

N_CORNERS = 9  # the most corners a feature has (type-4: a 3x3 grid)


def integral_images(windows):
    """Padded integral images of a stack of windows.

    Parameters
    ----------
    windows : ndarray, shape (n, h, w) or (h, w)
        Grey images.

    Returns
    -------
    P : ndarray of float64, shape (n, h + 1, w + 1) or (h + 1, w + 1)
        ``P[..., r, c]`` is the sum of ``windows[..., :r, :c]``; row 0 and column 0 are zeros, so
        ``P[..., 1:, 1:]`` equals `skimage.transform.integral_image` of each window.
    """
    x = np.asarray(windows, dtype=np.float64)
    P = np.zeros(x.shape[:-2] + (x.shape[-2] + 1, x.shape[-1] + 1))
    np.cumsum(x, axis=-2, out=P[..., 1:, 1:])  # VJ eq. 2, as two running sums, written in place
    np.cumsum(P[..., 1:, 1:], axis=-1, out=P[..., 1:, 1:])
    return P


def normalise_windows(windows, min_std=1e-3):
    """Scale every window to zero mean and unit standard deviation (VJ sec. 5.6).

    Parameters
    ----------
    windows : ndarray, shape (n, h, w)
        Grey windows.
    min_std : float
        Floor on the standard deviation, so that flat windows do not blow up.

    Returns
    -------
    ndarray of float64, shape (n, h, w)
    """
    x = np.asarray(windows, dtype=np.float64)
    mu = x.mean(axis=(1, 2), keepdims=True)
    sigma = np.maximum(x.std(axis=(1, 2), keepdims=True), min_std)
    return (x - mu) / sigma


def window_moments(P, Q, window_shape, step=1, min_std=1e-3, unit=1):
    """Mean and standard deviation of every window of an image, from the integral images of x and x^2 (VJ sec. 5.6).

    mu = S_P / n and sigma^2 = S_Q / n - mu^2, with S_I the sum of a window's n = h w pixels in I, from the four
    corners of the window (VJ eq. 1).

    Parameters
    ----------
    P : ndarray, shape (H + 1, W + 1)
        Padded integral image of the image (`integral_images`), in units of 1 / `unit` of the grey scale.
    Q : ndarray, shape (H + 1, W + 1)
        Padded integral image of the squared image, in units of the grey scale.
    window_shape : tuple of int
        (h, w).
    step : int
        Distance in pixels between neighbouring windows.
    min_std : float
        Floor on sigma, as in `normalise_windows`.
    unit : int
        Fixed-point unit of P (1 for an ordinary integral image). An integer P may wrap round: its box sums are
        still exact (`dbnfer.detect._fast_scan`).

    Returns
    -------
    mu, sigma : ndarray of float64, shape (n_rows, n_cols)
        Of the window whose top-left pixel is (i * step, j * step), with n_rows = (H - h) // step + 1 and
        n_cols = (W - w) // step + 1.
    """
    h, w = window_shape
    n_rows, n_cols = (max(0, (n - k) // step + 1) for n, k in zip(np.shape(P), (h + 1, w + 1)))
    rows, cols = slice(0, n_rows * step, step), slice(0, n_cols * step, step)
    below, right = slice(h, h + n_rows * step, step), slice(w, w + n_cols * step, step)

    def box_sums(I):  # VJ eq. 1, for every window at once
        return I[below, right] - I[rows, right] - I[below, cols] + I[rows, cols]

    mu = box_sums(P) / (h * w * unit)
    sigma = np.sqrt(np.maximum(box_sums(Q) / (h * w) - mu ** 2, 0.0))
    return mu, np.maximum(sigma, min_std)


class HaarFeatures:
    """A set of Haar-like features of one window size, in corner form.

    Parameters
    ----------
    corners : ndarray of int, shape (n_features, 9, 2)
        (row, col) offsets into the padded integral image, relative to the window's top-left pixel.
    weights : ndarray of float, shape (n_features, 9)
        Integer corner weights; unused corners have weight 0.
    window_shape : tuple of int
        (height, width) of the detection window.

    Attributes
    ----------
    area_weight : ndarray, shape (n_features,)
        ``a = sum_k w_k dr_k dc_k``, the feature's response to a constant image of value 1.
    """

    def __init__(self, corners, weights, window_shape):
        self.corners = np.asarray(corners, dtype=np.int16)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.window_shape = tuple(int(s) for s in window_shape)
        self.area_weight = np.sum(self.weights * self.corners[..., 0] * self.corners[..., 1], axis=1)

    def __len__(self):
        return len(self.weights)

    def __getitem__(self, index):
        """The features at `index` (an int array, a slice or a boolean mask) as a new set."""
        return HaarFeatures(self.corners[index], self.weights[index], self.window_shape)

    @classmethod
    def from_skimage(cls, window_shape, feature_type=None):
        """All features of the given types, in scikit-image's order.

        Parameters
        ----------
        window_shape : tuple of int
            (height, width) of the window.
        feature_type : str or sequence of str, optional
            Some of `FEATURE_TYPES`; all five by default.

        Returns
        -------
        HaarFeatures
        """
        height, width = window_shape
        types = FEATURE_TYPES if feature_type is None else np.atleast_1d(feature_type)
        corners, weights = zip(*(_corner_form(haar_like_feature_coord(width, height, t)[0]) for t in types))
        return cls(np.concatenate(corners), np.concatenate(weights), window_shape)

    def flat_offsets(self, row_stride):
        """Corner offsets into a flattened integral image whose rows are `row_stride` long.

        Returns
        -------
        ndarray of intp, shape (n_features, 9)
        """
        return self.corners[..., 0].astype(np.intp) * row_stride + self.corners[..., 1]

    def matrix(self, P):
        """Values of every feature on every window, from their integral images.

        Parameters
        ----------
        P : ndarray, shape (n, h + 1, w + 1)
            Padded integral images of the windows (`integral_images`), with (h, w) = `window_shape`.

        Returns
        -------
        ndarray of float32, shape (n, n_features)
        """
        n, rows, cols = P.shape
        if (rows - 1, cols - 1) != self.window_shape:
            raise ValueError(f"integral images are for {rows - 1}x{cols - 1} windows, "
                             f"features for {self.window_shape[0]}x{self.window_shape[1]}")
        # A sparse (corner, feature) matrix of weights turns all features into one product.
        feature_index = np.repeat(np.arange(len(self)), N_CORNERS)
        S = sparse.csc_matrix((self.weights.ravel(), (self.flat_offsets(cols).ravel(), feature_index)),
                              shape=(rows * cols, len(self)))
        return np.asarray((S.T @ P.reshape(n, rows * cols).T).T, dtype=np.float32)

    def values_at(self, P, row, col):
        """Values of every feature on windows at given top-left pixels of one image (no normalisation).

        Parameters
        ----------
        P : ndarray, shape (H + 1, W + 1)
            Padded integral image of the image.
        row, col : ndarray of int, shape (n_windows,)
            Top-left pixels of the windows.

        Returns
        -------
        ndarray of float64, shape (n_windows, n_features)
        """
        base = np.asarray(row, dtype=np.intp) * P.shape[1] + np.asarray(col, dtype=np.intp)
        corners = P.ravel()[base[:, None, None] + self.flat_offsets(P.shape[1])]  # (n_windows, n_features, 9)
        return np.einsum("wfk,fk->wf", corners, self.weights)  # f = sum_k w_k P[r + dr_k, c + dc_k]

    def pixel_weights(self):
        """The features as pixel masks: f(x) = sum_{i, j} M[i * width + j, feature] x[i, j].

        P[dr, dc] sums the pixels above and left of (dr, dc), so corner k adds its weight w_k to every pixel
        (i, j) with i < dr_k and j < dc_k; M is the corner form written out pixel by pixel.

        Returns
        -------
        M : ndarray of float64, shape (height * width, n_features)
            The sign of each rectangle (+1 or -1) on its pixels, 0 outside the feature.
        """
        height, width = self.window_shape
        above = np.arange(height) < self.corners[..., 0, None]  # (n_features, 9, height): i < dr_k
        left = np.arange(width) < self.corners[..., 1, None]  # (n_features, 9, width): j < dc_k
        M = np.einsum("fk,fki,fkj->ijf", self.weights, above.astype(np.float64), left.astype(np.float64))
        return M.reshape(height * width, len(self))


def _corner_form(feature_coord):
    """Turn scikit-image rectangle coordinates into (corners, weights), merging shared corners.

    Parameters
    ----------
    feature_coord : sequence of features, each a list of rectangles ``[(r0, c0), (r1, c1)]`` (inclusive)

    Returns
    -------
    corners : ndarray of int, shape (n_features, 9, 2)
    weights : ndarray of float, shape (n_features, 9)
    """
    rects = np.array([list(f) for f in feature_coord], dtype=np.intp)  # (n_features, n_rects, 2, 2)
    n_features, n_rects = rects.shape[:2]
    r0, c0 = rects[:, :, 0, 0], rects[:, :, 0, 1]
    r1, c1 = rects[:, :, 1, 0] + 1, rects[:, :, 1, 1] + 1
    sign = np.where(np.arange(n_rects) % 2 == 0, -1.0, 1.0)  # scikit-image: -, +, -, +
    # VJ eq. 1 for each rectangle: + P[r1, c1] - P[r0, c1] - P[r1, c0] + P[r0, c0]
    all_corners = np.stack([np.stack([r1, c1], -1), np.stack([r0, c1], -1),
                            np.stack([r1, c0], -1), np.stack([r0, c0], -1)], axis=2).reshape(n_features, -1, 2)
    all_weights = (sign[:, None] * np.array([1.0, -1.0, -1.0, 1.0])).ravel()
    # Merge shared corners of all features at once: one key per (feature, corner), summed weights, zeros dropped.
    stride = int(all_corners.max()) + 1
    key = (np.arange(n_features)[:, None] * stride + all_corners[..., 0]) * stride + all_corners[..., 1]
    unique_key, inverse = np.unique(key.ravel(), return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=np.tile(all_weights, n_features))
    unique_key, summed = unique_key[summed != 0], summed[summed != 0]
    feature, corner = np.divmod(unique_key, stride * stride)
    slot = np.arange(len(feature)) - np.searchsorted(feature, feature)  # rank of the corner within its feature
    corners = np.zeros((n_features, N_CORNERS, 2), dtype=np.intp)
    weights = np.zeros((n_features, N_CORNERS))
    corners[feature, slot] = np.stack(np.divmod(corner, stride), axis=-1)
    weights[feature, slot] = summed
    return corners, weights
