"""Saving models to, and loading them from, a single ``.npz`` file.

One file holds a model's arrays (weights, biases, thresholds, ...) next to three small entries:

    __kind__      the kind of model, e.g. "dbn_classifier", "cascade"
    __version__   the file-format version of that kind
    __settings__  a JSON string with the constructor settings needed to rebuild the model

Everything is stored as plain arrays (no pickles), so a file written here is read with
``numpy.load(path, allow_pickle=False)`` and cannot run code when opened. A file is written whole or not at
all: into a temporary file beside it, renamed over the old one only once complete, so that a failed save (a
full disk, Ctrl-C) leaves the earlier file as it was.
"""

import inspect
import json
import os
import zipfile
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1

_RESERVED = ("__kind__", "__version__", "__settings__")


def save_npz(path, kind, arrays, settings=None, version=FORMAT_VERSION):
    """Write `arrays` and `settings` of a model of `kind` to one ``.npz`` file.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination file; ``.npz`` is appended when the name lacks it, as numpy does.
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
    OSError
        If the file cannot be written (naming it); an earlier file of that name is then left unchanged.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    clash = [name for name in arrays if name.startswith("__") and name.endswith("__")]
    if clash:
        raise ValueError(f"{path}: array names {clash} are reserved for the file header")
    try:
        settings_json = json.dumps({} if settings is None else settings)
    except TypeError as error:
        raise ValueError(f"{path}: settings are not JSON-serialisable ({error})") from None
    header = {"__kind__": np.array(kind), "__version__": np.array(int(version)),
              "__settings__": np.array(settings_json)}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "xb") as handle:
            np.savez(handle, **header, **{name: np.asarray(a) for name, a in arrays.items()})
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OSError(f"{path}: cannot write the file ({error.strerror or error}); "
                          f"nothing was changed") from None
        raise


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
        If the file is not a dbnfer model file (empty, truncated, not an ``.npz`` archive, holding
        anything but plain arrays, no header), or holds another kind or version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        what = "an empty file" if path.stat().st_size == 0 else "not an .npz archive, or truncated"
        raise ValueError(f"{path}: not a dbnfer model file ({what})")
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {name: data[name] for name in data.files}
        found_kind = str(contents.pop("__kind__"))
        found_version = int(contents.pop("__version__"))
        settings = json.loads(str(contents.pop("__settings__")))
    except KeyError:
        raise ValueError(f"{path}: not a dbnfer model file (no kind/version header)") from None
    except (OSError, ValueError, TypeError, EOFError, zipfile.BadZipFile):  # object arrays, damaged members, bad JSON
        raise ValueError(f"{path}: damaged, or not a dbnfer model file (its arrays cannot be read)") from None
    if found_kind != kind:
        raise ValueError(f"{path}: holds a {found_kind!r} model, expected {kind!r}")
    if found_version != version:
        raise ValueError(f"{path}: {kind!r} format version {found_version}, "
                         f"this dbnfer reads version {version}")
    return contents, settings


def with_prefix(prefix, arrays):
    """The arrays of a part of a model, named ``<prefix><name>`` for the whole model's file."""
    return {f"{prefix}{name}": a for name, a in arrays.items()}


def without_prefix(prefix, arrays):
    """The arrays named ``<prefix><name>``, as ``<name>``: the inverse of `with_prefix`."""
    return {name[len(prefix):]: a for name, a in arrays.items() if name.startswith(prefix)}


class Saveable:
    """Mixin: ``save``, ``load`` and ``settings`` for a model with ``state`` and ``from_state``.

    ``state()`` returns the model's learned arrays and its settings, and the classmethod
    ``from_state(arrays, settings)`` rebuilds it from them; the class attribute ``kind`` names the
    model in the file, so that loading a file of another kind fails clearly.
    """

    kind = None
    #: constructor arguments that are not part of the model (how it was run, not what it is)
    unsaved = ("random_state", "verbose")

    def settings(self):
        """The model's constructor arguments as it holds them, ready for JSON (as scikit-learn's
        ``get_params``): every argument of ``__init__`` but those in `unsaved`, looked up as
        attributes of the same name; a ``**settings`` argument passed on to the parent class's
        ``__init__`` brings in that class's arguments.

        Returns
        -------
        dict
            Tuples as lists, numpy dtypes by name.
        """
        names = [name for name in _constructor_arguments(type(self)) if name not in self.unsaved]
        return {name: _json_ready(getattr(self, name)) for name in names}

    def _keep_settings(self, arguments):
        """Keep the constructor's arguments (its ``locals()``) as attributes of the same names,
        scikit-learn's convention, which `settings` reads back."""
        for name in _constructor_arguments(type(self)):
            if name in arguments:
                setattr(self, name, arguments[name])

    def state(self):
        """The learned arrays and the settings that rebuild the model.

        Returns
        -------
        arrays : dict of str -> ndarray
        settings : dict
        """
        raise NotImplementedError

    @classmethod
    def from_state(cls, arrays, settings):
        """Rebuild a fitted model from `state`'s output; it computes exactly as the original."""
        raise NotImplementedError

    def save(self, path):
        """Write the model's arrays and settings to one ``.npz`` file."""
        save_npz(path, self.kind, *self.state())

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
        return cls.from_state(*load_npz(path, cls.kind))


def _constructor_arguments(cls):
    """Names of the named arguments of ``cls.__init__``, following ``**kwargs`` up the classes."""
    names = []
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        parameters = inspect.signature(klass.__init__).parameters.values()
        names += [p.name for p in parameters
                  if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self" and p.name not in names]
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    return names


def _json_ready(value):
    if isinstance(value, np.dtype):
        return value.name
    return list(value) if isinstance(value, tuple) else value
