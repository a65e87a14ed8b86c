"""Support vector machines solved in the dual: linear (dual coordinate descent) and RBF (SMO).

The binary soft-margin SVM (Cortes & Vapnik, 1995) with labels y_i in {-1, +1} and feature map φ:

    primal   min_{w, b, ξ}  ½ ||w||² + C Σ_i ξ_i    s.t.  y_i (wᵀφ(x_i) + b) >= 1 - ξ_i,  ξ_i >= 0

    dual     min_α  f(α) = ½ αᵀ Q α - eᵀ α          s.t.  0 <= α_i <= C,  yᵀ α = 0,
             Q_ij = y_i y_j K(x_i, x_j),  K(x, z) = φ(x)ᵀφ(z)

    w = Σ_i α_i y_i φ(x_i),      decision  d(x) = Σ_i α_i y_i K(x_i, x) + b.

KKT conditions (necessary and sufficient: the dual is a convex QP). With the gradient
G = ∇f(α) = Q α - e, so that G_i = y_i d(x_i) - 1 - y_i b, the equality multiplier is the bias b and

    α_i = 0       =>  y_i d(x_i) >= 1   (outside the margin, G_i + b y_i >= 0)
    0 < α_i < C   =>  y_i d(x_i) =  1   (on the margin: a "free" support vector)
    α_i = C       =>  y_i d(x_i) <= 1   (inside the margin or misclassified)

Written with I_up = {t : α_t < C, y_t = 1 or α_t > 0, y_t = -1} (the α_t that may move so that y_t α_t
grows) and I_low = {t : α_t < C, y_t = -1 or α_t > 0, y_t = 1}, they say m(α) <= b <= M(α) with
m(α) = max_{t in I_up} -y_t G_t and M(α) = min_{t in I_low} -y_t G_t (Fan, Chen & Lin 2005, eq. 4-5).

KernelSVM: SMO (Platt, 1998) moves two multipliers at a time along (α_i, α_j) += t (y_i, -y_j),
which keeps yᵀα = 0. The pair is chosen as in LIBSVM by "WSS2" (Fan, Chen & Lin 2005, Algorithm
WSS 2): i is the maximal violator, i = argmax_{t in I_up} -y_t G_t, and j minimises the second-order
decrease of f,

    j = argmin_{t in I_low, -y_t G_t < -y_i G_i}  -b_it² / a_it,
    a_it = K_ii + K_tt - 2 K_it,   b_it = -y_i G_i + y_t G_t > 0.

The step is t = b_ij / a_ij, clipped so that both multipliers stay in [0, C], and the gradient is
updated by G += t y ∘ (K_:i - K_:j) (the code keeps -y ∘ G, which changes by -t (K_:i - K_:j)).
Iteration stops when m(α) - M(α) < tol (LIBSVM's rule, tol = 1e-3 by default); the bias is then
b = mean of -y_t G_t over the free support vectors (or (m + M) / 2 if there are none). The whole
kernel matrix is computed once (float64), so no kernel cache or shrinking is needed for the few
thousand vectors this library sees. Multi-class problems are split one-vs-one, as LIBSVM and
scikit-learn's SVC do: one binary SVM per pair of classes, and the class with the most pairwise wins
is predicted (ties go to the class that comes first in ``classes_``). The pairwise problems are
solved side by side: every SMO iteration makes one two-variable update in each problem that has not
yet converged (array rows, padded to a common length), so the Python loop runs as many times as the
slowest problem needs, not the sum over all problems.

LinearSVM: the LIBLINEAR formulation (Hsieh et al. 2008) has no equality constraint, because the bias
is learned as the weight of an extra constant feature B (``intercept_scaling``), so it is regularised
like the other weights. Its dual, for the hinge (L1) or squared hinge (L2) loss, is

    min_α  ½ αᵀ Q̄ α - eᵀ α    s.t.  0 <= α_i <= U,      Q̄ = Q + D,
    hinge: U = C, D_ii = 0;     squared hinge: U = ∞, D_ii = 1 / (2C),

and dual coordinate descent (Hsieh et al. 2008) minimises it one α_i at a time in closed form:

    G_i = (Q̄ α)_i - 1 = y_i wᵀx_i - 1 + D_ii α_i,    α_i <- min(max(α_i - G_i / Q̄_ii, 0), U).

The KKT conditions are that the projected gradient PG_i (G_i, but min(G_i, 0) at α_i = 0 and
max(G_i, 0) at α_i = U) is zero everywhere; iteration stops when max_i PG_i - min_i PG_i < tol
(LIBLINEAR's rule, with PG = 0 counted in). Multi-class problems are split one-vs-rest; the K binary
duals are solved together, one coordinate of each per step. Two orders of the coordinates are offered
(``solver``):

- "random" is Hsieh et al.'s Algorithm 1: each epoch visits every i once, in a fresh random order, and
  only w = Σ_i α_i y_i x_i is kept, so G_i costs one product wᵀx_i and the update is
  w <- w + (α_i_new - α_i_old) y_i x_i. For a visited i the K problems update their α_ki at once (one
  (K, d) @ (d,) product); max PG - min PG is taken over the PG_i met during an epoch. Memory is the
  K x d weights beside the data; the Python loop over coordinates is the price of the textbook form.
  On dense, uncentred vectors such as face pixels the coordinates are strongly coupled (x_iᵀx_j is
  large for every pair), and this order, like LIBLINEAR's, needs many epochs.
- "greedy" keeps the Gram matrix XXᵀ and the whole gradient G (G += Q̄_:i Δα_i after each update), and
  each step takes the coordinate whose unclipped update decreases the dual most,
  i = argmax_t PG_t² / Q̄_tt (a Gauss-Southwell, second-order choice, as in LIBSVM's working-set
  selection). On the few hundred face vectors of JAFFE this needs far fewer updates than the random
  order (docs/results.md), and every step is a vectorised pass over n; but memory is n² float64 and
  a step costs O(nK), so from :data:`GREEDY_MAX_SAMPLES` training vectors on ("auto") the random
  order is used.

Neither class has ``predict_proba``: SVM decision values are not probabilities, and calibrating them
(Platt scaling with internal cross-validation) is beyond a baseline.

References
----------
C. Cortes, V. Vapnik, "Support-vector networks", Machine Learning 20, 1995.
J. Platt, "Sequential minimal optimization: a fast algorithm for training support vector machines",
MSR-TR-98-14, 1998.
R.-E. Fan, P.-H. Chen, C.-J. Lin, "Working set selection using second order information for training
support vector machines", JMLR 6, 2005.
C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi, S. Sundararajan, "A dual coordinate descent
method for large-scale linear SVM", ICML 2008.
C.-C. Chang, C.-J. Lin, "LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011.
"""

import itertools
import warnings

import numpy as np

from dbnfer.baselines.base import Classifier, count_votes
from dbnfer.progress import report
from dbnfer.validation import check_matrix, check_Xy

TAU = 1e-12  # LIBSVM's stand-in for a non-positive a_it (duplicate training vectors)

#: Largest training set that LinearSVM(solver="auto") solves greedily. Its Gram matrix is 200 MB at
#: 5,000 vectors (800 MB at 10,000, 6.6 GB at FER-2013's 28,709) and takes n²d operations to form; every
#: greedy step is a pass over the K x n gradient, and more steps are needed as n grows. The random order
#: keeps K x d weights and costs O(Kd) a step, whatever n. JAFFE's folds (~190 faces) stay greedy.
GREEDY_MAX_SAMPLES = 5_000
LINEAR_SOLVERS = ("auto", "greedy", "random")


def rbf_kernel(A, B, gamma):
    """Gaussian kernel K(a, b) = exp(-gamma ||a - b||²) between the rows of A and of B.

    Parameters
    ----------
    A : ndarray, (n_a, n_features)
    B : ndarray, (n_b, n_features)
    gamma : float
        Inverse width, > 0.

    Returns
    -------
    ndarray, (n_a, n_b), float64
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    # ||a - b||² = ||a||² - 2 aᵀb + ||b||², one matrix product for all pairs
    sq_dist = np.einsum("ij,ij->i", A, A)[:, None] - 2.0 * (A @ B.T) + np.einsum("ij,ij->i", B, B)
    return np.exp(-gamma * np.maximum(sq_dist, 0.0))


def smo(K, Y, C, tol=1e-3, max_iter=100_000):
    """Solve P binary SVM duals side by side by SMO with LIBSVM's working-set selection (WSS2).

    Parameters
    ----------
    K : ndarray, (P, m, m)
        Kernel matrix of each problem's training vectors (symmetric positive semi-definite),
        float64; for a single problem pass ``K[None]``.
    Y : ndarray, (P, m)
        Labels in {-1, +1}; 0 marks a padding slot that is not part of the problem (it never enters
        a working set and keeps α = 0).
    C : float
        Upper bound on every α_i.
    tol : float
        A problem has converged when its maximal KKT violation m(α) - M(α) is below it.
    max_iter : int
        Cap on the iterations (two-variable updates per problem).

    Returns
    -------
    alpha : ndarray, (P, m)
        The dual solutions.
    b : ndarray, (P,)
        The bias of d(x) = Σ_i α_i y_i K(x_i, x) + b in each problem.
    n_iter : ndarray, (P,)
        Updates made in each problem.

    Warns
    -----
    RuntimeWarning
        If some problem has not converged after `max_iter` iterations.

    References
    ----------
    Fan, Chen & Lin (2005), Algorithm 1 with WSS 2.
    """
    Y = np.asarray(Y, dtype=np.float64)
    P, m = Y.shape
    problems = np.arange(P)
    alpha = np.zeros((P, m))
    minus_yG = Y.copy()  # -y∘∇f(α) at α = 0, where ∇f(0) = -e
    K_diag = np.diagonal(K, axis1=1, axis2=2)  # (P, m)
    a = K_diag[:, :, None] + K_diag[:, None, :] - 2.0 * K  # a_it of every pair, (P, m, m)
    a = np.where(a > 0, a, TAU)
    # t is in I_up iff y_t α_t can grow, y_t α_t < C [y_t = 1]; in I_low iff it can shrink,
    # y_t α_t > -C [y_t = -1]; padding (y_t = 0) is in neither
    up_bound, low_bound = C * (Y > 0), -C * (Y < 0)
    n_iter = np.zeros(P, dtype=np.int64)
    for iteration in range(max_iter + 1):
        y_alpha = Y * alpha
        in_up, in_low = y_alpha < up_bound, y_alpha > low_bound  # I_up(α), I_low(α)
        up_values = np.where(in_up, minus_yG, -np.inf)
        i = np.argmax(up_values, axis=1)  # (P,) the maximal violator in each problem
        m_up = up_values[problems, i]  # m(α)
        M_low = np.minimum.reduce(np.where(in_low, minus_yG, np.inf), axis=1)  # M(α)
        active = m_up - M_low >= tol  # (P,) problems still violating the KKT conditions
        if not active.any():
            break
        if iteration == max_iter:
            warnings.warn(f"SMO stopped after max_iter={max_iter} iterations with KKT violation "
                          f"{np.max(m_up - M_low):.2e} > tol={tol}", RuntimeWarning, stacklevel=2)
            break
        n_iter += active
        # WSS2: among the violating partners of i, the largest second-order decrease b² / a
        a_i = a[problems, i]  # (P, m)
        b_it = m_up[:, None] - minus_yG
        j = np.argmax(np.where(in_low & (b_it > 0), b_it * b_it / a_i, -np.inf), axis=1)
        # step t >= 0 along (α_i, α_j) += t (y_i, -y_j): y_i α_i grows and y_j α_j shrinks by t,
        # clipped so that both stay in the box [0, C]
        room_i = up_bound[problems, i] - y_alpha[problems, i]
        room_j = y_alpha[problems, j] - low_bound[problems, j]
        t = np.minimum(np.minimum(b_it[problems, j] / a_i[problems, j], room_i), room_j)
        t = np.where(active, t, 0.0)  # converged problems stay where they are
        # (min / max rather than np.clip: the same, and cheaper on short arrays)
        alpha[problems, i] = np.minimum(np.maximum(alpha[problems, i] + Y[problems, i] * t, 0.0), C)
        alpha[problems, j] = np.minimum(np.maximum(alpha[problems, j] - Y[problems, j] * t, 0.0), C)
        # ΔG = Q_:i Δα_i + Q_:j Δα_j = t y ∘ (K_:i - K_:j), so -y∘G changes by -t (K_:i - K_:j)
        # (y_t² = 1; padding entries drift but are never read)
        minus_yG -= t[:, None] * (K[problems, i] - K[problems, j])
    # b = -y_t G_t on free support vectors (KKT equality), averaged; (m + M) / 2 if there are none
    free = (alpha > 0) & (alpha < C) & (Y != 0)
    n_free = free.sum(axis=1)
    b = np.where(n_free > 0, np.sum(np.where(free, minus_yG, 0.0), axis=1) / np.maximum(n_free, 1),
                 (m_up + M_low) / 2)
    return alpha, b, n_iter


def dual_box(C, loss):
    """Upper bound U on every α_i and diagonal term D_ii of Q̄ = Q + D for a loss (Hsieh et al. 2008, eq. 4).

    Returns
    -------
    U : float
        C for the hinge loss, ∞ for the squared hinge.
    D : float
        0 for the hinge loss, 1 / (2C) for the squared hinge.
    """
    return (C, 0.0) if loss == "hinge" else (np.inf, 0.5 / C)


def dual_coordinate_descent(gram, Y, C, loss="hinge", tol=1e-2, max_iter=1_000_000):
    """Solve K binary linear SVM duals without equality constraint by greedy coordinate descent.

    Parameters
    ----------
    gram : ndarray, (n, n)
        Gram matrix X Xᵀ of the training vectors (append a constant feature to X to learn a bias).
    Y : ndarray, (K, n)
        Labels in {-1, +1}, one row per binary problem.
    C : float
        Penalty on the losses.
    loss : {"hinge", "squared_hinge"}
        L1 or L2 loss (Hsieh et al. 2008, eq. 1 with max(0, ·) or max(0, ·)²).
    tol : float
        Stop when max PG - min PG is below it in every problem.
    max_iter : int
        Cap on the steps (one coordinate of each problem per step).

    Returns
    -------
    alpha : ndarray, (K, n)
        The dual solutions; w_k = Σ_i alpha[k, i] Y[k, i] x_i.
    n_iter : int
        Steps made.

    Warns
    -----
    RuntimeWarning
        If `max_iter` steps end before the tolerance is met.

    References
    ----------
    Hsieh et al. (2008), Algorithm 1, with greedy instead of random coordinate order.
    """
    K, n = Y.shape
    U, D = dual_box(C, loss)
    Qbar_diag = np.diag(gram) + D  # Q̄_ii = x_iᵀx_i + D_ii, the same in every problem
    inv_Qbar_diag = 1.0 / Qbar_diag
    alpha = np.zeros((K, n))
    G = -np.ones((K, n))  # ∇f(0) = Q̄·0 - e
    # PG = clip(G, lower, upper): min(G, 0) at α = 0, max(G, 0) at α = U, G in between
    lower, upper = np.full((K, n), -np.inf), np.zeros((K, n))
    PG, score = np.empty((K, n)), np.empty((K, n))
    # flat views: element (k, i) of a (K, n) array is element k n + i, and take/put on them are cheap
    alpha_flat, G_flat, lower_flat, upper_flat, Y_flat = (a.reshape(-1) for a in (alpha, G, lower, upper, Y))
    row_start = np.arange(K) * n
    for n_iter in range(max_iter + 1):
        np.minimum(np.maximum(G, lower, out=PG), upper, out=PG)  # (K, n)
        gap = np.maximum(np.maximum.reduce(PG, axis=1), 0.0) - np.minimum(np.minimum.reduce(PG, axis=1), 0.0)
        if (gap < tol).all():
            break
        if n_iter == max_iter:
            warnings.warn(f"dual coordinate descent stopped after max_iter={max_iter} steps above "
                          f"tol={tol}", RuntimeWarning, stacklevel=2)
            break
        np.multiply(np.multiply(PG, PG, out=score), inv_Qbar_diag, out=score)
        i = score.argmax(axis=1)  # (K,) one coordinate per problem
        ki = row_start + i  # the flat index of (k, i_k)
        alpha_old = alpha_flat.take(ki)
        alpha_new = np.minimum(np.maximum(alpha_old - G_flat.take(ki) * inv_Qbar_diag.take(i), 0.0), U)
        alpha_flat.put(ki, alpha_new)
        lower_flat.put(ki, np.where(alpha_new >= U, 0.0, -np.inf))
        upper_flat.put(ki, np.where(alpha_new <= 0, 0.0, np.inf))
        # G_k += Q̄_:i Δα_i with Q̄_ti = y_t y_i x_tᵀx_i + D δ_ti
        step = alpha_new - alpha_old  # (K,)
        G += Y * gram[i] * (step * Y_flat.take(ki))[:, None]
        G_flat[ki] += D * step
    return alpha, n_iter


def random_dual_coordinate_descent(X, Y, C, loss="hinge", tol=1e-2, max_epochs=1000, random_state=None,
                                   verbose=False):
    """Solve K binary linear SVM duals by Hsieh et al.'s Algorithm 1: random order, only w kept.

    Parameters
    ----------
    X : ndarray, (n, d)
        Training vectors x_i (append a constant feature to learn a bias).
    Y : ndarray, (K, n)
        Labels in {-1, +1}, one row per binary problem.
    C : float
        Penalty on the losses.
    loss : {"hinge", "squared_hinge"}
        L1 or L2 loss (Hsieh et al. 2008, eq. 1 with max(0, ·) or max(0, ·)²).
    tol : float
        Stop after the first epoch in which max PG - min PG is below it in every problem.
    max_epochs : int
        Cap on the epochs (passes over all n coordinates).
    random_state : None, int or numpy.random.Generator
        Seeds the order of the coordinates in each epoch.
    verbose : bool
        Report max PG - min PG after each epoch.

    Returns
    -------
    alpha : ndarray, (K, n)
        The dual solutions.
    W : ndarray, (K, d)
        w_k = Σ_i alpha[k, i] Y[k, i] x_i, as maintained by the updates.
    n_epochs : int
        Epochs made.

    Warns
    -----
    RuntimeWarning
        If `max_epochs` epochs end before the tolerance is met.

    References
    ----------
    Hsieh et al. (2008), Algorithm 1, with a random permutation per epoch (their section 3.1).
    """
    K, n = Y.shape
    U, D = dual_box(C, loss)
    rng = np.random.default_rng(random_state)
    inv_Qbar_diag = 1.0 / (np.einsum("ij,ij->i", X, X) + D)  # 1 / Q̄_ii, Q̄_ii = x_iᵀx_i + D_ii
    # stored by coordinate, (n, K): the K values a step reads and writes are contiguous
    alpha_T = np.zeros((n, K))
    Y_T = np.ascontiguousarray(Y.T)
    W = np.zeros((K, X.shape[1]))
    for n_epochs in range(1, max_epochs + 1):
        gap = coordinate_epoch(X, Y_T, alpha_T, W, rng.permutation(n), inv_Qbar_diag, U, D)
        report(f"LinearSVM epoch {n_epochs}: max PG - min PG {gap.max():.2e} (tol {tol})", verbose)
        if (gap < tol).all():
            return alpha_T.T.copy(), W, n_epochs
    warnings.warn(f"dual coordinate descent stopped after max_epochs={max_epochs} epochs with max PG - "
                  f"min PG {gap.max():.2e} > tol={tol}", RuntimeWarning, stacklevel=2)
    return alpha_T.T.copy(), W, max_epochs


def coordinate_epoch(X, Y_T, alpha_T, W, order, inv_Qbar_diag, U, D):
    """One epoch of Hsieh et al.'s Algorithm 1 (step 2), all K problems at once; updates alpha_T and W in place.

    Parameters
    ----------
    X : ndarray, (n, d)
        Training vectors.
    Y_T : ndarray, (n, K)
        Labels y_ki in {-1, +1}, one row per coordinate i.
    alpha_T : ndarray, (n, K)
        Dual variables α_ki, one row per coordinate i.
    W : ndarray, (K, d)
        w_k = Σ_i α_ki y_ki x_i.
    order : ndarray of int, (n,)
        The coordinates in the order to visit them.
    inv_Qbar_diag : ndarray, (n,)
        1 / Q̄_ii.
    U, D : float
        The box and diagonal of the loss (`dual_box`).

    Returns
    -------
    ndarray, (K,)
        max PG - min PG over the epoch in each problem (with PG = 0 counted in).
    """
    PG_max, PG_min = np.zeros(len(W)), np.zeros(len(W))
    for i in order.tolist():
        alpha_i, y_i, x_i = alpha_T[i], Y_T[i], X[i]
        G = y_i * (W @ x_i) - 1.0 + D * alpha_i  # G_i = y_i wᵀx_i - 1 + D_ii α_i, (K,)
        PG = np.where(alpha_i <= 0, np.minimum(G, 0.0), np.where(alpha_i >= U, np.maximum(G, 0.0), G))
        np.maximum(PG_max, PG, out=PG_max)
        np.minimum(PG_min, PG, out=PG_min)
        alpha_new = np.minimum(np.maximum(alpha_i - G * inv_Qbar_diag[i], 0.0), U)
        step = alpha_new - alpha_i
        if step.any():  # an α_i at a bound, pushed outwards, stays: no rank-1 update to make
            alpha_T[i] = alpha_new
            W += np.outer(step * y_i, x_i)  # w <- w + (α_i_new - α_i_old) y_i x_i
    return PG_max - PG_min


class LinearSVM(Classifier):
    """Multi-class linear SVM: one-vs-rest, each binary problem solved by dual coordinate descent.

    Float64 throughout; the greedy solver keeps the Gram matrix of the training vectors (n² floats)
    during fit, the random one only the weights.

    Parameters
    ----------
    C : float
        Penalty on the losses (larger: harder margin).
    loss : {"hinge", "squared_hinge"}
        Hinge is the textbook SVM; squared hinge is scikit-learn LinearSVC's default.
    intercept_scaling : float
        Value B of the constant feature whose weight is the bias (LIBLINEAR's trick; the bias is
        regularised with the weights). 0 fits no bias.
    tol : float
        Stopping tolerance on the projected gradient (see ``dual_coordinate_descent``). The
        default 1e-2 lies between LIBLINEAR's own default for its dual solvers (0.1) and
        scikit-learn's (1e-4); predictions on face data no longer change below it.
    max_iter : int
        Cap on the coordinate steps of the greedy solver.
    solver : {"auto", "greedy", "random"}
        Order of the coordinates (module docstring): "greedy" (Gram matrix, Gauss-Southwell choice),
        "random" (Hsieh et al.'s Algorithm 1, only w kept), or "auto": greedy up to
        :data:`GREEDY_MAX_SAMPLES` training vectors, random above.
    max_epochs : int
        Cap on the epochs of the random solver (scikit-learn's LinearSVC stops at 1,000 too).
    random_state : None, int or numpy.random.Generator
        Seeds the coordinate order of the random solver; the greedy one is deterministic.
    verbose : bool
        Report the number of steps (and, with the random solver, the progress of every epoch).

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
    coef_ : ndarray, (n_problems, n_features)
        w of each one-vs-rest problem (class k against the rest); with two classes a single
        problem, class 1 against class 0.
    intercept_ : ndarray, (n_problems,)
    alpha_ : ndarray, (n_problems, n_samples)
        Dual solution of each problem.
    solver_ : str
        The solver used, "greedy" or "random".
    n_iter_ : int
        Coordinate steps made (greedy) or epochs (random).

    References
    ----------
    Hsieh et al. (2008); Fan et al., "LIBLINEAR: a library for large linear classification",
    JMLR 9, 2008.
    """

    def __init__(self, C=1.0, loss="hinge", intercept_scaling=1.0, tol=1e-2, max_iter=1_000_000,
                 solver="auto", max_epochs=1000, random_state=None, verbose=False):
        if loss not in ("hinge", "squared_hinge"):
            raise ValueError(f"loss must be 'hinge' or 'squared_hinge', not {loss!r}")
        if solver not in LINEAR_SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(map(repr, LINEAR_SOLVERS))}, not {solver!r}")
        if C <= 0:
            raise ValueError(f"C must be positive, not {C}")
        self.C = C
        self.loss = loss
        self.intercept_scaling = intercept_scaling
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Learn one weight vector and bias per class (class k against the rest).

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Training vectors x_i.
        y : array_like, (n_samples,)
            Their labels, at least two classes; in problem k, y_i = +1 for class k and -1 for the rest.

        Returns
        -------
        self : LinearSVM
        """
        X, y = check_Xy(X, y)
        y_index = self._encode_labels(y, min_classes=2)
        Y = np.where(np.arange(len(self.classes_))[:, None] == y_index, 1.0, -1.0)  # (K, n)
        if len(self.classes_) == 2:
            Y = Y[1:]  # one problem suffices: class 1 against class 0
        X_aug = np.hstack([X, np.full((len(X), 1), float(self.intercept_scaling))])
        self.solver_ = self.solver if self.solver != "auto" else (
            "greedy" if len(X) <= GREEDY_MAX_SAMPLES else "random")
        if self.solver_ == "greedy":
            self.alpha_, self.n_iter_ = dual_coordinate_descent(X_aug @ X_aug.T, Y, self.C, self.loss,
                                                                self.tol, self.max_iter)
            W = (self.alpha_ * Y) @ X_aug  # w_k = Σ_i α_ki y_ki x_i, (K, n_features + 1)
        else:
            self.alpha_, W, self.n_iter_ = random_dual_coordinate_descent(
                X_aug, Y, self.C, self.loss, self.tol, self.max_epochs, self.random_state, self.verbose)
        self.coef_ = W[:, :-1]
        self.intercept_ = W[:, -1] * self.intercept_scaling
        report(f"LinearSVM: {self.n_iter_} {'coordinate steps' if self.solver_ == 'greedy' else 'epochs'}",
               self.verbose)
        return self

    def decision_function(self, X):
        """wᵀx + b of every one-vs-rest problem, (n_samples, n_classes), or (n_samples,) for two."""
        scores = check_matrix(X, n_features=self.coef_.shape[1]) @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        """The class whose one-vs-rest decision value is largest."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return self.classes_[index]


class KernelSVM(Classifier):
    """Multi-class SVM with a Gaussian (RBF) kernel: one-vs-one, each pair solved by SMO.

    Float64 throughout; the kernel matrix of the training vectors (n² floats) is kept during fit.

    Parameters
    ----------
    C : float
        Upper bound on the dual variables (penalty on margin violations).
    gamma : "scale", "auto" or float
        RBF inverse width. "scale" is 1 / (n_features · X.var()) over the training matrix, "auto"
        is 1 / n_features (both as in scikit-learn).
    tol : float
        SMO stopping tolerance on the KKT violation m(α) - M(α).
    max_iter : int
        Cap on SMO updates per pair of classes.
    random_state : None, int or numpy.random.Generator
        Unused (SMO with WSS2 is deterministic); accepted for the common estimator interface.
    verbose : bool
        Report SMO updates per pair of classes.

    Attributes
    ----------
    classes_ : ndarray, (n_classes,)
    gamma_ : float
        The gamma actually used.
    support_vectors_ : ndarray, (n_support, n_features)
        Training vectors with α > 0 in at least one pairwise problem.
    dual_coef_ : ndarray, (n_support, n_pairs)
        α_i y_i of each support vector in each pairwise problem (0 where it takes no part).
    intercept_ : ndarray, (n_pairs,)
        Bias b of each pairwise problem.
    pairs_ : list of (int, int)
        Class indices (p, q), p < q, of each problem; class p is +1, class q is -1.
    n_iter_ : ndarray, (n_pairs,)
        SMO updates per problem.
    """

    def __init__(self, C=1.0, gamma="scale", tol=1e-3, max_iter=100_000, random_state=None,
                 verbose=False):
        if C <= 0:
            raise ValueError(f"C must be positive, not {C}")
        valid_gamma = gamma in ("scale", "auto") if isinstance(gamma, str) else np.isreal(gamma) and gamma > 0
        if not valid_gamma:
            raise ValueError(f"gamma must be 'scale', 'auto' or a positive number, not {gamma!r}")
        self.C = C
        self.gamma = gamma
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_gamma(self, X):
        if self.gamma == "scale":
            variance = X.var()
            return 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        if self.gamma == "auto":
            return 1.0 / X.shape[1]
        return float(self.gamma)

    def fit(self, X, y):
        """Train one SVM per pair of classes on the precomputed kernel matrix.

        Parameters
        ----------
        X : array_like, (n_samples, n_features)
            Training vectors x_i.
        y : array_like, (n_samples,)
            Their labels, at least two classes; in the problem of classes (p, q), y_i = +1 for p and -1
            for q.

        Returns
        -------
        self : KernelSVM
        """
        X, y = check_Xy(X, y)
        y_index = self._encode_labels(y, min_classes=2)
        self.gamma_ = self._resolve_gamma(X)
        K = rbf_kernel(X, X, self.gamma_)  # (n, n), all pairs share it
        self.pairs_ = list(itertools.combinations(range(len(self.classes_)), 2))
        members, Y = self._pair_problems(y_index)  # (P, m) training rows and ±1 labels, 0 = padding
        alpha, self.intercept_, self.n_iter_ = smo(K[members[:, :, None], members[:, None, :]], Y,
                                                   self.C, self.tol, self.max_iter)
        dual_coef = np.zeros((len(X), len(self.pairs_)))
        rows, slots = np.nonzero(Y)
        dual_coef[members[rows, slots], rows] = alpha[rows, slots] * Y[rows, slots]  # α_i y_i
        report(f"KernelSVM: {len(self.pairs_)} pairwise problems, SMO updates per problem "
               f"{self.n_iter_.min()}..{self.n_iter_.max()}", self.verbose)
        support = np.flatnonzero(np.any(dual_coef != 0, axis=1))
        self.support_ = support
        self.support_vectors_ = X[support]
        self.dual_coef_ = dual_coef[support]
        return self

    def _pair_problems(self, y_index):
        """Training rows and ±1 labels of each one-vs-one problem, padded with label 0.

        Returns
        -------
        members : ndarray of int, (n_pairs, m)
            Row numbers of the two classes' training vectors (padding points at row 0).
        Y : ndarray, (n_pairs, m)
            +1 for class p, -1 for class q of pair (p, q), 0 for padding.
        """
        rows = [np.flatnonzero((y_index == p) | (y_index == q)) for p, q in self.pairs_]
        m = max(len(r) for r in rows)
        members = np.zeros((len(rows), m), dtype=np.intp)
        Y = np.zeros((len(rows), m))
        for k, ((p, _), r) in enumerate(zip(self.pairs_, rows)):
            members[k, :len(r)] = r
            Y[k, :len(r)] = np.where(y_index[r] == p, 1.0, -1.0)
        return members, Y

    def decision_function(self, X):
        """d(x) = Σ α_i y_i K(x_i, x) + b of every pairwise problem, (n_samples, n_pairs)."""
        X = check_matrix(X, n_features=self.support_vectors_.shape[1])
        K = rbf_kernel(X, self.support_vectors_, self.gamma_)  # (n_samples, n_support)
        return K @ self.dual_coef_ + self.intercept_

    def predict(self, X):
        """The class with the most one-vs-one wins (ties: the first in ``classes_``)."""
        decision = self.decision_function(X)
        p, q = np.array(self.pairs_).T
        winners = np.where(decision > 0, p, q)  # (n_samples, n_pairs)
        return self.classes_[np.argmax(count_votes(winners, len(self.classes_)), axis=1)]
