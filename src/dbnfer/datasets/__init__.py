"""Face data sets in the layouts users download, plus the synthetic default, all as one FaceDataset type.

    >>> from dbnfer.datasets import load_dataset
    >>> data = load_dataset("synthetic")                          # no download needed
    >>> data = load_dataset("jaffe", "path/to/jaffe")             # SS.EEn.NNN.tiff files
"""

from dbnfer.datasets.base import LABELS, FaceDataset
from dbnfer.datasets.ckplus import load_ckplus
from dbnfer.datasets.fer2013 import load_fer2013
from dbnfer.datasets.folders import load_folders, load_lfw_subset
from dbnfer.datasets.jaffe import load_jaffe
from dbnfer.datasets.synthetic import make_synthetic
from dbnfer.datasets.yale import load_yale

#: Loaders by name; the first group needs a data folder, the second is embedded.
LOADERS = {"jaffe": load_jaffe, "ckplus": load_ckplus, "fer2013": load_fer2013, "yale": load_yale,
           "folders": load_folders}
EMBEDDED = {"synthetic": make_synthetic, "lfw": load_lfw_subset}


def load_dataset(name, data_dir=None, **options):
    """Load the data set called `name` from `data_dir` (embedded data sets need none).

    Parameters
    ----------
    name : str
        One of ``LOADERS`` (jaffe, ckplus, fer2013, yale, folders) or ``EMBEDDED`` (synthetic, lfw).
    data_dir : str or Path, optional
        Where the data set's files are, in their original layout.
    **options
        Passed to the loader (e.g. ``last_frames=3`` for CK+, ``n_subjects=20`` for synthetic).

    Raises
    ------
    ValueError
        For an unknown name, a missing `data_dir`, or data not in the expected layout.
    """
    if name in EMBEDDED:
        return EMBEDDED[name](**options)
    if name not in LOADERS:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join([*LOADERS, *EMBEDDED])}")
    if data_dir is None:
        raise ValueError(f"the {name} data set needs --data-dir (see data/README.md for how to get it)")
    return LOADERS[name](data_dir, **options)


__all__ = ["LABELS", "FaceDataset", "load_dataset", "load_jaffe", "load_ckplus", "load_fer2013",
           "load_yale", "load_folders", "load_lfw_subset", "make_synthetic"]
