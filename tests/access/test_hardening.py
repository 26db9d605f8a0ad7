"""Cookies, headers, session timeout, password policy and
Django's deployment checks with production settings."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KINMAP_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "KINMAP_ENV": "production",
            "KINMAP_SECRET_KEY": secrets.token_urlsafe(60),
            "KINMAP_ALLOWED_HOSTS": "kinmap.example",
            **extra,
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kinmap", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_secure() -> None:
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='kinmap.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_HTTPONLY','SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        "'SECURE_SSL_REDIRECT','SESSION_COOKIE_SAMESITE','X_FRAME_OPTIONS','SESSION_EXPIRE_AT_BROWSER_CLOSE']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }


def test_production_refuses_a_weak_secret_key() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kinmap", "check"],
        cwd=ROOT,
        env=_production_env(KINMAP_SECRET_KEY="short"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "KINMAP_SECRET_KEY must be set to a random value of at least 50 characters" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_page(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    for url in (reverse("login"), reverse("my-families"), reverse("notifications")):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_session_times_out_after_thirty_idle_minutes(owner: User) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ENGINE == "kinmap.web.sessions"
    assert "kinmap.web.sessions.SessionMiddleware" in settings.MIDDLEWARE
    client = Client()
    client.force_login(owner)
    # a request moves the expiry on once it lags a minute or more behind
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=20)
    )
    assert client.get(reverse("my-families")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert timedelta(minutes=29) < session.expire_date - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("my-families"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_posts_need_the_csrf_token(owner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(reverse("break-glass"), {"network": 1}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Sh0rt-pass", "too short"),
        ("qwertyuiop123", "too common"),
        ("12345678901234", "entirely numeric"),
        ("hv.owner1234", "too similar to the username"),
    ],
)
def test_password_validators(owner: User, password: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password(password, owner)
    assert any(fragment in m for m in exc.value.messages)
    validate_password("lantern-orchard-47-violet", owner)
