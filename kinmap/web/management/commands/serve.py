"""``kinmap serve`` (``make serve``): kinmap behind a production web server.

Runs gunicorn (a pre-forking WSGI server: a master that restarts workers that
die or hang, each worker a process with a few threads) on ``kinmap.wsgi``.
Before it starts, ``collectstatic`` gathers the static files, compressed
(gzip and Brotli) with content hashes in their names, which WhiteNoise serves
from every worker with far-future caching. Workers keep their PostgreSQL
connection between requests (checked before reuse). Settings come from the
environment (see the README's configuration table); options override them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kinmap.settings import env_int

DEFAULT_BIND = "127.0.0.1:8000"


def default_workers() -> int:
    """gunicorn's rule of thumb: two workers per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_argv(*, bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """The command line that runs kinmap under gunicorn (threaded workers)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kinmap.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("KINMAP_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # no control socket: it would be one file in the home directory for
        # every server on the host
        "--no-control-socket",
    ]


class Command(BaseCommand):
    help = (
        "Serve kinmap with gunicorn: collect the static files (compressed, hashed), then run "
        "KINMAP_WORKERS worker processes of KINMAP_THREADS threads on KINMAP_BIND."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", help=f"address:port (KINMAP_BIND, default {DEFAULT_BIND})")
        parser.add_argument(
            "--workers", type=int, help="worker processes (KINMAP_WORKERS, default 2 x cores + 1)"
        )
        parser.add_argument("--threads", type=int, help="threads per worker (KINMAP_THREADS, default 4)")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="the static files are already collected"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind = options["bind"] or os.environ.get("KINMAP_BIND") or DEFAULT_BIND
        workers = options["workers"] or env_int("KINMAP_WORKERS", default_workers(), minimum=1)
        threads = options["threads"] or env_int("KINMAP_THREADS", 4, minimum=1)
        timeout = env_int("KINMAP_TIMEOUT", 30, minimum=1)
        # The workers read the settings afresh: hashed static files, kept connections.
        os.environ["KINMAP_STATIC_MANIFEST"] = "1"
        os.environ.setdefault("KINMAP_DEBUG", "false")  # a server never shows tracebacks
        os.environ.setdefault("KINMAP_DB_CONN_MAX_AGE", "600")
        os.environ.pop("KINMAP_CHANNEL", None)  # requests say "web" or "api" themselves
        if not options["no_collectstatic"]:
            # in a process of its own, so that it reads the settings with the manifest on
            done = subprocess.run([sys.executable, "-m", "kinmap.cli", "collectstatic", "--noinput", "-v0"])
            if done.returncode:
                raise CommandError("collectstatic failed: the static files could not be collected")
        argv = gunicorn_argv(bind=bind, workers=workers, threads=threads, timeout=timeout)
        self.stdout.write(f"serving kinmap on http://{bind} ({workers} workers of {threads} threads)")
        self.stdout.flush()
        sys.stdout.flush()
        # gunicorn takes over this process (and its signals); argv is ours, not a user's
        os.execv(sys.executable, argv)  # noqa: S606
