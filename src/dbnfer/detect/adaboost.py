"""Discrete AdaBoost over decision stumps, as in Viola & Jones (IJCV 2004), Table 1.

Given features f_j(x_i) of samples with labels y_i in {0, 1} (m negatives, l positives):

    1. w_{1,i} = 1 / (2m) for negatives, 1 / (2l) for positives
    2. for t = 1..T:
         normalise  w_{t,i} <- w_{t,i} / sum_k w_{t,k}
         choose the weak classifier with the least weighted error
             eps_t = min_{f, p, theta} sum_i w_i |h(x_i, f, p, theta) - y_i|,
             h(x, f, p, theta) = 1 if p f(x) < p theta else 0
         update    w_{t+1,i} = w_{t,i} beta_t^(1 - e_i),  beta_t = eps_t / (1 - eps_t)   (e_i = 0 if x_i is
                   classified correctly, 1 otherwise)
    3. strong classifier C(x) = 1 if sum_t alpha_t h_t(x) >= (1/2) sum_t alpha_t, alpha_t = log(1 / beta_t)

The stump search (VJ sec. 3.1) sorts each feature's values once; for a threshold between sorted positions j and
j + 1 the weighted error of polarity p = +1 (face below theta) is T+ - D_j and of p = -1 is T- + D_j, where
T+/T- are the total positive/negative weights and D_j = S+_j - S-_j is the running sum of the signed weights
(+w for a positive, -w for a negative) over the first j + 1 sorted samples. One cumulative sum per feature
therefore gives every threshold's error at once.

Freund & Schapire (1997), Theorem 6: the training error of the final classifier, under the initial weights, is at
most prod_t 2 sqrt(eps_t (1 - eps_t)).

Gentle AdaBoost (Friedman, Hastie & Tibshirani 2000, Algorithm 4; for face cascades Lienhart, Kuranov &
Pisarevsky 2003) fits each round a regression stump by weighted least squares to z_i = 2 y_i - 1 in {-1, +1}:

    f_t(x) = v_L if x_j < theta else v_R,   v = sum_side w_i z_i / sum_side w_i   (the weighted mean on each side)
    w_{t+1,i} = w_{t,i} exp(-z_i f_t(x_i)),   strong classifier sum_t f_t(x) >= 0

With D_j the running sum of w_i z_i and A_j that of w_i over the first j + 1 sorted samples (totals D, A), the
squared error of the split after position j is A - D_j^2 / A_j - (D - D_j)^2 / (A - A_j): again one cumulative
sum per feature. A regression stump is a discrete one (`stump_predict`, polarity towards the larger value) with
alpha = |v_L - v_R| plus a constant, the smaller value: `GentleAdaBoost.constants_`.
"""

import numpy as np

from dbnfer.progress import report


class SortedFeatures:
    """Feature values sorted once per feature, ready for repeated stump searches under changing weights.

    Parameters
    ----------
    F : ndarray, shape (n_samples, n_features)
        Feature values.
    chunk_size : int
        Features handled together in the search; bounds the temporary memory to
        ``chunk_size * n_samples`` floats.

    Attributes
    ----------
    order : ndarray of int32, shape (n_features, n_samples)
        ``order[j]`` sorts the samples by feature j.
    splittable : ndarray of bool, shape (n_features, n_samples)
        True where a threshold may sit after that sorted position: the next value is larger (ties cannot be
        split), and never after the last.
    """

    def __init__(self, F, chunk_size=1024):
        self.F = np.asarray(F, dtype=np.float32)
        self.chunk_size = chunk_size
        n_samples, n_features = self.F.shape
        self.order = np.empty((n_features, n_samples), dtype=np.int32)
        self.splittable = np.zeros((n_features, n_samples), dtype=bool)
        for start in range(0, n_features, chunk_size):  # chunks keep the float64 sort temporaries small
            block = self.F[:, start:start + chunk_size].T
            order = np.argsort(block, axis=1, kind="stable")
            sorted_values = np.take_along_axis(block, order, axis=1)
            self.order[start:start + chunk_size] = order
            self.splittable[start:start + chunk_size, :-1] = sorted_values[:, 1:] > sorted_values[:, :-1]

    def best_stump(self, w, y):
        """The stump with the least weighted error over all features (one sorted pass per feature).

        Parameters
        ----------
        w : ndarray, shape (n_samples,)
            Non-negative sample weights.
        y : ndarray of {0, 1}, shape (n_samples,)
            Labels, 1 for a face.

        Returns
        -------
        feature : int
            Column of the chosen feature.
        threshold : float
            theta, half-way between the two sorted values it separates.
        polarity : int
            p in {+1, -1}; the stump says "face" when ``p * f < p * theta``.
        error : float
            Its weighted error eps.
        """
        signed_w = np.where(y == 1, w, -w).astype(np.float64)
        total_pos, total_neg = w[y == 1].sum(), w[y == 0].sum()
        D_max, D_min = np.empty(len(self.order)), np.empty(len(self.order))
        for start in range(0, len(self.order), self.chunk_size):
            chunk = slice(start, start + self.chunk_size)
            D = signed_w[self.order[chunk]]  # (chunk, n_samples), signed weights in sorted order
            np.cumsum(D, axis=1, out=D)  # D_j = S+_j - S-_j
            D_max[chunk] = np.max(D, axis=1, where=self.splittable[chunk], initial=-np.inf)
            D_min[chunk] = np.min(D, axis=1, where=self.splittable[chunk], initial=np.inf)
        # The least error T+ - D_j (p = +1) needs the largest D_j, the least T- + D_j (p = -1) the smallest.
        error_pos, error_neg = total_pos - D_max, total_neg + D_min
        if error_pos.min() <= error_neg.min():
            feature, polarity, error = int(np.argmin(error_pos)), 1, float(error_pos.min())
        else:
            feature, polarity, error = int(np.argmin(error_neg)), -1, float(error_neg.min())
        # A threshold outside the range of values is the constant classifier, with error min(T+, T-).
        values = self.F[:, feature]
        if min(total_pos, total_neg) < error:
            threshold = values.min() - 1.0 if total_pos < total_neg else values.max() + 1.0  # all "non-face" / "face"
            return feature, float(threshold), 1, float(min(total_pos, total_neg))
        order = self.order[feature]
        D = np.where(self.splittable[feature], np.cumsum(signed_w[order]), np.nan)
        position = int(np.nanargmax(D) if polarity == 1 else np.nanargmin(D))
        threshold = 0.5 * (float(values[order[position]]) + float(values[order[position + 1]]))
        return feature, threshold, polarity, error

    def best_regression_stump(self, w, z):
        """The regression stump with the least weighted squared error over all features (Gentle AdaBoost).

        Parameters
        ----------
        w : ndarray, shape (n_samples,)
            Positive sample weights.
        z : ndarray of {-1, +1}, shape (n_samples,)
            Targets, +1 for a face.

        Returns
        -------
        feature : int
        threshold : float
            theta, half-way between the two sorted values it separates.
        values : tuple of float
            (v_L, v_R): the stump's output below and above theta.
        """
        signed_w = (w * z).astype(np.float64)
        signed_w32 = signed_w.astype(np.float32)  # the search in float32: twice as fast as float64
        total_D, total_A = signed_w.sum(), w.sum()
        best_gain, best = -np.inf, (0, np.inf, total_D / total_A, total_D / total_A)  # constant if nothing splits
        for start in range(0, len(self.order), self.chunk_size):
            chunk = slice(start, start + self.chunk_size)
            D = signed_w32[self.order[chunk]]  # (chunk, n_samples), w_i z_i in sorted order
            A = np.cumsum(np.abs(D), axis=1)  # A_j
            np.cumsum(D, axis=1, out=D)  # D_j
            right = total_D - D
            right *= right
            with np.errstate(divide="ignore", invalid="ignore"):  # A_j or A - A_j may be 0 (weightless samples)
                gain = np.square(D, out=D)
                gain /= A
                np.fmin(gain, A, out=gain)  # |D_j| <= A_j bounds the term by A_j; fmin also turns 0/0 into 0
                A = np.subtract(total_A, A, out=A)  # A - A_j, the weight right of the split
                np.maximum(A, 0.0, out=A)
                right /= A
                np.fmin(right, A, out=right)  # likewise; float32 rounding must not make a side of ~0 weight win
            gain += right  # D_j^2 / A_j + (D - D_j)^2 / (A - A_j) = A - squared error
            row_best = np.max(gain, axis=1, where=self.splittable[chunk], initial=-np.inf)
            k = int(np.argmax(row_best))
            if row_best[k] > best_gain:
                best_gain, feature = row_best[k], start + k
                order = self.order[feature]
                D_k, A_k = np.cumsum(signed_w[order]), np.cumsum(w[order])  # its values in float64
                j = int(np.nanargmax(np.where(self.splittable[feature], gain[k], np.nan)))
                values = self.F[order[j:j + 2], feature]
                best = (feature, 0.5 * (float(values[0]) + float(values[1])), _mean(D_k[j], A_k[j]),
                        _mean(total_D - D_k[j], total_A - A_k[j]))
        feature, threshold, v_left, v_right = best
        return int(feature), float(threshold), (float(v_left), float(v_right))


def _mean(weighted_sum, weight):
    """A side's output v = Σ w z / Σ w; 0 for a side without weight (no evidence either way)."""
    return weighted_sum / weight if weight > 0 else 0.0


def stump_predict(f, threshold, polarity):
    """VJ Table 1: h(x) = 1 if p f(x) < p theta, else 0.

    Parameters
    ----------
    f : ndarray
        Feature values.
    threshold : float or ndarray
    polarity : int or ndarray

    Returns
    -------
    ndarray of {0, 1}, same shape as `f`.
    """
    return (polarity * f < polarity * threshold).astype(np.int8)


class AdaBoost:
    """Discrete AdaBoost with decision stumps on precomputed feature values (VJ Table 1).

    Parameters
    ----------
    n_rounds : int
        T, the number of weak classifiers `fit` trains.
    verbose : bool
        Report every round.

    Attributes
    ----------
    features_ : ndarray of int, shape (T,)
        Column of the feature of each weak classifier.
    thresholds_, polarities_, alphas_, errors_ : ndarray, shape (T,)
        theta_t, p_t, alpha_t = log(1 / beta_t), eps_t.
    classes_ : ndarray, shape (2,)
        The two labels; ``classes_[1]`` is the positive ("face") class.
    """

    def __init__(self, n_rounds=50, verbose=False):
        self.n_rounds = n_rounds
        self.verbose = verbose

    def start(self, F, y):
        """Sort the features and set the initial weights; `add_round` then adds weak classifiers one by one.

        Parameters
        ----------
        F : ndarray, shape (n_samples, n_features)
            Feature values.
        y : ndarray, shape (n_samples,)
            Two distinct labels; the larger is the positive class.

        Returns
        -------
        self
        """
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"AdaBoost needs exactly two classes, got {len(self.classes_)}")
        self._y = (y == self.classes_[1]).astype(np.int8)
        self._sorted = SortedFeatures(F)
        n_pos, n_neg = self._y.sum(), len(y) - self._y.sum()
        self._w = np.where(self._y == 1, 1.0 / (2 * n_pos), 1.0 / (2 * n_neg))  # VJ Table 1, step 1
        self.features_ = np.zeros(0, dtype=int)
        self.thresholds_, self.polarities_ = np.zeros(0), np.zeros(0, dtype=int)
        self.alphas_, self.errors_ = np.zeros(0), np.zeros(0)
        return self

    def add_round(self):
        """One round of VJ Table 1 step 2: normalise, pick the best stump, reweight.

        Returns
        -------
        self
        """
        self._w /= self._w.sum()
        feature, threshold, polarity, eps = self._sorted.best_stump(self._w, self._y)
        eps = min(max(eps, 1e-10), 0.5 - 1e-10)  # a perfect stump would give beta = 0 and an infinite alpha
        beta = eps / (1.0 - eps)
        h = stump_predict(self._sorted.F[:, feature], threshold, polarity)
        e = (h != self._y)  # 0 if correct, 1 if wrong
        self._w = self._w * beta ** (1 - e)  # VJ Table 1: w_{t+1,i} = w_{t,i} beta_t^(1 - e_i)
        self.features_ = np.append(self.features_, feature)
        self.thresholds_ = np.append(self.thresholds_, threshold)
        self.polarities_ = np.append(self.polarities_, polarity)
        self.alphas_ = np.append(self.alphas_, np.log(1.0 / beta))
        self.errors_ = np.append(self.errors_, eps)
        report(f"  round {len(self.alphas_)}: feature {feature}, eps = {eps:.4f}", self.verbose)
        return self

    def fit(self, F, y):
        """Train `n_rounds` weak classifiers.

        Parameters
        ----------
        F : ndarray, shape (n_samples, n_features)
        y : ndarray, shape (n_samples,)

        Returns
        -------
        self
        """
        self.start(F, y)
        for _ in range(self.n_rounds):
            self.add_round()
        return self

    def decision_function(self, F):
        """sum_t alpha_t h_t(x) - (1/2) sum_t alpha_t: positive means "face" (VJ Table 1, step 3).

        Parameters
        ----------
        F : ndarray, shape (n_samples, n_features)
            The same feature columns as in `fit`.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        h = stump_predict(np.asarray(F)[:, self.features_], self.thresholds_, self.polarities_)
        return h @ self.alphas_ - 0.5 * self.alphas_.sum()

    def predict(self, F):
        """Labels from `classes_`: the positive class where the decision function is >= 0."""
        return self.classes_[(self.decision_function(F) >= 0).astype(int)]

    def score(self, F, y):
        """Accuracy of `predict` on (F, y)."""
        return float(np.mean(self.predict(F) == np.asarray(y)))

    def training_error_bound(self):
        """Freund & Schapire (1997), Th. 6: prod_t 2 sqrt(eps_t (1 - eps_t)) bounds the weighted training error."""
        return float(np.prod(2.0 * np.sqrt(self.errors_ * (1.0 - self.errors_))))


class GentleAdaBoost(AdaBoost):
    """Gentle AdaBoost with regression stumps (Friedman, Hastie & Tibshirani 2000, Algorithm 4), started from VJ's
    balanced weights; each stump is stored as a discrete one, alpha_t h_t(x) plus `constants_` (module docstring),
    so a cascade uses it unchanged.

    Attributes
    ----------
    features_, thresholds_, polarities_, alphas_ : ndarray, shape (T,)
        As in `AdaBoost`; alpha_t = |v_L - v_R|, the polarity pointing to the larger of the two values.
    constants_ : ndarray, shape (T,)
        The smaller value of each stump: f_t(x) = alpha_t h_t(x) + constant_t.
    errors_ : ndarray, shape (T,)
        The weighted squared error of each round (weights normalised to sum 1).
    """

    def start(self, F, y):
        super().start(F, y)
        self.constants_ = np.zeros(0)
        return self

    def add_round(self):
        """One round: normalise the weights, fit the best regression stump, reweight by exp(-z f(x))."""
        self._w /= self._w.sum()
        z = 2.0 * self._y - 1.0
        feature, threshold, (v_left, v_right) = self._sorted.best_regression_stump(self._w, z)
        f = np.where(self._sorted.F[:, feature] < threshold, v_left, v_right)
        error = float(np.sum(self._w * (z - f) ** 2))
        self._w = self._w * np.exp(-z * f)
        self.features_ = np.append(self.features_, feature)
        self.thresholds_ = np.append(self.thresholds_, threshold)
        self.polarities_ = np.append(self.polarities_, 1 if v_left >= v_right else -1)
        self.alphas_ = np.append(self.alphas_, abs(v_left - v_right))
        self.constants_ = np.append(self.constants_, min(v_left, v_right))
        self.errors_ = np.append(self.errors_, error)
        report(f"  round {len(self.alphas_)}: feature {feature}, squared error = {error:.4f}", self.verbose)
        return self

    def decision_function(self, F):
        """sum_t f_t(x): positive means "face"."""
        h = stump_predict(np.asarray(F)[:, self.features_], self.thresholds_, self.polarities_)
        return h @ self.alphas_ + self.constants_.sum()

    def training_error_bound(self):
        raise NotImplementedError("the Freund-Schapire bound is for discrete AdaBoost")
