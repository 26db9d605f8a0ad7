"""Searching for a person, as far as the searcher may see.

A person found in a family network the user may see is shown with their name,
date of birth and the families they may open. Of networks the user may not see,
only how many and which agencies hold them: never a name, a date, an address
or a masked detail. Every search is audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.matching import LEVELS, MatchRecord, MatchScore
from kinmap.records import models as m
from kinmap.records.access import visible_network_ids
from kinmap.web.masking import can_see_masked

from .lookup import candidates


@dataclass(frozen=True)
class SeenPerson:
    """A person found in at least one network the user may see."""

    person: m.Person
    score: MatchScore
    networks: list[m.FamilyNetwork]  # the ones the user may see, by name
    other_networks: int  # how many more, not seen
    other_agencies: list[str]


@dataclass
class Unseen:
    """People found only in networks the user may not see: counts and agencies."""

    network_ids: list[int] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    #: each person found only there: (person id, the agencies holding them).
    #: The id stays on the server (see ``kinmap.matching.views``): the page
    #: carries an opaque token for it, for the information request.
    people: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.network_ids)


@dataclass(frozen=True)
class SearchResult:
    seen: list[SeenPerson]
    unseen: Unseen

    @property
    def total(self) -> int:
        return len(self.seen) + (1 if self.unseen.count else 0)


def agrees(score: MatchScore) -> bool:
    """Whether every detail that was compared agrees at least loosely (no
    comparison at its "different" level): what a search result must do."""
    return all(c.level is None or c.level != LEVELS[c.comparison][-1] for c in score.contributions)


def _current_allocations_q(today: date) -> Q:
    return Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gt=today))


def holding_agencies(network_ids: list[int]) -> dict[int, list[str]]:
    """The agencies with a current allocation to each network, by name. One query."""
    out: dict[int, set[str]] = defaultdict(set)
    rows = m.Allocation.objects.filter(
        _current_allocations_q(date.today()), network_id__in=network_ids
    ).values_list("network_id", "team__agency__name")
    for nid, agency in rows:
        out[nid].add(agency)
    return {nid: sorted(names) for nid, names in out.items()}


def people_search(*, actor: User, query: MatchRecord, searched: dict[str, str]) -> SearchResult:
    """Search for ``query`` as ``actor`` and audit it (``searched``: the fields
    typed, in words, as recorded in the audit trail, with the number of results).
    A fixed number of queries whatever is found."""
    found = [c for c in candidates(query, with_masked=can_see_masked(actor)) if agrees(c.score)]
    visible = visible_network_ids(actor)
    members = (
        m.NetworkMember.objects.filter(person_id__in=[c.person_id for c in found])
        .select_related("network", "person")
        .order_by("network__name", "network_id")
    )
    networks_of: dict[int, list[m.FamilyNetwork]] = defaultdict(list)
    person_of: dict[int, m.Person] = {}
    for row in members:
        networks_of[row.person_id].append(row.network)
        person_of[row.person_id] = row.person
    unseen_ids = sorted({n.pk for ns in networks_of.values() for n in ns if n.pk not in visible})
    agencies = holding_agencies(unseen_ids)
    seen: list[SeenPerson] = []
    unseen = Unseen()
    for c in found:
        nets = networks_of.get(c.person_id, [])
        mine = [n for n in nets if n.pk in visible]
        others = [n.pk for n in nets if n.pk not in visible]
        if mine:
            names = sorted({a for nid in others for a in agencies.get(nid, [])})
            seen.append(SeenPerson(person_of[c.person_id], c.score, mine, len(others), names))
        else:
            unseen.network_ids.extend(n for n in others if n not in unseen.network_ids)
            held_by = sorted({a for nid in others for a in agencies.get(nid, [])})
            unseen.people.append((c.person_id, held_by))
    unseen.agencies = sorted({a for nid in unseen.network_ids for a in agencies.get(nid, [])})
    result = SearchResult(seen, unseen)
    audit_record(
        actor=actor,
        action="search",
        object_type="person",
        changes={
            "searched": searched,
            "results": len(seen),
            "other_networks": unseen.count,
        },
    )
    return result
