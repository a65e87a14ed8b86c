"""Progress messages for long work (epochs, folds, cascade stages), silenced with ``verbose=False``."""

import sys


def report(message, verbose=True):
    """Print one progress line to standard error when `verbose` is true.

    Parameters
    ----------
    message : str
        The line to print.
    verbose : bool
        False silences it; every long-running function in dbnfer takes this flag.
    """
    if verbose:
        print(message, file=sys.stderr, flush=True)
