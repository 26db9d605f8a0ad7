"""Changes to the family record.

Every service takes keyword-only arguments, runs in one transaction, checks
the network as it would be after the change (``kinmap.core.validation``),
refuses the change with a :class:`RecordError` naming the field at fault (and
saves nothing), and writes the audit event with old and new values.

A record can belong to several family networks (``kinmap.records.membership``).
A change to one is audited against, checked in and recomputed in every network
it belongs to, in the same transaction; a change to an existing relationship,
stay, household, care arrangement or parental responsibility record is refused
(``Http404``, as the pages answer) unless it belongs to the network named and
the actor may see every other network it belongs to (``kinmap.records.access``).
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core import model as core
from kinmap.core.dates import KnownDate
from kinmap.core.nhs import normalise_nhs_number
from kinmap.core.responsibility import care_orders_ended_by, ended_by_death, ended_by_order
from kinmap.core.text import name_error, normalise_identifier, normalise_text
from kinmap.core.validation import Problem, network_problems
from kinmap.core.vocab import PR_BASIS_LABELS, CarePlace, DateAccuracy, PRBasis, Sex, Source, rel_type

from . import access, membership
from . import models as m
from .errors import RecordError, StaleEdit, check_version, refuse_hidden_characters
from .known_dates import EXACT_SPAN, SpanAccuracy, accuracy_error, span_dates
from .lifecycle import NetworkClosed
from .selectors import family_record_load

# Hooks run inside the transaction after every change to a family network
# (the gaps engine registers its recompute here). Each takes the network.
_after_change: list[Callable[[m.FamilyNetwork, User | None], None]] = []


def on_family_change(fn: Callable[[m.FamilyNetwork, User | None], None]) -> None:
    if fn not in _after_change:
        _after_change.append(fn)


PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_absent_reason",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "birth_date_latest",
    "death_date",
    "death_date_accuracy",
    "death_date_latest",
    "nhs_number",
    "phone",
    "phone_masked",
    "email",
    "seen_directly_on",
)
# Fields whose source is kept with the value (PRODUCT.md: fact provenance).
KEY_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "death_date",
    "nhs_number",
    "phone",
    "email",
    "sex",
)


NETWORK_NAME_LABEL = "The name of the family network"


@dataclass(frozen=True)
class Source_:
    """Where the facts in one change came from."""

    source: str = ""
    detail: str = ""

    def check(self) -> None:
        if self.source and self.source not in {s.value for s in Source}:
            raise RecordError(f"Unknown source {self.source!r}", field="source")
        refuse_hidden_characters(self.detail, "source_detail", "Who said it, or which agency or document")
        if self.source in (Source.SAID_BY, Source.OTHER_AGENCY) and not self.detail.strip():
            who = "who said it" if self.source == Source.SAID_BY else "which agency supplied it"
            raise RecordError(f"Say {who}", field="source_detail")


@dataclass(frozen=True)
class PersonData:
    given_name: str = ""
    family_name: str = ""
    name_absent_reason: str = ""
    sex: str = Sex.UNKNOWN.value
    birth_date: date | None = None
    birth_date_accuracy: str = DateAccuracy.UNKNOWN.value
    death_date: date | None = None
    nhs_number: str = ""
    phone: str = ""
    phone_masked: bool = False
    email: str = ""
    seen_directly_on: date | None = None
    # the second bound of a "between" date of birth; how well the death date is known
    birth_date_latest: date | None = None
    death_date_accuracy: str = DateAccuracy.EXACT.value
    death_date_latest: date | None = None

    def check(self) -> None:
        """Raise RecordError for an accuracy that is not a ``DateAccuracy`` code
        (a death date cannot be "expected")."""
        accuracy_error(self.birth_date_accuracy, "birth_date")
        accuracy_error(self.death_date_accuracy, "death_date", span=True)

    def cleaned(self) -> PersonData:
        return dataclasses.replace(
            self,
            given_name=normalise_text(self.given_name),
            family_name=normalise_text(self.family_name),
            name_absent_reason=normalise_text(self.name_absent_reason),
            nhs_number=normalise_nhs_number(self.nhs_number),
            phone=normalise_identifier(self.phone),
            email=normalise_text(self.email),
            birth_date_latest=self.birth_date_latest
            if self.birth_date_accuracy == DateAccuracy.BETWEEN
            else None,
            death_date_latest=self.death_date_latest
            if self.death_date_accuracy == DateAccuracy.BETWEEN
            else None,
        )

    @classmethod
    def of(cls, p: m.Person) -> PersonData:
        return cls(**{f: getattr(p, f) for f in PERSON_FIELDS})


@dataclass(frozen=True)
class RelationshipData:
    type: str
    start: date | None = None
    end: date | None = None
    legal_basis: str = ""  # a LegalParentBasis code, for a legal parent (PRN) only
    start_accuracy: str = DateAccuracy.EXACT.value  # kinmap.records.known_dates
    start_latest: date | None = None
    end_accuracy: str = DateAccuracy.EXACT.value
    end_latest: date | None = None

    def core(self, rid: int, from_id: int, to_id: int) -> core.Relationship:
        """The relationship as the functional core sees it, for validation."""
        _span_of(self).check()
        return core.Relationship(
            rid, from_id, to_id, self.type, self.start, self.end, None, self.legal_basis, **span_dates(self)
        )

    def dates(self) -> dict[str, Any]:
        """The dates with their accuracy, as model fields."""
        return {"start": self.start, "end": self.end, **dataclasses.asdict(_span_of(self))}


@dataclass(frozen=True)
class CareData:
    place: str
    frequency: str = ""
    overnight: bool = False
    supervised: bool = False
    sleep_place: str = ""
    start: date | None = None
    end: date | None = None
    start_accuracy: str = DateAccuracy.EXACT.value  # kinmap.records.known_dates
    start_latest: date | None = None
    end_accuracy: str = DateAccuracy.EXACT.value
    end_latest: date | None = None


def _span_of(d: Any) -> SpanAccuracy:
    """The accuracy of ``d``'s start and end (RelationshipData, CareData)."""
    return SpanAccuracy(d.start_accuracy, d.start_latest, d.end_accuracy, d.end_latest)


@dataclass(frozen=True)
class AddressData:
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    masked: bool = False

    def cleaned(self) -> AddressData:
        return dataclasses.replace(
            self,
            address_line_1=normalise_text(self.address_line_1),
            address_line_2=normalise_text(self.address_line_2),
            town=normalise_text(self.town),
            postcode=normalise_identifier(self.postcode).upper(),
        )


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


def _core_person(pid: int, d: PersonData, old: core.Person | None = None) -> core.Person:
    base = old or core.Person(id=pid)
    return dataclasses.replace(
        base,
        id=pid,
        given_name=d.given_name,
        family_name=d.family_name,
        name_absent_reason=d.name_absent_reason,
        sex=Sex(d.sex),
        birth_date=d.birth_date,
        birth_date_accuracy=DateAccuracy(d.birth_date_accuracy),
        death_date=d.death_date,
        nhs_number=d.nhs_number,
        phone=d.phone,
        email=d.email,
        phone_masked=d.phone_masked,
        seen_directly_on=d.seen_directly_on,
        birth_date_latest=d.birth_date_latest,
        death_date_accuracy=DateAccuracy(d.death_date_accuracy),
        death_date_latest=d.death_date_latest,
    )


T = TypeVar("T", bound=Any)
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")


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


# The advisory lock class for NHS numbers being given (any fixed number not
# used for another lock in kinmap).
NHS_NUMBER_LOCK = 4_765_919
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
    if nhs_number and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(nhs_number.encode()) & 0x7FFFFFFF
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NHS_NUMBER_LOCK, key])
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


# -- relationships --------------------------------------------------------


def _rel_type_or_error(code: str) -> None:
    try:
        rel_type(code)
    except ValueError:
        raise RecordError("Choose a relationship from the list", field="type") from None


def _relationship_insert(
    actor: User | None,
    networks: list[m.FamilyNetwork],
    a: m.Person,
    b: m.Person,
    data: RelationshipData,
    source: Source_,
) -> m.Relationship:
    # Symmetric types are stored once, whichever way round they were entered.
    t = rel_type(data.type)
    if t.symmetric and m.Relationship.objects.filter(from_person=b, to_person=a, type=data.type).exists():
        raise RecordError("This relationship is already recorded", field="type")
    rel = m.Relationship(
        from_person=a,
        to_person=b,
        type=data.type,
        legal_basis=data.legal_basis,
        **data.dates(),
    )
    _stamp(rel, source, actor)
    try:
        with transaction.atomic():
            rel.save()
    except IntegrityError:
        raise RecordError("This relationship is already recorded", field="type") from None
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="relationship",
        object_id=rel.pk,
        changes={
            "from": [None, a.pk],
            "to": [None, b.pk],
            "type": [None, data.type],
            **{k: [None, v] for k, v in data.dates().items()},
            "legal_basis": [None, data.legal_basis],
        },
    )
    return rel


@transaction.atomic
def relationship_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    from_person: m.Person,
    to_person: m.Person,
    data: RelationshipData,
    source: Source_ = Source_(),
) -> m.Relationship:
    """Record that ``from_person`` is <type> of ``to_person``."""
    source.check()
    _rel_type_or_error(data.type)
    if from_person.pk == to_person.pk:
        raise RecordError("A person cannot be related to themselves", field="to_person")
    new = m.Relationship(from_person=from_person, to_person=to_person)
    networks = _networks_for(actor, network, new, "relationship", change=False)
    _check_each(
        networks,
        _Proposal(relationships=[data.core(-1, from_person.pk, to_person.pk)]),
    )
    rel = _relationship_insert(actor, networks, from_person, to_person, data, source)
    _touch_each(networks, actor)
    return rel


@transaction.atomic
def relationship_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    relationship: m.Relationship,
    data: RelationshipData,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.Relationship:
    source.check()
    _rel_type_or_error(data.type)
    row: m.Relationship = _lock_version(m.Relationship, relationship.pk, expected_version, "relationship")
    networks = _networks_for(actor, network, row, "relationship", change=True)
    _check_each(
        networks,
        _Proposal(relationships=[data.core(row.pk, row.from_person_id, row.to_person_id)]),
    )
    old = {"type": row.type, "legal_basis": row.legal_basis, **{k: getattr(row, k) for k in data.dates()}}
    row.type, row.legal_basis = data.type, data.legal_basis
    for k, v in data.dates().items():
        setattr(row, k, v)
    if source.source:
        _stamp(row, source, actor)
    row.version += 1
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise RecordError("This relationship is already recorded", field="type") from None
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="relationship",
        object_id=row.pk,
        changes=_diff(old, {"type": row.type, "legal_basis": row.legal_basis, **data.dates()}),
    )
    _touch_each(networks, actor)
    return row


@transaction.atomic
def relationship_delete(
    *,
    actor: User,
    network: m.FamilyNetwork,
    relationship: m.Relationship,
    reason: str,
    expected_version: int | None = None,
) -> None:
    if not reason.strip():
        raise RecordError("Say why this relationship is being removed", field="reason")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    relationship = _lock_version(m.Relationship, relationship.pk, expected_version, "relationship")
    networks = _networks_for(actor, network, relationship, "relationship", change=True)
    old = {"from": relationship.from_person_id, "to": relationship.to_person_id, "type": relationship.type}
    pk = relationship.pk
    relationship._history_user = actor  # type: ignore[attr-defined]  # the history row: who and why
    relationship._change_reason = reason.strip()  # type: ignore[attr-defined]
    relationship.delete()
    _audit_each(
        networks,
        actor=actor,
        action="delete",
        object_type="relationship",
        object_id=pk,
        changes={k: [v, None] for k, v in old.items()},
        reason=reason.strip(),
    )
    _touch_each(networks, actor)


# -- households -----------------------------------------------------------


def _address_error(a: AddressData) -> None:
    for f, label in (
        ("address_line_1", "Address line 1"),
        ("address_line_2", "Address line 2"),
        ("town", "Town or city"),
        ("postcode", "Postcode"),
    ):
        refuse_hidden_characters(getattr(a, f), f, label)
    if not a.address_line_1 and not a.postcode:
        raise RecordError("Enter the first line of the address or the postcode", field="address_line_1")
    if a.postcode and not _looks_like_postcode(a.postcode):
        raise RecordError("Enter a real postcode, like SW1A 1AA", field="postcode")


def _looks_like_postcode(pc: str) -> bool:
    return bool(_POSTCODE.fullmatch(pc))


@transaction.atomic
def residence_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    household: m.Household | None = None,
    address: AddressData | None = None,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.Residence:
    """Record that a person lives (or lived) at an address: an existing household
    or a new one. ``start`` (moving in) and ``end`` (moving out) are known as
    ``accuracy`` says (default exact)."""
    source.check()
    accuracy.check()
    if household is None:
        if address is None:
            raise RecordError("Choose an address or enter a new one", field="household")
        address = address.cleaned()
        _address_error(address)
    networks = _networks_for(actor, network, m.Residence(person=person), "household", change=False)
    _check_each(
        networks,
        _Proposal(
            residences=[
                core.Residence(
                    -1, person.pk, household.pk if household else -2, start, end, **accuracy.core()
                )
            ]
        ),
    )
    if household is None:
        assert address is not None
        household = m.Household(**dataclasses.asdict(address))
        _stamp(household, source, actor)
        household.save()
        _audit_each(
            networks,
            actor=actor,
            action="create",
            object_type="household",
            object_id=household.pk,
            changes=_household_changes({}, household),
        )
    res = m.Residence(
        person=person, household=household, start=start, end=end, **dataclasses.asdict(accuracy)
    )
    _stamp(res, source, actor)
    res.save()
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="residence",
        object_id=res.pk,
        changes={
            "person": [None, person.pk],
            "household": [None, household.pk],
            "start": [None, start],
            "end": [None, end],
            **{k: [None, v] for k, v in dataclasses.asdict(accuracy).items()},
        },
    )
    _touch_each(networks, actor)
    return res


@transaction.atomic
def residences_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    people: Sequence[m.Person],
    household: m.Household | None = None,
    address: AddressData | None = None,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> list[m.Residence]:
    """Record that several people live (or lived) at one address, in one
    transaction: :func:`residence_create` for each, the first making the
    household when the address is new. Raises RecordError (nothing saved)
    when ``people`` is empty or any one residence is refused."""
    if not people:
        raise RecordError("Choose who lives there", field="person")
    out: list[m.Residence] = []
    for person in people:
        res = residence_create(
            actor=actor,
            network=network,
            person=person,
            household=household,
            address=None if household else address,
            start=start,
            end=end,
            source=source,
            accuracy=accuracy,
        )
        household = res.household
        out.append(res)
    return out


def _household_changes(old: dict[str, Any], h: m.Household) -> dict[str, list[Any]]:
    new = {f: getattr(h, f) for f in ("address_line_1", "address_line_2", "town", "postcode", "masked")}
    hidden = ["address_line_1", "address_line_2", "town", "postcode"] if h.masked or old.get("masked") else []
    return _diff(old, new, masked=hidden)


@transaction.atomic
def residence_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    residence: m.Residence,
    start: date | None,
    end: date | None,
    expected_version: int | None,
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.Residence:
    """Change when a person moved in (``start``) and out (``end``: None, still
    there), known as ``accuracy`` says. Raises RecordError (nothing saved)."""
    accuracy.check()
    row: m.Residence = _lock_version(m.Residence, residence.pk, expected_version, "household stay")
    networks = _networks_for(actor, network, row, "household", change=True)
    _check_each(
        networks,
        _Proposal(
            residences=[
                core.Residence(row.pk, row.person_id, row.household_id, start, end, **accuracy.core())
            ]
        ),
    )
    new = {"start": start, "end": end, **dataclasses.asdict(accuracy)}
    old = {k: getattr(row, k) for k in new}
    for k, v in new.items():
        setattr(row, k, v)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="residence",
        object_id=row.pk,
        changes=_diff(old, new),
    )
    _touch_each(networks, actor)
    return row


@transaction.atomic
def household_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    household: m.Household,
    address: AddressData,
    expected_version: int | None,
) -> m.Household:
    address = address.cleaned()
    _address_error(address)
    row: m.Household = _lock_version(m.Household, household.pk, expected_version, "address")
    networks = _networks_for(actor, network, row, "household", change=True)
    old = {f: getattr(row, f) for f in ("address_line_1", "address_line_2", "town", "postcode", "masked")}
    for k, v in dataclasses.asdict(address).items():
        setattr(row, k, v)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="household",
        object_id=row.pk,
        changes=_household_changes(old, row),
    )
    _touch_each(networks, actor)
    return row


# -- care -----------------------------------------------------------------


def _care_checks(d: CareData) -> None:
    if d.place not in {p.value for p in CarePlace}:
        raise RecordError("Choose where the care happens", field="place")
    refuse_hidden_characters(d.frequency, "frequency", "How often")
    refuse_hidden_characters(d.sleep_place, "sleep_place", "Where the baby sleeps")
    _span_of(d).check()


def _core_care(pk: int, carer_id: int, child_id: int, d: CareData) -> core.CareArrangement:
    return core.CareArrangement(
        pk,
        carer_id,
        child_id,
        CarePlace(d.place),
        d.frequency,
        d.overnight,
        d.supervised,
        d.start,
        d.end,
        d.sleep_place,
        **span_dates(d),
    )


@transaction.atomic
def care_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    carer: m.Person,
    child: m.Person,
    data: CareData,
    source: Source_ = Source_(),
) -> m.CareArrangement:
    source.check()
    _care_checks(data)
    new = m.CareArrangement(carer=carer, child=child)
    networks = _networks_for(actor, network, new, "care arrangement", change=False)
    _check_each(networks, _Proposal(care=[_core_care(-1, carer.pk, child.pk, data)]))
    care = m.CareArrangement(carer=carer, child=child, **dataclasses.asdict(data))
    _stamp(care, source, actor)
    care.save()
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="care",
        object_id=care.pk,
        changes={
            "carer": [None, carer.pk],
            "child": [None, child.pk],
            **{k: [None, v] for k, v in dataclasses.asdict(data).items()},
        },
    )
    _touch_each(networks, actor)
    return care


@transaction.atomic
def care_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    care: m.CareArrangement,
    data: CareData,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.CareArrangement:
    source.check()
    _care_checks(data)
    row: m.CareArrangement = _lock_version(m.CareArrangement, care.pk, expected_version, "care arrangement")
    networks = _networks_for(actor, network, row, "care arrangement", change=True)
    _check_each(networks, _Proposal(care=[_core_care(row.pk, row.carer_id, row.child_id, data)]))
    old = {k: getattr(row, k) for k in dataclasses.asdict(data)}
    for k, v in dataclasses.asdict(data).items():
        setattr(row, k, v)
    if source.source:
        _stamp(row, source, actor)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="care",
        object_id=row.pk,
        changes=_diff(old, dataclasses.asdict(data)),
    )
    _touch_each(networks, actor)
    return row


# -- parental responsibility and other answers -----------------------------


def _core_pr(row: m.ParentalResponsibility) -> core.ParentalResponsibility:
    return core.ParentalResponsibility(
        row.pk,
        m.pr_holder_id(row),
        row.child_id,
        PRBasis(row.basis),
        row.start,
        None,
        row.end,
        **span_dates(row),
    )


@transaction.atomic
def pr_set(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    child: m.Person,
    basis: str,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    record: m.ParentalResponsibility | None = None,
    expected_version: int | None = None,
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.ParentalResponsibility:
    """Record a period of a person's parental responsibility for a child
    (``record`` None: a new record) or change one (``record``, whose version
    must be ``expected_version``). ``start`` and ``end`` are dates (None: not
    known, and still running), known as ``accuracy`` says (default exact).

    An adoption or parental order ends, on the day it was made, every other
    record for the child still running then, and any care order (the local
    authority's parental responsibility; ``kinmap.core.responsibility``);
    each record it ends is audited as a change. Raises :class:`RecordError`
    (nothing saved) for a basis not in ``PRBasis``, a child holding it for
    themselves, or a network problem (``kinmap.core.validation``: dates that
    cannot be, two records for the pair at once, an order without its date),
    and :class:`StaleEdit` for a change to a record changed since it was loaded.
    """
    source.check()
    accuracy.check()
    if basis not in {b.value for b in PRBasis}:
        raise RecordError("Choose the basis of parental responsibility", field="basis")
    if person.pk == child.pk:
        raise RecordError("A child cannot hold parental responsibility for themselves", field="person")
    what = "parental responsibility record"
    row = None
    if record is not None:
        row = _lock_version(m.ParentalResponsibility, record.pk, expected_version, what)
    networks = _networks_for(
        actor,
        network,
        row or m.ParentalResponsibility(person=person, child=child),
        what,
        change=row is not None,
    )
    if row is not None:
        person, child = row.person, row.child
    proposed = core.ParentalResponsibility(
        row.pk if row else -1, person.pk, child.pk, PRBasis(basis), start, None, end, **accuracy.core()
    )
    locked = list(
        m.ParentalResponsibility.objects.select_for_update().filter(child=child).exclude(pk=proposed.id)
    )
    others = [x for x in locked if x.person_id is not None]
    orders = [x for x in locked if x.person_id is None]  # care orders: the local authority's
    ended = ended_by_order([_core_pr(x) for x in others], proposed)
    ended_rows = [x for x in others if x.pk in ended]
    orders_ended = care_orders_ended_by(
        [
            core.CareOrder(o.pk, o.child_id, o.local_authority, o.start, o.end, **span_dates(o))
            for o in orders
        ],
        proposed,
    )
    changed = [proposed, *(dataclasses.replace(_core_pr(x), end=ended[x.pk]) for x in ended_rows)]
    _check_each(networks, _Proposal(pr=changed))
    new = {"basis": basis, "start": start, "end": end, **dataclasses.asdict(accuracy)}
    old = {k: getattr(row, k) for k in new} if row else {}
    if row is None:
        row = m.ParentalResponsibility(person=person, child=child, **new)
    else:
        for k, v in new.items():
            setattr(row, k, v)
        row.version += 1
    _stamp(row, source, actor)
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update" if old else "create",
        object_type="parental_responsibility",
        object_id=row.pk,
        changes=_diff(old, new),
    )
    label = PR_BASIS_LABELS[PRBasis(basis)].lower()
    _end_each(ended_rows, ended, actor, networks, f"ended by the {label} (record {row.pk})")
    _end_each(
        [o for o in orders if o.pk in orders_ended],
        orders_ended,
        actor,
        networks,
        f"care order ended by the {label} (record {row.pk})",
    )
    _touch_each(networks, actor)
    return row


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
