"""Changes to people: starting a family network around a child, adding a
person (with their relationship, home and other names) and changing one (a
death ends the care arrangements and parental responsibility still running),
the answers recorded about a person (facts) and the other names they have been
known by. An NHS number is held by one person only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core import model as core
from kinmap.core.dates import KnownDate
from kinmap.core.responsibility import ended_by_death
from kinmap.core.text import name_error, normalise_text
from kinmap.core.validation import Problem, network_problems
from kinmap.core.vocab import DateAccuracy

from .. import advisory
from .. import models as m
from ..advisory import advisory_xact_lock
from ..errors import RecordError, StaleEdit, check_version, refuse_hidden_characters
from ..selectors import family_record_load
from .common import (
    _audit_each,
    _check,
    _check_each,
    _diff,
    _end_each,
    _lock_version,
    _networks_for,
    _Proposal,
    _provenance_entry,
    _stamp,
    _today,
    _touch,
    _touch_each,
)
from .data import (
    KEY_PERSON_FIELDS,
    NETWORK_NAME_LABEL,
    PERSON_FIELDS,
    AddressData,
    PersonData,
    RelationshipData,
    Source_,
    _core_person,
)
from .relationships import _rel_type_or_error, _relationship_insert
from .residences import residence_create

NHS_NUMBER_LOCK = advisory.NHS_NUMBER  # the advisory lock class for NHS numbers being given
NHS_NUMBER_HELD = (
    'This NHS number is already recorded for someone else. Find them with "Find a person" '
    "and add them to this family, instead of adding them again"
)


def _nhs_number_free(nhs_number: str, *, person_id: int | None = None) -> None:
    """Refuse (RecordError on ``nhs_number``) an NHS number that another person
    already has: one person is known once (names nobody). Call inside the
    transaction that saves the number.

    Two changes giving the same number at the same moment are put one after the
    other: on PostgreSQL a transaction-scoped advisory lock on the number is
    taken before the check, so the second waits for the first to commit and
    then sees its row (a unique index cannot be used: a merged record keeps
    its number beside the record it was merged into, so that an unmerge
    restores it exactly). SQLite lets one transaction write at a time."""
    if nhs_number:
        advisory_xact_lock(advisory.NHS_NUMBER, nhs_number)
    if nhs_number and m.Person.objects.filter(nhs_number=nhs_number).exclude(pk=person_id or 0).exists():
        raise RecordError(NHS_NUMBER_HELD, field="nhs_number")


# -- family networks ------------------------------------------------------


@transaction.atomic
def network_create(
    *, actor: User, child: PersonData, source: Source_ = Source_(), name: str = ""
) -> m.FamilyNetwork:
    """Start a family network around one child (born or unborn), allocated to the
    actor's team.

    This and :func:`person_add` save a new person without looking for them on
    the record: every path that takes a person from a practitioner or a file
    looks first (one person is known once). The pages through
    ``kinmap.matching.steps.add_person_check`` and then
    ``kinmap.matching.services`` (``network_start_decided``,
    ``person_add_decided``); ``kinmap import`` through
    ``kinmap.matching.imports.import_matches`` (certain: linked; possible:
    queued for review). The API adds nobody. Only made-up data skips it:
    ``kinmap synth`` and the benchmarks write their generated people in bulk,
    and tests build their worlds directly."""
    if actor.team_id is None:
        raise RecordError("You must belong to a team to start a family network")
    child = child.cleaned()
    source.check()
    refuse_hidden_characters(name, "name", NETWORK_NAME_LABEL)
    problems = network_problems(
        core.Network(id=0, name="", index_child_ids=(0,), people={0: _core_person(0, child)}), _today()
    )
    if problems:
        raise RecordError(problems)
    _nhs_number_free(child.nhs_number)
    person = m.Person.objects.create(
        **dataclasses.asdict(child), provenance=_field_provenance(child, source, actor)
    )
    network = _network_open(actor, person, name)
    m.NetworkMember.objects.create(network=network, person=person, is_index=True)
    _audit_person(actor, [network], person, {}, reason="index child")
    _touch(network, actor)
    return network


@transaction.atomic
def network_create_around(*, actor: User, child: m.Person, name: str = "") -> m.FamilyNetwork:
    """Start a family network around a child already on the record (found by
    the check before a new person is saved, ``kinmap.matching.steps``),
    allocated to the actor's team. The child is NOT yet a member: the caller
    adds them as the index child (``kinmap.matching.services.person_link``,
    which audits the link with the match's reasons), in this transaction.
    Raises RecordError as :func:`network_create` does for the child's details."""
    if actor.team_id is None:
        raise RecordError("You must belong to a team to start a family network")
    refuse_hidden_characters(name, "name", NETWORK_NAME_LABEL)
    data = PersonData.of(child)
    problems = network_problems(
        core.Network(id=0, name="", index_child_ids=(0,), people={0: _core_person(0, data)}), _today()
    )
    if problems:
        raise RecordError(problems)
    return _network_open(actor, child, name)


def _network_open(actor: User, child: m.Person, name: str) -> m.FamilyNetwork:
    """The network row, its allocation to the actor's team and the audit of
    its creation (``index_child`` the child's id); the membership is the caller's."""
    if actor.team_id is None:
        raise RecordError("You must belong to a team to start a family network")
    label = normalise_text(name) or f"Family of {child}"
    network = m.FamilyNetwork.objects.create(name=label, created_by=actor)
    m.Allocation.objects.create(network=network, team_id=actor.team_id, start=_today())
    from kinmap.gaps.team_counts import team_counts_touch  # the gaps app builds on this one

    team_counts_touch(team_ids=[actor.team_id])
    audit_record(
        actor=actor,
        action="create",
        object_type="network",
        object_id=network.pk,
        network_id=network.pk,
        changes={"name": [None, label], "index_child": [None, child.pk]},
    )
    return network


def _field_provenance(
    d: PersonData, src: Source_, actor: User | None, old: dict[str, Any] | None = None
) -> dict:
    """Provenance for every key field that has a value and changed."""
    prov = dict(old or {})
    if not src.source:
        return prov
    entry = _provenance_entry(src, actor)
    for f in KEY_PERSON_FIELDS:
        if getattr(d, f) not in ("", None):
            prov[f] = entry
    return prov


def _audit_person(
    actor: User | None, networks: list[m.FamilyNetwork], p: m.Person, old: dict[str, Any], *, reason: str = ""
) -> None:
    new = {f: getattr(p, f) for f in PERSON_FIELDS}
    masked = ["phone"] if p.phone_masked or old.get("phone_masked") else []
    _audit_each(
        networks,
        actor=actor,
        action="update" if old else "create",
        object_type="person",
        object_id=p.pk,
        changes=_diff(old, new, masked=masked),
        reason=reason,
    )


@transaction.atomic
def person_add(
    *,
    actor: User,
    network: m.FamilyNetwork,
    data: PersonData,
    source: Source_ = Source_(),
    related_to: m.Person | None = None,
    relationship: RelationshipData | None = None,
    reverse: bool = False,
    as_index: bool = False,
    home: m.Household | None = None,
    address: AddressData | None = None,
    other_names: Sequence[tuple[str, str, str]] = (),
) -> m.Person:
    """Add a new person to the network, optionally with their relationship to a
    member (``person`` is <type> of ``related_to``, or the reverse), where
    they live (``home``, a household of the network, or a new ``address``:
    :func:`residence_create`) and the other names they have been known by
    (``(kind, given name, family name)``, kind "previous" or "alias":
    :func:`other_name_add`), all in one transaction. Raises RecordError
    naming the field at fault (an other name's as ``other_names``)."""
    data = data.cleaned()
    data.check()
    source.check()
    proposal = _Proposal(people={-1: _core_person(-1, data)})
    if relationship is not None:
        if related_to is None:
            raise RecordError("Choose who this person is related to", field="related_to")
        _rel_type_or_error(relationship.type)
        a, b = (related_to.pk, -1) if reverse else (-1, related_to.pk)
        proposal.relationships.append(relationship.core(-1, a, b))
    _check(network, proposal)
    _nhs_number_free(data.nhs_number)
    person = m.Person.objects.create(
        **dataclasses.asdict(data), provenance=_field_provenance(data, source, actor)
    )
    m.NetworkMember.objects.create(network=network, person=person, is_index=as_index)
    _audit_person(actor, [network], person, {})
    if relationship is not None and related_to is not None:
        a_p, b_p = (related_to, person) if reverse else (person, related_to)
        _relationship_insert(actor, [network], a_p, b_p, relationship, source)
    if home is not None or address is not None:
        residence_create(
            actor=actor, network=network, person=person, household=home, address=address, source=source
        )
    for kind, given, family in other_names:
        try:
            other_name_add(
                actor=actor, network=network, person=person, kind=kind, given_name=given, family_name=family
            )
        except RecordError as err:
            name = f"{given} {family}".strip()
            raise RecordError(f"Other name \u2018{name}\u2019: {err}", field="other_names") from err
    _touch(network, actor)
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    data: PersonData,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.Person:
    data = data.cleaned()
    data.check()
    source.check()
    row: m.Person = _lock_version(m.Person, person.pk, expected_version, "person")
    old = {f: getattr(row, f) for f in PERSON_FIELDS}
    networks = _networks_for(actor, network, row, "person", change=False)
    current = family_record_load(network).graph_network
    proposal = _Proposal(people={row.pk: _core_person(row.pk, data, current.people.get(row.pk))})
    ends = _ended_by_death(row, data.death_date) if data.death_date != old["death_date"] else _DeathEnds()
    ends.accuracy, ends.latest = data.death_date_accuracy, data.death_date_latest
    how = DateAccuracy(ends.accuracy)
    proposal.care = [
        dataclasses.replace(c, end=ends.care[c.id], end_accuracy=how, end_latest=ends.latest)
        for c in current.care
        if c.id in ends.care
    ]
    proposal.pr = [
        dataclasses.replace(r, end=ends.pr[r.id], end_accuracy=how, end_latest=ends.latest)
        for r in current.parental_responsibility
        if r.id in ends.pr
    ]
    _check(network, proposal, current)
    _check_each(networks[1:], proposal)
    _nhs_number_free(data.nhs_number, person_id=row.pk)
    for f, v in dataclasses.asdict(data).items():
        setattr(row, f, v)
    if source.source:
        entry = _provenance_entry(source, actor)
        prov = dict(row.provenance or {})
        for f in KEY_PERSON_FIELDS:
            if getattr(data, f) != old[f] and getattr(data, f) not in ("", None):
                prov[f] = entry
        row.provenance = prov
    row.version += 1
    row.save()
    _audit_person(actor, networks, row, old)
    died = KnownDate(data.death_date, DateAccuracy(data.death_date_accuracy), data.death_date_latest)
    on = f"on {data.death_date}" if died.accuracy is DateAccuracy.EXACT else died.words()
    ends.save(actor, networks, f"ended by the death of {row} {on}")
    _touch_each(networks, actor)
    return row


@dataclass
class _DeathEnds:
    """The care arrangements and parental responsibility records a death ends:
    their rows (locked) and, by pk, their new end date."""

    care_rows: list[m.CareArrangement] = field(default_factory=list)
    care: dict[int, date] = field(default_factory=dict)
    pr_rows: list[m.ParentalResponsibility] = field(default_factory=list)
    pr: dict[int, date] = field(default_factory=dict)
    # how well the death is known: the records end as well known as it
    accuracy: str = DateAccuracy.EXACT.value
    latest: date | None = None

    def save(self, actor: User | None, networks: list[m.FamilyNetwork], reason: str) -> None:
        _end_each(self.care_rows, self.care, actor, networks, reason, self.accuracy, self.latest)
        _end_each(self.pr_rows, self.pr, actor, networks, reason, self.accuracy, self.latest)


def _ended_by_death(person: m.Person, died: date | None) -> _DeathEnds:
    """Death carries through (``kinmap.core.responsibility.ended_by_death``):
    the person's care arrangements, as carer or as the child cared for, and
    parental responsibility records, as holder or as the child, still running
    on the day they died end that day. Nothing ends when ``died`` is None."""
    if died is None:
        return _DeathEnds()
    care = list(
        m.CareArrangement.objects.select_for_update().filter(Q(carer=person) | Q(child=person)).order_by("pk")
    )
    prs = list(
        m.ParentalResponsibility.objects.select_for_update()
        .filter(Q(person=person) | Q(child=person))
        .order_by("pk")
    )
    care_ends, pr_ends = ended_by_death(care, died), ended_by_death(prs, died)
    return _DeathEnds(
        [c for c in care if c.pk in care_ends], care_ends, [r for r in prs if r.pk in pr_ends], pr_ends
    )


# -- facts and other names -----------------------------------------------


@transaction.atomic
def fact_set(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    key: str,
    value: str,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.PersonFact:
    """Record an answer about a person (see ``kinmap.core.model.Fact``).

    ``expected_version`` is the version of the answer already recorded when the
    page was loaded, or None when there was none. Like every edit, a change
    based on what is no longer saved is refused with :class:`StaleEdit` and
    nothing saved: an answer recorded (or changed, or removed) by someone else
    since the page loaded is never silently replaced.
    """
    source.check()
    if not value.strip():
        raise RecordError("Enter the answer", field="value")
    refuse_hidden_characters(value, "value", "The answer", multiline=True)
    networks = _networks_for(actor, network, person, "person", change=False)
    # two first answers at once: the second waits, then is refused as stale
    advisory_xact_lock(advisory.PERSON_FACT, person.pk)
    row = m.PersonFact.objects.select_for_update().filter(person=person, key=key).first()
    if row is not None:
        check_version(row.version, expected_version, "answer")
    elif expected_version is not None:
        raise StaleEdit("answer")  # removed since the page loaded
    old = {"value": row.value} if row else {}
    if row is None:
        row = m.PersonFact(person=person, key=key, value=value.strip())
    else:
        row.value = value.strip()
        row.version += 1
    _stamp(row, source, actor)
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update" if old else "create",
        object_type="fact",
        object_id=row.pk,
        changes={"person": [None, person.pk], "key": [None, key], **_diff(old, {"value": row.value})},
    )
    _touch_each(networks, actor)
    return row


@transaction.atomic
def fact_remove(*, actor: User, network: m.FamilyNetwork, person: m.Person, key: str, reason: str) -> None:
    """Remove ``person``'s fact ``key`` (its history keeps it, with who removed
    it and ``reason``). Nothing happens when there is no such fact. Raises
    :class:`RecordError` for a reason with hidden characters, and Http404 or
    RecordError as :func:`_networks_for` does for a network the actor may not
    change."""
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row = m.PersonFact.objects.filter(person=person, key=key).first()
    if row is None:
        return
    networks = _networks_for(actor, network, person, "person", change=False)
    pk, value = row.pk, row.value
    row._history_user = actor  # type: ignore[attr-defined]  # the history row: who and why
    row._change_reason = reason  # type: ignore[attr-defined]
    row.delete()
    _audit_each(
        networks,
        actor=actor,
        action="delete",
        object_type="fact",
        object_id=pk,
        changes={"key": [key, None], "value": [value, None]},
        reason=reason,
    )
    _touch_each(networks, actor)


@transaction.atomic
def other_name_add(
    *, actor: User, network: m.FamilyNetwork, person: m.Person, kind: str, given_name: str, family_name: str
) -> m.OtherName:
    """Record a previous name or alias of ``person``. The names are stored as
    ``kinmap.core.text.normalise_text`` makes them and refused as
    ``kinmap.core.text.name_error`` says (RecordError naming the field)."""
    given_name, family_name = normalise_text(given_name), normalise_text(family_name)
    if not given_name and not family_name:
        raise RecordError("Enter the other name", field="given_name")
    if kind not in ("previous", "alias"):
        raise RecordError("Choose whether this is a previous name or an alias", field="kind")
    problems = [
        Problem("other_name", 0, f, err)
        for f, value, what in (
            ("given_name", given_name, "given name"),
            ("family_name", family_name, "family name"),
        )
        if (err := name_error(value, what=what))
    ]
    if problems:
        raise RecordError(problems)
    networks = _networks_for(actor, network, person, "person", change=False)
    row = m.OtherName.objects.create(person=person, kind=kind, given_name=given_name, family_name=family_name)
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="other_name",
        object_id=row.pk,
        changes={
            "person": [None, person.pk],
            "kind": [None, kind],
            "name": [None, f"{given_name} {family_name}".strip()],
        },
    )
    _touch_each(networks, actor)
    return row
