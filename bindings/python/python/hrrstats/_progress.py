"""Progress bars for long computations.

The Rust core reports the fraction of its work done from the outer loops of its long
methods (large Lexis splits and person-time tables, joinpoint permutation tests,
``protect_table``'s audit, ...) through one hook that the extension installs for every
call (``hrrstats_core::progress``); nothing here knows any method. This module
receives those reports and shows them:

- ``"auto"`` (the default): a bar on stderr (tqdm if installed, else a plain line)
  when stderr is a terminal and the call has run for more than a second; nothing in
  scripts, notebooks' logs or test runs whose stderr is not a terminal;
- ``True``: a bar whenever a call runs for more than a second;
- ``False``: never (the core then stops reporting after its first report of a call);
- a callable: called with each fraction (a float in [0, 1]; the last one 1.0 when the
  call succeeds).

``set_progress`` sets the mode for the session, ``progress`` for a ``with`` block, and
``quiet=True`` (on the long functions) or ``with hrrstats.progress(False):`` silences
a call. Reports arrive at most five times a second and only from Python's main thread.
"""
from __future__ import annotations

import contextlib
import contextvars
import sys
import time
from typing import Callable, Iterator, Union

from . import _hrrstats as _core

Mode = Union[str, bool, Callable[[float], object]]

_MODE: list = ["auto"]
_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("hrrstats_quiet", default=False)
DELAY = 1.0  # seconds a call runs before a bar appears


def _check(show):
    if not (show == "auto" or isinstance(show, bool) or callable(show)):
        raise ValueError(f"argument `show`: must be \"auto\", True, False or a callable, not {show!r}")
    return show


def set_progress(show: Mode = "auto") -> Mode:
    """Choose how long computations show their progress, for the rest of the session.

    Parameters
    ----------
    show : {"auto", True, False} or callable, default "auto"
        ``"auto"``: a progress bar on stderr (tqdm if installed, else a plain text
        line) for calls running longer than a second, only when stderr is a
        terminal; ``True``: such a bar even when stderr is not a terminal;
        ``False``: never; a callable: called with each fraction done (a float in
        [0, 1]; the last one is 1.0 when the call succeeds) instead of a bar.

    Returns
    -------
    {"auto", True, False} or callable
        The previous setting.

    Examples
    --------
    >>> import hrrstats as hs
    >>> previous = hs.set_progress(False)    # never show progress
    >>> hs.set_progress(previous)
    False
    """
    previous = _MODE[0]
    _MODE[0] = _check(show)
    return previous


@contextlib.contextmanager
def progress(show: Mode = True) -> Iterator[None]:
    """Show (or hide) the progress of the calls inside a ``with`` block.

    Parameters
    ----------
    show : {"auto", True, False} or callable, default True
        As in :func:`set_progress`; the previous setting is restored after the block.

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager.

    Examples
    --------
    >>> import hrrstats as hs
    >>> seen = []
    >>> with hs.progress(seen.append):
    ...     split = hs.lexis_split([0.0], [1.0], [1], time_scales={"t": [0.0]},
    ...                            breaks={"t": [0.0, 0.5, 1.0]})
    >>> len(split)      # too fast to report anything
    2
    """
    previous = set_progress(show)
    try:
        yield
    finally:
        _MODE[0] = previous


@contextlib.contextmanager
def quiet(flag: bool = True) -> Iterator[None]:
    """Within the block, no progress is shown when ``flag`` is true (``quiet=`` of the
    long functions)."""
    token = _QUIET.set(bool(flag) or _QUIET.get())
    try:
        yield
    finally:
        _QUIET.reset(token)


def showing() -> bool:
    """Whether a bar would be shown now (the mode, ``quiet``, and for "auto" whether
    stderr is a terminal): for progress that does not come from the core."""
    mode = _MODE[0]
    if _QUIET.get() or mode is False or (callable(mode) and not isinstance(mode, (bool, str))):
        return False
    return mode is True or _isatty()


def dask_bar():
    """A context manager showing the progress of the Dask computations inside it
    (``dask.diagnostics.ProgressBar`` on stderr, for Dask's local schedulers, after a
    second) when :func:`showing`, else one that does nothing. For ``hrrstats.dask``:
    ``with _progress.dask_bar(): dask.compute(...)``."""
    if not showing():
        return contextlib.nullcontext()
    try:
        from dask.diagnostics import ProgressBar
    except ImportError:  # pragma: no cover - dask is optional
        return contextlib.nullcontext()
    return ProgressBar(minimum=DELAY, out=sys.stderr)


class _TextBar:
    """A plain progress line on stderr, when tqdm is not installed."""

    def __init__(self):
        self.shown = -1

    def update(self, f):
        pct = int(100 * f)
        if pct != self.shown:
            self.shown = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\rhrrstats: |{bar:<25}| {pct:3d}%")
            sys.stderr.flush()

    def close(self):
        sys.stderr.write("\n")
        sys.stderr.flush()


class _TqdmBar:
    def __init__(self, tqdm):
        self.bar = tqdm(total=1000, desc="hrrstats", leave=False, file=sys.stderr,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")

    def update(self, f):
        self.bar.update(int(1000 * f) - self.bar.n)

    def close(self):
        self.bar.close()


def _new_bar():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _TextBar()
    return _TqdmBar(tqdm)


class _Display:
    """The state of the current call's display (one call at a time on the main thread)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.start = None
        self.bar = None

    def __call__(self, fraction):
        mode = _MODE[0]
        if fraction is None:                       # a call that reported failed
            self.close()
            return False
        if callable(mode) and not isinstance(mode, (bool, str)) and not _QUIET.get():
            mode(float(fraction))
            return True
        if not showing():
            self.reset()
            return False
        now = time.monotonic()
        if self.start is None:
            self.start = now
        if self.bar is None and fraction < 1.0 and now - self.start >= DELAY:
            self.bar = _new_bar()
        if self.bar is not None:
            self.bar.update(fraction)
        if fraction >= 1.0:
            self.close()
        return True

    def close(self):
        if self.bar is not None:
            self.bar.close()
        self.reset()


def _isatty():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


_display = _Display()
_core.set_progress(_display)
