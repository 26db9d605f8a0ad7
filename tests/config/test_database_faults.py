"""No traceback reaches a person at the command line when the database cannot
be used: every ``kinmap`` command, run as a separate process, says in one line
on standard error what is wrong with the database and what to do, exits with a
non-zero status, and never prints the password in DATABASE_URL.
``--traceback`` still shows the traceback, for developers.

The faults that need no database server (a server not answering, a URL that
cannot be used, SQLite files that cannot be opened or written) run on every
run; a database missing on the server and one not migrated run on the
database of the run (PostgreSQL when DATABASE_URL names it, else SQLite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-never-shown"  # made up: it must not appear in what kinmap prints
FAMILY_FILE = str(ROOT / "kinmap" / "records" / "demo" / "02-blended-family.json")
ACCOUNTABLE = ("--as", "sw.practitioner", "--reason", "checking the database faults")
ON_POSTGRES = connection.vendor == "postgresql"

# Every kinmap command, with arguments that take it as far as the database
# (bench_area, which makes its database, and migrate are tried apart).
COMMANDS = [
    ("serve", "--no-collectstatic", "--bind", "127.0.0.1:9"),
    ("runserver", "--noreload", "127.0.0.1:9"),
    ("worker", "--until-idle"),
    ("demo",),
    ("import", FAMILY_FILE, *ACCOUNTABLE),
    ("export", "1", *ACCOUNTABLE),
    ("synth", "--families", "1"),
    ("bench", "--only-matching"),
    ("match", *ACCOUNTABLE),
    ("gaps", "1", *ACCOUNTABLE),
    ("rules", "set", "R14-agency-request", "enabled", "true", *ACCOUNTABLE),
    ("audit", "verify"),
    ("shell", "-c", "from kinmap.accounts.models import User; User.objects.count()"),
]


def kinmap(url: str, *args: str, user: int | None = None) -> subprocess.CompletedProcess[str]:
    """``kinmap ARGS`` in a new process with DATABASE_URL=``url`` (as the user
    numbered ``user`` when given, through util-linux's setpriv), bounded in time: a command that did not
    notice the fault and went on serving fails the test."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KINMAP_", "DATABASE_URL", "DJANGO_"))}
    as_user = [] if user is None else ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    return subprocess.run(
        [*as_user, sys.executable, "-m", "kinmap", *args],
        cwd=ROOT,
        env={**base, "DATABASE_URL": url, "KINMAP_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def told_in_one_line(done: subprocess.CompletedProcess[str], *starts: str) -> str:
    """The single line on standard error, checked: it starts with "kinmap: ",
    holds every one of ``starts`` in order, the status is 1, and no traceback
    and no password was printed."""
    everything = done.stdout + done.stderr
    assert done.returncode == 1, everything
    assert "Traceback" not in everything and 'File "' not in everything, everything
    assert PASSWORD not in everything
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert line.startswith("kinmap: "), line
    at = 0
    for part in starts:
        found = line.find(part, at)
        assert found >= 0, f"{part!r} not in {line!r}"
        at = found + len(part)
    return line


def server_url(path: str) -> str:
    """The PostgreSQL server of the run, with the database ``path``."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + path).geturl()


@pytest.mark.parametrize("args", [*COMMANDS, ("migrate", "--noinput")], ids=lambda a: a[0])
def test_a_server_not_answering_is_told_in_one_line(args: tuple[str, ...]) -> None:
    url = f"postgres://kinmap:{PASSWORD}@127.0.0.1:1/kinmap"
    told_in_one_line(
        kinmap(url, *args),
        "kinmap: cannot connect to the database named by DATABASE_URL "
        "(postgres://kinmap@127.0.0.1:1/kinmap): ",
        "Connection refused. Start PostgreSQL at 127.0.0.1:1, or set DATABASE_URL",
    )


def test_bench_area_tells_a_server_not_answering_in_one_line() -> None:
    """bench_area makes its database when missing, so it asks the server first."""
    done = kinmap(f"postgres://kinmap:{PASSWORD}@127.0.0.1:1/kinmap_bench", "bench_area")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "CommandError: cannot connect to the PostgreSQL server named by DATABASE_URL "
        "(postgres://kinmap@127.0.0.1:1/kinmap_bench), to make the database: Connection refused. "
        "Start PostgreSQL at 127.0.0.1:1, or set DATABASE_URL to the server kinmap should use."
    ]


@pytest.fixture(scope="module")
def unmigrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database, on the database of the run: a SQLite file, or a
    PostgreSQL database of this run's own (dropped afterwards)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('unmigrated') / 'empty.sqlite3'}"
        return
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_unmigrated"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server_url(name)
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_database_not_migrated_is_told_in_one_line(unmigrated_url: str, args: tuple[str, ...]) -> None:
    told_in_one_line(
        kinmap(unmigrated_url, *args),
        f"kinmap: the database named by DATABASE_URL ({unmigrated_url}) is not set up for this kinmap (",
        " migrations not applied). Run kinmap migrate, then run this command again.",
    )


@pytest.mark.parametrize(
    "args", [("synth", "--families", "1"), ("serve", "--no-collectstatic", "--bind", "127.0.0.1:9")]
)
def test_a_sqlite_file_not_there_is_told_and_not_made(tmp_path: Path, args: tuple[str, ...]) -> None:
    """A command that checks the database before it starts (the servers,
    synth, bench) leaves no empty file behind where DATABASE_URL names one
    that is not there."""
    db = tmp_path / "not-yet.sqlite3"
    url = f"sqlite:///{db}"
    told_in_one_line(
        kinmap(url, *args),
        f"kinmap: the database named by DATABASE_URL ({url}) is not set up for this kinmap (",
        " migrations not applied). Run kinmap migrate, then run this command again.",
    )
    assert not db.exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="a database missing on a server: PostgreSQL only")
@pytest.mark.parametrize("args", [("bench", "--only-matching"), ("migrate", "--noinput"), ("serve",)])
def test_a_database_missing_on_the_server_is_told_in_one_line(args: tuple[str, ...]) -> None:
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_no_such_db"
    parts = urlsplit(server_url(name))
    user = parts.username or "postgres"
    url = parts._replace(netloc=f"{user}:{PASSWORD}@{parts.hostname}:{parts.port}").geturl()
    line = told_in_one_line(
        kinmap(url, *args), "kinmap: cannot connect to the database named by DATABASE_URL ("
    )
    assert line.endswith(
        f'database "{name}" does not exist. Create it (createdb -h {parts.hostname} -p {parts.port} '
        f"-U {user} {name}) or set DATABASE_URL to one that exists."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"mysql://root:{PASSWORD}@localhost/kinmap",
            "kinmap: DATABASE_URL must be a sqlite:// or postgres:// URL "
            "(sqlite:///PATH or postgres://USER@HOST:PORT/NAME), not mysql://root@localhost/kinmap",
        ),
        (
            "kinmap.sqlite3",
            "kinmap: DATABASE_URL could not be understood (Scheme '://' is unknown): kinmap.sqlite3. "
            "Set it to a sqlite:///PATH or postgres://USER@HOST:PORT/NAME URL",
        ),
    ],
)
@pytest.mark.parametrize("args", [("bench", "--only-matching"), ("migrate", "--noinput"), ("serve",)])
def test_a_database_url_that_cannot_be_used_is_told_in_one_line(
    url: str, message: str, args: tuple[str, ...]
) -> None:
    assert told_in_one_line(kinmap(url, *args)) == message


def test_a_sqlite_directory_that_cannot_be_made_is_told_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'a-file' / 'var' / 'kinmap.sqlite3'}"
    assert told_in_one_line(kinmap(url, "migrate", "--noinput")) == (
        f"kinmap: DATABASE_URL names a SQLite file in {tmp_path / 'a-file' / 'var'}, a directory kinmap "
        "cannot make (Not a directory): make it, or set DATABASE_URL to a SQLite file in a directory "
        "kinmap may write to"
    )


def test_a_sqlite_url_naming_a_directory_or_another_file_is_told_in_one_line(tmp_path: Path) -> None:
    told_in_one_line(
        kinmap(f"sqlite:///{tmp_path}", "bench", "--only-matching"),
        f"kinmap: cannot open the database named by DATABASE_URL (sqlite:///{tmp_path}): "
        f"{tmp_path} is a directory. Set DATABASE_URL to sqlite:///PATH of a file.",
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("these are notes, not a database\n" * 10)
    told_in_one_line(
        kinmap(f"sqlite:///{notes}", "worker", "--until-idle"),
        f"{notes} is not a SQLite database (file is not a database). ",
        "Set DATABASE_URL to kinmap's database file",
    )


@pytest.fixture
def unwritable_dir() -> Iterator[tuple[Path, int | None]]:
    """A directory kinmap may read but not write, and the user to run kinmap as
    (nobody when these tests run as root, whom no file permission stops)."""
    user = 65534 if os.geteuid() == 0 else None
    with tempfile.TemporaryDirectory(prefix="kinmap-read-only-") as name:
        d = Path(name)
        d.chmod(0o755)
        yield d, user
        d.chmod(0o755)


def test_a_read_only_sqlite_database_is_told_in_one_line(unwritable_dir: tuple[Path, int | None]) -> None:
    d, user = unwritable_dir
    d.chmod(0o777)
    db = d / "kinmap.sqlite3"
    kinmap(
        f"sqlite:///{db}", "shell", "-c", "from django.db import connection; connection.ensure_connection()"
    )
    for path in d.iterdir():
        path.chmod(0o444)
    d.chmod(0o555)
    told_in_one_line(
        kinmap(f"sqlite:///{db}", "migrate", "--noinput", user=user),
        f"kinmap: the database named by DATABASE_URL (sqlite:///{db}) is read-only "
        f"(attempt to write a readonly database). Let kinmap write to {db} and to its directory {d}, "
        "or set DATABASE_URL to a SQLite file it may write to.",
    )


def test_a_sqlite_file_in_a_directory_kinmap_may_not_write_is_told_in_one_line(
    unwritable_dir: tuple[Path, int | None],
) -> None:
    d, user = unwritable_dir
    db = d / "kinmap.sqlite3"
    told_in_one_line(
        kinmap(f"sqlite:///{db}", "demo", user=user),
        f"kinmap: cannot open the database named by DATABASE_URL (sqlite:///{db}): unable to open database "
        f"file. Check that the directory {d} exists and that kinmap may write to it",
    )
    told_in_one_line(
        kinmap(f"sqlite:///{d / 'var' / 'kinmap.sqlite3'}", "worker", user=user),
        f"kinmap: DATABASE_URL names a SQLite file in {d / 'var'}, a directory kinmap cannot make "
        "(Permission denied)",
    )


def test_the_traceback_is_shown_when_asked_for() -> None:
    done = kinmap(
        f"postgres://kinmap:{PASSWORD}@127.0.0.1:1/kinmap", "bench", "--only-matching", "--traceback"
    )
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr
    assert "OperationalError" in done.stderr


# a password typed into DATABASE_URL without percent-encoding its "/", "#" or
# "?": the URL splits there, and no part of the password may be shown
UNENCODED = [f"postgres://kinmap:{PASSWORD[:5]}{mark}{PASSWORD[5:]}@db:5432/kinmap" for mark in "/#?"]


@pytest.mark.parametrize("url", UNENCODED)
def test_a_password_not_percent_encoded_is_not_shown(url: str) -> None:
    from kinmap.database_faults import url_shown

    assert url_shown(url) == "postgres://kinmap@db:5432/kinmap"
    line = told_in_one_line(kinmap(url, "migrate", "--noinput"), "kinmap: DATABASE_URL")
    assert PASSWORD[:5] not in line and PASSWORD[5:] not in line
