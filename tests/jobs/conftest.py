"""The partnership administrator who changes the rule settings, and a count
of the families recomputed, for the background work's tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import services as gs
from kinmap.jobs import services as js
from kinmap.records import models as rm
from tests.conftest import make_user


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> Counter[int]:
    """How many times each family (network id) is recomputed from now on, by
    a recompute's lane or by a neighbours' task."""
    seen: Counter[int] = Counter()
    real = gs.gaps_recompute_locked

    def counting(
        *, networks: Sequence[rm.FamilyNetwork], actor: User | None, today: date | None = None
    ) -> Any:
        seen.update(n.pk for n in networks)
        return real(networks=networks, actor=actor, today=today)

    monkeypatch.setattr(js, "gaps_recompute_locked", counting)
    monkeypatch.setattr(gs, "gaps_recompute_locked", counting)
    return seen
