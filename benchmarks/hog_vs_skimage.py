"""dbnfer's HOG of a stack of faces against scikit-image's ``hog`` called face by face, same faces, same run.

``dbnfer.features.hog_vectors`` writes out scikit-image's HOG (centred differences, 9 unsigned orientation bins
per 8 x 8-pixel cell, no vote interpolation, L2-Hys over 2 x 2-cell blocks) for a whole stack at once; the
vectors are the same to the last bit, which the script checks before timing. ``extract(faces, "hog")`` called it
face by face through ``skimage.feature.hog`` before; FER-2013's training then spent 2.5 minutes describing its
64,596 faces and mirror images.

Faces: the embedded default faces (``load_dataset("synthetic")``, 640 images, central crop, 64x64, equalised,
as ``--features hog`` prepares them) and, when ../shared/data/fer2013 exists, FER-2013's first 4,000 Training
faces (48x48 upsampled to 64x64). Times are the best of ``--repeats`` runs, the two taking turns.

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/hog_vs_skimage.py [--repeats 3]
"""

import argparse
from pathlib import Path

import numpy as np
from skimage.feature import hog

from dbnfer.datasets import load_dataset, load_fer2013
from dbnfer.experiment import preprocessing
from dbnfer.features import hog_vectors
from dbnfer.preprocess import prepare
from timing import best_times  # benchmarks/timing.py, next to this script

FER2013 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fer2013"


def skimage_hog(faces):
    """scikit-image's HOG of every face, one call a face: what dbnfer did before."""
    return np.stack([hog(face, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                         block_norm="L2-Hys") for face in faces]).astype(np.float32)


def faces_of(name, data_dir=None, first=None):
    """The 64x64 faces that ``--features hog`` describes for data set `name`."""
    dataset = load_dataset(name, data_dir) if data_dir is None else load_fer2013(data_dir)
    if first is not None:
        dataset = dataset.subset(np.arange(len(dataset)) < first)
    settings = {**preprocessing(name, features="hog"), "features": "pixels"}  # the squares hog would see
    return prepare(dataset, **settings).reshape(len(dataset), settings["size"], settings["size"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sets = {"synthetic": faces_of("synthetic")}
    if FER2013.exists():
        sets["fer2013"] = faces_of("fer2013", FER2013, first=4000)
    for name, faces in sets.items():
        same = np.array_equal(hog_vectors(faces), skimage_hog(faces))
        seconds = best_times({"dbnfer": lambda: hog_vectors(faces), "skimage": lambda: skimage_hog(faces)},
                             args.repeats)
        per_face = {who: 1000 * t / len(faces) for who, t in seconds.items()}
        print(f"{name}: {len(faces)} faces {faces.shape[1]}x{faces.shape[2]}, identical vectors: {same}")
        print(f"  dbnfer hog_vectors {per_face['dbnfer']:.3f} ms/face, skimage hog {per_face['skimage']:.3f} "
              f"ms/face: {seconds['skimage'] / seconds['dbnfer']:.1f}x faster")


if __name__ == "__main__":
    main()
