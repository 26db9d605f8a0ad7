"""Fill a gap with a made-up answer, or take that answer away again.

For tests, demonstrations and benchmarks only: the product never invents an
answer. :func:`supply_fact` records, for exactly the gap given, a plausible
synthetic answer to everything in ``unmet.missing``, in the way that touches
the least else:

* a missing detail of a person is set on that person, with its source;
* an address is a new household with a made-up address and a current residence
  there (never the child's home, which would change who lives with the child;
  but an unborn child with no address is taken to be going home to its birth
  mother's, so for one a new address is a home apart from hers, and a housemate
  of hers who was an adult only for living with the baby is no longer asked
  about);
* a relationship to the child is "relative of" (it changes no other derivation);
* parental responsibility is a new record with a fitting basis;
* every other answer is a :class:`~kinmap.core.model.Fact` on the subject.

Everything supplied carries a source, so no source gap opens. One remedy
creates a new subject and so may open gaps about it: a child's address is a new
household, whose roster has not yet been confirmed (see :func:`creates_subject`).
Gaps answered by process inputs are filled by :func:`supply_process_fact`.

:func:`retract_fact` removes the answer to each missing item again, leaving
the gap open as before (it does not need to know what was there before).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from ..model import (
    Fact,
    Household,
    Network,
    ParentalResponsibility,
    Person,
    Provenance,
    Relationship,
    Residence,
)
from ..vocab import BIRTH_FATHER, BIRTH_MOTHER, DateAccuracy, PRBasis, Source
from .base import SubjectKind, Unmet
from .facts import (
    FACT_ADULT_SERVICES,
    FACT_AGENCY_INVOLVEMENT,
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_CONTACT_ARRANGEMENT,
    FACT_CURRENT_PARTNER,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_SAFEGUARDING_REFERRAL,
    FACT_VISITORS,
    FACT_YOUNG_PARENT_CARER,
)
from .inputs import GapHistory, ProcessInputs, SharingDecision

# Answers recorded as facts on the subject person (or child): missing key -> (fact key, answer).
FACT_ANSWERS: dict[str, tuple[str, str]] = {
    "birth_mother": (FACT_BIRTH_MOTHER_ABSENT, "placed for adoption; birth family recorded elsewhere"),
    "birth_father": (FACT_BIRTH_FATHER_ABSENT, "mother does not know who the father is"),
    "contact_arrangement": (FACT_CONTACT_ARRANGEMENT, "sees the baby on Saturday afternoons at the park"),
    "current_partner": (FACT_CURRENT_PARTNER, "none"),
    "regular_visitors": (FACT_VISITORS, "none"),
    "other_children": (FACT_OTHER_CHILDREN, "none"),
    "agency_involvement": (FACT_AGENCY_INVOLVEMENT, "none known"),
    "other_names": (FACT_OTHER_NAMES, "none"),
    "adult_services": (FACT_ADULT_SERVICES, "none known"),
    "young_parent_carer": (FACT_YOUNG_PARENT_CARER, "lives with her own mother, who cares for her"),
    "safeguarding_referral": (FACT_SAFEGUARDING_REFERRAL, "considered with the safeguarding lead"),
}
# Requirement 12's missing keys for a person's details -> the fields they source
# (kinmap.core.rules.sources.SOURCED_PERSON_FIELDS, repeated here so that this
# module does not import the rule modules).
_SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "name_source": ("given_name", "family_name"),
    "birth_date_source": ("birth_date",),
    "nhs_number_source": ("nhs_number",),
    "phone_source": ("phone",),
    "email_source": ("email",),
}
_ABSENT_FACT = {"R01-birth-mother": FACT_BIRTH_MOTHER_ABSENT, "R02-birth-father": FACT_BIRTH_FATHER_ABSENT}
PROCESS_KEYS = frozenset(
    {
        "roster_confirmed",
        "declined_by",
        "reason",
        "practitioner_view",
        "information_request",
        "rationale",
        "lawful_basis",
    }
)
_RECORD_FIELD = {"relationships", "residences", "care", "parental_responsibility", "care_orders"}
_KIND_FIELD = {
    SubjectKind.RELATIONSHIP: "relationships",
    SubjectKind.RESIDENCE: "residences",
    SubjectKind.CARE: "care",
    SubjectKind.RESPONSIBILITY: "parental_responsibility",
    SubjectKind.CARE_ORDER: "care_orders",
}
# Remedies contributed by rule modules outside this one, by missing key: a
# function that supplies the answer and one that takes it away again, each
# taking (network, unmet, today) and returning the network.
Remedy = Callable[[Network, Unmet, date], Network]
CONTRIBUTED: dict[str, tuple[Remedy, Remedy]] = {}


def register_remedy(key: str, supply: Remedy, retract: Remedy) -> None:
    CONTRIBUTED[key] = (supply, retract)


SYNTHETIC_ADDRESS = "99 Remedy Row, Testham ZZ99 9ZZ"
SYNTHETIC_PHONE = "07700 900999"  # from the range set aside for drama


def creates_subject(unmet: Unmet) -> bool:
    """Does the remedy for this gap create a new subject (which may have gaps)?"""
    return unmet.subject.kind is SubjectKind.CHILD and "address" in unmet.missing


def is_process_gap(unmet: Unmet) -> bool:
    """Is this gap answered by process inputs rather than the network?"""
    return bool(PROCESS_KEYS & set(unmet.missing)) or (
        unmet.subject.kind is SubjectKind.DECLINE and "recorded_by" in unmet.missing
    )


def _source(today: date) -> Provenance:
    return Provenance(Source.SAID_BY, "synthetic answer", "remedy", datetime.combine(today, time(9, 0)))


def _next_id(network: Network) -> int:
    ids = [0, *network.people, *network.households]
    for name in _RECORD_FIELD:
        ids.extend(r.id for r in getattr(network, name))
    return max(ids) + 1


def _replace_person(network: Network, person: Person) -> Network:
    return dataclasses.replace(network, people={**network.people, person.id: person})


def _with_fact(person: Person, key: str, value: str, today: date) -> Person:
    return dataclasses.replace(person, facts={**person.facts, key: Fact(key, value, _source(today))})


def _without_fact(person: Person, key: str) -> Person:
    return dataclasses.replace(person, facts={k: v for k, v in person.facts.items() if k != key})


def plausible_birth_date(network: Network, person_id: int, today: date) -> date:
    """A date of birth that keeps the network valid: after the person's birth
    parents were born, before their children were, and not in the future."""
    lo, hi = date.min, today
    for r in network.relationships:
        if r.type not in (BIRTH_MOTHER, BIRTH_FATHER):
            continue
        if r.to_id == person_id and r.from_id in network.people:
            parent = network.people[r.from_id]
            if parent.birth_date and not parent.unborn:
                lo = max(lo, parent.birth_date + timedelta(days=1))
            if parent.death_date:
                grace = timedelta(days=300) if r.type == BIRTH_FATHER else timedelta(0)
                hi = min(hi, parent.death_date + grace)
        elif r.from_id == person_id and r.to_id in network.people:
            child = network.people[r.to_id]
            if child.birth_date:
                hi = min(hi, child.birth_date - timedelta(days=1))
    death = network.people[person_id].death_date
    if death:
        hi = min(hi, death)
    candidate = hi - timedelta(days=25 * 365)
    if candidate >= lo:
        return candidate
    return lo + (hi - lo) / 2 if hi >= lo else hi


def _supply_person(network: Network, unmet: Unmet, key: str, today: date) -> Network:
    pid = int(unmet.subject.id)
    person = network.people[pid]
    if key == "name":
        given, family = person.given_name.strip(), person.family_name.strip()
        # a name part supplied carries a source; one already recorded keeps its own
        sourced = {
            f: _source(today) for f, had in (("given_name", given), ("family_name", family)) if not had
        }
        person = dataclasses.replace(
            person,
            given_name=given or "Sam",
            family_name=family or "Morgan",
            provenance={**person.provenance, **sourced},
        )
    elif key == "birth_date":
        person = dataclasses.replace(
            person,
            birth_date=plausible_birth_date(network, pid, today),
            birth_date_accuracy=DateAccuracy.ACCURATE,
            provenance={**person.provenance, "birth_date": _source(today)},
        )
    elif key == "contact":
        person = dataclasses.replace(
            person, phone=SYNTHETIC_PHONE, provenance={**person.provenance, "phone": _source(today)}
        )
    elif key == "seen_directly_on":
        person = dataclasses.replace(person, seen_directly_on=today)
    elif key in _SOURCE_FIELDS:
        sourced = {f: _source(today) for f in _SOURCE_FIELDS[key] if f not in person.provenance}
        person = dataclasses.replace(person, provenance={**person.provenance, **sourced})
    elif key.endswith("-source") and key.removesuffix("-source") in person.facts:
        fact_key = key.removesuffix("-source")
        fact = dataclasses.replace(person.facts[fact_key], provenance=_source(today))
        person = dataclasses.replace(person, facts={**person.facts, fact_key: fact})
    elif key in ("recorded_by", "recorded_at"):
        fact_key = _ABSENT_FACT[unmet.rule_id]
        fact = person.facts[fact_key]
        prov = fact.provenance or _source(today)
        prov = dataclasses.replace(
            prov,
            recorded_by=prov.recorded_by.strip() or "remedy",
            recorded_at=prov.recorded_at or _source(today).recorded_at,
        )
        person = dataclasses.replace(
            person, facts={**person.facts, fact_key: dataclasses.replace(fact, provenance=prov)}
        )
    elif key in FACT_ANSWERS:
        fact_key, value = FACT_ANSWERS[key]
        person = _with_fact(person, fact_key, value, today)
    else:
        raise ValueError(f"No remedy for {key!r} on a person")
    return _replace_person(network, person)


def _supply_address(network: Network, person_id: int, today: date) -> Network:
    new = _next_id(network)
    return dataclasses.replace(
        network,
        households={**network.households, new: Household(new, address_line_1=SYNTHETIC_ADDRESS)},
        residences=(
            *network.residences,
            Residence(new + 1, person_id, new, start=today, provenance=_source(today)),
        ),
    )


def _supply_record(network: Network, unmet: Unmet, key: str, today: date) -> Network:
    """Source, relationship or frequency on a relationship, residence, care or PR record."""
    name = _KIND_FIELD[unmet.subject.kind]
    records = list(getattr(network, name))
    i = next(n for n, r in enumerate(records) if r.id == unmet.subject.id)
    record = records[i]
    if key == "source":
        records[i] = dataclasses.replace(record, provenance=_source(today))
    elif key == "frequency":
        records[i] = dataclasses.replace(record, frequency="on Saturdays")
    elif key == "relationship":
        rel = Relationship(
            _next_id(network), record.carer_id, record.child_id, "FAMMEMB", provenance=_source(today)
        )
        return dataclasses.replace(network, relationships=(*network.relationships, rel))
    else:
        raise ValueError(f"No remedy for {key!r} on a {unmet.subject.kind}")
    changes: dict[str, Any] = {name: tuple(records)}
    return dataclasses.replace(network, **changes)


def _pr_basis(network: Network, person_id: int, child_id: int) -> PRBasis:
    for r in network.relationships:
        if r.from_id == person_id and r.to_id == child_id:
            if r.type == BIRTH_MOTHER:
                return PRBasis.BIRTH_MOTHER
            if r.type == BIRTH_FATHER:
                return PRBasis.JOINT_REGISTRATION
    return PRBasis.NONE


def supply_fact(network: Network, unmet: Unmet, today: date | None = None) -> Network:
    """The network with a synthetic answer to everything the gap is missing."""
    day = today or date.today()
    if is_process_gap(unmet):
        raise ValueError(f"Gap {unmet.key} is answered by process inputs: use supply_process_fact")
    kind = unmet.subject.kind
    for key in unmet.missing:
        if key in CONTRIBUTED:
            network = CONTRIBUTED[key][0](network, unmet, day)
        elif kind in _KIND_FIELD:
            network = _supply_record(network, unmet, key, day)
        elif key == "address":
            network = _supply_address(network, int(unmet.subject.id), day)
        elif key == "parental_responsibility":
            pid, child = int(unmet.subject.id), unmet.subject.child_id
            assert child is not None
            # the answer replaces a record of the pair running today (its basis
            # "not known"), so that two records never overlap; the replaced
            # record keeps its id, dates and source, so that retracting the
            # answer (its basis "not known" again) restores it exactly
            running = [
                p
                for p in network.parental_responsibility
                if p.person_id == pid and p.child_id == child and p.current_on(day)
            ]
            basis = _pr_basis(network, pid, child)
            pr = (
                dataclasses.replace(running[0], basis=basis)
                if running
                else ParentalResponsibility(_next_id(network), pid, child, basis, provenance=_source(day))
            )
            network = dataclasses.replace(
                network,
                parental_responsibility=(
                    *(p for p in network.parental_responsibility if p not in running),
                    pr,
                ),
            )
        else:
            network = _supply_person(network, unmet, key, day)
    return network


def _retract_person(network: Network, unmet: Unmet, key: str) -> Network:
    pid = int(unmet.subject.id)
    person = network.people[pid]
    if key == "name":
        person = dataclasses.replace(person, family_name="")
    elif key == "birth_date":
        person = dataclasses.replace(
            person,
            birth_date=None,
            birth_date_accuracy=DateAccuracy.UNKNOWN,
            provenance={k: v for k, v in person.provenance.items() if k != "birth_date"},
        )
    elif key == "contact":
        person = dataclasses.replace(
            person,
            phone="",
            email="",
            phone_masked=False,
            provenance={k: v for k, v in person.provenance.items() if k not in ("phone", "email")},
        )
    elif key == "seen_directly_on":
        person = dataclasses.replace(person, seen_directly_on=None)
    elif key in _SOURCE_FIELDS:
        fields = _SOURCE_FIELDS[key]
        person = dataclasses.replace(
            person, provenance={k: v for k, v in person.provenance.items() if k not in fields}
        )
    elif key.endswith("-source") and key.removesuffix("-source") in person.facts:
        fact_key = key.removesuffix("-source")
        fact = dataclasses.replace(person.facts[fact_key], provenance=None)
        person = dataclasses.replace(person, facts={**person.facts, fact_key: fact})
    elif key in ("recorded_by", "recorded_at"):
        fact_key = _ABSENT_FACT[unmet.rule_id]
        fact = person.facts[fact_key]
        if fact.provenance is not None:
            prov = (
                dataclasses.replace(fact.provenance, recorded_by="")
                if key == "recorded_by"
                else dataclasses.replace(fact.provenance, recorded_at=None)
            )
            person = dataclasses.replace(
                person, facts={**person.facts, fact_key: dataclasses.replace(fact, provenance=prov)}
            )
    elif key in FACT_ANSWERS:
        person = _without_fact(person, FACT_ANSWERS[key][0])
    else:
        raise ValueError(f"No remedy for {key!r} on a person")
    return _replace_person(network, person)


def retract_fact(network: Network, unmet: Unmet, today: date | None = None) -> Network:
    """The network with the answers to the gap's missing items removed again."""
    day = today or date.today()
    kind, subject_id = unmet.subject.kind, unmet.subject.id
    for key in unmet.missing:
        if key in CONTRIBUTED:
            network = CONTRIBUTED[key][1](network, unmet, day)
            continue
        if kind in _KIND_FIELD:
            name = _KIND_FIELD[kind]
            if key == "relationship":
                care = next(c for c in network.care if c.id == subject_id)
                ends = {care.carer_id, care.child_id}
                network = dataclasses.replace(
                    network,
                    relationships=tuple(r for r in network.relationships if {r.from_id, r.to_id} != ends),
                )
                continue
            field, empty = ("provenance", None) if key == "source" else ("frequency", "")
            records = tuple(
                dataclasses.replace(r, **{field: empty}) if r.id == subject_id else r
                for r in getattr(network, name)
            )
            changes: dict[str, Any] = {name: records}
            network = dataclasses.replace(network, **changes)
        elif key == "address":
            addressed = {h for h, hh in network.households.items() if hh.address or hh.masked}
            network = dataclasses.replace(
                network,
                residences=tuple(
                    r
                    for r in network.residences
                    if not (r.person_id == subject_id and r.current_on(day) and r.household_id in addressed)
                ),
            )
        elif key == "parental_responsibility":
            # a record the answer added (the remedy's own source) goes; one it
            # replaced (see supply_fact) has its basis "not known" again
            added = _source(day)
            kept = []
            for p in network.parental_responsibility:
                answered = (
                    p.person_id == int(subject_id)
                    and p.child_id == unmet.subject.child_id
                    and p.basis is not PRBasis.UNKNOWN
                    and p.current_on(day)
                )
                if not answered:
                    kept.append(p)
                elif p.provenance != added:
                    kept.append(dataclasses.replace(p, basis=PRBasis.UNKNOWN))
            network = dataclasses.replace(network, parental_responsibility=tuple(kept))
        else:
            network = _retract_person(network, unmet, key)
    return network


def supply_process_fact(process: ProcessInputs, unmet: Unmet, today: date | None = None) -> ProcessInputs:
    """The process inputs with a synthetic answer to a process gap."""
    day = today or date.today()
    kind, subject_id = unmet.subject.kind, unmet.subject.id
    if kind is SubjectKind.HOUSEHOLD:
        confirmed = max(day, process.last_contact_on or day)
        return dataclasses.replace(
            process, last_roster_confirmed={**process.last_roster_confirmed, int(subject_id): confirmed}
        )
    if kind is SubjectKind.GAP:
        key = str(subject_id)
        history = process.gap_history.get(key) or GapHistory(key)
        return dataclasses.replace(
            process,
            gap_history={**process.gap_history, key: dataclasses.replace(history, request_considered=True)},
        )
    if kind is SubjectKind.DECLINE:
        answers = {
            "declined_by": ("person_id", -1),
            "reason": ("reason", "worried about how the information will be used"),
            "practitioner_view": (
                "practitioner_view",
                "anxious rather than hostile; revisit at the next visit",
            ),
            "recorded_by": ("recorded_by", "remedy"),
        }
        changes: dict[str, Any] = dict(answers[k] for k in unmet.missing)
        declines = tuple(
            dataclasses.replace(d, **changes) if d.id == subject_id else d for d in process.declines
        )
        return dataclasses.replace(process, declines=declines)
    if kind is SubjectKind.SHARING:
        values = {"rationale": "needed to plan the baby's care", "lawful_basis": "UK GDPR Article 6(1)(e)"}
        answered: dict[str, Any] = {k: values[k] for k in unmet.missing}
        decisions: tuple[SharingDecision, ...] = tuple(
            dataclasses.replace(d, **answered) if d.id == subject_id else d for d in process.sharing_decisions
        )
        return dataclasses.replace(process, sharing_decisions=decisions)
    raise ValueError(f"Gap {unmet.key} is not answered by process inputs")
