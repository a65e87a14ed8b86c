"""The single-file .npz model format: round trip, and a clear error for anything else."""

import numpy as np
import pytest

from dbnfer.persist import load_npz, save_npz


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "model.npz"
    arrays = {"W": np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32),
              "classes": np.array([3, 7])}
    settings = {"sizes": [3, 4], "rate": 0.1, "name": "x", "target": None}
    save_npz(path, "toy", arrays, settings)
    loaded, loaded_settings = load_npz(path, "toy")
    assert loaded_settings == settings and set(loaded) == set(arrays)
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].dtype == array.dtype
    with np.load(path, allow_pickle=False) as raw:  # plain arrays only, no pickles
        assert str(raw["__kind__"]) == "toy"


def test_wrong_kind_or_version_names_the_file(tmp_path):
    path = tmp_path / "model.npz"
    save_npz(path, "toy", {"W": np.zeros(2)}, version=2)
    with pytest.raises(ValueError, match=r"model\.npz.*'toy'.*'other'"):
        load_npz(path, "other", version=2)
    with pytest.raises(ValueError, match=r"model\.npz.*version 2"):
        load_npz(path, "toy", version=1)


def test_not_a_model_file(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, W=np.zeros(2))
    with pytest.raises(ValueError, match=r"plain\.npz.*not a dbnfer model"):
        load_npz(plain, "toy")
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.npz"):
        load_npz(text, "toy")
    with pytest.raises(FileNotFoundError, match=r"absent\.npz"):
        load_npz(tmp_path / "absent.npz", "toy")


def test_reserved_names_and_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        save_npz(tmp_path / "a.npz", "toy", {"__kind__": np.zeros(1)})
    with pytest.raises(ValueError, match="JSON"):
        save_npz(tmp_path / "b.npz", "toy", {}, {"f": object()})
