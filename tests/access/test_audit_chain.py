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
from kinmap.audit.services import audit_record, audit_seal, audit_verify
from tests.cli import kinmap_with_audit_events


def _events(n: int) -> list[AuditEvent]:
    """``n`` events, sealed into the chain (as the worker does)."""
    written = [
        audit_record(actor=None, action="view", object_type="network", object_id=i, network_id=i)
        for i in range(1, n + 1)
    ]
    audit_seal()
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in written]).order_by("seq"))


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


@pytest.mark.django_db
def test_events_are_written_unsealed_and_sealed_in_order() -> None:
    """Writing an event takes no lock and leaves it unsealed; sealing gives
    each event the next place in the chain, oldest first, linked to the one
    before it; sealing again finds nothing to do."""
    written = [audit_record(actor=None, action="view", object_type="network", object_id=i) for i in range(3)]
    assert [(e.seq, e.prev_hash, e.hash) for e in written] == [(None, "", "")] * 3
    assert audit_seal(batch=2) == 3  # two transactions of at most two events
    sealed = list(AuditEvent.objects.order_by("seq"))
    assert [e.pk for e in sealed] == [e.pk for e in written]
    assert [e.seq for e in sealed] == [1, 2, 3]
    assert sealed[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in sealed[1:]] == [e.hash for e in sealed[:-1]]
    assert audit_seal() == 0
    assert audit_verify() == []


@pytest.mark.django_db
def test_verify_seals_what_is_unsealed_first() -> None:
    audit_record(actor=None, action="view", object_type="network", object_id=1)
    code, out, _ = _verify()
    assert (code, out.strip()) == (0, "Audit trail verified: 1 events, the chain is whole.")
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        # changing an unsealed event's content, even while sealing it
        "UPDATE audit_auditevent SET reason = 'changed' WHERE seq IS NULL",
        "UPDATE audit_auditevent SET seq = 99, hash = 'x', reason = 'changed' WHERE seq IS NULL",
        # sealing a sealed event again
        "UPDATE audit_auditevent SET seq = 99, hash = 'x' WHERE seq IS NOT NULL",
        # unsealing an event
        "UPDATE audit_auditevent SET seq = NULL WHERE seq IS NOT NULL",
    ],
    ids=["unsealed-content", "content-while-sealing", "reseal", "unseal"],
)
def test_database_allows_sealing_once_and_nothing_else(sql: str) -> None:
    triggers.install(connection)
    _events(1)
    audit_record(actor=None, action="view", object_type="network", object_id=2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEvent.objects.filter(reason="").count() == 2


def test_the_sqlite_trigger_compares_every_content_column() -> None:
    """SQLite's trigger lists the columns sealing must leave alone: every
    column of the model but the seal's (a new column must be added there)."""
    columns = {f.column for f in AuditEvent._meta.concrete_fields}
    assert set(triggers.CONTENT_COLUMNS) == columns - set(triggers.SEAL_COLUMNS)


@pytest.mark.django_db
def test_kinmap_audit_seal_says_how_many_it_sealed() -> None:
    for i in range(2):
        audit_record(actor=None, action="view", object_type="network", object_id=i)
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert out.getvalue().strip() == "Sealed 2 audit events into the chain."
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == [1, 2]
