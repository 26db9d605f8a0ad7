"""The gaps of ``kinmap synth``'s made-up families, worked out by the rules
engine over the pure networks in memory.

For each family network :func:`family_gaps` builds the pure network a
recompute would load from the family's rows (:func:`network_view`: its
members, the relationships, stays, care and parental responsibility that
:func:`kinmap.records.selectors.family_records_load` would give, with
provenance as the database keeps it) and runs the engine
(:func:`kinmap.gaps.engine.run`) over it twice: as at the last contact, and
after the answers given there (the gaps they answer resolve, with the
answer's source, as :func:`kinmap.gaps.services.gaps_recompute` resolves
them); the second run is left out when no answer concerns the network and
the rules read no gap history. The gaps and their events are queued as rows
(no query).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.resolution import resolving_provenance
from kinmap.core.rules import GapHistory, ProcessInputs, RuleSettings, Unmet
from kinmap.core.rules.open_since import NOT_KNOWN, OpenSince, open_since_all
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps.services import subject_name
from kinmap.gaps.services.recompute import _overnight_infant_until
from kinmap.gaps.summaries import FIELDS, NONE, RANKS

from .synth_rows import Counts, Family, Rows


def network_view(full: Network, nid: int, name: str, members: list[int], index: list[int]) -> Network:
    """The pure network of one family network as a recompute loads it from
    the rows (:func:`kinmap.records.selectors.family_records_load`): its
    members in the order they were added, then the people one relationship
    away in id order; the relationships with a member at either end; every
    stay of those people with its household; care with a member at either end;
    parental responsibility for a member."""
    mine = set(members)
    rels = tuple(r for r in full.relationships if r.from_id in mine or r.to_id in mine)
    outside = {pid for r in rels for pid in (r.from_id, r.to_id)} - mine
    people = {pid: full.people[pid] for pid in (*members, *sorted(outside))}
    stays = tuple(r for r in full.residences if r.person_id in people)
    return Network(
        id=nid,
        name=name,
        index_child_ids=tuple(index),
        people=people,
        relationships=rels,
        households={r.household_id: full.households[r.household_id] for r in stays},
        residences=stays,
        care=tuple(c for c in full.care if c.child_id in mine or c.carer_id in mine),
        parental_responsibility=tuple(x for x in full.parental_responsibility if x.child_id in mine),
        outside_ids=frozenset(outside),
    )


def reads_history(settings: RuleSettings) -> bool:
    """Whether the rules could find something more once the gaps have a
    history (a gap asked about at least 0 times: requirement 14 set to 0)."""
    from kinmap.core.rules import CATALOGUE

    rule_id = "R14-agency-request"
    if rule_id not in CATALOGUE or not settings.is_enabled(rule_id):
        return False
    return int(settings.effective_params(CATALOGUE.get(rule_id))["min_times_prompted"]) <= 0


def answered_network(fam: Family) -> Network:
    """The family's whole network after the answers given at its last
    contact: the same records, the answers added to the people's facts."""
    if not fam.answers:
        return fam.net
    people = dict(fam.net.people)
    for pid, facts in fam.answers.items():
        p = people[pid]
        people[pid] = dataclasses.replace(p, facts={**p.facts, **{f.key: f for f in facts}})
    return dataclasses.replace(fam.net, people=people)


def family_gaps(
    fam: Family,
    rows: Rows,
    today: date,
    now: datetime,
    settings: RuleSettings,
    actor_id: int | None,
    history_reads: bool,
    counts: Counts,
) -> None:
    """The gaps of each of the family's networks as at the last contact, then
    after the answers given there (queued with their events)."""
    answered = answered_network(fam)
    opened_on = timezone.localdate(now)
    for i, (nid, name, members, index) in enumerate(fam.networks):
        counts.networks += 1
        last = fam.last_contact if i == 0 else None
        view = network_view(fam.net, nid, name, members, index)
        gaps: dict[str, list[Any]] = {}
        first = ProcessInputs(last_contact_on=last)
        graph = FamilyGraph(view, today)  # one graph for the engine and the open-since dates
        subjects = _Subjects(graph)
        unmet = _unmet(view, today, settings, first, graph)
        since = open_since_all(graph, unmet, first, settings.params)
        for u in unmet:
            gaps[u.key] = _gap_row(rows, nid, u, subjects, today, now, actor_id, since.get(u.key, NOT_KNOWN))
        if not (history_reads or any(pid in fam.answers for pid in view.people)):
            after = None
        else:
            after = network_view(answered, nid, name, members, index)
            history = {
                k: GapHistory(gap_key=k, first_opened=opened_on, open_since=since.get(k, NOT_KNOWN).on)
                for k in gaps
            }
            process = ProcessInputs(last_contact_on=last, gap_history=history)
            graph = FamilyGraph(after, today)
            subjects = subjects.over(graph)
            found = _unmet(after, today, settings, process, graph)
            wanted = {u.key: u for u in found}
            # the answers are facts, which neither the open-since dates nor
            # whom a gap is about read: a gap found again keeps the first
            # pass's (a test holds them equal), so only the new are worked out
            since = open_since_all(graph, [u for u in found if u.key not in gaps], process, settings.params)
            _reconcile(gaps, wanted, since, subjects, rows, nid, today, now, actor_id, counts)
        for row in gaps.values():
            rows.gaps.add(tuple(row))
            counts.gaps_open += row[14] is None
        rows.summaries.add(summary_row(nid, gaps.values()))
    counts.people += len(fam.net.people)


def _unmet(
    net: Network, today: date, settings: RuleSettings, process: ProcessInputs, graph: FamilyGraph
) -> list[Unmet]:
    return engine.run(net, today, settings, process, graph)


class _Subjects:
    """Whom the gaps of one network (``graph``'s) are about, in words, and
    the first birthday of the baby each subject has overnight
    (:func:`kinmap.gaps.services.subject_name`, ``_overnight_infant_until``),
    worked out once a subject: a network's gaps are about a few subjects,
    most of them several times."""

    def __init__(
        self, graph: FamilyGraph, found: dict[tuple[str, str], tuple[str, date | None]] | None = None
    ) -> None:
        self.graph = graph
        self._found: dict[tuple[str, str], tuple[str, date | None]] = {} if found is None else found

    def over(self, graph: FamilyGraph) -> _Subjects:
        """The same subjects over ``graph``: the same network with more facts
        (the answers given at the contact), whose names and babies' first
        birthdays do not change (neither reads a fact), so what is worked out
        already is kept."""
        return _Subjects(graph, self._found)

    def __call__(self, kind: str, sid: str) -> tuple[str, date | None]:
        """The subject's name and its baby's first birthday (or None)."""
        found = self._found.get((kind, sid))
        if found is None:
            graph = self.graph
            found = (subject_name(graph.network, kind, sid), _overnight_infant_until(graph, kind, sid))
            self._found[kind, sid] = found
        return found


_OPENED, _RESOLVED = gm.EventKind.OPENED.value, gm.EventKind.RESOLVED.value
_NOT_ASKED, _STATE_RESOLVED = gm.GapState.NOT_ASKED.value, gm.GapState.RESOLVED.value


def _gap_row(
    rows: Rows,
    nid: int,
    u: Unmet,
    subjects: _Subjects,
    today: date,
    now: datetime,
    actor_id: int | None,
    opened: OpenSince,
) -> list[Any]:
    """A new gap's columns in the order of ``Rows.gaps`` (as the recompute
    opens one: kinmap.gaps.services.recompute._plan), its "opened" event queued;
    ``opened``: when its requirement first applied (``open_since``)."""
    # ``_value_``: an enumeration member's value as a plain attribute (``.value``
    # is a property, a call each read; Python's enum HOWTO, "_sunder_ names")
    kind, sid = u.subject.kind._value_, str(u.subject.id)
    gid = rows.next_id()
    rows.events.add((rows.next_id(), gid, _OPENED, "", "", "", actor_id, now))
    name, overnight_until = subjects(kind, sid)
    return [
        gid,
        nid,
        u.key,
        u.rule_id,
        kind,
        sid,
        u.subject.child_id,
        name,
        u.severity._value_,
        u.detail,
        list(u.missing),
        now,
        overnight_until,
        _NOT_ASKED,
        None,
        1,
        opened.on or today,
        opened.basis._value_,
    ]


def _reconcile(
    gaps: dict[str, list[Any]],
    wanted: dict[str, Unmet],
    since: dict[str, OpenSince],
    subjects: _Subjects,
    rows: Rows,
    nid: int,
    today: date,
    now: datetime,
    actor_id: int | None,
    counts: Counts,
) -> None:
    """Bring the gaps as at the contact up to date with the answers given
    there, as the recompute does (kinmap.gaps.services.recompute._plan): open the new
    ones (``since``: their open-since dates, by key), update changed wording,
    resolve the answered ones with the answer's source (a resolved event
    each). A gap found again keeps its open-since date: the answers are
    facts, which the dates do not read, so the recompute would find the same."""
    for key, u in wanted.items():
        row = gaps.get(key)
        if row is None:
            gaps[key] = _gap_row(rows, nid, u, subjects, today, now, actor_id, since.get(key, NOT_KNOWN))
            continue
        name, overnight_until = subjects(row[4], row[5])
        fresh = (name, u.severity._value_, u.detail, list(u.missing), overnight_until)
        if (row[7], row[8], row[9], row[10], row[12]) != fresh:
            row[7], row[8], row[9], row[10], row[12] = fresh
            row[15] += 1
    for key, row in gaps.items():
        if key in wanted:
            continue
        prov = resolving_provenance(subjects.graph.network, row[4], row[5], row[6], row[10])
        row[13], row[14] = _STATE_RESOLVED, now
        row[15] += 1
        counts.gaps_answered += 1
        rows.events.add(
            (
                rows.next_id(),
                row[0],
                _RESOLVED,
                _STATE_RESOLVED,
                prov.source.value if prov else "",
                prov.detail if prov else "",
                actor_id,
                now,
            )
        )


_CRITICAL = gm.Severity.CRITICAL.value


def summary_row(nid: int, gaps: Iterable[list[Any]]) -> tuple[Any, ...]:
    """The gap summary of family network ``nid`` (``network_id`` and the
    columns of :data:`kinmap.gaps.summaries.FIELDS`) counted from its new gap
    rows (columns in the order of ``Rows.gaps``) as
    :func:`kinmap.gaps.summaries.gap_summaries_refresh` counts them in the
    database: the open gaps (not resolved; a new gap is never agreed not
    applicable), how many, how many critical, the worst severity's rank,
    the oldest ``open_since`` (of all, of the critical ones), the most times
    a critical one was prompted and any was declined (0 for a new gap: none
    when there is none) and the latest first birthday of a baby overnight;
    :data:`kinmap.gaps.summaries.NONE` for a network without open gaps."""
    open_ = [g for g in gaps if g[14] is None]
    if not open_:
        return (nid, *(NONE[f] for f in FIELDS))
    critical = [g for g in open_ if g[8] == _CRITICAL]
    overnight = [g[12] for g in open_ if g[12] is not None]
    return (
        nid,
        len(open_),
        len(critical),
        min(RANKS.get(g[8], 9) for g in open_),
        min(g[16] for g in open_),
        min((g[16] for g in critical), default=None),
        0 if critical else None,
        0,
        max(overnight, default=None),
    )
