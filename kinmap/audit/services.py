"""Writing and checking the audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kinmap.accounts.models import User

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
    """The fields of an event that its hash covers (everything but the hashes)."""
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
    """Append one event to the chain. Runs in (or opens) a transaction and locks
    the chain head, so concurrent writers are serialised."""
    ctx = context.current()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        agency = actor.agency if actor is not None and actor.team_id else None
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_name=actor.username if actor else "system",
            agency_name=agency.name if agency else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            network_id=network_id,
            changes=_jsonable(dict(changes or {})),
            reason=reason,
            request_id=ctx.request_id,
            channel=ctx.channel,
            prev_hash=head.hash,
        )
        event.hash = event_digest(hashed_fields(event), head.hash)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def audit_verify(events: Iterable[AuditEvent] | None = None) -> list[ChainBreak]:
    """Walk the chain in order; report every event whose content, position or
    predecessor does not match, and a chain whose end differs from the head."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = 1
    rows = events if events is not None else AuditEvent.objects.order_by("seq").iterator()
    last_seq = 0
    for e in rows:
        if e.seq != expected_seq:
            breaks.append(ChainBreak(e.seq, f"expected event #{expected_seq} here: an event is missing"))
        if e.prev_hash != prev:
            breaks.append(ChainBreak(e.seq, "does not follow the event before it (removed or reordered)"))
        if event_digest(hashed_fields(e), e.prev_hash) != e.hash:
            breaks.append(ChainBreak(e.seq, "content does not match its hash (changed)"))
        prev = e.hash
        expected_seq = e.seq + 1
        last_seq = e.seq
    if events is None:
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and (head.seq != last_seq or head.hash != prev):
            breaks.append(ChainBreak(head.seq, "the newest events have been removed"))
    return breaks
