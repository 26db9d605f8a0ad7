"""A session's expiry is moved on as the user works, but not written on every
request: only when it would move by a minute or more (kinmap.web.sessions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.web.sessions import refresh_seconds


def _expiry(client: Client) -> timedelta:
    return Session.objects.get(session_key=client.session.session_key).expire_date - timezone.now()


def _session_writes(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("my-families")).status_code == 200
    return sum(
        1 for q in ctx.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    )


def test_the_expiry_moves_after_a_thirtieth_of_the_age_at_most_a_minute() -> None:
    assert refresh_seconds(30 * 60) == 60
    assert refresh_seconds(60 * 60) == 60
    assert refresh_seconds(60) == 2


@pytest.mark.django_db
def test_a_request_soon_after_the_last_write_leaves_the_session_alone(owner: User) -> None:
    client = Client()
    client.force_login(owner)  # saved now: expires in 30 minutes
    before = Session.objects.get(session_key=client.session.session_key).expire_date
    assert _session_writes(client) == 0
    assert Session.objects.get(session_key=client.session.session_key).expire_date == before


@pytest.mark.django_db
def test_a_request_moves_a_lagging_expiry_on_to_thirty_minutes(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    key = client.session.session_key
    # 61 seconds after the last write, the expiry lags by more than a minute
    lagging = timezone.now() + timedelta(minutes=29, seconds=-1)
    Session.objects.filter(session_key=key).update(expire_date=lagging)
    assert _session_writes(client) >= 1
    assert timedelta(minutes=29, seconds=59) < _expiry(client) <= timedelta(minutes=30)
    assert client.session.session_key == key
