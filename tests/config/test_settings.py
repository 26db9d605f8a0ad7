"""Settings come from the environment, with safe defaults, and a value that
cannot be understood stops kinmap with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 60


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KINMAP_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "kinmap", "check"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KINMAP_ENV": "staging"}, "KINMAP_ENV='staging' is not one of development, test, production"),
        ({"KINMAP_DEBUG": "perhaps"}, "KINMAP_DEBUG='perhaps' is not a yes/no value: use true or false"),
        ({"KINMAP_SESSION_SECONDS": "ten"}, "KINMAP_SESSION_SECONDS='ten' is not a whole number"),
        ({"KINMAP_SESSION_SECONDS": "5"}, "KINMAP_SESSION_SECONDS='5' must be at least 60"),
        (
            {"KINMAP_LOGIN_COOLOFF_MINUTES": "soon"},
            "KINMAP_LOGIN_COOLOFF_MINUTES='soon' is not a whole number",
        ),
        ({"KINMAP_LOGIN_COOLOFF_MINUTES": "0"}, "KINMAP_LOGIN_COOLOFF_MINUTES='0' must be at least 1"),
        (
            {"KINMAP_LOGIN_FAILURE_LIMIT": "5", "KINMAP_LOGIN_CLIENT_FAILURE_LIMIT": "3"},
            "KINMAP_LOGIN_CLIENT_FAILURE_LIMIT=3 must be at least KINMAP_LOGIN_FAILURE_LIMIT=5",
        ),
        (
            {"KINMAP_CLIENT_ADDRESS_HEADER": "X Forwarded For"},
            "KINMAP_CLIENT_ADDRESS_HEADER='X Forwarded For' is not an HTTP header name",
        ),
        (
            {"DATABASE_URL": "mysql://root@localhost/kinmap"},
            "DATABASE_URL must be a sqlite:// or postgres:// URL",
        ),
        (
            {"KINMAP_ENV": "production", "KINMAP_ALLOWED_HOSTS": "kinmap.example"},
            "KINMAP_SECRET_KEY must be set to a random value of at least 50 characters in production",
        ),
        (
            {"KINMAP_ENV": "production", "KINMAP_SECRET_KEY": GOOD_SECRET},
            "KINMAP_ALLOWED_HOSTS must list the host names kinmap is served on",
        ),
        (
            {
                "KINMAP_ENV": "production",
                "KINMAP_SECRET_KEY": GOOD_SECRET,
                "KINMAP_ALLOWED_HOSTS": "kinmap.example",
                "KINMAP_DEBUG": "true",
            },
            "KINMAP_DEBUG must be off when KINMAP_ENV=production",
        ),
    ],
)
def test_a_bad_value_stops_kinmap_naming_the_variable(env: dict[str, str], message: str) -> None:
    result = _check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_defaults_start_a_development_kinmap() -> None:
    result = _check({"DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
