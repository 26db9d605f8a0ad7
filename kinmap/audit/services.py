"""Writing and checking the audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, router, transaction
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.records.copy_rows import rows_insert
from kinmap.web.kept_queries import KeptInsert

from . import context
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def event_digest(fields: Mapping[str, Any], prev_hash: str) -> str:
    body = json.dumps({**_jsonable(dict(fields)), "prev": prev_hash}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def hashed_fields(e: AuditEvent) -> dict[str, Any]:
    """The fields of an event that its hash covers (everything but the hashes
    and the row id; ``seq`` is its place in the chain)."""
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "agency_name": e.agency_name,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "network_id": e.network_id,
        "changes": e.changes,
        "reason": e.reason,
        "request_id": e.request_id,
        "channel": e.channel,
    }


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object = "",
    network_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event, unsealed: a single INSERT that takes no lock, so a page
    read never waits on another transaction's work (docs/access-and-audit.md).
    It joins the caller's transaction (an event of a change that rolls back is
    gone with it). :func:`audit_seal` later gives it its place in the chain."""
    event = AuditEvent(**_fields(actor, action, object_type, object_id, network_id, changes, reason))
    event.actor = actor  # the instance the caller gave, not read again
    _INSERT.insert(event, router.db_for_write(AuditEvent, instance=event))
    return event


# the statement is compiled once per connection (every page's read writes one)
_INSERT = KeptInsert(AuditEvent)


def audit_record_many(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    entries: Sequence[tuple[object, int | None, Mapping[str, Any]]],
) -> int:
    """:func:`audit_record` for many events of one actor, action and object
    type at once (``entries``: object id, network id and changes of each),
    written as rows (COPY on PostgreSQL, ``kinmap.records.copy_rows``): the
    background recompute's events, one a family whose gaps changed.
    Unsealed, like every new event. Returns how many were written."""
    rows = [_fields(actor, action, object_type, oid, nid, changes, "") for oid, nid, changes in entries]
    for row in rows:
        row["changes"] = json.dumps(row["changes"])  # as the JSON field writes it
    names = list(rows[0]) if rows else []
    return rows_insert(AuditEvent, names, [tuple(r.values()) for r in rows], now=timezone.now())


def _fields(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    network_id: int | None,
    changes: Mapping[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """The values of a new event's columns (by attribute name)."""
    ctx = context.current()
    agency = actor.agency if actor is not None and actor.team_id else None
    return {
        "at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": actor.username if actor else "system",
        "agency_name": agency.name if agency else "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "network_id": network_id,
        # _jsonable makes a new dict: no copy of a dict first (one a family in a recompute's batch)
        "changes": _jsonable(changes if type(changes) is dict else dict(changes or {})),
        "reason": reason,
        "request_id": ctx.request_id,
        "channel": ctx.channel,
    }


SEAL_BATCH = 2000  # events hashed in one short transaction


def audit_seal(*, batch: int = SEAL_BATCH) -> int:
    """Seal every committed event not yet sealed, oldest (lowest id) first:
    give each the next ``seq`` after the chain head, ``prev_hash`` the hash of
    the event before it and ``hash`` the SHA-256 of its content and
    ``prev_hash`` (:func:`event_digest`). Works in transactions of at most
    ``batch`` events, each holding the chain head's lock only while it hashes
    them (the only place but a checkpoint that takes that lock). An event
    committed late, by a transaction that began before others, is sealed in a
    later call after them: the chain's order is the order of sealing. Returns
    the number of events sealed. Run by ``kinmap worker``, before
    ``kinmap audit verify`` and before a checkpoint."""
    sealed = 0
    while AuditEvent.objects.filter(seq__isnull=True).exists():
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
            seq, prev = head.seq, head.hash
            for e in events:
                seq += 1
                e.seq, e.prev_hash = seq, prev
                e.hash = prev = event_digest(hashed_fields(e), prev)
            if events:
                _seals_write(events)
                head.seq, head.hash = seq, prev
                head.save(update_fields=["seq", "hash"])
        sealed += len(events)
        if len(events) < batch:
            break
    return sealed


def _seals_write(events: Sequence[AuditEvent]) -> None:
    """Write the seal columns of ``events``: on PostgreSQL one UPDATE from
    arrays of the values (one parameter a column, whatever the number of
    events), elsewhere ``bulk_update`` (a CASE a column, 500 events a query).
    Either way one row update an event, which the append-only trigger allows
    (``triggers.py``)."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_update(events, ["seq", "prev_hash", "hash"], batch_size=500)
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash"  # noqa: S608
            " FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, seq, prev_hash, hash)"
            " WHERE e.id = v.id",
            [
                [e.pk for e in events],
                [e.seq for e in events],
                [e.prev_hash for e in events],
                [e.hash for e in events],
            ],
        )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def sealed_events() -> Iterable[AuditEvent]:
    """Every sealed event, in chain order (streamed)."""
    return AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000)


def audit_verify(events: Iterable[AuditEvent] | None = None) -> list[ChainBreak]:
    """Walk the chain in order; report every event whose content, position or
    predecessor does not match, and a chain whose end differs from the head.
    Without ``events``, seals what is still unsealed first, then checks every
    sealed event."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = 1
    if events is None:
        audit_seal()
    rows = events if events is not None else sealed_events()
    last_seq = 0
    for e in rows:
        seq = e.seq or 0
        if seq != expected_seq:
            breaks.append(ChainBreak(seq, f"expected event #{expected_seq} here: an event is missing"))
        if e.prev_hash != prev:
            breaks.append(ChainBreak(seq, "does not follow the event before it (removed or reordered)"))
        if event_digest(hashed_fields(e), e.prev_hash) != e.hash:
            breaks.append(ChainBreak(seq, "content does not match its hash (changed)"))
        prev = e.hash
        expected_seq = seq + 1
        last_seq = seq
    if events is None:
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and (head.seq != last_seq or head.hash != prev):
            breaks.append(ChainBreak(head.seq, "the newest events have been removed"))
    return breaks
