"""The embedded database (SQLite, what ``make demo`` runs) serves several people
at once: eight signed-in clients read and change the demo families at the same
time through a real server, and no request fails and no change is lost.

It always runs on a SQLite file of its own, whatever DATABASE_URL says: it is
about the embedded database.
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "northshire-demo-pass"
CLIENTS = 8  # people using the demo at once
ROUNDS = 4  # each client's rounds of reads and writes
PER_ROUND = 8  # requests a round (five pages and the API read, two changes), after 2 to sign in
REQUEST_TIMEOUT = 60  # seconds: a request waiting longer than this has failed
# Demo users who work with families, two clients each for the busiest.
USERS = (
    "health.visitor",
    "health.visitor",
    "hv.supervisor",
    "midwife",
    "social.worker",
    "sw.supervisor",
    "early.help",
    "early.help",
)


class FormFields(HTMLParser):
    """The fields a browser would send from the form holding ``marker``: text
    and hidden inputs, checked radios and boxes, selected options, textareas."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[dict[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    form[name] = a.get("value", "on")
            elif kind != "submit":
                form[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, form[name] = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in form):
            form[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data

    def fields(self, html: str) -> dict[str, str]:
        self.feed(html)
        for form in self.forms:
            if self.marker in form:
                return form
        raise AssertionError(f"no form with a {self.marker!r} field on the page")


def form_fields(html: str, marker: str) -> dict[str, str]:
    return FormFields(marker).fields(html)


@dataclass
class Outcome:
    """What one client saw: every response that was not a success."""

    failures: list[str] = field(default_factory=list)
    requests: int = 0
    names_added: list[tuple[int, str]] = field(default_factory=list)
    phone_saved: dict[int, str] = field(default_factory=dict)
    edits_saved: int = 0


class Client:
    """A browser: its own cookies (session, CSRF token), following redirects."""

    def __init__(self, base: str, outcome: Outcome) -> None:
        self.base = base
        self.outcome = outcome
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _send(self, path: str, data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - the loopback server
        if data is not None:
            req.add_header("Referer", self.base + path)
        self.outcome.requests += 1
        try:
            with self.opener.open(req, timeout=REQUEST_TIMEOUT) as resp:
                return str(resp.read().decode())
        except urllib.error.HTTPError as err:
            self.outcome.failures.append(f"{'POST' if data is not None else 'GET'} {path}: {err.code}")
            return ""
        except OSError as err:  # refused, reset, timed out
            self.outcome.failures.append(f"{'POST' if data is not None else 'GET'} {path}: {err}")
            return ""

    def get(self, path: str) -> str:
        return self._send(path)

    def submit(self, path: str, marker: str, changes: dict[str, str]) -> str:
        """Load the form at ``path`` and send it back with ``changes``."""
        html = self.get(path)
        if not html:
            return ""
        return self._send(path, {**form_fields(html, marker), **changes})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kinmap(*args: str, env: dict[str, str], timeout: int = 180) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kinmap", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@dataclass
class Demo:
    base: str
    db: Path
    stderr: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo on a SQLite file of its own, served by ``kinmap runserver``."""
    where = tmp_path_factory.mktemp("embedded")
    db = where / "kinmap.sqlite3"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINMAP_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": f"sqlite:///{db}", "KINMAP_LOG_LEVEL": "WARNING"}
    _kinmap("migrate", "--noinput", env=env)
    _kinmap("demo", "--url", base, env=env)
    stderr = where / "server.stderr"
    with stderr.open("w") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "kinmap", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310 - loopback
                    break
            except OSError:
                assert server.poll() is None, stderr.read_text()[-3000:]
                assert time.monotonic() < deadline, "the server did not start within 60 seconds"
                time.sleep(0.2)
        yield Demo(base, db, stderr, env)
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass(frozen=True)
class Task:
    username: str
    network_id: int
    person_id: int


def _tasks(db: Path) -> list[Task]:
    """For each client, a person in a family its user's team is allocated to;
    no two clients change the same person."""
    con = sqlite3.connect(db)
    try:
        taken: set[int] = set()
        tasks = []
        for username in USERS:
            rows = con.execute(
                "SELECT m.network_id, m.person_id FROM accounts_user u "
                'JOIN records_allocation a ON a.team_id = u.team_id AND a."end" IS NULL '
                "JOIN records_networkmember m ON m.network_id = a.network_id "
                "JOIN records_person p ON p.id = m.person_id "
                "WHERE u.username = ? AND NOT p.phone_masked ORDER BY m.network_id, m.person_id",
                (username,),
            ).fetchall()
            network_id, person_id = next((n, p) for n, p in rows if p not in taken)
            taken.add(person_id)
            tasks.append(Task(username, network_id, person_id))
        return tasks
    finally:
        con.close()


def _work(demo: Demo, task: Task, index: int, start: threading.Barrier, outcome: Outcome) -> None:
    try:
        _rounds(demo, task, index, start, outcome)
    except Exception as exc:  # reported by the test, not lost in the thread
        outcome.failures.append(f"{task.username}: {exc!r}")


def _rounds(demo: Demo, task: Task, index: int, start: threading.Barrier, outcome: Outcome) -> None:
    c = Client(demo.base, outcome)
    c.submit("/sign-in/", "username", {"username": task.username, "password": DEMO_PASSWORD})
    start.wait(timeout=120)
    family = f"/families/{task.network_id}/"
    person = f"{family}people/{task.person_id}/"
    for r in range(ROUNDS):
        c.get(family)
        c.get(f"/api/v1/families/{task.network_id}")
        c.get(person)
        name = f"Testalias{index}x{r}"
        added = c.submit(f"{person}other-names/add/", "given_name", {"kind": "alias", "given_name": name})
        if "Other name added" in added:
            outcome.names_added.append((task.person_id, name))
        phone = f"07700 900{index}{r:02d}"
        # the edit form carries the version just loaded: nobody else edits this person
        if "updated" in c.submit(f"{person}change/", "given_name", {"phone": phone}):
            outcome.phone_saved[task.person_id] = phone
            outcome.edits_saved += 1
        c.get(f"{family}gaps/")


def test_eight_people_at_once_on_sqlite_lose_nothing(demo: Demo) -> None:
    tasks = _tasks(demo.db)
    outcomes = [Outcome() for _ in tasks]
    start = threading.Barrier(len(tasks))
    threads = [
        threading.Thread(target=_work, args=(demo, t, i, start, o), daemon=True)
        for i, (t, o) in enumerate(zip(tasks, outcomes, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a client was still waiting after 5 minutes"

    failures = [f for o in outcomes for f in o.failures]
    sent = sum(o.requests for o in outcomes)
    assert failures == [], f"{len(failures)} of {sent} requests failed: {failures[:10]}"
    assert len(tasks) == CLIENTS and sent == CLIENTS * (2 + ROUNDS * PER_ROUND)
    log = demo.stderr.read_text()
    assert "database is locked" not in log
    assert "Traceback" not in log

    con = sqlite3.connect(demo.db)
    try:
        for o in outcomes:
            assert len(o.names_added) == ROUNDS
            for person_id, name in o.names_added:
                assert con.execute(
                    "SELECT count(*) FROM records_othername WHERE person_id = ? AND given_name = ?",
                    (person_id, name),
                ).fetchone() == (1,)
            assert o.edits_saved == ROUNDS  # each loaded the version it changed: none was refused
            for person_id, phone in o.phone_saved.items():
                saved = con.execute("SELECT phone FROM records_person WHERE id = ?", (person_id,)).fetchone()
                assert saved == (phone,)
    finally:
        con.close()
    # every change and read went into the audit chain, in one unbroken line
    _kinmap("audit", "verify", env=demo.env)
