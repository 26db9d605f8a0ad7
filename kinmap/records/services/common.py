"""What every change to the family record shares.

The after-change hooks (:func:`on_family_change`: the one registry in kinmap,
which the gaps engine and the matching keys join), the check of the network as
it would be after a change (:func:`_check`, on a :class:`_Proposal`), the
networks a shared record belongs to (:func:`_networks_for`), and the
stamping, auditing, version locking and marking changed that every service
does, in its transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.http import Http404
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core import model as core
from kinmap.core.validation import network_problems
from kinmap.core.vocab import DateAccuracy

from .. import access, membership
from .. import models as m
from ..errors import RecordError, check_version
from ..lifecycle import NetworkClosed
from ..selectors import family_record_load
from .data import Source_

# Hooks run inside the transaction after every change to a family network
# (the gaps engine registers its recompute here). Each takes the network.
_after_change: list[Callable[[m.FamilyNetwork, User | None], None]] = []


def on_family_change(fn: Callable[[m.FamilyNetwork, User | None], None]) -> None:
    if fn not in _after_change:
        _after_change.append(fn)


@dataclass
class _Proposal:
    """The network as it would be after a change, for validation."""

    people: dict[int, core.Person] = field(default_factory=dict)
    relationships: list[core.Relationship] = field(default_factory=list)
    residences: list[core.Residence] = field(default_factory=list)
    care: list[core.CareArrangement] = field(default_factory=list)
    pr: list[core.ParentalResponsibility] = field(default_factory=list)
    drop_relationships: set[int] = field(default_factory=set)
    drop_care: set[int] = field(default_factory=set)


def _today() -> date:
    return timezone.localdate()


T = TypeVar("T", bound=Any)


def _replace_by_id(items: Iterable[T], new: T) -> list[T]:
    out = [i for i in items if i.id != new.id]
    out.append(new)
    return out


def _check(network: m.FamilyNetwork, proposal: _Proposal, current: core.Network | None = None) -> None:
    """Refuse the change if the network it would make has a problem the network
    does not already have.

    A problem already on the record (an expected date of birth that has now
    passed, say, or one loaded from an older system) is for the practitioner to
    put right; it must not block every other change to the family. A record the
    change touches must be free of problems, old or new.

    ``current`` is the network as loaded now, for a caller that already has it.
    """
    if current is None:
        current = family_record_load(network).graph_network
    people = {**current.people, **proposal.people}
    rels = [r for r in current.relationships if r.id not in proposal.drop_relationships]
    for r in proposal.relationships:
        rels = _replace_by_id(rels, r)
    residences = list(current.residences)
    for res in proposal.residences:
        residences = _replace_by_id(residences, res)
    care = [c for c in current.care if c.id not in proposal.drop_care]
    for c in proposal.care:
        care = _replace_by_id(care, c)
    prs = list(current.parental_responsibility)
    for pr in proposal.pr:
        prs = _replace_by_id(prs, pr)
    candidate = dataclasses.replace(
        current,
        people=people,
        relationships=tuple(rels),
        residences=tuple(residences),
        care=tuple(care),
        parental_responsibility=tuple(prs),
    )
    today = _today()
    problems = network_problems(candidate, today)
    if problems:
        existing = set(network_problems(current, today))
        touched = (
            {("person", pid) for pid in proposal.people}
            | {("relationship", r.id) for r in proposal.relationships}
            | {("residence", r.id) for r in proposal.residences}
            | {("care", c.id) for c in proposal.care}
            | {("pr", r.id) for r in proposal.pr}
        )
        new = [p for p in problems if p not in existing or (p.record, p.record_id) in touched]
        if new:
            raise RecordError(new)


def _provenance_entry(src: Source_, actor: User | None) -> dict[str, str]:
    return {
        "source": src.source,
        "detail": src.detail.strip(),
        "by": actor.username if actor else "",
        "at": timezone.now().isoformat(),
    }


def _stamp(row: m.Provenanced, src: Source_, actor: User | None) -> None:
    row.source = src.source
    row.source_detail = src.detail.strip()
    row.recorded_by = actor
    row.recorded_at = timezone.now()


def _touch(network: m.FamilyNetwork, actor: User | None) -> None:
    """Mark the network changed (and run the after-change hooks) in this
    transaction. Refuses (``lifecycle.NetworkClosed``) a change to a closed
    network, so the whole change is rolled back."""
    changed = m.FamilyNetwork.objects.filter(pk=network.pk, closed_at__isnull=True).update(
        version=network.version + 1, updated_at=timezone.now()
    )
    if not changed:
        raise NetworkClosed(m.FamilyNetwork.objects.filter(pk=network.pk).first())
    network.version += 1
    for hook in _after_change:
        hook(network, actor)


def network_touch(*, network: m.FamilyNetwork, actor: User | None) -> None:
    """Mark ``network`` changed and run the after-change hooks (its gaps are
    recomputed), for a change made outside this module (a merge of two people).
    Call inside the change's transaction."""
    _touch(network, actor)


def _networks_for(
    actor: User | None,
    network: m.FamilyNetwork,
    obj: membership.Shared | m.Household,
    what: str,
    *,
    change: bool,
) -> list[m.FamilyNetwork]:
    """``network`` and then every other network ``obj`` belongs to (or will, for
    a record about to be made), by id.

    With ``change``, ``obj`` is an existing record about to be changed: it must
    belong to ``network`` and the actor must be able to see every other network
    it belongs to, else ``Http404("No <what> found")``."""
    ids = membership.network_ids_of(obj)
    if change:
        if network.pk not in ids:
            raise Http404(f"No {what} found")
        access.require_every_network(actor, ids - {network.pk}, what)
    others = m.FamilyNetwork.objects.filter(pk__in=ids - {network.pk}).order_by("pk")
    return [network, *others]


def _check_each(networks: list[m.FamilyNetwork], proposal: _Proposal) -> None:
    for n in networks:
        _check(n, proposal)


def _audit_each(networks: list[m.FamilyNetwork], **event: Any) -> None:
    """Write the audit event against each network the changed record belongs to."""
    for n in networks:
        audit_record(network_id=n.pk, **event)


def _touch_each(networks: list[m.FamilyNetwork], actor: User | None) -> None:
    for n in networks:
        _touch(n, actor)


def _diff(old: dict[str, Any], new: dict[str, Any], *, masked: Iterable[str] = ()) -> dict[str, list[Any]]:
    hidden = set(masked)
    out: dict[str, list[Any]] = {}
    for k, v in new.items():
        if old.get(k) != v:
            out[k] = ["(masked)", "(masked)"] if k in hidden else [old.get(k), v]
    return out


def _lock_version(model: type[Any], pk: int, expected_version: int | None, what: str) -> Any:
    # FOR NO KEY UPDATE: rows that refer to this one (a new fact about this
    # person, say) take a key-share lock when their transaction commits, which
    # a plain FOR UPDATE would block (two changes would then wait on each other).
    row = model.objects.select_for_update(no_key=True).get(pk=pk)
    check_version(row.version, expected_version, what)
    return row


def _end_each(
    rows: Iterable[m.CareArrangement | m.ParentalResponsibility],
    ends: dict[int, date],
    actor: User | None,
    networks: list[m.FamilyNetwork],
    reason: str,
    accuracy: str = DateAccuracy.EXACT.value,
    latest: date | None = None,
) -> None:
    """Give each of ``rows`` its end date from ``ends`` (by pk), known as
    ``accuracy`` says (with ``latest`` for "between": a death's), audited
    with ``reason``."""
    for x in rows:
        old = {"end": x.end, "end_accuracy": x.end_accuracy, "end_latest": x.end_latest}
        x.end, x.end_accuracy, x.end_latest = ends[x.pk], accuracy, latest
        x.version += 1
        x.save(update_fields=["end", "end_accuracy", "end_latest", "version"])
        _audit_each(
            networks,
            actor=actor,
            action="update",
            object_type="care_arrangement" if isinstance(x, m.CareArrangement) else "parental_responsibility",
            object_id=x.pk,
            changes=_diff(old, {"end": x.end, "end_accuracy": x.end_accuracy, "end_latest": x.end_latest}),
            reason=reason,
        )
