"""The single-file .npz model format: round trip, a clear error for anything else, and the
settings and arrays a model hands to it."""

import numpy as np
import pytest

from dbnfer.persist import Saveable, load_npz, save_npz, with_prefix, without_prefix


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


class Toy(Saveable):
    kind = "toy"

    def __init__(self, sizes=(3, 4), rate=0.1, dtype=np.float32, random_state=None, verbose=False):
        self.sizes, self.rate, self.dtype = sizes, rate, np.dtype(dtype)
        self.random_state, self.verbose = random_state, verbose

    def state(self):
        return {"W": self.W_}, self.settings()

    @classmethod
    def from_state(cls, arrays, settings):
        toy = cls(**settings)
        toy.W_ = arrays["W"]
        return toy


class WiderToy(Toy):
    def __init__(self, width=5, **settings):
        super().__init__(**settings)
        self.width = width


def test_settings_are_the_constructor_arguments_ready_for_json():
    assert Toy(rate=0.5, random_state=3).settings() == {"sizes": [3, 4], "rate": 0.5,
                                                        "dtype": "float32"}
    assert WiderToy(width=2, rate=0.5).settings() == {"width": 2, "sizes": [3, 4], "rate": 0.5,
                                                      "dtype": "float32"}


def test_saveable_round_trip(tmp_path):
    toy = WiderToy(width=2, dtype=np.float64)
    toy.W_ = np.arange(6.0).reshape(2, 3)
    toy.save(tmp_path / "toy.npz")
    loaded = WiderToy.load(tmp_path / "toy.npz")
    assert loaded.width == 2 and loaded.dtype == np.float64 and loaded.sizes == [3, 4]
    np.testing.assert_array_equal(loaded.W_, toy.W_)


def test_prefixes_nest_a_part_in_a_whole():
    part = {"W": np.zeros(2), "b": np.ones(1)}
    whole = {"mean": np.zeros(3), **with_prefix("mlp_", part)}
    assert set(whole) == {"mean", "mlp_W", "mlp_b"}
    assert without_prefix("mlp_", whole) == part
