"""The facts the gap engine derives once per family and then remembers (the
graph's parents, partners, children and latest moves, the scope's live
parents and partners, requirement 12's unsourced details) are the same as a
plain scan of the record would give, however often they are asked for and
whatever a caller does with the list it was handed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network, Person
from kinmap.core.rules.facts import fact_value
from kinmap.core.rules.scope import Scope
from kinmap.core.rules.sources import SOURCED_FACT_KEYS, SOURCED_PERSON_FIELDS, unsourced_person_details
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, CURRENT_PARTNER_CODES, PARENT_CODES
from tests.core.builders import TODAY
from tests.core.strategies import networks

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scanned_parents(net: Network, child_id: int) -> list[int]:
    found = [
        r.from_id
        for r in net.relationships
        if r.type in PARENT_CODES and r.to_id == child_id and r.current_on(TODAY)
    ]
    return list(dict.fromkeys(found))


def scanned_children(net: Network, parent_id: int) -> list[int]:
    return list(
        dict.fromkeys(r.to_id for r in net.relationships if r.type in PARENT_CODES and r.from_id == parent_id)
    )


def scanned_partners(net: Network, pid: int) -> list[int]:
    found = [
        r.to_id if r.from_id == pid else r.from_id
        for r in net.relationships
        if pid in (r.from_id, r.to_id) and r.type in CURRENT_PARTNER_CODES and r.current_on(TODAY)
    ]
    return list(dict.fromkeys(found))


def scanned_unsourced(person: Person) -> tuple[str, ...]:
    """Requirement 12's unsourced details, read field by field and key by key."""
    missing = [
        key
        for key, fields in SOURCED_PERSON_FIELDS
        if any(getattr(person, f) not in ("", None) and f not in person.provenance for f in fields)
    ]
    missing += [
        f"{k}-source"
        for k in sorted(SOURCED_FACT_KEYS)
        if fact_value(person, k) is not None and person.facts[k].provenance is None
    ]
    return tuple(missing)


@FAST
@given(networks())
def test_remembered_derivations_match_a_scan_of_the_record(net: Network) -> None:
    graph = FamilyGraph(net, TODAY)
    scope = Scope(graph)
    live = {pid for pid in net.people if net.is_member(pid) and net.people[pid].alive_on(TODAY)}
    for _ in range(2):  # the second time from what was remembered
        for pid in net.people:
            for asked, expected in (
                (graph.parents(pid), scanned_parents(net, pid)),
                (graph.children(pid), scanned_children(net, pid)),
                (graph.partners(pid), scanned_partners(net, pid)),
                (scope.parents(pid), [p for p in scanned_parents(net, pid) if p in live]),
                (scope.partners(pid), [p for p in scanned_partners(net, pid) if p in live]),
            ):
                assert asked == expected
                asked.append(-1)  # a caller's change to its own copy changes nothing remembered
            starts = [
                r.start for r in net.residences if r.person_id == pid and r.current_on(TODAY) and r.start
            ]
            assert graph.moved_in_today.get(pid) == (max(starts) if starts else None)
            assert unsourced_person_details(net.people[pid]) == scanned_unsourced(net.people[pid])


@FAST
@given(networks())
def test_the_one_pass_relationship_index_matches_a_scan(net: Network) -> None:
    """The relationships current today and each child's first birth mother and
    father, which the graph works out in the same pass as its other indexes."""
    graph = FamilyGraph(net, TODAY)
    assert list(graph.relationships_now) == [r for r in net.relationships if r.current_on(TODAY)]
    for pid in net.people:
        for code, asked in ((BIRTH_MOTHER, graph.birth_mother(pid)), (BIRTH_FATHER, graph.birth_father(pid))):
            first = [r.from_id for r in net.relationships if r.to_id == pid and r.type == code]
            assert asked == (first[0] if first else None)


@FAST
@given(networks())
def test_remembered_siblings_and_birth_parents_match_a_fresh_graph(net: Network) -> None:
    asked = FamilyGraph(net, TODAY)
    for pid in net.people:
        first = asked.siblings(pid)
        first.clear()  # what a caller does with its list is its own
        fresh = FamilyGraph(net, TODAY)
        assert asked.siblings(pid) == fresh.siblings(pid)
        assert asked.siblings(pid) == fresh.siblings(pid)
        assert asked.birth_parents(pid) == fresh.birth_parents(pid)
        assert asked.birth_parents(pid) == fresh.birth_parents(pid)
