"""--jobs: the folds in worker processes give exactly the figures of one process."""

import numpy as np

from dbnfer.datasets import load_dataset
from dbnfer.experiment import run


def test_folds_in_two_processes_equal_one_process(capsys):
    dataset = load_dataset("lfw").subset(np.r_[0:20, 100:120])  # 20 faces, 20 non-faces
    X = dataset.images.reshape(len(dataset), -1).astype(np.float32)
    methods, protocols = ["nn", "svm-linear", "ns"], ["kfold"]
    one = run(dataset, X, methods, protocols, n_splits=4, seed=1)
    two = run(dataset, X, methods, protocols, n_splits=4, seed=1, jobs=2, verbose=True)
    assert list(one) == list(two)
    for key in one:
        assert one[key]["predictions"] == two[key]["predictions"]
        assert one[key]["fold_accuracy"] == two[key]["fold_accuracy"]
        assert one[key]["confusion"] == two[key]["confusion"]
    assert "svm-linear kfold:" in capsys.readouterr().err  # each method's figure, as with one process
