"""Transfer learning: an expression model trained on one data set, fine-tuned on another.

A small data set such as JAFFE (213 photos of 10 people) teaches a network who is in the photo as much as what
they express. A network trained on many people (FER-2013's 28,709 web faces) has already learnt features of
expressions; training it further on the small set's faces adapts it to their camera, framing and people while it
keeps what it knows (Yosinski et al. 2014; Oquab et al. 2014 did the same from ImageNet to smaller sets).

Fine-tuning here is the whole network, standardisation kept, continuing backpropagation on the new faces and their
mirror images (`dbnfer.networks.mlp.MLP` with ``warm_start``: batches of 20, momentum 0.9, no dropout). How long and
how fast it should train depends on the data, so the number of epochs E and the learning rate ε are chosen among
:data:`GRID` by cross-validation inside the training data, leave-one-subject-out where the data set names its
people (:func:`choose_schedule`): the accuracy of each (E, ε), summed over the folds, picks one. Each face is cut
as the model's own training faces were (its ``preprocessing``: for FER-2013, the detector's box widened to the
frame of those faces, `dbnfer.predict.face_frame`), so the network sees what it was trained on.

References
----------
Yosinski, J., Clune, J., Bengio, Y. & Lipson, H. (2014). How transferable are features in deep neural networks?
    NIPS.
Oquab, M., Bottou, L., Laptev, I. & Sivic, J. (2014). Learning and transferring mid-level image representations
    using convolutional neural networks. CVPR.
"""

import copy

import numpy as np

from dbnfer.datasets import load_dataset
from dbnfer.evaluate import leave_one_subject_out, stratified_kfold
from dbnfer.predict import ExpressionModel
from dbnfer.preprocess import face_vectors
from dbnfer.progress import Progress

#: (fine-tuning epochs E, learning rate ε) candidates of :func:`choose_schedule`.
GRID = [(epochs, rate) for epochs in (10, 30, 60) for rate in (0.005, 0.02, 0.05)]
#: Folds of the choice on a data set that does not name its people (subject-free k-fold).
N_FOLDS = 5


def framed_faces(model, images):
    """Feature vectors of each image's largest face, and of its mirror image, cut as `model` cuts faces.

    Returns
    -------
    X, X_mirror : ndarray of float32, shape (n, d)
    found : int
        Images where the model's `ExpressionModel.find_faces` found a face (every image when it takes whole images
        or a fixed box); the others are described whole.
    """
    boxes, found = [], 0
    for image in images:
        faces = model.find_faces(image)
        found += bool(faces)
        boxes.append(max(faces, key=lambda box: box[2] * box[3]) if faces else (0, 0, *image.shape))
    p = model.preprocessing
    X, X_mirror, _, _ = face_vectors(list(images), boxes, p["size"], p["equalised"], p["crop"],
                                     p.get("features", "pixels"), mirrored=True)
    return X, X_mirror, found


class FineTuning:
    """A trained classifier's network, trained further on some of the faces `X` (mirror images `X_mirror`).

    Parameters
    ----------
    classifier : DBNClassifier
        Fitted; its standardisation (``mean_``, ``scale_``) is kept and its ``mlp_`` is copied, never changed.
    X, X_mirror : ndarray, (n, d)
        The faces and their mirror images, described as the classifier's training faces were.
    y : ndarray of int, (n,)
        Labels, indices of the classifier's classes.
    seed : int
        Seed of each fine-tuning's batch order.
    """

    def __init__(self, classifier, X, X_mirror, y, seed=0):
        self.classifier, self.y, self.seed = classifier, np.asarray(y), seed
        self.Z = (X - classifier.mean_) / classifier.scale_
        self.Z_mirror = (X_mirror - classifier.mean_) / classifier.scale_

    def fit(self, rows, epochs, learning_rate):
        """A copy of the network trained `epochs` epochs at rate `learning_rate` on the faces `rows` and their
        mirror images."""
        mlp = copy.deepcopy(self.classifier.mlp_)
        mlp.warm_start, mlp.n_epochs, mlp.learning_rate, mlp.average_from = True, epochs, learning_rate, None
        mlp.batch_size, mlp.dropout, mlp.validation_fraction = 20, 0.0, 0.0
        mlp.random_state, mlp.verbose = self.seed, False
        return mlp.fit(np.concatenate([self.Z[rows], self.Z_mirror[rows]]), np.tile(self.y[rows], 2))

    def proba(self, mlp, rows):
        """Class probabilities of the faces `rows`: the mean over each face and its mirror image."""
        return (mlp.predict_proba(self.Z[rows]) + mlp.predict_proba(self.Z_mirror[rows])) / 2

    def right(self, mlp, rows):
        """How many of the faces `rows` the fine-tuned `mlp` classifies correctly."""
        return int(np.sum(mlp.classes_[np.argmax(self.proba(mlp, rows), axis=1)] == self.y[rows]))


def inner_splits(y, subjects, seed=0):
    """The folds of the choice: leave-one-subject-out, or stratified :data:`N_FOLDS`-fold when every face is its
    own subject (a data set that does not name its people)."""
    subjects = np.asarray(subjects)
    if len(np.unique(subjects)) == len(subjects):
        return stratified_kfold(y, min(N_FOLDS, len(y)), seed)
    return leave_one_subject_out(subjects)


def choose_schedule(tuning, rows, subjects, grid=GRID, verbose=False):
    """The (epochs, learning rate) of `grid` that classifies most faces right in cross-validation over `rows`.

    Parameters
    ----------
    tuning : FineTuning
    rows : ndarray of int
        The training faces; the choice sees nothing else.
    subjects : ndarray, (len(rows),)
        Who is in each of those faces (:func:`inner_splits`).

    Returns
    -------
    chosen : tuple
        The first of the best points, in `grid` order.
    right : dict
        Faces classified right by each point, summed over the folds.
    """
    splits = inner_splits(tuning.y[rows], subjects)
    right = dict.fromkeys(grid, 0)
    with Progress(len(splits), "fine-tuning choice, fold", verbose) as progress:
        for train, test in splits:
            for point in grid:
                right[point] += tuning.right(tuning.fit(rows[train], *point), rows[test])
            progress.step()
    return max(grid, key=right.get), right


def fine_tune_model(model, dataset, data_dir=None, random_state=0, verbose=False, grid=GRID):
    """`model` fine-tuned on a whole data set, epochs and learning rate chosen among `grid` by
    :func:`choose_schedule`.

    Parameters
    ----------
    model : ExpressionModel
        A trained model; it is not changed.
    dataset : str
        A data-set name of :func:`dbnfer.datasets.load_dataset`, with the same expressions as the model.
    data_dir : str or Path, optional
    random_state : int
        Seed of the fine-tuning's batch order.

    Returns
    -------
    ExpressionModel
        With the preprocessing of `model`.

    Raises
    ------
    ValueError
        If the data set's expressions are not the model's.
    """
    data = load_dataset(dataset, data_dir)
    if tuple(data.label_names) != model.label_names:
        raise ValueError(f"{dataset}: its expressions ({', '.join(data.label_names)}) are not the model's "
                         f"({', '.join(model.label_names)}), so the network cannot be fine-tuned on them")
    X, X_mirror, found = framed_faces(model, data.images)
    tuning = FineTuning(model.classifier, X, X_mirror, data.labels, random_state)
    rows = np.arange(len(data))
    chosen, _ = choose_schedule(tuning, rows, np.asarray(data.subjects), grid, verbose)
    classifier = copy.copy(model.classifier)
    classifier.mlp_ = tuning.fit(rows, *chosen)
    how = "leave-one-subject-out" if len(set(data.subjects)) < len(data) else f"{N_FOLDS}-fold cross-validation"
    return ExpressionModel(classifier, model.label_names, model.preprocessing,
                           f"{dataset} ({len(data)} images, a face found in {found}; {chosen[0]} epochs at rate "
                           f"{chosen[1]}, chosen by {how}), fine-tuned from {model.trained_on}")
