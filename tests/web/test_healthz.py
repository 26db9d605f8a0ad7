"""``GET /healthz``: a load balancer's check of one host. 200 while the
database answers, 503 (JSON, Retry-After) when it does not; never HTML,
never kept by a cache, no sign-in, nothing audited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

from kinmap.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_host_whose_database_answers_is_healthy(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not AuditEvent.objects.exists()


def test_a_host_whose_database_does_not_answer_says_503_in_json(client: Client) -> None:
    def refused(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with connection.execute_wrapper(refused):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "detail": "The database does not answer."}
    assert response["Retry-After"] == "10" and response["Cache-Control"] == "no-store"
    assert b"5432" not in response.content and b"<html" not in response.content


def test_in_production_the_check_is_answered_over_plain_http_not_redirected(tmp_path: Path) -> None:
    """The other pages redirect to HTTPS (SECURE_SSL_REDIRECT); a load
    balancer's check over HTTP is answered."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KINMAP_", "DATABASE_URL"))}
    env = {
        **base,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'health.sqlite3'}",
        "KINMAP_ENV": "production",
        "KINMAP_SECRET_KEY": "x" * 60,
        "KINMAP_ALLOWED_HOSTS": "kinmap.example",
    }
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='kinmap.example')\n"
        "print(c.get('/sign-in/').status_code, c.get('/healthz').status_code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "kinmap.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["301", "200"]
