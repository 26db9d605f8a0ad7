"""The load driver of ``kinmap bench_area``: drives a running kinmap over HTTP
from a process of its own, as browsers would, and prints what it measured.

Each client is a thread with its own ``requests`` session, signed in through
the ordinary sign-in form (its CSRF token and all). For each page and each
number of concurrent clients, the clients share ``--requests`` requests; a
request's time is from sending it to having read the whole response.

Run as ``python -m kinmap.records.bench_load --base URL --user NAME
--password-env VAR --pages JSON --requests 200 --clients 1,8,32``; prints one
JSON object: ``{page: {clients: {"p50_ms", "p95_ms", "requests_per_s",
"errors"}}}``. It does not import Django.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


_ERRORS = re.compile(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', re.S)


def sign_in(base: str, user: str, password: str, attempts: int = 3) -> requests.Session:
    """A session signed in through the sign-in form (tried ``attempts`` times,
    a second apart). Raises ``RuntimeError`` with the page's error summary
    when the form does not sign in (a wrong password, say)."""
    answer = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(1)
        session = requests.Session()
        form = session.get(f"{base}/sign-in/", timeout=60)
        token = _CSRF.search(form.text)
        if token is None:
            answer = f"a sign-in page without a CSRF token ({form.status_code})"
            continue
        done = session.post(
            f"{base}/sign-in/",
            data={"csrfmiddlewaretoken": token.group(1), "username": user, "password": password},
            headers={"Referer": f"{base}/sign-in/"},
            timeout=60,
            allow_redirects=False,
        )
        if done.status_code == 302:
            return session
        errors = _ERRORS.search(done.text)
        words = re.sub(r"<[^>]+>|\s+", " ", errors.group(1)).strip() if errors else ""
        answer = f"{done.status_code} {words or done.text[:200]!r}"
    raise RuntimeError(f"signing in as {user} answered {answer}, not a redirect")


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def drive_while(sessions: list[requests.Session], url: str, busy: Callable[[], bool]) -> dict[str, Any]:
    """GETs of ``url`` from every session at once, again and again while
    ``busy()`` (a background run, say) answers True; the same figures as
    :func:`drive` (milliseconds)."""
    times: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(session: requests.Session) -> None:
        nonlocal errors
        while busy():
            started = time.perf_counter()
            response = session.get(url, timeout=120)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                if response.status_code != 200:
                    errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        list(pool.map(client, sessions))
    wall = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "requests_per_s": round(len(times) / wall, 1),
        "requests": len(times),
        "errors": errors,
    }


def drive(sessions: list[requests.Session], url: str, total: int) -> dict[str, Any]:
    """``total`` GETs of ``url`` shared among the sessions, all at once."""
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def client(session: requests.Session) -> None:
        nonlocal errors
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            response = session.get(url, timeout=120)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                if response.status_code != 200:
                    errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        list(pool.map(client, sessions))
    wall = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "requests_per_s": round(len(times) / wall, 1),
        "requests": len(times),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--base", required=True, help="http://host:port of the running kinmap")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", required=True, help="the environment variable with the password")
    parser.add_argument("--pages", required=True, help='JSON: {"page name": "/path/"}')
    parser.add_argument("--requests", type=int, default=200, help="requests per page and concurrency")
    parser.add_argument("--clients", default="1,8,32", help="numbers of concurrent clients")
    args = parser.parse_args(argv)
    password = os.environ[args.password_env]
    pages: dict[str, str] = json.loads(args.pages)
    levels = [int(c) for c in args.clients.split(",")]
    sessions = [sign_in(args.base, args.user, password) for _ in range(max(levels))]
    out: dict[str, dict[str, Any]] = {}
    for name, path in pages.items():
        out[name] = {}
        for clients in levels:
            figures = drive(sessions[:clients], f"{args.base}{path}", args.requests)
            out[name][str(clients)] = figures
            print(f"  {name} with {clients} clients: {figures}", file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
