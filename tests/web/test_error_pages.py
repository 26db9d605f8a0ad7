"""kinmap's own GOV.UK error pages (403, 404, 500), with no internal details,
and debug pages off by default, so a mistyped address in the demo shows the
404 page and not Django's list of the site's addresses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def _page(response: Any, status: int) -> str:
    """The text of a GOV.UK error page answered with ``status``, with no internals."""
    assert response.status_code == status
    html: str = response.content.decode()
    _frame(html)
    _no_internals(html)
    return html


def test_a_mistyped_address_gives_the_govuk_404_page(client: Client, owner: User) -> None:
    assert client.login(username=owner.username, password=PASSWORD)
    html = _page(client.get("/familes/1/mistyped/"), 404)
    assert "Page not found" in html and "If you typed the web address, check it is correct" in html


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


def _problem(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status and b"<html" not in response.content


@pytest.mark.parametrize("host", ["evil.example", "x" * 300])
def test_a_host_name_not_served_gives_the_400_page_or_a_problem_document(client: Client, host: str) -> None:
    response = client.get("/sign-in/", HTTP_HOST=host)
    html = _page(response, 400)
    assert "Sorry, this request could not be read" in html and "Nothing was saved" in html
    assert host not in html
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store" and response["Permissions-Policy"]
    _problem(client.get("/api/v1/families", HTTP_HOST=host), 400)


def test_too_many_fields_give_the_400_page_or_a_problem_document(client: Client, owner: User) -> None:
    assert client.login(username=owner.username, password=PASSWORD)
    query = "&".join(["a="] * 1300)
    _page(client.get(f"/?{query}"), 400)
    _problem(client.get(f"/api/v1/people/search?family_name=Smith&{query}"), 400)


def test_a_form_sent_without_its_csrf_check_gives_a_page_that_says_nothing_was_saved(owner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=owner.username, password=PASSWORD)
    html = _page(client.post("/sign-out/"), 403)
    assert "This form could not be sent" in html and "Nothing was saved" in html
    assert "CSRF" not in html and "Forbidden (403)" not in html
    assert client.get("/").status_code == 200  # still signed in: the sign-out was not acted on


def test_a_page_asked_with_a_method_it_does_not_take_gives_the_405_page(client: Client, owner: User) -> None:
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.get("/sign-out/")
    html = _page(response, 405)
    assert response["Allow"] == "POST"
    assert "This page cannot be opened this way" in html and "Nothing was changed" in html
    assert client.get("/").status_code == 200  # still signed in
    _problem(client.delete("/api/v1/families"), 405)
