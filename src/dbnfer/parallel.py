"""Folds in worker processes: ``--jobs N`` of ``dbnfer evaluate`` and ``compare``.

Every (method, protocol, fold) of a comparison is an independent job: a fresh classifier, seeded with the
run's seed, fitted on the fold's training images and asked for the test images' labels. Running them in N
processes gives exactly the predictions of one process (each job is the same computation), only sooner.

Each worker is started with one BLAS thread (``OPENBLAS_NUM_THREADS=1`` and its kin), so N workers use N
cores and do not fight over them; the data are sent once per worker, not once per job. Workers are
spawned, not forked, so they start clean on every platform and inside Jupyter.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from dbnfer.classifiers import fit_options, make_classifier
from dbnfer.evaluate import fit_and_predict
from dbnfer.progress import Progress

#: The variables that set the thread count of the BLAS libraries NumPy may be linked to.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")

_data = {}  # a worker's copy of the data, set once by _start_worker


def _start_worker(X, y, X_unlabeled, X_mirror):
    _data.update(X=X, y=y, X_unlabeled=X_unlabeled, X_mirror=X_mirror)


def _job(method, seed, features, train, test):
    fit_params = fit_options(method, _data["X_unlabeled"])
    classifier = make_classifier(method, random_state=seed, features=features, n_faces=len(_data["X"]))
    return fit_and_predict(classifier, _data["X"], _data["y"], train, test, fit_params, _data["X_mirror"])


@contextmanager
def _one_blas_thread():
    """Set the BLAS thread variables to 1 while workers are started, then restore them."""
    saved = {name: os.environ.get(name) for name in BLAS_THREADS}
    os.environ.update({name: "1" for name in BLAS_THREADS})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def map_folds(jobs, X, y, X_unlabeled=None, n_workers=2, verbose=False, X_mirror=None):
    """Fit and predict every job in `n_workers` processes.

    Parameters
    ----------
    jobs : list of (method, seed, features, train_index, test_index)
        The arguments of :func:`dbnfer.classifiers.make_classifier` and the fold.
    X, y : ndarray
        The design matrix and labels every job indexes.
    X_unlabeled : ndarray, optional
        Extra pre-training faces of the methods whose ``fit`` takes them.
    n_workers : int
        Processes to run at once.
    verbose : bool
        One progress line per finished job.
    X_mirror : ndarray, optional
        The features of the mirrored faces, for the methods that mirror them.

    Returns
    -------
    list of (predictions, fit_seconds, predict_seconds)
        In the order of `jobs` (see :func:`dbnfer.evaluate.fit_and_predict`).
    """
    y = np.asarray(y)
    pool = ProcessPoolExecutor(n_workers, multiprocessing.get_context("spawn"), _start_worker,
                               (X, y, X_unlabeled, X_mirror))
    try:
        with _one_blas_thread():  # workers are started by the first submits
            futures = [pool.submit(_job, *job) for job in jobs]
        results = []
        with Progress(len(jobs), "folds", verbose) as progress:
            for (method, _, _, _, test), future in zip(jobs, futures):
                results.append(future.result())
                progress.step(f"{method}: accuracy {np.mean(results[-1][0] == y[test]):.3f}")
        return results
    finally:
        pool.shutdown(cancel_futures=True)  # after an error or Ctrl-C, start no further job
