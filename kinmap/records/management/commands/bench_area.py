"""``kinmap bench_area`` (``make bench-area``): kinmap at the size of an area,
served by gunicorn and driven over HTTP by clients in another process."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kinmap.database_faults import first_line, postgres_line, url_shown
from kinmap.records import bench_area as b

GOAL_FAMILY_MS = 10  # family page, server time in the process, median
GOAL_LIST_P95_MS = 300  # area worklist and supervision, first pages, 8 clients
GOAL_RULE_CHANGE_S = 600  # every family recomputed in the background after a rule change
RULE_CHANGE_WORKERS = 2  # kinmap worker --processes: the recompute's lanes two at a time (2 cores)


def ensure_database() -> None:
    """Create the PostgreSQL database named by DATABASE_URL when it is missing
    (never one called ``test``, which the test runs own)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise CommandError("kinmap bench_area runs on PostgreSQL: set DATABASE_URL=postgres://...")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "test":
        raise CommandError("DATABASE_URL must name a database of the bench's own (not 'test')")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    except psycopg.Error as exc:  # one line, as for every command (kinmap.cli)
        server = f"the PostgreSQL server named by DATABASE_URL ({url_shown(url)}), to make the database"
        raise CommandError(postgres_line(connection.settings_dict, server, first_line(exc))) from None


def bind_free(bind: str) -> None:
    """Raise CommandError unless ``bind`` (``host:port``) can be listened on
    now: another server already there (a ``runserver`` left running, an
    earlier bench's server) would answer the bench's requests in place of the
    one it starts, which then stops at once, and every figure would be of
    the wrong server on the wrong database."""
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"--bind must be host:port, not {bind!r}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            raise CommandError(
                f"something is already listening on {bind} ({exc.strerror}): stop it, or give "
                "kinmap bench_area another --bind"
            ) from None


class Command(BaseCommand):
    help = (
        "Benchmark kinmap at the size of an area on PostgreSQL: make (or reuse) the caseload with "
        "kinmap synth, serve it with gunicorn, drive its pages with 1, 8 and 32 clients over HTTP, "
        "and write the figures to var/bench-area.json."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--families", type=int, default=100_000)
        parser.add_argument("--teams", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=200, help="per page and concurrency (200)")
        parser.add_argument("--clients", default="1,8,32")
        parser.add_argument("--bind", default="127.0.0.1:8765")
        parser.add_argument("--runs", type=int, default=30, help="in-process runs of each page (30)")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench-area.json"))

    def progress(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    def save(self, results: dict[str, Any], out: Path, *, finished: bool) -> None:
        """Write what has been measured so far to ``out`` (JSON), so that a run
        stopped part-way keeps its figures; ``finished`` says whether every
        stage ran."""
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**results, "finished": finished}, indent=2) + "\n")

    def handle(self, *args: Any, **options: Any) -> None:
        bind_free(options["bind"])  # before the long stages, and again when the server starts
        ensure_database()
        if connection.vendor != "postgresql":
            raise CommandError("kinmap bench_area runs on PostgreSQL: set DATABASE_URL=postgres://...")
        call_command("migrate", "--noinput", verbosity=0)
        results: dict[str, Any] = {
            "database": connection.settings_dict["NAME"],
            "families": options["families"],
            "teams": options["teams"],
            "seed": options["seed"],
            "cores": os.cpu_count(),
        }
        out = Path(options["out"])
        self.results, self.out = results, out
        made = b.caseload(
            families=options["families"], teams=options["teams"], seed=options["seed"], progress=self.progress
        )
        results["caseload"] = made
        results["synth_families_per_s"] = made["synth_families_per_s"]
        self.progress("VACUUM (ANALYZE): the tables as a server that vacuums itself keeps them")
        results["vacuum_s"] = b.vacuum()
        self.save(results, out, finished=False)
        password = secrets.token_urlsafe(24)
        user = b.bench_user(password)
        pages = b.pages_for(user)
        self.progress("measuring each page in this process (queries, EXPLAIN ANALYZE, server time)")
        measured = b.in_process(user, pages.paths, options["runs"])
        results["family_page_in_process_median_ms"] = measured["family"]["in_process_median_ms"]
        results["pages"] = measured
        self.save(results, out, finished=False)
        self.progress("measuring the engine and the recompute")
        results.update(b.engine_figures(user))
        self.save(results, out, finished=False)
        results["server"], http = self.serve_and_drive(options, pages, password)
        results.update(self.rule_change)
        for name, figures in measured.items():
            figures["clients"] = http.get(name, {})
        results["pages"] = measured
        results.pop("http", None)
        results["goals"] = {
            f"family page in-process median <= {GOAL_FAMILY_MS} ms": measured["family"][
                "in_process_median_ms"
            ]
            <= GOAL_FAMILY_MS,
            **{
                f"{name} p95 with 8 clients <= {GOAL_LIST_P95_MS} ms": http[name]["8"]["p95_ms"]
                <= GOAL_LIST_P95_MS
                for name in ("area_worklist", "supervision")
                if "8" in http.get(name, {})
            },
            f"rule change finished in the background <= {GOAL_RULE_CHANGE_S} s": results[
                "rule_change_total_s"
            ]
            <= GOAL_RULE_CHANGE_S,
            "family page p95 during the rule change <= 2 x idle (8 clients)": (
                results["page_p95_ms_during_rule_change"] or 0
            )
            <= 2 * (results["page_p95_ms_idle_8_clients"] or 0),
        }
        self.save(results, out, finished=True)
        self.stdout.write(json.dumps({**results, "finished": True}, indent=2))
        self.stdout.write(f"written to {out}")

    def serve_and_drive(
        self, options: dict[str, Any], pages: b.Pages, password: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start ``kinmap serve`` (gunicorn) and drive it from another process."""
        bind = options["bind"]
        base = f"http://{bind}"
        env = {**os.environ, "KINMAP_BENCH_PASSWORD": password}
        bind_free(bind)
        # our own children, on argv of our own making; the server is stopped below
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "kinmap.cli", "serve", "--bind", bind],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.wait_for(base, server)
            self.progress(f"driving {base} with {options['clients']} clients")
            driven = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "kinmap.records.bench_load",
                    "--base",
                    base,
                    "--user",
                    b.BENCH_USER,
                    "--password-env",
                    "KINMAP_BENCH_PASSWORD",
                    "--pages",
                    json.dumps(pages.paths),
                    "--requests",
                    str(options["requests"]),
                    "--clients",
                    options["clients"],
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if driven.returncode:
                raise CommandError("the load driver failed (its messages are above)")
            http = json.loads(driven.stdout)
            self.results["http"] = http  # kept until the pages carry their own figures
            self.save(self.results, self.out, finished=False)
            idle = http.get("family", {}).get("8", {}).get("p95_ms")
            self.rule_change = self.rule_change_under_load(base, env, pages, password, idle)
        finally:
            server.terminate()
            server.wait(timeout=60)
        workers = os.environ.get("KINMAP_WORKERS") or "2 x cores + 1"
        return {"server": "kinmap serve (gunicorn)", "workers": workers}, http

    def rule_change_under_load(
        self, base: str, env: dict[str, str], pages: b.Pages, password: str, idle_p95: float | None
    ) -> dict[str, Any]:
        """Switch off the rule with the most open gaps (the largest recompute a
        rule change makes), run ``kinmap worker --processes 2 --until-idle``
        to recompute every family in the background (the run's lanes two at a
        time, ``RULE_CHANGE_WORKERS``), and drive the family page with 8
        clients over HTTP the whole time. Then switch the rule back on and let
        the workers recompute again (not measured), so the caseload is as it
        was. Seconds from the change to the workers' end; milliseconds."""
        from kinmap.records.bench_load import drive_while, sign_in

        worker = [sys.executable, "-m", "kinmap.cli", "worker", "--until-idle", "--interval", "0.2"]
        worker += ["--processes", str(RULE_CHANGE_WORKERS)]
        rule_id = b.busiest_rule()
        sessions = [sign_in(base, b.BENCH_USER, password) for _ in range(8)]
        self.progress(f"switching off {rule_id}: every family recomputed while 8 clients read a family")
        started = time.perf_counter()
        run = b.rule_switch(rule_id, enabled=False)
        # our own child, on argv of our own making; it stops when the work is done
        background = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        during = drive_while(sessions, f"{base}{pages.paths['family']}", lambda: background.poll() is None)
        total_s = time.perf_counter() - started
        run.refresh_from_db()
        if background.returncode or run.state != run.State.DONE:
            raise CommandError(f"the background recompute did not finish ({run})")
        self.progress(f"  {run.total:,} families in {total_s:.1f} s; switching {rule_id} on again")
        b.rule_switch(rule_id, enabled=True)
        subprocess.run(worker, env=env, stdout=subprocess.DEVNULL, check=True)  # noqa: S603
        return {
            "rule_change_rule": rule_id,
            "rule_change_families": run.total,
            "rule_change_total_s": round(total_s, 1),
            "rule_change_workers": RULE_CHANGE_WORKERS,
            "page_p95_ms_during_rule_change": during["p95_ms"],
            "page_p95_ms_idle_8_clients": idle_p95,
            "family_page_during_rule_change": during,
        }

    def wait_for(self, base: str, server: subprocess.Popen[bytes]) -> None:
        import requests

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("kinmap serve stopped before it answered")
            try:
                if requests.get(f"{base}/sign-in/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not up yet
                pass
            time.sleep(1)
        raise CommandError("kinmap serve did not answer within three minutes")
