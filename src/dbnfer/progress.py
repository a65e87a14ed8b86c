"""Progress of long work (epochs, folds, cascade stages) on standard error, silenced with ``verbose=False``.

On a terminal a loop shows one line that updates in place, with the count, the rate and the time left; in a
file or a pipe (a log, CI) it prints one plain line per step, so nothing is lost; with ``verbose=False`` it
prints nothing.
"""

import sys
import time


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


class Progress:
    """Count the steps of a loop of known length and show them.

    Parameters
    ----------
    total : int
        Number of steps.
    label : str
        What is counted ("epoch", "fold", "stage"), shown before the count.
    verbose : bool
        False prints nothing.
    stream : file, optional
        Where to write (standard error by default).

    Examples
    --------
    >>> with Progress(3, "epoch", verbose=False) as progress:
    ...     for epoch in range(3):
    ...         progress.step(f"loss {0.5:.3f}")
    """

    def __init__(self, total, label, verbose=True, stream=None):
        self.total, self.label, self.verbose = int(total), label, verbose
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.start = time.perf_counter()
        self._width = 0

    @property
    def live(self):
        """True when the line is redrawn in place (a terminal), False for plain lines."""
        return self.stream.isatty()

    def step(self, message=""):
        """Count one step done and show `message` beside the count, rate and time left."""
        self.done += 1
        if not self.verbose:
            return
        line = f"{self.label} {self.done}/{self.total}" + (f": {message}" if message else "")
        if self.live:
            elapsed = time.perf_counter() - self.start
            rate = self.done / elapsed if elapsed > 0 else float("inf")
            left = (self.total - self.done) / rate if rate > 0 else 0.0
            line += f"  [{rate:.2f}/s, {_clock(elapsed)} elapsed, {_clock(left)} left]"
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        """End the updating line (a newline on a terminal)."""
        if self.verbose and self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
        self._width = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _clock(seconds):
    """'1:05' for 65 s, '1:00:05' past an hour."""
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
