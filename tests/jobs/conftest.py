"""The partnership administrator who changes the rule settings, for the
background work's tests."""

from __future__ import annotations

import pytest

from kinmap.accounts.models import Role, Team, User
from tests.conftest import make_user


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
