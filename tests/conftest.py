"""Shared fixtures: an agency with a team, and users who are the owner (in the
allocated team), a teammate, and an outsider (another agency)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.gaps.family import SeedFamily, seed_family

PASSWORD = "correct-horse-battery-staple"

# Hypothesis's default deadline (200 ms an example) fails an example for the
# machine's load, not the code's behaviour: the whole suite runs on two cores,
# twice in CI. Property tests here assert behaviour; speed is measured in the
# benchmarks. Tests that set their own settings keep them.
hypothesis_settings.register_profile("kinmap", deadline=None)
hypothesis_settings.load_profile("kinmap")


def run_kinmap(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``kinmap`` command in a new process on a fresh SQLite database in
    ``tmp_path`` (not migrated): its exit status, standard output and error."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "KINMAP_ENV": "development"}
    return subprocess.run(
        [sys.executable, "-m", "kinmap", *args],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def health_team(db: None) -> Team:
    agency = Agency.objects.create(name="Northshire Community Health", kind="health")
    return Team.objects.create(agency=agency, name="Health visiting east")


@pytest.fixture
def social_team(db: None) -> Team:
    agency = Agency.objects.create(name="Northshire Children's Social Care", kind="social-care")
    return Team.objects.create(agency=agency, name="Assessment team")


def make_user(username: str, team: Team | None, role: str = Role.PRACTITIONER) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, team=team, role=role)


@pytest.fixture
def owner(health_team: Team) -> User:
    return make_user("hv.owner", health_team)


@pytest.fixture
def teammate(health_team: Team) -> User:
    return make_user("hv.teammate", health_team)


@pytest.fixture
def outsider(social_team: Team) -> User:
    return make_user("sw.outsider", social_team)


@pytest.fixture
def baby_network(owner: User) -> m.FamilyNetwork:
    """A baby of 9 weeks around whom a network is started."""
    return s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Rowan",
            family_name="Testbaby",
            sex="male",
            birth_date=date.today().fromordinal(date.today().toordinal() - 63),
            birth_date_accuracy="accurate",
        ),
    )


def index_child(network: m.FamilyNetwork) -> m.Person:
    return m.NetworkMember.objects.get(network=network, is_index=True).person


@pytest.fixture(autouse=True)
def _audit_triggers_lifted_for_flush(request: pytest.FixtureRequest, django_db_blocker: object) -> object:
    """After a transactional test Django empties the database with DELETE on
    SQLite and TRUNCATE on PostgreSQL, which the append-only audit triggers
    refuse: lift them for that flush. A test that needs the triggers installs
    them itself (kinmap.audit.triggers.install)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from kinmap.audit import triggers

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        triggers.remove(connection)


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Tests sign in many users; a deliberately slow hash would dominate their time."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def supervisor(health_team: Team) -> User:
    return make_user("hv.supervisor", health_team, Role.SUPERVISOR)


@pytest.fixture
def fam(owner: User) -> SeedFamily:
    """The seed family of ``tests.gaps.family`` (a baby of 9 weeks, his mother,
    his father who lives elsewhere), recorded by the owner."""
    return seed_family(owner)
