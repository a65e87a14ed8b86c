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
