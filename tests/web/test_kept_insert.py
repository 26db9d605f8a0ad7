"""The INSERT of one row compiled once per connection (kinmap.web.kept_queries
.KeptInsert): the row ``save(force_insert=True)`` writes, its key read back,
one statement through Django's cursor; saved as before when something
listens for the model being saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.web.kept_queries import KeptInsert

pytestmark = pytest.mark.django_db

_INSERT = KeptInsert(AuditEvent)


def _event(actor: User, n: int) -> AuditEvent:
    return AuditEvent(
        at=datetime(2026, 3, 4, 10, 11, 12, 123456, tzinfo=UTC),
        actor=actor,
        actor_name=actor.username,
        agency_name="Agency & 'partners'",
        action="view",
        object_type="network",
        object_id=str(n),
        network_id=n,
        changes={"given_name": ["Ann", "Anne"], "n": [1, None], "nested": {"a": [1, 2]}},
        reason="allocated to the team",
        request_id=f"req-{n}",
        channel="web",
    )


def _row(pk: int) -> dict[str, object]:
    row = AuditEvent.objects.filter(pk=pk).values().get()
    del row["id"]
    return row


def test_the_kept_insert_writes_the_row_save_writes(owner: User) -> None:
    saved = _event(owner, 1)
    saved.save(force_insert=True)
    for _ in range(2):  # compiled the first time, kept the second
        kept = _event(owner, 1)
        with CaptureQueriesContext(connection) as ctx:
            _INSERT.insert(kept)
        assert len(ctx.captured_queries) == 1
        assert ctx.captured_queries[0]["sql"].upper().startswith("INSERT")
        assert kept.pk is not None and kept.pk != saved.pk
        assert kept._state.adding is False and kept._state.db == "default"
        assert _row(kept.pk) == _row(saved.pk)


def test_a_model_whose_saving_is_listened_for_is_saved(owner: User) -> None:
    heard: list[int] = []

    def listener(sender: type, instance: AuditEvent, **kwargs: object) -> None:
        heard.append(instance.pk)

    post_save.connect(listener, sender=AuditEvent)
    try:
        event = _event(owner, 2)
        _INSERT.insert(event)
    finally:
        post_save.disconnect(listener, sender=AuditEvent)
    assert heard == [event.pk]
