"""Who claimed a background task, and whether that process is still alive.

``kinmap worker`` gives django-tasks' ``db_worker`` a worker id of its own
making (:func:`worker_id`): ``kinmap:HOST:PID:START``, the host name (at most
40 characters), the process id and, on Linux, the process's start time (clock
ticks after boot, ``/proc/PID/stat``; empty elsewhere). The queue keeps it on
every task the worker claims (``DBTaskResult.worker_ids``), committed before
the task runs. So a task left RUNNING by a worker that was killed (SIGKILL,
the out-of-memory killer, a crash) is known to have lost its worker as soon
as another worker on the same host looks (:func:`claimant_alive`), instead
of after a minute without progress: a process that no longer exists, has
become a zombie (killed, not yet reaped by its parent), or whose id now
belongs to a process started at another time (the id used again) is gone.

A worker on another host, or a claim not of this form, cannot be seen from
here: whether it is alive is unknown (None), and the callers fall back to
how long it has not moved (``kinmap.jobs.services.STALE_AFTER``).
"""

from __future__ import annotations

import os
import socket
import sys

PREFIX = "kinmap"
HOST_CHARS = 40  # db_worker takes ids of at most 64 characters


class WorkerGone(Exception):
    """The failure recorded on a task whose worker process ended while it ran
    it (``kinmap.jobs.services.queue_orphans_release``); never raised, named
    by the queue's record so that django-tasks can import it when the
    result's error is read (``TaskError.exception_class``)."""


def _host() -> str:
    return socket.gethostname().replace(":", "-")[:HOST_CHARS]


def _stat(pid: int) -> tuple[str, str] | None:
    """``(state, start time)`` of process ``pid`` from ``/proc`` (Linux), ``("",
    "")`` where there is no ``/proc``, None when Linux has no such process."""
    if not sys.platform.startswith("linux"):
        return ("", "")
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    except OSError:
        return ("", "")
    fields = text.rsplit(")", 1)[-1].split()  # after the command's name, which may hold spaces
    return (fields[0], fields[19]) if len(fields) > 19 else ("", "")


def worker_id(pid: int | None = None) -> str:
    """The id a worker process gives the queue: ``kinmap:HOST:PID:START`` for
    process ``pid`` (this one when None)."""
    pid = os.getpid() if pid is None else pid
    stat = _stat(pid) or ("", "")
    return f"{PREFIX}:{_host()}:{pid}:{stat[1]}"


def claimant_alive(claimant: str) -> bool | None:
    """Whether the worker process with id ``claimant`` (:func:`worker_id`) is
    alive: True or False for a process of this host, None for another host's
    or an id not of kinmap's form (it cannot be seen from here). False for a
    zombie, and for an id whose process has been replaced by another started
    at another time (Linux); elsewhere ``kill(pid, 0)`` alone decides."""
    parts = claimant.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[2].isdigit() or parts[1] != _host():
        return None
    pid = int(parts[2])
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    stat = _stat(pid)
    if stat is None:
        return False
    state, started = stat
    return state != "Z" and (not parts[3] or not started or started == parts[3])
