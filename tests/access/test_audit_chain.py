"""The audit trail is tamper-evident (``kinmap audit verify``) and, in the
database, append-only."""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kinmap.accounts.models import User
from kinmap.audit import context, triggers
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_record
from tests.cli import kinmap_with_audit_events


def _events(n: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="view", object_type="network", object_id=i, network_id=i)
        for i in range(1, n + 1)
    ]


def _verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def _bypass(sql: str, params: list[object]) -> None:
    """Tamper with the table as someone with direct database access would,
    having first dropped the append-only triggers."""
    triggers.remove(connection)
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.django_db
def test_verify_passes_on_an_untouched_chain() -> None:
    _events(5)
    code, out, _ = _verify()
    assert code == 0
    assert out.strip() == "Audit trail verified: 5 events, the chain is whole."


@pytest.mark.django_db
def test_verify_catches_an_edited_event() -> None:
    events = _events(5)
    _bypass("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["nothing to see", events[2].seq])
    code, _, err = _verify()
    assert code == 1
    assert f"event #{events[2].seq}: content does not match its hash (changed)" in err
    assert "Audit trail is broken: 1 problem in 5 events" in err


@pytest.mark.django_db
def test_verify_catches_a_deleted_event() -> None:
    events = _events(5)
    _bypass("DELETE FROM audit_auditevent WHERE seq = %s", [events[1].seq])
    code, _, err = _verify()
    assert code == 1
    assert f"event #{events[2].seq}: expected event #{events[1].seq} here: an event is missing" in err
    assert f"event #{events[2].seq}: does not follow the event before it (removed or reordered)" in err


@pytest.mark.django_db
def test_verify_catches_the_newest_event_deleted() -> None:
    events = _events(3)
    _bypass("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    code, _, err = _verify()
    assert code == 1
    assert "the newest events have been removed" in err


@pytest.mark.django_db
def test_verify_catches_reordered_events() -> None:
    events = _events(5)
    a, b = events[1].seq, events[2].seq
    # Swap the positions of two events (through a free number, as seq is unique).
    _bypass("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [a])
    _bypass("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a, b])
    _bypass("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [b])
    code, _, err = _verify()
    assert code == 1
    assert f"event #{a}: does not follow the event before it (removed or reordered)" in err
    assert f"event #{b}: content does not match its hash (changed)" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET reason = 'changed'", "DELETE FROM audit_auditevent"],
    ids=["update", "delete"],
)
def test_database_refuses_update_and_delete_of_audit_events(sql: str) -> None:
    """A trigger on PostgreSQL (migration audit 0002), and its equivalent on SQLite."""
    triggers.install(connection)  # a transactional test may have lifted them
    _events(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEvent.objects.filter(reason="").count() == 2


@pytest.mark.django_db
def test_orm_update_and_delete_are_refused_too() -> None:
    triggers.install(connection)
    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()


@pytest.mark.django_db
def test_command_context_marks_events_as_cli(owner: User) -> None:
    with context.command_context() as ctx:
        event = audit_record(actor=owner, action="export", object_type="network", object_id=1)
    assert (event.channel, event.request_id) == ("cli", ctx.request_id)
    assert event.agency_name == "Northshire Community Health"


def test_the_kinmap_command_exits_non_zero_listing_breaks(tmp_path: Path) -> None:
    """The real command line, on a database of its own."""
    db = tmp_path / "audit.sqlite3"
    kinmap = kinmap_with_audit_events(db, 3)
    ok = kinmap("audit", "verify")
    assert (ok.returncode, ok.stdout.strip()) == (0, "Audit trail verified: 3 events, the chain is whole.")
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER kinmap_audit_no_update")
        conn.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE seq = 2")
    broken = kinmap("audit", "verify")
    assert broken.returncode == 1
    assert "event #2: content does not match its hash (changed)" in broken.stderr
