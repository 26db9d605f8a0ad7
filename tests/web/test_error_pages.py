"""kinmap's own GOV.UK error pages (403, 404, 500), with no internal details,
and debug pages off by default, so a mistyped address in the demo shows the
404 page and not Django's list of the site's addresses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from kinmap.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _frame(html: str) -> None:
    assert 'class="govuk-template' in html and 'class="govuk-header"' in html
    assert 'id="main-content"' in html and "govuk-frontend.min.css" in html


def _no_internals(html: str) -> None:
    for leak in ("Traceback", "URLconf", "urlpatterns", "SECRET-DETAIL", "kinmap.urls", "DEBUG = True"):
        assert leak not in html, leak


def test_a_mistyped_address_gives_the_govuk_404_page(client: Client, owner: User) -> None:
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.get("/familes/1/mistyped/")
    assert response.status_code == 404
    html = response.content.decode()
    _frame(html)
    assert "Page not found" in html and "If you typed the web address, check it is correct" in html
    _no_internals(html)


@override_settings(ROOT_URLCONF="tests.web.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-only/refuses/", 403, "You cannot do this"),
        ("/test-only/fails/", 500, "Sorry, there is a problem with the service"),
    ],
)
def test_a_refusal_or_a_failure_gives_the_govuk_page_with_no_internals(
    owner: User, path: str, status: int, heading: str
) -> None:
    client = Client(raise_request_exception=False)
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.get(path)
    assert response.status_code == status
    html = response.content.decode()
    _frame(html)
    assert heading in html
    _no_internals(html)


def test_static_files_are_served_with_debug_off(client: Client) -> None:
    from django.conf import settings

    assert settings.DEBUG is False
    response = client.get("/assets/govuk-frontend.min.css")
    assert response.status_code == 200
    assert b"govuk" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_demo_runs_with_debug_off() -> None:
    """`make demo` runs `kinmap runserver` with the settings' defaults."""
    assert "KINMAP_DEBUG" not in (ROOT / "Makefile").read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINMAP_", "DATABASE_URL"))}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kinmap",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
