"""The ``kinmap`` command: runs every management command (``kinmap migrate``,
``kinmap runserver``, ``kinmap demo``, ``kinmap import FILE`` ...).

No traceback reaches the person at the command line: a setting that cannot be
used, or a database that cannot be reached or is not set up, is told in one
line on standard error (:mod:`kinmap.database_faults`) with exit status 1,
whichever command met it. ``--traceback`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys

# Commands that serve until stopped: the database is checked before they start,
# since a fault met later would show on every page rather than here.
SERVERS = frozenset({"serve", "runserver"})
FAULT_STATUS = 1


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinmap.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import Error as DatabaseFault

    from kinmap.database_faults import DatabaseNotSetUp, database_ready, fault_line, first_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kinmap"
    os.environ.setdefault("KINMAP_CHANNEL", "cli")
    command = args[1] if len(args) > 1 else "help"
    try:
        if command in SERVERS and not {"-h", "--help"} & set(args):
            django.setup()
            database_ready()
        execute_from_command_line(args)
    except (ImproperlyConfigured, DatabaseFault, DatabaseNotSetUp) as exc:
        if "--traceback" in args:
            raise
        try:
            line = fault_line(exc, command=command, url=os.environ.get("DATABASE_URL") or None)
        except Exception:
            line = f"kinmap: {first_line(exc)}. Run the command again with --traceback for the details."
        sys.stderr.write(line + "\n")
        sys.exit(FAULT_STATUS)


if __name__ == "__main__":
    main()
