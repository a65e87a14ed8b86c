"""Face detection on big photos: detections, peak memory and time per megapixel.

The photos are built here: scikit-image's astronaut (512x512, one face) enlarged to 3000x3000 and 6000x6000 (PIL's
bicubic resize, as an image editor would), a blank 10,000x10,000 image, and the astronaut at 640x480 as the
yardstick for time per megapixel. Each photo is turned grey as ``dbnfer detect`` reads it (`images.as_grey`, then
float32, as `images.read_grey` returns it) and handed to `detect_faces` once, in a fresh process, which reports:

* detections: all, on the astronaut's face (the box holds the centre of her face), and on flat background (the
  photo's pixels inside the box vary by less than `scan.FLAT_STD`);
* peak memory: the child's peak resident set (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), over its whole life:
  Python and dbnfer, the photo itself (4 bytes a pixel) and `detect_faces`;
* time: wall-clock seconds of `detect_faces` (the 640x480 photo: fastest of five runs, the others one run) and
  milliseconds per megapixel, also as a multiple of the 640x480 photo's.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/detect_big_photo.py
"""

import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

FACE_CENTRE = (115, 225)  # (row, col) of the astronaut's face in the 512x512 original
PHOTOS = [("astronaut", (480, 640)), ("astronaut", (3000, 3000)), ("astronaut", (6000, 6000)),
          ("blank", (10_000, 10_000))]


def build(kind, shape, path):
    """Save the grey float32 photo (`PHOTOS`) at `path`, as `images.read_grey` would return it."""
    from PIL import Image
    from skimage import data

    from dbnfer.images import as_grey
    if kind == "blank":
        image = np.ones(shape, dtype=np.float32)
    else:
        rgb = Image.fromarray(data.astronaut()).resize(shape[::-1], Image.BICUBIC)
        image = as_grey(np.asarray(rgb)).astype(np.float32)
    np.save(path, image)


def measure(path, repeats):
    """`detect_faces` on the photo saved at `path`: boxes, which are flat, seconds, peak RSS in MB."""
    from dbnfer.detect import detect_faces, load_default_cascade
    load_default_cascade()  # read once, outside the timing
    image = np.load(path)
    seconds = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        boxes, _ = detect_faces(image)
        seconds = min(seconds, time.perf_counter() - start)
    flat = [_is_flat(image, box) for box in boxes]
    return boxes, flat, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _is_flat(image, box):
    """True if the photo's pixels inside `box` (clipped to the photo) vary by less than `scan.FLAT_STD`."""
    from dbnfer.detect.scan import FLAT_STD
    top, left, height, width = np.maximum(box, 0)
    return bool(image[top:top + height, left:left + width].std() < FLAT_STD)


def in_fresh_process(function, *args):
    """`function(*args)` in a new Python process. Building the photos there too keeps this process small: a
    child's peak RSS counts its parent's memory at the moment it is started."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as child:
        return child.submit(function, *args).result()


def main():
    rows, reference = [], None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.npy"
        for kind, (height, width) in PHOTOS:
            in_fresh_process(build, kind, (height, width), path)
            megapixels = height * width / 1e6
            boxes, flat, seconds, peak = in_fresh_process(measure, path, 5 if megapixels < 1 else 1)
            on_face = 0 if kind == "blank" else sum(
                top <= FACE_CENTRE[0] * height / 512 < top + h and left <= FACE_CENTRE[1] * width / 512 < left + w
                for top, left, h, w in boxes)
            ms_per_megapixel = 1000 * seconds / megapixels
            reference = reference or ms_per_megapixel
            rows.append((f"{kind} {width}x{height}", len(boxes), on_face, sum(flat), peak, seconds,
                         ms_per_megapixel, ms_per_megapixel / reference))
            print(f"{kind} {width}x{height}: done", flush=True)
    print("\n| photo | detections | on the face | on flat background | peak RSS (MB) | time (s) | ms per MP "
          "| vs 640x480 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n, on_face, flat, peak, seconds, ms, ratio in rows:
        print(f"| {name} | {n} | {on_face} | {flat} | {peak:,.0f} | {seconds:.2f} | {ms:,.0f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
