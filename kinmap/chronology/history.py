"""The record-time history of a family's records (django-simple-history's
tables) as versions for the chronology: one query per kind of record, the
user who recorded each version joined in, whatever the size of the family.

What each version says happened is in plain words, with the wording helpers
of :mod:`kinmap.core.vocab`. Addresses are put in words by the caller's
function (:func:`kinmap.web.masking.address_for` for a page: masked for a
user not entitled); telephone numbers and e-mail addresses are never put in
a line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from kinmap.core.chronology import Happening, Line, Version, lines_of_record
from kinmap.core.vocab import CARE_PLACE_LABELS, PR_BASIS_LABELS, DateAccuracy, relation_sentence
from kinmap.records import known_dates
from kinmap.records import models as m
from kinmap.records.selectors import FamilyRecord
from kinmap.sharing.facts import what_label

from .kinds import (
    BIRTHS_DEATHS,
    CARE,
    FACTS,
    MOVES,
    PARENTAL_RESPONSIBILITY,
    PEOPLE,
    RELATIONSHIPS,
)

Names = Callable[[int], str]
Address = Callable[[Any], str]


def _versions(
    rows: Iterable[Any], say: Callable[[Any], tuple[Happening, ...]], removed: str = ""
) -> list[Line]:
    """Lines from history rows ordered by record and time (``say``: what a
    version says; ``removed``: the kind of the line a deletion adds)."""
    by_record: dict[int, list[Version]] = defaultdict(list)
    for h in rows:
        happenings = say(h)
        deleted = h.history_type == "-"
        by_record[h.id].append(
            Version(
                at=h.history_date,
                by=h.history_user.username if h.history_user_id else "",
                happenings=happenings,
                removed=deleted,
                reason=(h.history_change_reason or "") if deleted else "",
                removed_words=_removed_words(removed, happenings) if deleted and removed else "",
                removed_kind=happenings[0].kind if deleted and happenings else "",
            )
        )
    day = timezone.localdate
    return [line for versions in by_record.values() for line in lines_of_record(versions, day)]


def _removed_words(what: str, happenings: tuple[Happening, ...]) -> str:
    return f"{what} removed" + (f": {happenings[0].words}" if happenings else "")


def _ordered(qs: Any) -> Any:
    return qs.select_related("history_user").order_by("id", "history_date", "history_id")


def record_history_lines(record: FamilyRecord, address: Address, names: Names) -> list[Line]:
    """Every line the histories of ``record``'s own records give (eight
    queries): people, their facts, membership of this network, relationships,
    stays and addresses, care arrangements and parental responsibility.
    ``address`` puts a household (as recorded then) in words for the reader:
    :func:`kinmap.web.masking.address_for` on a page."""
    ids = record.member_ids
    lines: list[Line] = []
    lines += _versions(_ordered(m.Person.history.filter(id__in=ids)), lambda h: _person(h, names))
    lines += _versions(
        _ordered(m.NetworkMember.history.filter(network_id=record.network.pk)),
        lambda h: _membership(h, names),
        removed="Membership",
    )
    lines += _versions(
        _ordered(m.PersonFact.history.filter(person_id__in=ids)), lambda h: _fact(h, names), removed="Answer"
    )
    lines += _versions(
        _ordered(m.Relationship.history.filter(from_person_id__in=ids, to_person_id__in=ids)),
        lambda h: _relationship(h, names),
        removed="Relationship",
    )
    stays = list(_ordered(m.Residence.history.filter(person_id__in=ids)))
    homes: dict[int, list[Any]] = defaultdict(list)
    for h in _ordered(m.Household.history.filter(id__in={s.household_id for s in stays})):
        homes[h.id].append(h)
    lines += _versions(stays, lambda h: _stay(h, _home_then(homes, h), address, names), removed="Stay")
    lived: dict[int, set[int]] = defaultdict(set)
    for s in stays:
        lived[s.household_id].add(s.person_id)
    lines += _versions(
        (h for versions in homes.values() for h in versions),
        lambda h: _address(h, address, frozenset(lived[h.id])),
    )
    lines += _versions(
        _ordered(m.CareArrangement.history.filter(child_id__in=ids, carer_id__in=ids)),
        lambda h: _care(h, names),
        removed="Care arrangement",
    )
    lines += _versions(
        _ordered(m.ParentalResponsibility.history.filter(child_id__in=ids, person_id__in=ids)),
        lambda h: _pr(h, names),
        removed="Parental responsibility record",
    )
    return lines


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _as_known(words: str, h: Any, field: str) -> str:
    """``words`` of a happening on ``h``'s date ``field``, followed for a date
    that is not exact by how it is known: "Amy died (date: about March 2019)".
    The line is placed on the day recorded."""
    known = known_dates.known(h, field)
    if known.accuracy in (DateAccuracy.EXACT, DateAccuracy.UNKNOWN):
        return words
    return f"{words} (date: {known.words()})"


def _person(h: Any, names: Names) -> tuple[Happening, ...]:
    who = frozenset({h.id})
    name = names(h.id)
    out = [Happening("name", PEOPLE, None, _name_words(h), who)]
    if h.birth_date:
        if h.birth_date_accuracy == DateAccuracy.EXPECTED:
            words = f"{name} is expected to be born (due date)"
        else:
            words = _as_known(f"{name} was born", h, "birth_date")
        out.append(Happening("birth", BIRTHS_DEATHS, h.birth_date, words, who))
    if h.death_date:
        out.append(
            Happening("death", BIRTHS_DEATHS, h.death_date, _as_known(f"{name} died", h, "death_date"), who)
        )
    return tuple(out)


def _name_words(h: Any) -> str:
    recorded = f"{h.given_name} {h.family_name}".strip()
    if recorded:
        return f"Name recorded: {recorded}"
    return "Name not known" + (f": {h.name_absent_reason}" if h.name_absent_reason else "")


def _membership(h: Any, names: Names) -> tuple[Happening, ...]:
    role = " as an index child" if h.is_index else ""
    words = f"{names(h.person_id)} added to this family network{role}"
    return (Happening("member", PEOPLE, None, words, frozenset({h.person_id})),)


def _fact(h: Any, names: Names) -> tuple[Happening, ...]:
    label = what_label(f"fact:{h.key}")
    words = f"About {names(h.person_id)}, {label.lower()}: {h.value}"
    return (Happening("value", FACTS, None, words, frozenset({h.person_id})),)


def _relationship(h: Any, names: Names) -> tuple[Happening, ...]:
    who = frozenset({h.from_person_id, h.to_person_id})
    sentence = relation_sentence(h.type, names(h.from_person_id), names(h.to_person_id))
    out = []
    if h.start:
        out.append(
            Happening(
                "start", RELATIONSHIPS, h.start, _as_known(f"Relationship began: {sentence}", h, "start"), who
            )
        )
    if h.end:
        out.append(
            Happening(
                "end", RELATIONSHIPS, h.end, _as_known(f"Relationship ended: {sentence}", h, "end"), who
            )
        )
    if not out:
        out.append(Happening("recorded", RELATIONSHIPS, None, f"Relationship recorded: {sentence}", who))
    return tuple(out)


def _home_then(homes: dict[int, list[Any]], stay: Any) -> Any:
    """The household as recorded when the stay's version was (the first
    version if the stay is older than every version of it)."""
    versions = homes.get(stay.household_id, [])
    then = [h for h in versions if h.history_date <= stay.history_date]
    return then[-1] if then else (versions[0] if versions else None)


def _stay(h: Any, home: Any, words: Address, names: Names) -> tuple[Happening, ...]:
    who = frozenset({h.person_id})
    address = words(home) if home is not None else "an address"
    name = names(h.person_id)
    out = []
    if h.start:
        out.append(
            Happening("start", MOVES, h.start, _as_known(f"{name} moved in at {address}", h, "start"), who)
        )
    if h.end:
        out.append(Happening("end", MOVES, h.end, _as_known(f"{name} moved out of {address}", h, "end"), who))
    if not out:
        out.append(
            Happening("recorded", MOVES, None, f"{name} lives at {address} (move-in date not known)", who)
        )
    return tuple(out)


def _address(h: Any, words: Address, people: frozenset[int]) -> tuple[Happening, ...]:
    return (Happening("address", MOVES, None, f"Address recorded: {words(h)}", people),)


def _care(h: Any, names: Names) -> tuple[Happening, ...]:
    who = frozenset({h.carer_id, h.child_id})
    carer, child = names(h.carer_id), names(h.child_id)
    details = [
        CARE_PLACE_LABELS.get(h.place, h.place),
        h.frequency,
        "overnight" if h.overnight else "daytime",
    ]
    if h.supervised:
        details.append("supervised")
    what = f"{carer} cares for {child} ({', '.join(d for d in details if d)})"
    out = []
    if h.start:
        out.append(Happening("start", CARE, h.start, _as_known(f"Care began: {what}", h, "start"), who))
    if h.end:
        out.append(Happening("end", CARE, h.end, _as_known(f"Care ended: {what}", h, "end"), who))
    if not out:
        out.append(Happening("recorded", CARE, None, f"Care arrangement recorded: {what}", who))
    return tuple(out)


def _pr(h: Any, names: Names) -> tuple[Happening, ...]:
    basis = PR_BASIS_LABELS.get(h.basis, h.basis)
    words = f"Parental responsibility of {names(h.person_id)} for {names(h.child_id)}: {basis}"
    who = frozenset({h.person_id, h.child_id})
    return (Happening("basis", PARENTAL_RESPONSIBILITY, h.start, words, who),)
