"""When each gap's requirement first applied: a gap's "open since".

A gap is open from the day its requirement first applied to the family, not
from the day the data was loaded: a child's date of birth is wanted from the
birth, a care arrangement's details from the day the care began, ICON from the
day it was due (``kinmap.core.carers.check_icon``), a household's roster from
the day its people moved in. :func:`open_since` works this out from the
family's own dates; where they do not tell, it falls back to the day the
subject was recorded (its provenance) and says so, and where even that is not
known it returns no date (the Django shell then uses the day it found the gap).

Whatever the route, the date is never before the subject could exist (the
births of the people it is about, the start of the arrangement) and never
after ``today``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .. import carers as c
from ..frozen import filled_directly
from ..graph import FamilyGraph
from ..model import Provenance
from ..vocab import REL_BY_CODE, RelKind
from .base import SubjectKind, Unmet
from .inputs import ProcessInputs
from .safety_info import R17, R18, R18_PLACE, R19, R20


class OpenSinceBasis(StrEnum):
    """How an "open since" date was found."""

    FAMILY_DATES = "family-dates"  # from the family's own dates (a birth, a start)
    RECORDED = "recorded"  # the day the subject was recorded: the family's dates do not tell
    NOT_KNOWN = "not-known"  # nothing tells: the caller uses the day the gap was found


@filled_directly  # one a gap
@dataclass(frozen=True)
class OpenSince:
    """``on``: the day the requirement first applied (None when not known);
    ``basis``: how it was found; ``because``: in words, what it is the date of
    ("the birth of Daniel Brook", "the day the care began")."""

    on: date | None
    basis: OpenSinceBasis
    because: str = ""


NOT_KNOWN = OpenSince(None, OpenSinceBasis.NOT_KNOWN, "the day the gap was found")

_CARER_RULES = frozenset({R17, R18, R18_PLACE, R19, R20})


def _is_parent_type(code: str) -> bool:
    """A birth (or legal) parent: a parent from the child's birth. A step- or
    adoptive parent becomes one later, on a day the record may not give."""
    t = REL_BY_CODE.get(code)
    return t is not None and t.kind is RelKind.PARENT and (t.birth or code == "PRN")


class _Family:
    """Indexes over one network for working out dates (built once per call of
    :func:`open_since_all`, linear in the size of the record)."""

    def __init__(self, graph: FamilyGraph, process: ProcessInputs) -> None:
        net = graph.network
        self.graph = graph
        self.today = graph.today
        self.net = net
        # Only this network's own records give dates: a person outside it
        # (``net.outside_ids``, known through a relationship recorded in another
        # network) and anything recorded about them belong to that network, and
        # their dates and names must not show on this family's pages.
        self.outside = net.outside_ids
        own = self.own
        self.care = {x.id: x for x in net.care if own(x.carer_id, x.child_id)}
        self.rels = {x.id: x for x in net.relationships if own(x.from_id, x.to_id)}
        self.residences = {x.id: x for x in net.residences if own(x.person_id)}
        self.pr = {x.id: x for x in net.parental_responsibility if own(x.person_id, x.child_id)}
        self.declines = {d.id: d for d in process.declines}
        self._carers: dict[int, list[c.CarerOfChild]] | None = None
        self.joined: dict[int, date | None] = {}  # :func:`_joined` by person, worked out once

    def own(self, *pids: int) -> bool:
        """Whether every one of ``pids`` is a member of this network."""
        return not any(pid in self.outside for pid in pids)

    def birth(self, pid: int) -> date | None:
        p = self.net.people.get(pid)
        if p is None or p.unborn or pid in self.outside:
            return None
        return p.birth_date

    def name(self, pid: int) -> str:
        p = self.net.people.get(pid)
        return p.display_name if p and pid not in self.outside else "a person"

    def carers(self, pid: int) -> list[c.CarerOfChild]:
        """Every index child's carer record for ``pid``."""
        if self._carers is None:
            found: dict[int, list[c.CarerOfChild]] = {}
            for child in self.graph.index_children:
                for carer in c.carers_of(self.graph, child.id):
                    found.setdefault(carer.person_id, []).append(carer)
            self._carers = found
        return self._carers.get(pid, [])


def _latest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _recorded(prov: Provenance | None) -> date | None:
    return prov.recorded_at.date() if prov and prov.recorded_at else None


def _found(f: _Family, on: date, because: str) -> OpenSince:
    return OpenSince(on, OpenSinceBasis.FAMILY_DATES, because)


def _fallback(f: _Family, prov: Provenance | None) -> OpenSince:
    day = _recorded(prov)
    if day is None:
        return NOT_KNOWN
    return OpenSince(day, OpenSinceBasis.RECORDED, "the day it was recorded")


def _carer_rule(f: _Family, rule_id: str, pid: int, params: Mapping[str, object]) -> OpenSince | None:
    """Rules 17 to 21 about a carer: the earliest day, over the babies they
    care for, the requirement applied: ICON's due day (the baby ``icon_by_days``
    old, or the day the carer started if later); the latest change for
    information again; otherwise the day they became a carer (or the birth)."""
    best: tuple[date, str] | None = None
    icon_by = params.get("icon_by_days", 14)
    icon_days = int(icon_by) if isinstance(icon_by, int | float) else 14
    for carer in f.carers(pid):
        birth = f.birth(carer.child_id)
        if birth is None:
            continue
        if rule_id == R17:
            day = _latest(birth + timedelta(days=icon_days), carer.since)
            words = "the day ICON was due"
        elif rule_id == R19:
            change = c.latest_change(f.graph, carer)
            day, words = (change[0], f"the day {change[1]}") if change else (birth, "the birth")
        else:
            day = _latest(birth, carer.since)
            words = (
                "the day they became a carer" if day != birth else f"the birth of {f.name(carer.child_id)}"
            )
        if day is not None and (best is None or day < best[0]):
            best = (day, words)
    return _found(f, best[0], best[1]) if best else None


def _joined(f: _Family, pid: int) -> date | None:
    """When an adult joined the family around the index children: the first
    of their care of a child, their relationship with a child (a parent's from
    the birth) and the start of the home they live in now; not before the
    first index child was born. None when none of these is dated."""
    children = set(f.net.index_child_ids)
    days: list[date | None] = [x.start for x in f.care.values() if x.carer_id == pid]
    days += [x.start for x in f.residences.values() if x.person_id == pid and x.current_on(f.today)]
    for r in f.rels.values():
        if {r.from_id, r.to_id} & children and pid in (r.from_id, r.to_id):
            parent_of_child = r.from_id == pid and r.to_id in children and _is_parent_type(r.type)
            days.append(r.start or (f.birth(r.to_id) if parent_of_child else None))
    known = [d for d in days if d is not None]
    if not known:
        return None
    births = [b for b in (f.birth(c) for c in children) if b is not None]
    return max(min(known), min(births)) if births else min(known)


def _floor(f: _Family, u: Unmet) -> list[date | None]:
    """The days before which the gap's requirement cannot apply: the births of
    the people its subject is about and the start of the record it is about."""
    kind, sid = u.subject.kind, u.subject.id
    if not isinstance(sid, int):
        return []
    if kind in (SubjectKind.PERSON, SubjectKind.CHILD):
        return [f.birth(sid)]
    if kind is SubjectKind.CARE and (care := f.care.get(sid)) is not None:
        return [f.birth(care.carer_id), f.birth(care.child_id), care.start]
    if kind is SubjectKind.RELATIONSHIP and (rel := f.rels.get(sid)) is not None:
        return [f.birth(rel.from_id), f.birth(rel.to_id), rel.start]
    if kind is SubjectKind.RESIDENCE and (res := f.residences.get(sid)) is not None:
        return [f.birth(res.person_id), res.start]
    if kind is SubjectKind.RESPONSIBILITY and (pr := f.pr.get(sid)) is not None:
        return [f.birth(pr.person_id), f.birth(pr.child_id), pr.start]
    return []


def _one(f: _Family, u: Unmet, params: Mapping[str, object]) -> OpenSince:
    """The gap's :class:`OpenSince`, never before its :func:`_floor` (unless
    that is after today: then today) and never after today."""
    found = _raw(f, u, params)
    if found.on is None:
        return found
    floor = _latest(*_floor(f, u))
    day = found.on if floor is None or floor <= found.on else floor
    return OpenSince(min(day, f.today), found.basis, found.because)


def _raw(f: _Family, u: Unmet, params: Mapping[str, object]) -> OpenSince:
    kind, sid = u.subject.kind, u.subject.id
    if not isinstance(sid, int):
        return NOT_KNOWN
    if kind in (SubjectKind.PERSON, SubjectKind.CHILD):
        if kind is SubjectKind.PERSON and u.rule_id in _CARER_RULES:
            found = _carer_rule(f, u.rule_id, sid, params)
            if found is not None:
                return found
        p = f.net.people.get(sid)
        if p is None:
            return NOT_KNOWN
        child_birth = f.birth(u.subject.child_id) if u.subject.child_id is not None else None
        if child_birth is not None:  # about an adult and one child (parental responsibility)
            return _found(f, child_birth, f"the birth of {f.name(u.subject.child_id or 0)}")
        birth = f.birth(sid)
        if birth is not None and (kind is SubjectKind.CHILD or not p.is_adult(f.today)):
            return _found(f, birth, f"the birth of {p.display_name}")
        # an adult: from the day they joined the family around the children
        # (caring for one, a parent's relationship from the birth, living
        # where they live now), never before the first of the children was born
        if sid not in f.joined:  # an adult has several gaps
            f.joined[sid] = _joined(f, sid)
        joined = f.joined[sid]
        if joined is not None:
            return _found(f, joined, f"the day {p.display_name} joined the family")
        return _fallback(f, p.provenance.get("birth_date") or next(iter(p.provenance.values()), None))
    if kind is SubjectKind.CARE:
        care = f.care.get(sid)
        if care is None:
            return NOT_KNOWN
        if u.rule_id in _CARER_RULES and u.rule_id != R18_PLACE:
            found = _carer_rule(f, u.rule_id, care.carer_id, params)
            if found is not None:
                return found
        if care.start is not None:
            return _found(f, care.start, "the day the care began")
        birth = f.birth(care.child_id)
        if birth is not None:
            return _found(f, birth, f"the birth of {f.name(care.child_id)}")
        return _fallback(f, care.provenance)
    if kind is SubjectKind.RELATIONSHIP:
        rel = f.rels.get(sid)
        if rel is None:
            return NOT_KNOWN
        if rel.start is not None:
            return _found(f, rel.start, "the day the relationship began")
        child_birth = f.birth(rel.to_id)
        if _is_parent_type(rel.type) and child_birth is not None:
            return _found(f, child_birth, f"the birth of {f.name(rel.to_id)}")
        return _fallback(f, rel.provenance)
    if kind is SubjectKind.RESIDENCE:
        res = f.residences.get(sid)
        if res is None:
            return NOT_KNOWN
        if res.start is not None:
            return _found(f, res.start, f"the day {f.name(res.person_id)} moved in")
        return _fallback(f, res.provenance)
    if kind is SubjectKind.RESPONSIBILITY:
        pr = f.pr.get(sid)
        if pr is None:
            return NOT_KNOWN
        if pr.start is not None:
            return _found(f, pr.start, "the day parental responsibility began")
        birth = f.birth(pr.child_id)
        if birth is not None:
            return _found(f, birth, f"the birth of {f.name(pr.child_id)}")
        return _fallback(f, pr.provenance)
    if kind is SubjectKind.HOUSEHOLD:
        current = [r for r in f.residences.values() if r.household_id == sid and r.current_on(f.today)]
        moved = [d for d in (r.start for r in current) if d is not None]
        if moved and len(moved) == len(current):
            return _found(f, min(moved), "the day its people moved in")
        return NOT_KNOWN
    if kind is SubjectKind.DECLINE:
        d = f.declines.get(sid)
        if d is not None:
            return _found(f, d.declined_on, "the day they declined")
    return NOT_KNOWN


def open_since_all(
    graph: FamilyGraph,
    unmet: Iterable[Unmet],
    process: ProcessInputs | None = None,
    params: Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, OpenSince]:
    """:class:`OpenSince` for each gap in ``unmet`` (by :attr:`Unmet.key`), for
    the family of ``graph`` on ``graph.today``. ``process`` gives the declines
    (a gap about a decline is open from the day of the decline); ``params``
    the rules' effective settings by rule id (ICON's ``icon_by_days``; the
    defaults when absent). Linear in the size of the record."""
    f = _Family(graph, process or ProcessInputs())
    chosen = params or {}
    return {u.key: _one(f, u, chosen.get(u.rule_id, {})) for u in unmet}
