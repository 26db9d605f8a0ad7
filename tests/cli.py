"""The real ``kinmap`` command line, run as a separate process on a SQLite
database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

Kinmap = Callable[..., subprocess.CompletedProcess[str]]


def kinmap_on(db: Path, **extra_env: str) -> Kinmap:
    """A function running ``kinmap ARGS...`` against the SQLite file ``db``
    (with ``extra_env`` added to the environment), returning the finished
    process with its text output."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "KINMAP_ENV": "development", **extra_env}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def kinmap(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kinmap", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return kinmap


def kinmap_with_audit_events(db: Path, events: int, **extra_env: str) -> Kinmap:
    """:func:`kinmap_on` a freshly migrated database holding ``events`` audit events."""
    kinmap = kinmap_on(db, **extra_env)
    assert kinmap("migrate", "--noinput", "-v", "0").returncode == 0
    script = (
        "from kinmap.audit.services import audit_record\n"
        f"for i in range({events}):\n"
        "    audit_record(actor=None, action='view', object_type='network', object_id=i)\n"
    )
    assert kinmap("shell", "-c", script).returncode == 0
    return kinmap
