"""Stopping ``kinmap worker`` between two batches: Ctrl+C (SIGINT) or SIGTERM
asks it to stop, and a recompute lane's task ends after the batch in hand
(its lane is resumed by the next worker, :mod:`kinmap.jobs.services`)
instead of running to the end of the lane, minutes later.

django-tasks' ``db_worker`` installs its own handlers while it runs (finish
the task in hand, take no other): as each task starts, :func:`stop_on_signals`
is run again with ``chain`` so the stop is asked for as well; the worker
puts its own handlers back once ``db_worker`` returns (:func:`handlers_kept`).
Signals reach the main thread only, so elsewhere (a task run in a thread)
these do nothing."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_asked = threading.Event()


def stop_asked() -> bool:
    """Whether a stop was asked for since :func:`stop_reset`."""
    return _asked.is_set()


def stop_reset() -> None:
    """Forget an earlier stop (a worker starting in this process)."""
    _asked.clear()


def stop_wait(seconds: float) -> bool:
    """Wait up to ``seconds``, less if a stop is asked for; whether one was."""
    return _asked.wait(seconds)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def handlers_kept() -> Iterator[None]:
    """Put back, on the way out, the handlers of SIGINT and SIGTERM there were
    on the way in."""
    if not _in_main_thread():
        yield
        return
    before = {s: signal.getsignal(s) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


class _Asked:
    """A handler of SIGINT and SIGTERM: asks for the stop; the first signal also
    goes on to ``previous`` (a callable handler) when there is one."""

    def __init__(self, previous: dict[int, Any]) -> None:
        self.previous = previous

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        first = not _asked.is_set()
        _asked.set()
        previous = self.previous.get(signum)
        if first and callable(previous):
            previous(signum, frame)


def stop_on_signals(*, chain: bool) -> None:
    """From now on SIGINT and SIGTERM ask for a stop (:func:`stop_asked`); with
    ``chain`` the first of them also goes on to the handler in place now
    (django-tasks' worker's: take no other task), later ones do nothing more
    (the stop comes at the end of the batch in hand). Nothing if the handler
    in place is already this one's, or outside the main thread."""
    if not _in_main_thread() or isinstance(signal.getsignal(signal.SIGTERM), _Asked):
        return
    handler = _Asked({s: signal.getsignal(s) for s in SIGNALS} if chain else {})
    for s in SIGNALS:
        signal.signal(s, handler)


def stop_on_signals_in_task(**kwargs: Any) -> None:
    """django-tasks' ``task_started`` receiver: :func:`stop_on_signals` chained
    to the handlers ``db_worker`` installed."""
    stop_on_signals(chain=True)
