"""Merging two records of one person, undoing a merge, and deciding that a
likely duplicate is two different people. Each service is keyword-only, runs in
one transaction and writes its audit events (one against every family network
either person belongs to).

Which record survives: the older one (the lower id), so links made to it
elsewhere stay valid; its empty details (NHS number, date of birth, telephone
...) are filled in from the other record, and everything recorded about the
other record (relationships, stays, care, parental responsibility, facts with
their provenance, other names, network membership and whatever else refers to
a person) moves to it (see :mod:`kinmap.merging.relations`). The other record
is kept, a member of no network, so that the merge can be undone exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.models import AuditChainHead
from kinmap.audit.services import audit_record
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, refuse_hidden_characters
from kinmap.records.services import PERSON_FIELDS, network_touch

from . import relations
from .models import CandidateStatus, MatchCandidate, Merge

# Person details filled in on the survivor when empty there (not the masking flag,
# which travels with the telephone number).
# A date's accuracy and second date go with the date (filled when it is).
_WITH_THE_DATE = {"birth_date_latest", "death_date_accuracy", "death_date_latest"}
FILLABLE = tuple(f for f in PERSON_FIELDS if f != "phone_masked" and f not in _WITH_THE_DATE)
REASON_MAX = 2000


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise RecordError("Enter the reason", field="reason")
    refuse_hidden_characters(text, "reason", "The reason", multiline=True)
    if len(text) > REASON_MAX:
        raise RecordError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    return text


def _network_ids(person_ids: Iterable[int]) -> list[int]:
    rows = rm.NetworkMember.objects.filter(person_id__in=list(person_ids))
    return sorted(set(rows.values_list("network_id", flat=True)))


def _lock(person_ids: Iterable[int], network_ids: Iterable[int]) -> None:
    """Take the locks in the order every change to a family takes them: people,
    the audit trail's head, then the networks (see gaps.services.common._begin_change)."""
    list(rm.Person.objects.select_for_update(no_key=True).filter(pk__in=list(person_ids)).order_by("pk"))
    list(AuditChainHead.objects.select_for_update().filter(pk=1).values_list("pk"))
    list(
        rm.FamilyNetwork.objects.select_for_update(no_key=True)
        .filter(pk__in=list(network_ids))
        .order_by("pk")
        .values_list("pk")
    )


def _recompute(network_ids: Iterable[int], actor: User) -> None:
    for network in rm.FamilyNetwork.objects.filter(pk__in=list(network_ids)).order_by("pk"):
        network_touch(network=network, actor=actor)


def _refresh_match_keys(person_ids: list[int], *, gone: int | None = None) -> None:
    """Bring the search's blocking keys of these people up to date; ``gone``
    (a record merged into another, in no network now) loses its keys, so that
    the search no longer finds it."""
    from kinmap.matching.keys import person_match_keys_refresh
    from kinmap.matching.models import PersonMatchKey

    person_match_keys_refresh(person_ids=person_ids)
    if gone is not None:
        PersonMatchKey.objects.filter(person_id=gone).delete()


def _fill(survivor: rm.Person, merged: rm.Person) -> dict[str, Any]:
    """Fill the survivor's empty details from ``merged``; the old values."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name in FILLABLE:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        empty = mine in ("", None) or (name in ("sex", "birth_date_accuracy") and mine == "unknown")
        if empty and theirs not in ("", None, "unknown"):
            old[name], new[name] = mine, theirs
    if "phone" in new:
        old["phone_masked"], new["phone_masked"] = survivor.phone_masked, merged.phone_masked
    for day in ("birth_date", "death_date"):
        if day in new:  # the date comes with how well it is known, never as exact by default
            for f in (f"{day}_accuracy", f"{day}_latest"):
                old[f], new[f] = getattr(survivor, f), getattr(merged, f)
    provenance = dict(survivor.provenance)
    for key, value in merged.provenance.items():
        if key in new and key in merged.provenance:
            provenance[key] = value
    if provenance != survivor.provenance:
        old["provenance"], new["provenance"] = survivor.provenance, provenance
    rm.Person.objects.filter(pk=survivor.pk).update(**new, version=F("version") + 1)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in old.items()}


def _audit(actor: User, action: str, network_ids: Iterable[int], **event: Any) -> None:
    for nid in network_ids:
        audit_record(actor=actor, action=action, network_id=nid, **event)


@transaction.atomic
def person_merge(
    *, actor: User, first: rm.Person, second: rm.Person, reason: str, candidate: MatchCandidate | None = None
) -> Merge:
    """Merge two records of one person: the older survives (see the module).

    Raises ``RecordError`` without a reason, for a record merged already or a
    person with themself. The caller has checked the actor may merge them
    (:func:`kinmap.merging.access.require_may_merge`)."""
    text = _reason(reason)
    if first.pk == second.pk:
        raise RecordError("A record cannot be merged with itself")
    survivor_id, merged_id = sorted((first.pk, second.pk))
    networks = _network_ids([survivor_id, merged_id])
    _lock([survivor_id, merged_id], networks)
    if Merge.objects.filter(merged_id__in=[survivor_id, merged_id], undone_at__isnull=True).exists():
        raise RecordError("One of these records has been merged already")
    survivor = rm.Person.objects.get(pk=survivor_id)
    merged = rm.Person.objects.get(pk=merged_id)
    filled = _fill(survivor, merged)
    moved, removed, kept_changes = relations.rows_move(survivor_id, merged_id)
    now = timezone.now()
    merge = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        candidate=candidate,
        reason=text,
        merged_by=actor,
        merged_at=now,
        moved=moved,
        removed=removed,
        kept_changes=kept_changes,
        filled=filled,
        networks=networks,
    )
    if candidate is not None:
        MatchCandidate.objects.filter(pk=candidate.pk).update(
            status=CandidateStatus.MERGED, decided_by=actor, decided_at=now, reason=text
        )
    _audit(
        actor,
        "merge",
        networks,
        object_type="person",
        object_id=survivor_id,
        changes={"merged": merged_id, "survivor": survivor_id, "moved": len(moved), "removed": len(removed)},
        reason=text,
    )
    _recompute(networks, actor)
    _refresh_match_keys([survivor_id], gone=merged_id)
    return merge


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge, reason: str) -> Merge:
    """Undo a merge: both records, and every row the merge moved, removed or
    changed, as they were before it. Raises ``RecordError`` without a reason,
    for a merge undone already, or when the record changed since the merge in
    a way that makes an exact undo impossible (nothing is then changed)."""
    text = _reason(reason)
    networks = sorted(set(merge.networks) | set(_network_ids([merge.survivor_id])))
    _lock([merge.survivor_id, merge.merged_id], networks)
    row = Merge.objects.select_for_update().get(pk=merge.pk)
    if row.undone_at is not None:
        raise RecordError("This merge has been undone already")
    try:
        with transaction.atomic():
            relations.rows_restore(row.merged_id, row.moved, row.removed, row.kept_changes)
    except IntegrityError as exc:
        raise RecordError(
            "These records have changed since the merge in a way that cannot be undone exactly"
        ) from exc
    rm.Person.objects.filter(pk=row.survivor_id).update(**row.filled, version=F("version") + 1)
    now = timezone.now()
    row.undone_by, row.undone_at, row.undo_reason = actor, now, text
    row.save(update_fields=["undone_by", "undone_at", "undo_reason"])
    if row.candidate_id is not None:
        MatchCandidate.objects.filter(pk=row.candidate_id).update(
            status=CandidateStatus.OPEN, decided_by=None, decided_at=None, reason=""
        )
    _audit(
        actor,
        "unmerge",
        networks,
        object_type="person",
        object_id=row.survivor_id,
        changes={"merged": row.merged_id, "survivor": row.survivor_id},
        reason=text,
    )
    _recompute(networks, actor)
    _refresh_match_keys([row.survivor_id, row.merged_id])
    return row


@transaction.atomic
def candidate_mark_different(*, actor: User, candidate: MatchCandidate, reason: str) -> MatchCandidate:
    """Record that the pair are different people: never offered again."""
    text = _reason(reason)
    networks = _network_ids([candidate.person_a_id, candidate.person_b_id])
    _lock([candidate.person_a_id, candidate.person_b_id], networks)
    row = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if row.status != CandidateStatus.OPEN:
        raise RecordError("This pair has been decided already")
    row.status, row.decided_by, row.decided_at, row.reason = (
        CandidateStatus.DIFFERENT,
        actor,
        timezone.now(),
        text,
    )
    row.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _audit(
        actor,
        "different-people",
        networks,
        object_type="match-candidate",
        object_id=row.pk,
        changes={"people": [row.person_a_id, row.person_b_id]},
        reason=text,
    )
    return row
