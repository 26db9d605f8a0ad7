"""Who may review likely duplicates and merge people (docs/access-and-audit.md).

Built on :mod:`kinmap.records.access`. A reviewer is a supervisor or an
information officer:

- a supervisor reviews people in the family networks they may see now
  (allocation to their team, or break-glass: ``visible_network_ids``);
- an information officer, who keeps their agency's records but does not work
  with families, reviews people in the networks allocated to their own team
  (``allocated_network_ids``).

A pair is found (else 404, alike for missing and forbidden) when the reviewer
may review a network of at least one of its two people; a record in no network
they may review shows only which agencies hold it. Merging, marking "different
people" and undoing a merge need every network of both people (for an undo:
every network the merge touched and every network the survivor is in now):
otherwise 404. Every look at a pair or a merge is audited against each
network of the two people that the reviewer may review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from kinmap.accounts.models import Role, User
from kinmap.audit import context as audit_context
from kinmap.audit.services import audit_record
from kinmap.records import access
from kinmap.records import models as rm
from kinmap.web.converters import is_object_id

from .models import CandidateStatus, MatchCandidate, Merge

REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.INFORMATION_OFFICER})


def is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.team_id and user.role in REVIEWER_ROLES)


def reviewable_network_ids(user: User) -> set[int]:
    """The networks whose people the user may review and merge (see the module)."""
    if not is_reviewer(user):
        return set()
    if user.role == Role.SUPERVISOR:
        return access.visible_network_ids(user)
    return access.allocated_network_ids(user)


@dataclass
class Side:
    """One person of a pair as the reviewer may see them: ``visible`` when in a
    network they may review (then ``person`` is shown), else only ``held_by``
    (the agencies whose teams are allocated to the person's networks)."""

    person: rm.Person
    visible: bool
    network_ids: set[int] = field(default_factory=set)
    held_by: list[str] = field(default_factory=list)


def _memberships(person_ids: Iterable[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for pid, nid in rm.NetworkMember.objects.filter(person_id__in=list(person_ids)).values_list(
        "person_id", "network_id"
    ):
        out[pid].add(nid)
    return out


def _agencies(network_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for nid, name in rm.Allocation.objects.filter(network_id__in=list(network_ids)).values_list(
        "network_id", "team__agency__name"
    ):
        out[nid].add(name)
    return {k: sorted(v) for k, v in out.items()}


def sides_for(user: User, people: Iterable[rm.Person], reviewable: set[int]) -> dict[int, Side]:
    """Each person as a :class:`Side`, by id, in two queries whatever their number."""
    people = list(people)
    members = _memberships(p.pk for p in people)
    hidden_networks = {n for p in people if not (members[p.pk] & reviewable) for n in members[p.pk]}
    agencies = _agencies(hidden_networks)
    out = {}
    for p in people:
        nets = members[p.pk]
        visible = bool(nets & reviewable)
        held = sorted({a for n in nets for a in agencies.get(n, [])}) if not visible else []
        out[p.pk] = Side(p, visible, nets, held)
    return out


def open_candidates(user: User, reviewable: set[int]) -> QuerySet[MatchCandidate]:
    """The open pairs with at least one person in a network the user may review,
    most likely first."""
    people = rm.NetworkMember.objects.filter(network_id__in=reviewable).values("person_id")
    return (
        MatchCandidate.objects.filter(status=CandidateStatus.OPEN)
        .filter(Q(person_a_id__in=people) | Q(person_b_id__in=people))
        .select_related("person_a", "person_b")
        .order_by("-probability", "pk")
    )


def _audit_read(user: User, object_type: str, object_id: int, network_ids: Iterable[int]) -> None:
    ctx = audit_context.current()
    for nid in sorted(network_ids):
        if nid in ctx.networks_read:
            continue
        ctx.networks_read.add(nid)
        audit_record(
            actor=user,
            action="view",
            object_type=object_type,
            object_id=object_id,
            network_id=nid,
            reason="reviewing likely duplicates",
        )


@dataclass
class PairAccess:
    """A pair as the reviewer may see it, and whether they may decide it."""

    candidate: MatchCandidate
    a: Side
    b: Side
    may_decide: bool


def candidate_for_user(user: User, candidate_id: int) -> PairAccess:
    """The pair, if the user may review at least one of its people (see the
    module); records the read. ``Http404`` otherwise."""
    reviewable = reviewable_network_ids(user)
    c = (
        MatchCandidate.objects.filter(pk=candidate_id).select_related("person_a", "person_b").first()
        if reviewable and is_object_id(candidate_id)
        else None
    )
    if c is None:
        raise Http404("No pair found")
    sides = sides_for(user, [c.person_a, c.person_b], reviewable)
    a, b = sides[c.person_a_id], sides[c.person_b_id]
    if not (a.visible or b.visible):
        raise Http404("No pair found")
    every = a.network_ids | b.network_ids
    _audit_read(user, "match-candidate", c.pk, every & reviewable)
    return PairAccess(c, a, b, may_decide=bool(every) and every <= reviewable)


def require_may_decide(pair: PairAccess) -> None:
    """Refuse (404) a merge or decision on a pair the reviewer may not decide."""
    if not pair.may_decide:
        raise Http404("No pair found")


def merge_for_user(user: User, merge_id: int) -> Merge:
    """A merge, if the user may review every network it touched and every
    network its survivor is in now; records the read. ``Http404`` otherwise."""
    reviewable = reviewable_network_ids(user)
    merge = (
        Merge.objects.filter(pk=merge_id)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .first()
        if reviewable and is_object_id(merge_id)
        else None
    )
    if merge is None:
        raise Http404("No merge found")
    now = _memberships([merge.survivor_id, merge.merged_id])
    every = set(merge.networks) | now[merge.survivor_id] | now[merge.merged_id]
    if not every <= reviewable:
        raise Http404("No merge found")
    _audit_read(user, "merge", merge.pk, every)
    return merge
