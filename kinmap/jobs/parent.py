"""A worker process started by ``kinmap worker --processes N`` stops when the
process that started it ends, however it ends: a parent killed with SIGKILL
(or by the out-of-memory killer) can pass nothing on, and its children would
otherwise go on claiming tasks with nobody to stop them by Ctrl+C or SIGTERM.

The child is told its parent's process id (``--parent PID``, given by the
parent) and asks for a SIGTERM when that parent ends; the SIGTERM is handled
as one from outside (:mod:`kinmap.jobs.stopping`): the lane in hand stops
after its current batch, its task ends, and the next worker goes on from
there. Nothing is lost and nothing waits for a timer.

- On Linux the kernel sends it: ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` (through
  ``ctypes``) at the moment the parent ends, with no polling. It is set in
  the child, after which the parent's id is checked once: a parent that died
  before the call (the kernel would then send nothing) is caught there.
- Elsewhere (macOS and the BSDs have no such call), or if the call fails, a
  daemon thread compares ``os.getppid()`` with the parent's id every
  ``CHECK_SECONDS``: a process whose parent has ended is handed to init (or a
  subreaper), so its parent's id changes, and the thread sends SIGTERM to its
  own process, once. Portable to every POSIX system, at the cost of up to a
  second's delay.

Only a ``--processes`` child does this: a ``kinmap worker`` started from a
shell, with ``nohup`` or by a service manager goes on when its parent ends,
as before.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # linux/prctl.h
CHECK_SECONDS = 1.0


def _pdeathsig() -> bool:
    """Ask the kernel for SIGTERM when the parent ends (Linux); whether it
    took the request."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return bool(prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0)


def _watch(parent: int, interval: float) -> None:
    """The thread's loop: SIGTERM to this process, once, when its parent is no
    longer ``parent``."""
    while os.getppid() == parent:
        threading.Event().wait(interval)
    os.kill(os.getpid(), signal.SIGTERM)


def stop_with_parent(parent: int, *, interval: float = CHECK_SECONDS) -> str:
    """Have this process sent SIGTERM when process ``parent``, its parent when
    it started, ends (install the SIGTERM handler first). Returns how: "kernel"
    (Linux's parent-death signal), "thread" (a thread checking the parent's id
    every ``interval`` seconds) or "gone" (the parent had already ended: the
    SIGTERM is sent now)."""
    if _pdeathsig():
        if os.getppid() != parent:  # ended before the request: the kernel sends nothing
            os.kill(os.getpid(), signal.SIGTERM)
            return "gone"
        return "kernel"
    threading.Thread(target=_watch, args=(parent, interval), name="kinmap-parent", daemon=True).start()
    return "thread"
