"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain shows an event changed, removed or reordered, but someone with
write access to the database can delete the newest events and rewind the chain
head, or change an event and re-hash every event after it, and the chain is
whole again. A checkpoint is the chain head (sequence number and hash of the
newest event) and the time, signed with HMAC-SHA256 (RFC 2104) under a key held
outside the database (the environment variable ``KINMAP_AUDIT_CHECKPOINT_KEY``)
and written as one JSON line to an append-only file kept elsewhere. Checking the
chain against the checkpoints shows any truncation, and any change before the
newest checkpoint, however the chain was re-hashed. Changes after it are
caught by the next checkpoint only. See docs/access-and-audit.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent
from .services import GENESIS, audit_seal, event_digest, hashed_fields, sealed_events

KEY_VARIABLE = "KINMAP_AUDIT_CHECKPOINT_KEY"
MIN_KEY_LENGTH = 32  # characters; at least 256 bits when random


class CheckpointError(Exception):
    """A checkpoint cannot be taken or checked: the message says why, for an operator."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain head at a moment: ``seq`` of the newest event (0 for an empty
    trail), its SHA-256 ``hash`` in hex (64 zeros for an empty trail) and ``at``,
    when it was taken (ISO 8601 with offset, UTC)."""

    seq: int
    hash: str
    at: str

    def label(self) -> str:
        return f"the checkpoint of {self.at} (event #{self.seq})"


def checkpoint_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The signing key from ``KINMAP_AUDIT_CHECKPOINT_KEY`` (UTF-8 bytes).
    Raises CheckpointError if it is not set or shorter than MIN_KEY_LENGTH."""
    value = (os.environ if environ is None else environ).get(KEY_VARIABLE, "")
    if not value:
        raise CheckpointError(
            f"{KEY_VARIABLE} is not set: audit checkpoints are signed with a key held outside the "
            "database (see docs/access-and-audit.md)"
        )
    if len(value) < MIN_KEY_LENGTH:
        raise CheckpointError(f"{KEY_VARIABLE} is too short: use at least {MIN_KEY_LENGTH} random characters")
    return value.encode()


def _signature(cp: Checkpoint, key: bytes) -> str:
    message = f"kinmap-audit-checkpoint:v1:{cp.seq}:{cp.hash}:{cp.at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint_take() -> Checkpoint:
    """The chain head now, after sealing every event committed so far. Raises
    CheckpointError if the head does not name the newest sealed event as it
    stands (the trail is already broken: signing it would vouch for it)."""
    audit_seal()
    with transaction.atomic():  # the head is locked as by the sealer, so it and the newest event agree
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
        row = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    newest = (row[0] or 0, row[1]) if row else (0, GENESIS)
    if newest != (seq, digest):
        raise CheckpointError(
            f"the chain head names event #{seq} but the newest event is #{newest[0]} "
            "(or its hash differs): the trail is broken, run 'kinmap audit verify'"
        )
    return Checkpoint(seq=seq, hash=digest, at=timezone.now().isoformat())


def checkpoint_line(cp: Checkpoint, key: bytes) -> str:
    """One line of the checkpoint file (JSON, without the newline)."""
    return json.dumps({"seq": cp.seq, "hash": cp.hash, "at": cp.at, "hmac": _signature(cp, key)})


def checkpoint_parse(line: str, key: bytes) -> Checkpoint:
    """The checkpoint a line records. Raises CheckpointError if the line is
    not a checkpoint or its signature does not match (forged or altered)."""
    try:
        data = json.loads(line)
        cp = Checkpoint(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]))
        signature = str(data["hmac"])
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointError(f"not a checkpoint ({exc.__class__.__name__}: {exc})") from exc
    if not hmac.compare_digest(signature, _signature(cp, key)):
        raise CheckpointError(
            f"the signature of {cp.label()} does not match: the line was forged or altered, "
            f"or signed with another key"
        )
    return cp


def checkpoints_verify(lines: Iterable[str], key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """Check the audit chain against every line of a checkpoint file.

    Returns the checkpoints whose signatures are good, and the problems found,
    each a sentence naming the line: a line that is not a good checkpoint; a
    checkpointed event that is missing, or whose hash, or the hash the chain
    re-hashed from its start gives at it, is not the checkpointed one (an
    event at or before it was changed, removed, added or reordered); a trail
    that ends before a checkpointed event (truncated); a file with no lines.
    """
    problems: list[str] = []
    good: list[Checkpoint] = []
    wanted: dict[int, list[tuple[int, Checkpoint]]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cp = checkpoint_parse(line, key)
        except CheckpointError as exc:
            problems.append(f"checkpoint line {number}: {exc}")
            continue
        good.append(cp)
        wanted.setdefault(cp.seq, []).append((number, cp))
    if not good and not problems:
        problems.append("the checkpoint file holds no checkpoint")
    for number, cp in wanted.pop(0, []):
        if cp.hash != GENESIS:
            problems.append(f"checkpoint line {number}: {cp.label()} has a hash but no event")
    rehashed, last_seq = GENESIS, 0
    for event in sealed_events():
        rehashed = event_digest(hashed_fields(event), rehashed)
        last_seq = event.seq or 0
        for number, cp in wanted.pop(last_seq, []):
            if event.hash != cp.hash:
                problems.append(
                    f"checkpoint line {number}: event #{cp.seq} no longer has the hash of {cp.label()}: "
                    "it or an event before it was changed, removed or reordered, and the chain re-hashed"
                )
            elif rehashed != cp.hash:
                problems.append(
                    f"checkpoint line {number}: the chain up to event #{cp.seq} no longer hashes to "
                    f"{cp.label()}: an event before it was changed, removed, added or reordered"
                )
    for seq, entries in sorted(wanted.items()):
        for number, cp in entries:
            if seq > last_seq:
                problems.append(
                    f"checkpoint line {number}: the trail ends at event #{last_seq}, but {cp.label()} "
                    f"saw event #{seq}: the newest events were removed"
                )
            else:
                problems.append(f"checkpoint line {number}: event #{seq} of {cp.label()} is missing")
    return good, problems
