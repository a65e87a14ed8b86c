"""Saving models to, and loading them from, a single ``.npz`` file.

One file holds a model's arrays (weights, biases, thresholds, ...) next to three small entries:

    __kind__      the kind of model, e.g. "dbn_classifier", "cascade"
    __version__   the file-format version of that kind
    __settings__  a JSON string with the constructor settings needed to rebuild the model

Everything is stored as plain arrays (no pickles), so a file written here is read with
``numpy.load(path, allow_pickle=False)`` and cannot run code when opened.
"""

import json
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1

_RESERVED = ("__kind__", "__version__", "__settings__")


def save_npz(path, kind, arrays, settings=None, version=FORMAT_VERSION):
    """Write `arrays` and `settings` of a model of `kind` to one ``.npz`` file.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination file; numpy appends ``.npz`` when the name lacks it, so pass a name ending in it.
    kind : str
        What the file holds, checked by `load_npz`.
    arrays : dict of str -> array_like
        The learned arrays; keys must not start and end with a double underscore.
    settings : dict, optional
        JSON-serialisable constructor settings (numbers, strings, lists, dicts, None).
    version : int
        Format version of this kind, checked by `load_npz`.

    Raises
    ------
    ValueError
        If an array name is reserved or the settings are not JSON-serialisable.
    """
    path = Path(path)
    clash = [name for name in arrays if name.startswith("__") and name.endswith("__")]
    if clash:
        raise ValueError(f"{path}: array names {clash} are reserved for the file header")
    try:
        settings_json = json.dumps({} if settings is None else settings)
    except TypeError as error:
        raise ValueError(f"{path}: settings are not JSON-serialisable ({error})") from None
    header = {"__kind__": np.array(kind), "__version__": np.array(int(version)),
              "__settings__": np.array(settings_json)}
    np.savez(path, **header, **{name: np.asarray(a) for name, a in arrays.items()})


def load_npz(path, kind, version=FORMAT_VERSION):
    """Read a file written by `save_npz`, checking that it holds a model of `kind`.

    Parameters
    ----------
    path : str or pathlib.Path
        File to read.
    kind : str
        The kind of model expected.
    version : int
        The format version expected.

    Returns
    -------
    arrays : dict of str -> ndarray
        The stored arrays, without the header entries.
    settings : dict
        The stored settings.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not a dbnfer model file, or holds another kind or version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {name: data[name] for name in data.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable .npz model file ({error})") from None
    if any(name not in contents for name in _RESERVED):
        raise ValueError(f"{path}: not a dbnfer model file (no kind/version header)")
    found_kind = str(contents.pop("__kind__"))
    found_version = int(contents.pop("__version__"))
    settings = json.loads(str(contents.pop("__settings__")))
    if found_kind != kind:
        raise ValueError(f"{path}: holds a {found_kind!r} model, expected {kind!r}")
    if found_version != version:
        raise ValueError(f"{path}: {kind!r} format version {found_version}, "
                         f"this dbnfer reads version {version}")
    return contents, settings


class Saveable:
    """Mixin: ``save`` and ``load`` for a model that defines three methods.

    ``_arrays()`` returns its learned arrays, ``_settings()`` its constructor settings, and the
    classmethod ``_from_saved(arrays, settings)`` rebuilds it; the class attribute ``kind`` names
    the model in the file, so that loading a file of another kind fails clearly.
    """

    kind = None

    def save(self, path):
        """Write the model's arrays and settings to one ``.npz`` file."""
        save_npz(path, self.kind, self._arrays(), self._settings())

    @classmethod
    def load(cls, path):
        """Rebuild a model written by `save`.

        Raises
        ------
        FileNotFoundError
            If `path` does not exist.
        ValueError
            If the file holds another kind of model or another format version.
        """
        return cls._from_saved(*load_npz(path, cls.kind))
