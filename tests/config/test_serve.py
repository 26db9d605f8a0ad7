"""``kinmap serve`` runs kinmap under gunicorn with compressed, hashed static
files: started on a free loopback port, a page and a static asset fetched,
then stopped (every step bounded in time)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest

from kinmap.web.management.commands.serve import gunicorn_argv

DEADLINE = 60  # seconds for the server to answer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_the_server_command_line_uses_threaded_workers() -> None:
    argv = gunicorn_argv(bind="127.0.0.1:9", workers=3, threads=2, timeout=30)
    assert argv[1:4] == ["-m", "gunicorn", "kinmap.wsgi:application"]
    assert "--forwarded-allow-ips 127.0.0.1" in " ".join(argv)
    assert "--workers 3 --threads 2 --worker-class gthread" in " ".join(argv)


def test_kinmap_serve_serves_pages_and_compressed_static_files(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "KINMAP_STATIC_ROOT": str(tmp_path / "static"),
        "KINMAP_WORKERS": "1",
        "KINMAP_THREADS": "2",
        "KINMAP_BIND": f"127.0.0.1:{port}",
    }
    kinmap = [sys.executable, "-m", "kinmap.cli"]
    subprocess.run([*kinmap, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([*kinmap, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        while True:
            try:
                status, headers, body = _get(f"{base}/sign-in/")
                break
            except OSError:  # not listening yet (URLError, refused), or a first answer slower than 10 s
                if server.poll() is not None or time.monotonic() - started > DEADLINE:
                    pytest.fail("kinmap serve did not answer:\n" + (tmp_path / "serve.log").read_text())
                time.sleep(0.5)
        assert status == 200 and b"Sign in" in body
        # the page names its stylesheet by its hashed name, served compressed and kept for a year
        css = re.search(rb'href="(/assets/[^"]+\.[0-9a-f]{12}\.css)"', body)
        assert css, re.findall(rb"<link[^>]*>", body)
        url = base + css.group(1).decode()
        status, headers, gzipped = _get(url, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip"
        assert "immutable" in headers.get("cache-control", "")
        status, headers, brotlied = _get(url, **{"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers.get("content-encoding") == "br"
        assert "immutable" in headers.get("cache-control", "")
        status, headers, plain = _get(url)
        assert "content-encoding" not in headers and len(plain) > len(gzipped) > len(brotlied)
        assert brotli.decompress(brotlied) == plain
        assert "gunicorn" in (tmp_path / "serve.log").read_text().lower()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    assert server.returncode is not None
