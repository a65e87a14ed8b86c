"""Training an attentional cascade (Viola & Jones, IJCV 2004, sec. 4, Table 2), and the network that verifies it.

    f  the largest false-positive rate a stage may have, d the smallest detection rate (per stage)
    F_target  the false-positive rate the cascade should reach
    P, N  face and non-face windows

    F_0 = 1, i = 0
    while F_i > F_target:
        i = i + 1, n_i = 0, F_i = F_{i-1}
        while F_i > f F_{i-1}:
            n_i = n_i + 1
            boost a stage of n_i weak classifiers on P and N (AdaBoost, `adaboost`)
            lower its threshold Theta_i until it keeps a fraction d of the faces, and measure F_i
        N = the false positives of the cascade so far on face-free images ("bootstrapping")

Here `train_cascade` is the outer loop, `train_stage` the inner one, and `NegativeMiner` the bootstrapping: the
non-faces of each stage are windows of face-free photos that every stage so far accepts, found with the fast
scan. VJ measure F_i and d on a validation set; here the faces each stage is not boosted on keep the threshold
honest. The faces are read and, optionally, augmented by `load_faces` (`augment`); besides ready-made crops they
may be cut at native resolution from photos whose eyes and mouth are marked (`marked_faces`).

`train_verifier` trains a trained cascade's verifier network (`verify`; Rowley, Baluja & Kanade 1998) on the
windows of marked photos and face-free photos that its first stages pass.
"""

import time
from pathlib import Path

import numpy as np
from skimage.transform import resize

from dbnfer.detect import augment
from dbnfer.detect._fast_scan import dense_stages, run_stages
from dbnfer.detect.adaboost import AdaBoost, GentleAdaBoost, stump_predict
from dbnfer.detect.cascade import MIN_STD, Cascade
from dbnfer.detect.haar import HaarFeatures, integral_images, normalise_windows, window_moments
from dbnfer.detect.nms import iou
from dbnfer.detect.scan import context_patches, pyramid, raw_detections
from dbnfer.detect.verify import CONTEXT, Verifier, patch_features
from dbnfer.images import IMAGE_SUFFIXES, image_files, read_grey
from dbnfer.networks.mlp import MLP
from dbnfer.progress import Progress, report

# Where marked eye centres and mouth centre sit in a CBCL-framed window (units of the window): chosen so that the
# mean of the variance-normalised marked faces of landmarks/caltech_webfaces matches the mean of the CBCL and
# detection/caltech_faces crops best (correlation 0.98, over a grid of eye rows and window sizes).
MARKED_EYE_ROW, MARKED_EYE_DISTANCE, MARKED_MOUTH_ROW = 0.28, 0.556, 0.88
MAX_ROLL = 15.0  # degrees; a marked face tilted more is left out
BOOSTING = {"discrete": AdaBoost, "gentle": GentleAdaBoost}  # the boosting of a stage, by name


def train_cascade(face_dir, background_dir, crop=None, marked_dir=None, window_shape=(19, 19), n_positives=4000,
                  n_negatives=4000, n_features=8000, detection_rate=0.995, false_positive_rate=0.5,
                  target_false_positive_rate=1e-6, max_stages=30, max_rounds=200, mirror=True, scale_factor=1.2,
                  mining_step=1, side_light=0.0, glasses=0.0, backdrop=0.0, grain=0.0, face_box=(0.0, 0.0, 1.0, 1.0),
                  boosting="discrete", turn_backgrounds=False, verbose=True, random_state=0):
    """Train a Viola-Jones cascade from folders of face crops and of face-free images (VJ Table 2).

    Parameters
    ----------
    face_dir : str or Path, or sequence of them
        Folders of face crops framed like the window (see `load_faces`).
    background_dir : str or Path
        Folder of images with no face in them, from which the non-face windows are mined.
    crop : tuple or sequence of tuples, optional
        Crop of each face image, as fractions (top, left, height, width); see `load_faces`.
    marked_dir : str or Path, or sequence of them, optional
        Folders of photos with marked eyes and mouths, whose faces are cut out too (`marked_faces`).
    window_shape : tuple of int
        Detection window (height, width).
    n_positives, n_negatives : int
        Faces and non-faces each stage is boosted on (the faces are drawn afresh for each stage from those the
        cascade still accepts).
    n_features : int
        Features drawn at random from the full set for each stage. The full set of a 19x19 window has 63,960
        features and storing their sorted values for 8,000 windows would take ~2.5 GB; a fresh draw per stage
        keeps memory bounded while the cascade still gets to see most of the set.
    detection_rate : float or sequence of float
        d of each stage, or of the first stages one by one (the last value goes on for the rest): the later
        stages see few windows, so a higher d there keeps more faces for little detection time.
    false_positive_rate : float
        f of each stage.
    target_false_positive_rate : float
        Stop when the product of the stages' false-positive rates falls below this.
    max_stages, max_rounds : int
        At most this many stages, and weak classifiers per stage.
    mirror : bool
        Also train on left-right mirrored faces.
    scale_factor, mining_step : float, int
        Pyramid and stride used to scan the backgrounds for false positives.
    side_light : float
        Fraction of the faces given a synthetic light from the side (see `load_faces`).
    glasses : float
        Fraction of the faces given drawn spectacles (see `load_faces`).
    backdrop : float
        Fraction of the faces given a flat backdrop in the lower corners (see `load_faces`).
    grain : float
        Fraction of the faces given pixel noise (see `load_faces`).
    face_box : tuple of float
        Face box reported for a detection window (see `Cascade`).
    boosting : {"discrete", "gentle"}
        Each stage is boosted by discrete AdaBoost (VJ) or by Gentle AdaBoost (`adaboost.GentleAdaBoost`).
    turn_backgrounds : bool
        Mine also the backgrounds turned and mirrored (`dihedral_views`): eight times the face-free windows.
    verbose : bool
        Show progress, one line per stage.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Cascade
        Its ``settings`` hold the arguments of this call (but `verbose`) and ``training_seconds``; `Cascade.save`
        stores them.

    References
    ----------
    P. Viola and M. Jones, "Robust real-time face detection", IJCV 57(2), 2004, Table 2.
    """
    settings = {name: _json_ready(value) for name, value in locals().items() if name != "verbose"}
    start_time = time.perf_counter()
    rng = np.random.default_rng(random_state)
    faces = load_faces(face_dir, window_shape, crop, mirror, side_light, glasses, backdrop, rng, marked_dir, grain)
    backgrounds = _read_folder(background_dir)
    backgrounds = [view for image in backgrounds for view in dihedral_views(image)] if turn_backgrounds else backgrounds
    miner = NegativeMiner(backgrounds, window_shape, scale_factor, mining_step)
    all_features = HaarFeatures.from_skimage(window_shape)
    report(f"{len(faces)} faces, {len(miner.backgrounds)} background images, {len(all_features)} features", verbose)
    cascade, overall_fp = Cascade.empty(window_shape, face_box), 1.0
    with Progress(max_stages, "stage", verbose) as progress:
        for s in range(max_stages):
            alive = faces[cascade.accepts(faces)] if cascade.n_stages else faces
            negatives = miner.mine(cascade, n_negatives, rng)
            if len(negatives) < max(10, n_negatives // 100):
                progress.step(f"{len(negatives)} false positives left, too few to train on: stopping")
                break
            chosen = np.zeros(len(alive), dtype=bool)
            chosen[rng.choice(len(alive), size=min(n_positives, len(alive)), replace=False)] = True
            features = all_features[np.sort(rng.choice(len(all_features), size=min(n_features, len(all_features)),
                                                       replace=False))]
            d = np.atleast_1d(detection_rate)[min(s, np.size(detection_rate) - 1)]  # this stage's d
            boost, stage_threshold, stage_fp = train_stage(features, alive[chosen], negatives, d,
                                                           false_positive_rate, max_rounds, alive[~chosen],
                                                           BOOSTING[boosting])
            cascade = cascade.add_stage(features[boost.features_], boost.thresholds_, boost.polarities_,
                                        boost.alphas_, stage_threshold)
            overall_fp *= stage_fp  # VJ eq. 4: F = prod_s f_s
            progress.step(f"{len(alive)} faces, {len(negatives)} false positives mined -> {len(boost.alphas_)} "
                          f"features passing {stage_fp:.3f} of them; cascade ~{overall_fp:.2e}")
            if overall_fp <= target_false_positive_rate:
                break
    cascade.settings = {**settings, "training_seconds": round(time.perf_counter() - start_time)}
    return cascade


def train_verifier(cascade, marked_dir, background_dir, after_stage=16, mine_after=10, hidden_units=64, n_epochs=10,
                   per_view=400, bootstrap_rounds=0, threshold=0.5, min_neighbours=1, turn_backgrounds=True,
                   scale_factor=1.2, verbose=True, random_state=0):
    """Train a verifier network for a cascade (`verify`; Rowley, Baluja & Kanade, PAMI 1998).

    The network learns from windows as a scan meets them: every window of a photo that the cascade's first
    `mine_after` stages pass, cut with its context (`scan.context_patches`). Faces: those whose window
    overlaps a marked face's window (`marked_box`) by IoU >= 0.5, that is the positions and scales around
    the face at which the scan fires, and their mirror images. Non-faces: the windows the same stages pass in
    the face-free photos (in their eight turned and mirrored views, `dihedral_views`), at most `per_view` of
    each view drawn at random. The network (one ReLU hidden layer, `dbnfer.networks.mlp.MLP`) is trained by
    SGD with momentum on all of them. Then, as Rowley et al. (sec. 2.2) bootstrap their network, for each of
    `bootstrap_rounds` rounds: the face-free views are scanned again, up to `per_view` windows of each that the
    network accepts (p >= `threshold`) join the non-faces, and the network is trained afresh on them all.

    Parameters
    ----------
    cascade : Cascade
    marked_dir : str or Path, or sequence of them
        Folders of photos with marked eyes and mouths (`marked_faces`).
    background_dir : str or Path
        Folder of images with no faces.
    after_stage : int
        The stages a window passes before the trained verifier sees it in a scan (`verify.Verifier`).
    mine_after : int
        The stages a training window passes (at most `after_stage`; fewer give more, and more varied, windows).
    hidden_units, n_epochs : int
        The network's hidden layer and its training epochs.
    per_view : int
        Non-face windows drawn from each view of each face-free photo (in each round).
    bootstrap_rounds : int
        Rounds of adding the non-faces the network accepts, and training again.
    threshold, min_neighbours : float, int
        The verifier's operating point (`verify.Verifier`).
    turn_backgrounds : bool
        Mine the eight views of each face-free photo rather than the photo alone.
    scale_factor : float
        The pyramid of the scans.
    verbose : bool
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Cascade
        The same stages with the verifier; its ``settings`` also hold this call's arguments under
        "verifier_training".
    """
    if not 1 <= mine_after <= after_stage <= cascade.n_stages:
        raise ValueError(f"need 1 <= mine_after ({mine_after}) <= after_stage ({after_stage}) <= the cascade's "
                         f"{cascade.n_stages} stages")
    settings = {name: _json_ready(value) for name, value in locals().items() if name not in ("cascade", "verbose")}
    start_time = time.perf_counter()
    rng = np.random.default_rng(random_state)
    first = cascade.first_stages(mine_after)
    backgrounds = [image.astype(np.float32) for image in _read_folder(background_dir)]  # read first: fail early

    def scanned(image):  # the windows the first stages pass, and their patches
        boxes, _ = raw_detections(image, first, scale_factor)
        return boxes, context_patches(image, boxes, cascade.window_shape, scale_factor)

    faces = []
    for folder in [marked_dir] if isinstance(marked_dir, (str, Path)) else marked_dir:
        for image, marks in marked_photos(folder):
            boxes, patches = scanned(image)
            windows = [marked_box(points, cascade.window_shape) for points in marks]
            faces.append(patch_features(patches[iou(boxes, windows).max(axis=1, initial=0) >= 0.5]))
        report(f"verifier: {sum(map(len, faces))} face windows so far, with {folder}", verbose)
    faces = np.concatenate(faces)
    if len(faces) == 0:
        raise ValueError(f"{marked_dir}: the first {mine_after} stages pass no window of a marked face")
    side = cascade.window_shape[1] + 2 * CONTEXT
    faces = np.concatenate([faces, faces.reshape(len(faces), -1, side)[:, :, ::-1].reshape(faces.shape)])

    def views():  # the face-free photos, or their eight views, one at a time
        for image in backgrounds:
            yield from (np.ascontiguousarray(v) for v in (dihedral_views(image) if turn_backgrounds else [image]))

    def non_face_windows(candidates):  # at most per_view windows of each view, drawn among the candidates
        chosen = []
        for view in views():
            x = patch_features(scanned(view)[1])
            among = candidates(x)
            chosen.append(x[among[rng.choice(len(among), size=min(per_view, len(among)), replace=False)]])
        return np.concatenate(chosen)

    non_faces = non_face_windows(lambda x: np.arange(len(x)))
    if len(non_faces) == 0:
        raise ValueError(f"{background_dir}: the first {mine_after} stages pass no window of these images")
    for round_ in range(bootstrap_rounds + 1):
        report(f"verifier, round {round_ + 1}/{bootstrap_rounds + 1}: {len(faces)} face windows (with mirror "
               f"images), {len(non_faces)} non-face windows from {background_dir}", verbose)
        X = np.concatenate([faces, non_faces])
        y = np.repeat([1, 0], [len(faces), len(non_faces)])
        network = MLP((hidden_units,), activation="relu", learning_rate=0.02, momentum=0.9, weight_decay=1e-4,
                      n_epochs=n_epochs, batch_size=100, validation_fraction=0.0, random_state=rng,
                      verbose=verbose).fit(X, y)
        if round_ < bootstrap_rounds:  # Rowley et al.'s bootstrapping: add the non-faces the network takes for faces
            non_faces = np.concatenate([non_faces, non_face_windows(
                lambda x: np.flatnonzero(network.predict_proba(x)[:, 1] >= threshold))])
    verifier = Verifier(network, after_stage, threshold, min_neighbours)
    settings["training_seconds"] = round(time.perf_counter() - start_time)
    return Cascade(cascade.features, cascade.thresholds, cascade.polarities, cascade.alphas, cascade.stage_ends,
                   cascade.stage_thresholds, cascade.face_box, {**cascade.settings, "verifier_training": settings},
                   verifier)


def train_stage(features, positives, negatives, detection_rate, false_positive_rate, max_rounds, held_out=None,
                boosting=AdaBoost):
    """Boost one stage until it meets its detection and false-positive rates (VJ Table 2, inner loop).

    Parameters
    ----------
    features : HaarFeatures
        Candidate features.
    positives, negatives : ndarray, shape (n, height, width)
        Face windows (all still accepted by the cascade so far) and mined non-face windows to boost on.
    detection_rate : float
        d: the stage threshold is lowered until this fraction of the faces (`positives` and `held_out`) passes.
    false_positive_rate : float
        f: rounds are added until at most this fraction of `negatives` passes.
    max_rounds : int
        Give up on f after this many weak classifiers.
    held_out : ndarray, shape (m, height, width), optional
        More faces, not boosted on, that the threshold must also keep (VJ set it on a validation set).
    boosting : class
        `AdaBoost` or `GentleAdaBoost`. A stage sums alpha_t h_t(x) only: Gentle AdaBoost's constants shift every
        window's sum alike, so the threshold, set on the faces' sums, absorbs them.

    Returns
    -------
    boost : AdaBoost
        The stage's weak classifiers (`features_` index into `features`).
    stage_threshold : float
        Theta_s.
    false_positives : float
        The fraction of `negatives` the stage passes.
    """
    X = np.concatenate([positives, negatives])
    y = np.concatenate([np.ones(len(positives), dtype=int), np.zeros(len(negatives), dtype=int)])
    F = features.matrix(integral_images(normalise_windows(X, MIN_STD)))  # (n_samples, n_features)
    held_out = np.zeros((0,) + features.window_shape) if held_out is None else held_out
    P_held_out = integral_images(normalise_windows(held_out, MIN_STD))
    sums, sums_held_out = np.zeros(len(X)), np.zeros(len(held_out))  # sum_t alpha_t h_t(x)
    boost = boosting().start(F, y)
    for _ in range(max_rounds):
        boost.add_round()
        j, theta, p, alpha = boost.features_[-1], boost.thresholds_[-1], boost.polarities_[-1], boost.alphas_[-1]
        sums += alpha * stump_predict(F[:, j], theta, p)
        sums_held_out += alpha * stump_predict(features[[j]].matrix(P_held_out)[:, 0], theta, p)
        face_sums = np.sort(np.concatenate([sums[y == 1], sums_held_out]))
        # Theta_s: the largest threshold that keeps a fraction d of the faces.
        stage_threshold = face_sums[int(np.floor((1 - detection_rate) * len(face_sums)))]
        false_positives = np.mean(sums[y == 0] >= stage_threshold)
        if false_positives <= false_positive_rate:
            break
    return boost, stage_threshold, false_positives


class NegativeMiner:
    """False positives of a growing cascade, cut from face-free images (VJ sec. 4.2, "bootstrapping").

    Each image's surviving windows are remembered once they are few (at most `cache_limit`), so that mining for
    a later stage runs only the new stages on them instead of rescanning the whole pyramid.

    Parameters
    ----------
    backgrounds : list of ndarray
        Grey images with no face.
    window_shape : tuple of int
    scale_factor : float
        Pyramid of the scan.
    step : int
        Stride of the scan.
    cache_limit : int
        Remember an image's survivors when there are at most this many.
    """

    def __init__(self, backgrounds, window_shape, scale_factor=1.2, step=1, cache_limit=50_000):
        self.backgrounds = backgrounds
        self.window_shape = tuple(window_shape)
        self.scale_factor = scale_factor
        self.step = step
        self.cache_limit = cache_limit
        self._survivors = {}  # image index -> (stages checked, level index, row, col)

    def mine(self, cascade, n, rng, per_image=None):
        """Up to `n` windows that the cascade accepts, at most `per_image` from one image.

        Parameters
        ----------
        cascade : Cascade
            The stages trained so far (an empty cascade gives random windows).
        n : int
            Number of windows wanted.
        rng : numpy.random.Generator
        per_image : int, optional
            Cap per image, for variety; default ``4 * n / len(backgrounds)``.

        Returns
        -------
        ndarray, shape (m, height, width)
            m <= n windows; fewer when the images do not hold n false positives.
        """
        per_image = per_image or max(1, int(np.ceil(4 * n / len(self.backgrounds))))
        windows, found = [], 0
        for i in rng.permutation(len(self.backgrounds)):
            levels = [level for _, level in pyramid(self.backgrounds[i], self.window_shape, self.scale_factor)]
            level_index, row, col = self._accepted(i, cascade, levels)
            take = rng.choice(len(row), size=min(per_image, len(row), n - found), replace=False)
            for k in np.unique(level_index[take]):
                mine = take[level_index[take] == k]
                view = np.lib.stride_tricks.sliding_window_view(levels[k], self.window_shape)
                windows.append(view[row[mine], col[mine]])
            found += len(take)
            if found >= n:
                break
        return np.concatenate(windows) if windows else np.zeros((0,) + self.window_shape)

    def _accepted(self, i, cascade, levels):
        """(level index, row, col) of the windows of image i that pass `cascade`."""
        if i in self._survivors:  # run only the stages added since the last visit
            checked, level_index, row, col = self._survivors[i]
            visited = np.unique(level_index)
            batches = []
            for k in visited:
                on_level = level_index == k
                P = integral_images(levels[k])
                Q = integral_images(np.square(levels[k], dtype=np.float64))
                _, sigma = window_moments(P, Q, self.window_shape, min_std=MIN_STD)  # of every window
                r, c = row[on_level], col[on_level]
                batches.append((levels[k], r, c, sigma[r, c], checked, None))
        else:
            visited = np.arange(len(levels))
            batches = [dense_stages(level, cascade, self.step) for level in levels]
        found = run_stages(batches, cascade)
        none = np.zeros(0, dtype=int)
        level_index = np.concatenate([none] + [np.full(len(r), k) for k, (r, _, _) in zip(visited, found)])
        row = np.concatenate([none] + [r for r, _, _ in found])
        col = np.concatenate([none] + [c for _, c, _ in found])
        if cascade.n_stages and len(row) <= self.cache_limit:
            self._survivors[i] = (cascade.n_stages, level_index, row, col)
        return level_index, row, col


def load_faces(face_dir, window_shape, crop=None, mirror=True, side_light=0.0, glasses=0.0, backdrop=0.0,
               rng=None, marked_dir=None, grain=0.0):
    """Face crops from one or more folders, resized to the detection window.

    Parameters
    ----------
    face_dir : str or Path, or sequence of them
        Folders of face images (png, jpg, pgm, ...), each framed like the detection window.
    window_shape : tuple of int
    crop : tuple of float, or sequence of them (one per folder), optional
        (top, left, height, width) as fractions of each image, cropped before resizing; the whole image if None.
    mirror : bool
        Add the left-right mirror image of every face.
    side_light : float
        Fraction of the faces (drawn at random) darkened on one side (`augment.side_light`).
    glasses : float
        Fraction of the faces (drawn at random) given drawn spectacles (`augment.spectacles`).
    backdrop : float
        Fraction of the faces (drawn at random) whose lower corners, beside the jaw, are replaced by a flat
        backdrop (`augment.backdrop`).
    rng : numpy.random.Generator, optional
        Draws the side-lit faces, the spectacles, the backdrops and the grain.
    marked_dir : str or Path, or sequence of them, optional
        Folders of photos with marked faces, cut out by `marked_faces` and added before mirroring.
    grain : float
        Fraction of the faces (drawn at random) given pixel noise (`augment.grain`), after the others, so the
        faces without it are drawn as before.

    Returns
    -------
    ndarray of float64, shape (n, height, width), in [0, 1]

    Raises
    ------
    FileNotFoundError
        If a folder does not exist or holds no image.
    """
    dirs = [face_dir] if isinstance(face_dir, (str, Path)) else list(face_dir)
    one_crop = crop is None or all(np.isscalar(v) for v in crop)
    crops = [crop] * len(dirs) if one_crop else list(crop)
    faces = []
    for folder, box in zip(dirs, crops):
        for image in _read_folder(folder):
            if box is not None:
                top, left, height, width = (np.array(box) * np.array(image.shape * 2)).round().astype(int)
                image = image[top:top + height, left:left + width]
            faces.append(resize(image, window_shape, anti_aliasing=True))
    marked = [] if marked_dir is None else [marked_dir] if isinstance(marked_dir, (str, Path)) else marked_dir
    faces += [face for folder in marked for face in marked_faces(folder, window_shape)]
    faces = np.stack(faces)
    faces = np.concatenate([faces, faces[:, :, ::-1]]) if mirror else faces
    rng = np.random.default_rng(rng)
    faces = augment.side_light(faces, side_light, rng) if side_light > 0 else faces
    faces = augment.backdrop(faces, backdrop, rng) if backdrop > 0 else faces
    faces = augment.spectacles(faces, glasses, rng) if glasses > 0 else faces
    return augment.grain(faces, grain, rng) if grain > 0 else faces


def marked_faces(folder, window_shape):
    """The marked faces of a folder of photos, framed like CBCL's and resized to the window.

    The folder holds ``landmarks.txt``, one face a line: the image's name (under ``images/``), then the (x, y)
    of the left eye, the right eye, any other points, and the mouth centre last (the layout of
    ``landmarks/caltech_webfaces``). Faces whose window (`marked_box`) is narrower than the detection window
    (they would have to be enlarged) or reaches past the photo, or whose eyes tilt more than `MAX_ROLL` degrees,
    are left out; the others are cut upright, as a scan sees them.

    Parameters
    ----------
    folder : str or Path
    window_shape : tuple of int

    Returns
    -------
    list of ndarray of float64, shape (height, width), in [0, 1]

    Raises
    ------
    FileNotFoundError
        If the folder has no ``landmarks.txt``.
    """
    faces = []
    for image, marks in marked_photos(folder):
        for points in marks:
            left, right = points[0], points[1]
            if abs(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0]))) > MAX_ROLL:
                continue
            top, left_col, height, width = marked_box(points, window_shape)
            if (width >= window_shape[1] and top >= 0 and left_col >= 0 and top + height <= image.shape[0]
                    and left_col + width <= image.shape[1]):
                faces.append(resize(image[top:top + height, left_col:left_col + width], window_shape,
                                    anti_aliasing=True))
    return faces


def marked_photos(folder):
    """(grey float64 image, list of (k, 2) arrays of its faces' marked points) for each photo of a folder laid
    out as `marked_faces` reads it, in the order of the photos' names.

    Raises
    ------
    FileNotFoundError
        If the folder has no ``landmarks.txt``.
    """
    folder = Path(folder)
    if not (folder / "landmarks.txt").is_file():
        raise FileNotFoundError(f"{folder}: no landmarks.txt of marked faces")
    by_image = {}
    for line in (folder / "landmarks.txt").read_text().splitlines():
        name, *values = line.split() or [None]
        if name is not None:
            by_image.setdefault(name, []).append(np.array(values, dtype=np.float64).reshape(-1, 2))
    for name, marks in sorted(by_image.items()):
        yield read_grey(folder / "images" / name, np.float64), marks


def marked_box(points, window_shape):
    """The window (top, left, height, width), in whole pixels, that frames a face with marked eyes and mouth.

    With e the midpoint of the eyes l and r (``points[0]``, ``points[1]``) and m the mouth (``points[-1]``), all
    (x, y), the window is s wide, centred on e's column, its top at e's row - `MARKED_EYE_ROW` s, where s averages
    the width the eye distance gives, |r - l| / `MARKED_EYE_DISTANCE`, and the one the eye-to-mouth distance
    gives, |m - e| / (`MARKED_MOUTH_ROW` - `MARKED_EYE_ROW`): either alone shrinks on a turned or nodding head.
    """
    left, right, mouth = points[0], points[1], points[-1]
    eyes = (left + right) / 2
    s = (np.linalg.norm(right - left) / MARKED_EYE_DISTANCE
         + np.linalg.norm(mouth - eyes) / (MARKED_MOUTH_ROW - MARKED_EYE_ROW)) / 2
    width, height = int(round(s)), int(round(s * window_shape[0] / window_shape[1]))
    return int(round(eyes[1] - MARKED_EYE_ROW * s)), int(round(eyes[0] - s / 2)), height, width


def dihedral_views(image):
    """The eight views of `image` under quarter turns and mirroring (the dihedral group of the square).

    A photo with no face in it has none in any of these views either, while its windows, seen upright by the
    detector, are new ones: turning the face-free photos is a way to get more negatives where they run out.
    """
    turns = [np.rot90(image, k) for k in range(4)]
    return turns + [turn[:, ::-1] for turn in turns]


def _read_folder(folder):
    """Grey float images of every image file in `folder` (sorted by name)."""
    return [read_grey(path, np.float64) for path in image_files([folder], IMAGE_SUFFIXES)]


def _json_ready(value):
    """`value` as it can be saved with a cascade: paths as strings, tuples as lists, numpy numbers as Python ones
    (anything else, such as a Generator passed as random_state, by its repr)."""
    if isinstance(value, (str, Path)):
        return str(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value if value is None or isinstance(value, (bool, int, float)) else repr(value)
