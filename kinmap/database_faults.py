"""What the ``kinmap`` command says when the database cannot be used: one line
naming the database (never its password), what is wrong and what to do,
instead of a Python traceback (``--traceback`` still shows it).

The faults told apart: a DATABASE_URL that cannot be understood (told by
:mod:`kinmap.settings`, with :func:`url_shown`); a PostgreSQL server that is not
answering, a database that does not exist, a user or password refused, a host
name unknown; a SQLite file that cannot be opened or made (its directory
missing or not writable), or is read-only, or is not a database; a database
whose tables are not made yet or are older than this kinmap (migrations not
applied: ``kinmap migrate``). Anything else the database refuses is still one
line, pointing at ``--traceback``.

Imported by the settings, so it imports nothing of Django's database layer
until a fault is being told.
"""

from __future__ import annotations

import os
import re
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Where a connection is made (django.db.backends.base.base and the backends):
# a database error raised inside one of these was raised while connecting.
CONNECTING = frozenset({"connect", "get_new_connection", "init_connection_state"})


class DatabaseNotSetUp(Exception):
    """The database answers but ``unapplied`` of kinmap's migrations (a whole
    number, at least 1) are not applied to it: ``kinmap migrate`` is needed."""

    def __init__(self, unapplied: int) -> None:
        super().__init__(f"{unapplied} migrations not applied")
        self.unapplied = unapplied


# scheme://user:password@rest, the password anything up to the last "@"
_USER_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^:/@?#]*):.*@([^@]*)$", re.DOTALL)


def url_shown(url: str) -> str:
    """``url`` (a database URL) as it may be printed: the password and the query
    (which may carry one) left out; "postgres://kinmap:pw@db:5432/k?sslmode=x"
    gives "postgres://kinmap@db:5432/k". A URL that cannot be split at all is
    shown as its scheme only. A password typed without percent-encoding
    (a "/", "#" or "?" in it splits the URL there) is left out too: all from
    the colon after the user name to the last "@"."""
    if "://" not in url:
        return url  # a path or a word: no user or password to leave out
    typed = _USER_PASSWORD.match(url)
    if typed:
        scheme, user, after = typed.groups()
        return f"{scheme}://{user}@{re.split(r'[?#]', after, maxsplit=1)[0]}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split(":", 1)[0] + "://…"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.split(':', 1)[0]}@{hostport}" if at else hostport
    return f"{parts.scheme}://{netloc}{parts.path}"


def database_named(db: dict[str, Any], url: str | None) -> str:
    """The words naming the database of settings ``db`` (a DATABASES entry):
    "the database named by DATABASE_URL (URL)" with the password left out, or
    "kinmap's own SQLite database (PATH; DATABASE_URL is not set)"."""
    if not url:
        return f"kinmap's own SQLite database ({db['NAME']}; DATABASE_URL is not set)"
    return f"the database named by DATABASE_URL ({url_shown(url)})"


def fault_line(exc: BaseException, *, command: str, url: str | None) -> str:
    """The one line (without a newline, starting "kinmap: ") the command line
    prints for ``exc``, an error raised while running ``kinmap COMMAND`` with
    DATABASE_URL ``url`` (None when not set): ImproperlyConfigured (a setting
    that cannot be used: its message names the variable), a database error
    (django.db.Error) or :class:`DatabaseNotSetUp`. May connect to the database
    again to tell whether migrations are missing."""
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(exc, ImproperlyConfigured):
        return f"kinmap: {exc}"
    from django.db import connections

    db = connections["default"].settings_dict
    named = database_named(db, url)
    if isinstance(exc, DatabaseNotSetUp):
        return not_set_up_line(named, exc.unapplied)
    said = first_line(exc)
    sqlite = db["ENGINE"].endswith("sqlite3")
    if sqlite and ("readonly" in said or "read-only" in said):
        path = Path(str(db["NAME"]))
        return (
            f"kinmap: {named} is read-only ({said}). Let kinmap write to {path} and to its "
            f"directory {path.parent}, or set DATABASE_URL to a SQLite file it may write to."
        )
    if raised_while_connecting(exc):
        return "kinmap: " + (sqlite_open_line(db, named, said) if sqlite else postgres_line(db, named, said))
    if command != "migrate":
        unapplied = unapplied_migrations()
        if unapplied:
            return not_set_up_line(named, unapplied)
    return (
        f"kinmap: {named} refused what kinmap {command} asked of it: {said}. "
        "Run the command again with --traceback for the details."
    )


def not_set_up_line(named: str, unapplied: int) -> str:
    return (
        f"kinmap: {named} is not set up for this kinmap ({unapplied} migrations not applied). "
        "Run kinmap migrate, then run this command again."
    )


def first_line(exc: BaseException) -> str:
    """The first line of the error's message, without a trailing full stop."""
    lines = str(exc).strip().splitlines()
    return (lines[0].strip() if lines else type(exc).__name__).rstrip(".")


def raised_while_connecting(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a database connection was being made
    (its traceback passes through a backend's connect), not by a query."""
    return any(
        frame.name in CONNECTING and "django/db/backends" in frame.filename.replace("\\", "/")
        for frame in traceback.extract_tb(exc.__traceback__)
    )


def postgres_line(db: dict[str, Any], named: str, said: str) -> str:
    """A PostgreSQL connection refused: the server's reason and what to do."""
    reason = re.sub(r"^(FATAL|ERROR):\s+", "", said.rsplit(" failed: ", 1)[-1].strip())
    host, port = db.get("HOST") or "", str(db.get("PORT") or "5432")
    where = f"{host}:{port}" if host else f"the local socket (port {port})"
    missing = re.search(r'database "(.+)" does not exist', reason)
    if missing:
        flags = " ".join(
            f"{flag} {value}" for flag, value in (("-h", host), ("-p", port), ("-U", db.get("USER"))) if value
        )
        todo = f"Create it (createdb {flags} {missing.group(1)}) or set DATABASE_URL to one that exists."
    elif "refused" in reason or "No such file or directory" in reason:
        todo = f"Start PostgreSQL at {where}, or set DATABASE_URL to the server kinmap should use."
    elif "resolve host" in reason or "translate host name" in reason:
        todo = "Check the host name in DATABASE_URL."
    elif "authentication" in reason or "password" in reason or re.search(r'role ".+" does not exist', reason):
        todo = "Check the user name and password in DATABASE_URL."
    elif "timeout" in reason or "timed out" in reason:
        todo = f"Check that PostgreSQL is running at {where} and reachable from here, or set DATABASE_URL."
    else:
        todo = f"Check that PostgreSQL is running at {where} and that DATABASE_URL names the right database."
    return f"cannot connect to {named}: {reason}. {todo}"


def sqlite_open_line(db: dict[str, Any], named: str, said: str) -> str:
    """A SQLite file that could not be opened: why, and what to do."""
    path = Path(str(db["NAME"]))
    if path.is_dir():
        return f"cannot open {named}: {path} is a directory. Set DATABASE_URL to sqlite:///PATH of a file."
    if "not a database" in said:
        return (
            f"cannot open {named}: {path} is not a SQLite database ({said}). "
            "Set DATABASE_URL to kinmap's database file, or move this file away."
        )
    if "locked" in said:
        return f"cannot open {named}: {said}. Another process is writing to it: run this again shortly."
    return (
        f"cannot open {named}: {said}. Check that the directory {path.parent} exists and that kinmap "
        "may write to it, or set DATABASE_URL to a SQLite file where it may."
    )


def unapplied_migrations() -> int | None:
    """How many of kinmap's migrations the default database lacks (0 when it is
    up to date), on a fresh connection; None when that cannot be told (the
    database cannot be reached or read)."""
    from django.db import connections

    try:
        connections.close_all()  # a connection left in a failed transaction reads nothing
        return migrations_missing()
    except Exception:
        return None


def migrations_missing() -> int:
    """How many of kinmap's migrations the default database lacks (0 when it is
    up to date): one connection, the migrations table read. Raises the database
    error (django.db.Error) when it cannot be connected to or read."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def database_ready() -> None:
    """Raise unless the default database can be used now: the database error
    (django.db.Error) when it cannot be connected to, :class:`DatabaseNotSetUp`
    when migrations are missing (every one, without connecting, for a SQLite
    file that does not exist: connecting would leave an empty file behind)."""
    unapplied = _sqlite_file_missing() or migrations_missing()
    if unapplied:
        raise DatabaseNotSetUp(unapplied)


def _sqlite_file_missing() -> int:
    """How many migrations a SQLite database lacks when its file does not
    exist yet (all of them), else 0 (read from the migration files, no
    connection); 0 for any other database, for SQLite in memory or named by
    a URI, and for a file in a directory kinmap may not write to (connecting
    then tells why)."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    database = connections[DEFAULT_DB_ALIAS]
    name = str(database.settings_dict.get("NAME") or "")
    if database.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return 0
    if Path(name).exists() or not os.access(Path(name).parent, os.W_OK):
        return 0
    return len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
