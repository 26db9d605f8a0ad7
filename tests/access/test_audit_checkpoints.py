"""Signed checkpoints catch what the hash chain alone cannot: someone with
write access to the database who removes the newest events and rewinds the
chain head, or changes an event and re-hashes every event after it."""

from __future__ import annotations

import json
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kinmap.audit import triggers
from kinmap.audit.checkpoints import KEY_VARIABLE
from kinmap.audit.models import AuditChainHead, AuditEvent
from kinmap.audit.services import GENESIS, audit_record, audit_seal, event_digest, hashed_fields
from tests.cli import kinmap_with_audit_events

KEY = "test-checkpoint-key-" + "k" * 32
OTHER_KEY = "another-checkpoint-key-" + "o" * 32


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VARIABLE, KEY)


def _events(n: int) -> None:
    """``n`` events, sealed into the chain (as the worker does)."""
    for i in range(n):
        audit_record(actor=None, action="view", object_type="network", object_id=i, network_id=i)
    audit_seal()


def _audit(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def _sql(sql: str, params: list[object]) -> None:
    """Tamper as someone with write access to the database would, having
    dropped the append-only triggers first."""
    triggers.remove(connection)
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _rehash_from(seq: int) -> None:
    """Recompute the hash of every event from ``seq`` on and rewind the head
    to the newest, so that the chain is whole again (the attack)."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        digest = event_digest(hashed_fields(event), prev)
        _sql("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk])
        prev = digest
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    _sql("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [newest.seq, prev])


@pytest.mark.django_db
def test_a_clean_chain_with_checkpoints_passes(tmp_path: Path) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(3)
    assert _audit("checkpoint", "--output", str(file))[0] == 0
    _events(2)
    code, out, _ = _audit("checkpoint", "--output", str(file))
    assert code == 0
    assert out.startswith("Checkpoint of event #5 at ")
    assert out.strip().endswith(f"appended to {file}")
    _events(1)  # events after the newest checkpoint are fine
    code, out, err = _audit("verify", "--checkpoints", str(file))
    assert (code, err) == (0, "")
    assert out.strip() == (
        "Audit trail verified: 6 events, the chain is whole. "
        "2 signed checkpoints hold, the newest at event #5."
    )
    lines = [json.loads(line) for line in file.read_text().splitlines()]
    assert [(cp["seq"], cp["hash"]) for cp in lines] == [
        (3, AuditEvent.objects.get(seq=3).hash),
        (5, AuditEvent.objects.get(seq=5).hash),
    ]
    assert all(set(cp) == {"seq", "hash", "at", "hmac"} for cp in lines)


@pytest.mark.django_db
def test_removing_the_newest_events_and_rewinding_the_head_is_caught(tmp_path: Path) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(5)
    _audit("checkpoint", "--output", str(file))
    _sql("DELETE FROM audit_auditevent WHERE seq > %s", [3])
    _sql(
        "UPDATE audit_auditchainhead SET seq = 3, hash = %s WHERE id = 1",
        [AuditEvent.objects.get(seq=3).hash],
    )
    assert _audit("verify")[0] == 0  # the chain alone looks whole
    code, _, err = _audit("verify", "--checkpoints", str(file))
    assert code == 1
    assert "checkpoint line 1: the trail ends at event #3, but the checkpoint of " in err
    assert "(event #5) saw event #5: the newest events were removed" in err
    assert "Audit trail is broken: 1 problem in 3 events" in err


@pytest.mark.django_db
def test_rewriting_an_event_and_rehashing_the_rest_is_caught(tmp_path: Path) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(3)
    _audit("checkpoint", "--output", str(file))
    _events(3)
    _audit("checkpoint", "--output", str(file))
    _sql("UPDATE audit_auditevent SET reason = %s WHERE seq = 2", ["nothing to see"])
    _rehash_from(2)
    assert _audit("verify")[0] == 0  # the chain alone looks whole
    code, _, err = _audit("verify", "--checkpoints", str(file))
    assert code == 1
    for line, seq in ((1, 3), (2, 6)):
        assert f"checkpoint line {line}: event #{seq} no longer has the hash of the checkpoint of " in err, (
            err
        )
    assert "it or an event before it was changed, removed or reordered, and the chain re-hashed" in err
    assert "Audit trail is broken: 2 problems in 6 events" in err


@pytest.mark.django_db
def test_an_event_changed_without_rehashing_is_caught_against_the_checkpoint(tmp_path: Path) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(3)
    _audit("checkpoint", "--output", str(file))
    _sql("UPDATE audit_auditevent SET reason = %s WHERE seq = 1", ["nothing to see"])
    code, _, err = _audit("verify", "--checkpoints", str(file))
    assert code == 1
    assert "event #1: content does not match its hash (changed)" in err
    assert "checkpoint line 1: the chain up to event #3 no longer hashes to the checkpoint of " in err


@pytest.mark.django_db
def test_a_forged_or_altered_checkpoint_line_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(4)
    _audit("checkpoint", "--output", str(file))
    genuine = json.loads(file.read_text())
    # Altered: the head moved back to event 2, keeping the signature.
    altered = {**genuine, "seq": 2, "hash": AuditEvent.objects.get(seq=2).hash}
    # Forged: signed with a key that is not kinmap's.
    monkeypatch.setenv(KEY_VARIABLE, OTHER_KEY)
    code, forged, _ = _audit("checkpoint")
    assert code == 0
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    with file.open("a") as f:
        f.write(json.dumps(altered) + "\n" + forged.strip() + "\nnot json\n")
    code, _, err = _audit("verify", "--checkpoints", str(file))
    assert code == 1
    assert "checkpoint line 2: the signature of the checkpoint of " in err
    assert "(event #2) does not match: the line was forged or altered, or signed with another key" in err
    assert "checkpoint line 3: the signature of the checkpoint of " in err
    assert "checkpoint line 4: not a checkpoint (JSONDecodeError" in err
    assert "checkpoint line 1" not in err
    assert "Audit trail is broken: 3 problems in 4 events" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            None,
            f"{KEY_VARIABLE} is not set: audit checkpoints are signed with a key held outside the database",
        ),
        ("too-short", f"{KEY_VARIABLE} is too short: use at least 32 random characters"),
    ],
    ids=["missing", "short"],
)
def test_checkpoints_need_a_key_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None, message: str
) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(1)
    if key is None:
        monkeypatch.delenv(KEY_VARIABLE)
    else:
        monkeypatch.setenv(KEY_VARIABLE, key)
    for args in (("checkpoint", "--output", str(file)), ("verify", "--checkpoints", str(file))):
        code, _, err = _audit(*args)
        assert code == 2
        assert message in err
    assert not file.exists()


@pytest.mark.django_db
def test_verify_refuses_a_missing_or_empty_checkpoint_file(tmp_path: Path) -> None:
    _events(1)
    code, _, err = _audit("verify", "--checkpoints", str(tmp_path / "nowhere.jsonl"))
    assert code == 2
    assert f"cannot read the checkpoint file {tmp_path / 'nowhere.jsonl'}" in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _, err = _audit("verify", "--checkpoints", str(empty))
    assert code == 1
    assert "the checkpoint file holds no checkpoint" in err


@pytest.mark.django_db
def test_no_checkpoint_is_signed_for_a_chain_whose_head_was_rewound(tmp_path: Path) -> None:
    file = tmp_path / "checkpoints.jsonl"
    _events(3)
    _sql(
        "UPDATE audit_auditchainhead SET seq = 2, hash = %s WHERE id = 1",
        [AuditEvent.objects.get(seq=2).hash],
    )
    code, _, err = _audit("checkpoint", "--output", str(file))
    assert code == 2
    assert "the chain head names event #2 but the newest event is #3" in err
    assert not file.exists()


@pytest.mark.django_db
def test_a_checkpoint_of_an_empty_trail_holds() -> None:
    code, line, _ = _audit("checkpoint")
    assert code == 0
    assert json.loads(line)["seq"] == 0
    assert not AuditChainHead.objects.exists()


@pytest.mark.django_db
@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE; DELETE is refused")
def test_postgresql_refuses_truncate_of_the_audit_table() -> None:
    triggers.install(connection)  # a transactional test may have lifted them
    _events(2)
    with connection.cursor() as cur:
        # Settle the foreign key checks the inserts queued in the test's
        # transaction, as a commit would: TRUNCATE refuses to run past them.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE is not allowed"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_checkpoints_through_the_kinmap_command(tmp_path: Path) -> None:
    """The real command line, on a database of its own: the attack of the
    trust issue (newest events removed, head rewound) passes 'verify' alone
    and is caught against the checkpoint file."""
    db = tmp_path / "audit.sqlite3"
    file = tmp_path / "checkpoints.jsonl"
    kinmap = kinmap_with_audit_events(db, 4, **{KEY_VARIABLE: KEY})
    taken = kinmap("audit", "checkpoint", "--output", str(file))
    assert taken.returncode == 0, taken.stderr
    printed = kinmap("audit", "checkpoint")
    assert printed.returncode == 0
    assert json.loads(printed.stdout)["seq"] == 4
    clean = kinmap("audit", "verify", "--checkpoints", str(file))
    assert clean.returncode == 0, clean.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER kinmap_audit_no_delete")
        conn.execute("DELETE FROM audit_auditevent WHERE seq = 4")
        newest = "(SELECT hash FROM audit_auditevent WHERE seq = 3)"
        conn.execute(f"UPDATE audit_auditchainhead SET seq = 3, hash = {newest}")  # noqa: S608
    assert kinmap("audit", "verify").returncode == 0
    caught = kinmap("audit", "verify", "--checkpoints", str(file))
    assert caught.returncode == 1
    assert "the trail ends at event #3" in caught.stderr
    assert "saw event #4: the newest events were removed" in caught.stderr
