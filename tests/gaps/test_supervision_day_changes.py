"""The supervision page follows the day: its reads are built once a day and
kept in the process, so the page served after midnight must list the
families flagged on the new day, and count them, as read afresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.gaps import supervision_reads
from kinmap.records import models as rm
from tests.gaps.test_supervision_reads import supervisor  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_supervision_page_follows_the_day(supervisor: User, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    real_now = timezone.now
    today = timezone.localdate()
    # the first flagged family is the team's until tomorrow
    first = supervision_reads.flagged_networks(supervisor, today)[0]
    rm.Allocation.objects.filter(network=first, team=supervisor.team).update(end=today + timedelta(days=1))
    seen = []
    for days in (0, 1, 40, 400, 0):  # and back: each day's own reads

        def later(days: int = days) -> datetime:
            return real_now() + timedelta(days=days)

        monkeypatch.setattr(timezone, "now", later)
        day = timezone.localdate()
        client = Client()
        client.force_login(supervisor)
        response = client.get("/supervision/")
        assert response.status_code == 200
        page = response.context["pagination"]
        expected = supervision_reads.flagged_networks(supervisor, day)
        assert page.count == expected.count()
        assert [n.pk for n in page.items] == [n.pk for n in expected[:25]]
        board = response.context["board"]
        fresh = supervision_reads.supervisor_dashboard(supervisor, expected[:25], day)
        assert [(f.network.pk, [v.gap.pk for v in f.gaps]) for f in board.families] == [
            (f.network.pk, [v.gap.pk for v in f.gaps]) for f in fresh.families
        ]
        seen.append(first.pk in [n.pk for n in page.items])
    assert seen == [True, False, False, False, True]
