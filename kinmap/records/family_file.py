"""The kinmap family file: one JSON document carrying one or more family
networks with their people, relationships, households, care arrangements and
parental responsibility, each fact with its provenance (docs/family-file.md).

- :func:`family_file_read` parses and checks a file. Every problem is reported,
  each naming the record and field at fault
  (``people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)``).
- :func:`family_file_import` loads a checked file all or nothing, in one
  transaction, through the record services (so the core validations apply and
  every change is audited), and adds one ``import`` audit event for the file.
- :func:`family_file_export` writes the same format from the database, in a
  stable order with ids derived from it, so export, import and export again
  gives the identical file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.audit.services import audit_record
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.core import model as core
from kinmap.core.text import normalise_text, text_error
from kinmap.core.validation import network_problems
from kinmap.core.vocab import (
    CONTACT_TYPE_LABELS,
    REL_BY_CODE,
    CarePlace,
    DateAccuracy,
    InfoHow,
    InvitationOutcome,
    NameKind,
    PRBasis,
    Sex,
    Source,
)

from . import models as m
from . import services as s
from .errors import RecordError

FORMAT_KEY = "kinmap-family-file"
FORMAT_VERSION = 1

MASKED_INCLUDED = "included"
MASKED_WITHHELD = "withheld"

SEXES = tuple(x.value for x in Sex)
ACCURACIES = tuple(x.value for x in DateAccuracy)
SOURCES = tuple(x.value for x in Source)
PLACES = tuple(x.value for x in CarePlace)
BASES = tuple(x.value for x in PRBasis)
NAME_KINDS = tuple(x.value for x in NameKind)
REL_CODES = tuple(REL_BY_CODE)
CONTACT_TYPES = tuple(CONTACT_TYPE_LABELS)
HOWS = tuple(x.value for x in InfoHow)
OUTCOMES = tuple(x.value for x in InvitationOutcome)

TOP_KEYS = (
    FORMAT_KEY,
    "description",
    "reference_date",
    "masked_details",
    "networks",
    "people",
    "households",
    "relationships",
    "residences",
    "care_arrangements",
    "parental_responsibility",
    "joint_appointments",
    "information_given",
)
NETWORK_KEYS = ("id", "name", "index_children", "other_members", "allocations")
ALLOCATION_KEYS = ("agency", "team", "start", "end")
PERSON_KEYS = (
    "id",
    "given_name",
    "family_name",
    "name_absent_reason",
    "other_names",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "death_date",
    "nhs_number",
    "phone",
    "phone_masked",
    "email",
    "seen_directly_on",
    "facts",
    "provenance",
)
OTHER_NAME_KEYS = ("kind", "given_name", "family_name")
FACT_KEYS = ("value", "provenance")
PROVENANCE_KEYS = ("source", "detail", "recorded_by", "recorded_at")
HOUSEHOLD_KEYS = ("id", "address_line_1", "address_line_2", "town", "postcode", "masked", "provenance")
RELATIONSHIP_KEYS = ("from", "to", "type", "start", "end", "provenance")
RESIDENCE_KEYS = ("person", "household", "start", "end", "provenance")
CARE_KEYS = (
    "carer",
    "child",
    "place",
    "frequency",
    "overnight",
    "supervised",
    "sleep_place",
    "start",
    "end",
    "provenance",
)
PR_KEYS = ("person", "child", "basis", "start", "provenance")
JOINT_KEYS = (
    "id",
    "network",
    "person",
    "contact_on",
    "contact_type",
    "invited_on",
    "invited_by",
    "outcome",
    "outcome_note",
)
INFORMATION_KEYS = (
    "network",
    "person",
    "material",
    "how",
    "given_on",
    "given_by",
    "declined",
    "declined_reason",
    "appointment",
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


# -- problems ----------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem with a family file: the record, the field, what is wrong."""

    where: str  # 'people[3] (id "p4")', 'relationships[2]', '' for the file itself
    field: str  # 'birth_date', 'provenance.birth_date.recorded_at', '' for the whole record
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.where, self.field, self.message) if part)


class FamilyFileError(Exception):
    """The file was refused. Nothing has been saved."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @property
    def messages(self) -> list[str]:
        return [str(i) for i in self.issues]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(choices: Sequence[str]) -> str:
    return ", ".join(choices)


# -- the parsed file -----------------------------------------------------------


@dataclass
class Prov:
    source: str = ""
    detail: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None


@dataclass
class AllocationIn:
    agency: str
    team: str
    start: date
    end: date | None


@dataclass
class NetworkIn:
    id: str
    name: str
    index_children: list[str]
    other_members: list[str]
    allocations: list[AllocationIn]


@dataclass
class FactIn:
    value: str
    provenance: Prov


@dataclass
class PersonIn:
    id: str
    data: s.PersonData
    other_names: list[tuple[str, str, str]]  # (kind, given name, family name)
    facts: dict[str, FactIn]
    provenance: dict[str, Prov]  # by person field


@dataclass
class HouseholdIn:
    id: str
    address: s.AddressData
    provenance: Prov


@dataclass
class RelationshipIn:
    from_id: str
    to_id: str
    type: str
    start: date | None
    end: date | None
    provenance: Prov


@dataclass
class ResidenceIn:
    person: str
    household: str
    start: date | None
    end: date | None
    provenance: Prov


@dataclass
class CareIn:
    carer: str
    child: str
    data: s.CareData
    provenance: Prov


@dataclass
class PRIn:
    person: str
    child: str
    basis: str
    start: date | None
    provenance: Prov


@dataclass
class JointIn:
    id: str
    network: str
    person: str
    contact_on: date | None
    contact_type: str
    invited_on: date | None
    invited_by: str
    outcome: str
    outcome_note: str


@dataclass
class InformationIn:
    network: str
    person: str
    material: str
    how: str
    given_on: date | None
    given_by: str
    declined: bool
    declined_reason: str
    appointment: str


@dataclass
class FamilyFile:
    networks: list[NetworkIn] = field(default_factory=list)
    people: list[PersonIn] = field(default_factory=list)
    households: list[HouseholdIn] = field(default_factory=list)
    relationships: list[RelationshipIn] = field(default_factory=list)
    residences: list[ResidenceIn] = field(default_factory=list)
    care: list[CareIn] = field(default_factory=list)
    pr: list[PRIn] = field(default_factory=list)
    joint: list[JointIn] = field(default_factory=list)
    information: list[InformationIn] = field(default_factory=list)
    reference_date: date | None = None
    masked_details: str = MASKED_INCLUDED
    description: str = ""
    # Where each user name and team is named, to report one not found there.
    _user_refs: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    _team_refs: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    def person_label(self, index: int) -> str:
        return f'people[{index}] (id "{self.people[index].id}")'

    def counts(self) -> dict[str, int]:
        return {
            "networks": len(self.networks),
            "people": len(self.people),
            "relationships": len(self.relationships),
            "households": len(self.households),
            "residences": len(self.residences),
            "care_arrangements": len(self.care),
            "parental_responsibility": len(self.pr),
            "joint_appointments": len(self.joint),
            "information_given": len(self.information),
        }

    def joint_label(self, index: int) -> str:
        return f'joint_appointments[{index}] (id "{self.joint[index].id}")'


# -- reading -------------------------------------------------------------------


class _Fields:
    """Reads the fields of one JSON object, collecting an issue for each one at fault."""

    def __init__(
        self,
        obj: Any,
        where: str,
        issues: list[Issue],
        allowed: Sequence[str],
        *,
        prefix: str = "",
        what: str = "record",
    ) -> None:
        self.where, self.issues, self.prefix = where, issues, prefix
        self.ok = isinstance(obj, dict)
        self.obj: dict[str, Any] = obj if isinstance(obj, dict) else {}
        if not self.ok:
            issues.append(Issue(where, prefix.rstrip("."), f"must be an object {{...}}, not {_show(obj)}"))
            return
        for key in self.obj:
            if key not in allowed:
                self.issue(key, f"is not a field of a {what} (expected one of: {_one_of(allowed)})")

    def issue(self, key: str, message: str) -> None:
        self.issues.append(Issue(self.where, self.prefix + key, message))

    def has(self, key: str) -> bool:
        return self.obj.get(key) is not None

    def text(self, key: str, *, max_len: int, required: bool = False) -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.issue(key, "is missing")
            return ""
        if not isinstance(value, str):
            self.issue(key, f"{_show(value)} is not text")
            return ""
        if required and not value.strip():
            self.issue(key, "is empty")
        if len(value) > max_len:
            self.issue(key, f"is longer than {max_len} characters")
            return ""
        return value

    def ref(self, key: str) -> str:
        """A file-local id (of a person, a household, a network)."""
        value = self.obj.get(key)
        if value is None:
            self.issue(key, "is missing")
            return ""
        if not isinstance(value, str) or not _ID.fullmatch(value):
            self.issue(key, f"{_show(value)} is not an id (letters, digits, '-', '_' or '.', at most 40)")
            return ""
        return value

    def flag(self, key: str) -> bool:
        value = self.obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.issue(key, f"{_show(value)} is not true or false")
            return False
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.issue(key, "is missing")
            return None
        return _parse_date(value, lambda msg: self.issue(key, msg))

    def moment(self, key: str) -> datetime | None:
        value = self.obj.get(key)
        if value is None:
            return None
        wrong = (
            f"{_show(value)} is not a date and time with a time zone "
            "(use ISO 8601, like 2026-01-05T10:30:00Z)"
        )
        if not isinstance(value, str):
            self.issue(key, wrong)
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.issue(key, wrong)
            return None
        if parsed.tzinfo is None:
            self.issue(key, wrong)
            return None
        return parsed.astimezone(UTC)

    def code(self, key: str, choices: Sequence[str], *, default: str | None = None) -> str:
        value = self.obj.get(key)
        if value is None:
            if default is None:
                self.issue(key, f"is missing (one of: {_one_of(choices)})")
                return ""
            return default
        if value not in choices:
            self.issue(key, f"{_show(value)} is not one of: {_one_of(choices)}")
            return default or ""
        return cast(str, value)

    def items(self, key: str) -> list[Any]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.issue(key, f"must be a list [...], not {_show(value)}")
            return []
        return value

    def refs(self, key: str) -> list[str]:
        out = []
        for i, value in enumerate(self.items(key)):
            if not isinstance(value, str) or not _ID.fullmatch(value):
                self.issue(f"{key}[{i}]", f"{_show(value)} is not an id")
            else:
                out.append(value)
        return out

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.issue(key, f"must be an object {{...}}, not {_show(value)}")
            return {}
        return value


def _parse_date(value: Any, report: Any) -> date | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    report(f"{_show(value)} is not a date (use YYYY-MM-DD)")
    return None


def _read_prov(
    ff: FamilyFile, parent: _Fields, key: str, *, require_source: bool = False, prefix: str | None = None
) -> Prov:
    value = parent.obj.get(key)
    if value is None:
        if require_source:
            parent.issue(key, "is missing")
        return Prov()
    pre = prefix if prefix is not None else f"{parent.prefix}{key}."
    f = _Fields(value, parent.where, parent.issues, PROVENANCE_KEYS, prefix=pre, what="provenance")
    if not f.ok:
        return Prov()
    source = f.code("source", SOURCES, default="")
    if require_source and f.obj.get("source") is None:
        f.issue("source", f"is missing (one of: {_one_of(SOURCES)})")
    detail = f.text("detail", max_len=200)
    if hidden := text_error(detail, what="The detail"):
        f.issue("detail", hidden)
    if source == Source.SAID_BY and not detail.strip():
        f.issue("detail", 'is empty: say who said it (needed when the source is "said-by")')
    if source == Source.OTHER_AGENCY and not detail.strip():
        f.issue("detail", 'is empty: say which agency (needed when the source is "other-agency")')
    recorded_by = f.text("recorded_by", max_len=150)
    if recorded_by:
        ff._user_refs.append((recorded_by, parent.where, pre + "recorded_by"))
    return Prov(source, detail.strip(), recorded_by, f.moment("recorded_at"))


def family_file_read(content: str | bytes, *, shift_to: date | None = None) -> FamilyFile:
    """Parse and check a family file; raise :class:`FamilyFileError` listing every
    problem. Checks the structure, the codes, the references between records,
    the teams and users named (in the database), and the whole family as the
    core validation sees it (so a second birth mother is refused here).

    With ``shift_to``, every date is first moved by the days from the file's
    ``reference_date`` to ``shift_to`` (see :func:`shift_dates`)."""
    issues: list[Issue] = []
    try:
        raw = json.loads(content)
    except UnicodeDecodeError:
        raise FamilyFileError([Issue("file", "", "is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        raise FamilyFileError(
            [Issue(f"line {exc.lineno}, column {exc.colno}", "", f"not valid JSON: {exc.msg}")]
        ) from None
    if not isinstance(raw, dict) or FORMAT_KEY not in raw:
        raise FamilyFileError(
            [Issue("", FORMAT_KEY, "is missing: this is not a kinmap family file (see docs/family-file.md)")]
        )
    if raw[FORMAT_KEY] != FORMAT_VERSION:
        raise FamilyFileError(
            [
                Issue(
                    "",
                    FORMAT_KEY,
                    f"version {_show(raw[FORMAT_KEY])} is not supported (this kinmap reads version "
                    f"{FORMAT_VERSION})",
                )
            ]
        )
    ff = FamilyFile()
    top = _Fields(raw, "", issues, TOP_KEYS, what="family file")
    ff.description = top.text("description", max_len=4000)
    ff.reference_date = top.day("reference_date")
    ff.masked_details = top.code(
        "masked_details", (MASKED_INCLUDED, MASKED_WITHHELD), default=MASKED_INCLUDED
    )
    if ff.masked_details == MASKED_WITHHELD:
        raise FamilyFileError(
            [
                Issue(
                    "",
                    "masked_details",
                    "this file was exported with masked details withheld, so it cannot be imported: "
                    "export it again with --include-masked",
                )
            ]
        )

    for i, obj in enumerate(top.items("people")):
        ff.people.append(_read_person(ff, obj, i, issues))
    for i, obj in enumerate(top.items("networks")):
        ff.networks.append(_read_network(ff, obj, i, issues))
    for i, obj in enumerate(top.items("households")):
        ff.households.append(_read_household(ff, obj, i, issues))
    for i, obj in enumerate(top.items("relationships")):
        f = _Fields(obj, f"relationships[{i}]", issues, RELATIONSHIP_KEYS, what="relationship")
        ff.relationships.append(
            RelationshipIn(
                f.ref("from"),
                f.ref("to"),
                f.code("type", REL_CODES),
                f.day("start"),
                f.day("end"),
                _read_prov(ff, f, "provenance"),
            )
        )
    for i, obj in enumerate(top.items("residences")):
        f = _Fields(obj, f"residences[{i}]", issues, RESIDENCE_KEYS, what="residence")
        ff.residences.append(
            ResidenceIn(
                f.ref("person"),
                f.ref("household"),
                f.day("start"),
                f.day("end"),
                _read_prov(ff, f, "provenance"),
            )
        )
    for i, obj in enumerate(top.items("care_arrangements")):
        f = _Fields(obj, f"care_arrangements[{i}]", issues, CARE_KEYS, what="care arrangement")
        data = s.CareData(
            place=f.code("place", PLACES),
            frequency=f.text("frequency", max_len=200),
            overnight=f.flag("overnight"),
            supervised=f.flag("supervised"),
            sleep_place=f.text("sleep_place", max_len=200),
            start=f.day("start"),
            end=f.day("end"),
        )
        ff.care.append(CareIn(f.ref("carer"), f.ref("child"), data, _read_prov(ff, f, "provenance")))
    for i, obj in enumerate(top.items("parental_responsibility")):
        f = _Fields(
            obj, f"parental_responsibility[{i}]", issues, PR_KEYS, what="parental responsibility record"
        )
        ff.pr.append(
            PRIn(
                f.ref("person"),
                f.ref("child"),
                f.code("basis", BASES),
                f.day("start"),
                _read_prov(ff, f, "provenance"),
            )
        )
    for i, obj in enumerate(top.items("joint_appointments")):
        ff.joint.append(_read_joint(ff, obj, i, issues))
    for i, obj in enumerate(top.items("information_given")):
        ff.information.append(_read_information(ff, obj, i, issues))
    if not ff.networks and not any(i.field.startswith("networks") for i in issues):
        issues.append(Issue("", "networks", "is empty: a family file holds at least one family network"))

    if not issues and shift_to is not None:
        if ff.reference_date is None:
            issues.append(Issue("", "reference_date", "is missing: it is needed to move the dates"))
        else:
            shift_dates(ff, shift_to)
    if not issues:
        _check_references(ff, issues)
    if not issues:
        _check_database(ff, issues)
    if not issues:
        _check_core(ff, issues)
    if issues:
        raise FamilyFileError(issues)
    return ff


def _read_person(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> PersonIn:
    pid = obj.get("id") if isinstance(obj, dict) else None
    where = f'people[{i}] (id "{pid}")' if isinstance(pid, str) else f"people[{i}]"
    f = _Fields(obj, where, issues, PERSON_KEYS, what="person")
    person_id = f.ref("id")
    has_date = f.has("birth_date")
    data = s.PersonData(
        given_name=f.text("given_name", max_len=100),
        family_name=f.text("family_name", max_len=100),
        name_absent_reason=f.text("name_absent_reason", max_len=300),
        sex=f.code("sex", SEXES, default=Sex.UNKNOWN.value),
        birth_date=f.day("birth_date"),
        birth_date_accuracy=f.code(
            "birth_date_accuracy",
            ACCURACIES,
            default=DateAccuracy.ACCURATE.value if has_date else DateAccuracy.UNKNOWN.value,
        ),
        death_date=f.day("death_date"),
        nhs_number=f.text("nhs_number", max_len=20),
        phone=f.text("phone", max_len=40),
        phone_masked=f.flag("phone_masked"),
        email=f.text("email", max_len=254),
        seen_directly_on=f.day("seen_directly_on"),
    ).cleaned()

    other_names = []
    for j, item in enumerate(f.items("other_names")):
        nf = _Fields(item, where, issues, OTHER_NAME_KEYS, prefix=f"other_names[{j}].", what="other name")
        kind = nf.code("kind", NAME_KINDS)
        given, family = (
            nf.text("given_name", max_len=100).strip(),
            nf.text("family_name", max_len=100).strip(),
        )
        if nf.ok and not given and not family:
            nf.issue("given_name", "is empty, and so is family_name: enter the other name")
        other_names.append((kind, given, family))

    facts = {}
    for key, value in f.mapping("facts").items():
        if not key.strip() or len(key) > 60:
            f.issue(f"facts.{key}", "the question's key must be 1 to 60 characters")
            continue
        ff_ = _Fields(value, where, issues, FACT_KEYS, prefix=f"facts.{key}.", what="fact")
        text = ff_.text("value", max_len=4000, required=True).strip()
        facts[key] = FactIn(text, _read_prov(ff, ff_, "provenance"))

    provenance = {}
    for key, value in f.mapping("provenance").items():
        if key not in s.PERSON_FIELDS:
            f.issue(
                f"provenance.{key}", f"is not a person field (expected one of: {_one_of(s.PERSON_FIELDS)})"
            )
            continue
        holder = _Fields({key: value}, where, issues, (key,), prefix="provenance.")
        provenance[key] = _read_prov(ff, holder, key, require_source=True)
    return PersonIn(person_id, data, other_names, facts, provenance)


def _read_joint(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> JointIn:
    jid = obj.get("id") if isinstance(obj, dict) else None
    where = f'joint_appointments[{i}] (id "{jid}")' if isinstance(jid, str) else f"joint_appointments[{i}]"
    f = _Fields(obj, where, issues, JOINT_KEYS, what="joint appointment")
    invited_by = f.text("invited_by", max_len=150)
    if invited_by:
        ff._user_refs.append((invited_by, where, "invited_by"))
    joint = JointIn(
        id=f.ref("id"),
        network=f.ref("network"),
        person=f.ref("person"),
        contact_on=f.day("contact_on", required=True),
        contact_type=f.code("contact_type", CONTACT_TYPES),
        invited_on=f.day("invited_on", required=True),
        invited_by=invited_by,
        outcome=f.code("outcome", OUTCOMES, default=InvitationOutcome.PENDING.value),
        outcome_note=f.text("outcome_note", max_len=500).strip(),
    )
    if joint.outcome == InvitationOutcome.PENDING and joint.outcome_note:
        f.issue("outcome_note", 'is only for an outcome: attended, declined or no-reply, not "pending"')
    return joint


def _read_information(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> InformationIn:
    where = f"information_given[{i}]"
    f = _Fields(obj, where, issues, INFORMATION_KEYS, what="record of information given")
    given_by = f.text("given_by", max_len=150)
    if given_by:
        ff._user_refs.append((given_by, where, "given_by"))
    appointment = f.ref("appointment") if f.has("appointment") else ""
    return InformationIn(
        network=f.ref("network"),
        person=f.ref("person"),
        material=f.text("material", max_len=40, required=True).strip(),
        how=f.code("how", HOWS),
        given_on=f.day("given_on", required=True),
        given_by=given_by,
        declined=f.flag("declined"),
        declined_reason=f.text("declined_reason", max_len=4000).strip(),
        appointment=appointment,
    )


def _read_network(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> NetworkIn:
    nid = obj.get("id") if isinstance(obj, dict) else None
    where = f'networks[{i}] (id "{nid}")' if isinstance(nid, str) else f"networks[{i}]"
    f = _Fields(obj, where, issues, NETWORK_KEYS, what="family network")
    name = normalise_text(f.text("name", max_len=200, required=True))
    if err := text_error(name, what=s.NETWORK_NAME_LABEL):
        f.issue("name", err)
    net = NetworkIn(f.ref("id"), name, f.refs("index_children"), [], [])
    net.other_members = f.refs("other_members")
    if f.ok and not net.index_children and not f.items("index_children"):
        f.issue("index_children", "is empty: a family network is around at least one index child")
    for j, item in enumerate(f.items("allocations")):
        af = _Fields(item, where, issues, ALLOCATION_KEYS, prefix=f"allocations[{j}].", what="allocation")
        alloc = AllocationIn(
            af.text("agency", max_len=200, required=True),
            af.text("team", max_len=200, required=True),
            af.day("start", required=True) or date.min,
            af.day("end"),
        )
        if af.ok and alloc.agency and alloc.team:
            ff._team_refs.append((alloc.agency, alloc.team, where, f"allocations[{j}]"))
        net.allocations.append(alloc)
    return net


def _read_household(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> HouseholdIn:
    hid = obj.get("id") if isinstance(obj, dict) else None
    where = f'households[{i}] (id "{hid}")' if isinstance(hid, str) else f"households[{i}]"
    f = _Fields(obj, where, issues, HOUSEHOLD_KEYS, what="household")
    address = s.AddressData(
        address_line_1=f.text("address_line_1", max_len=200),
        address_line_2=f.text("address_line_2", max_len=200),
        town=f.text("town", max_len=100),
        postcode=f.text("postcode", max_len=10),
        masked=f.flag("masked"),
    ).cleaned()
    if f.ok:
        try:
            s._address_error(address)
        except RecordError as err:
            for p in err.problems:
                f.issue(p.field, p.message)
    return HouseholdIn(f.ref("id"), address, _read_prov(ff, f, "provenance"))


def _check_references(ff: FamilyFile, issues: list[Issue]) -> None:
    """Ids are unique; every reference names a record in the file."""

    def unique(kind: str, ids: list[str], labels: list[str]) -> set[str]:
        seen: dict[str, int] = {}
        for i, x in enumerate(ids):
            if x in seen:
                issues.append(Issue(labels[i], "id", f'"{x}" is already used by {kind}[{seen[x]}]'))
            seen.setdefault(x, i)
        return set(seen)

    people = unique("people", [p.id for p in ff.people], [ff.person_label(i) for i in range(len(ff.people))])
    households = unique(
        "households",
        [h.id for h in ff.households],
        [f'households[{i}] (id "{h.id}")' for i, h in enumerate(ff.households)],
    )
    unique(
        "networks",
        [n.id for n in ff.networks],
        [f'networks[{i}] (id "{n.id}")' for i, n in enumerate(ff.networks)],
    )

    def person(where: str, key: str, value: str) -> None:
        if value not in people:
            issues.append(Issue(where, key, f'no person with id "{value}"'))

    in_a_network: set[str] = set()
    for i, n in enumerate(ff.networks):
        where = f'networks[{i}] (id "{n.id}")'
        seen: set[str] = set()
        for key, ids in (("index_children", n.index_children), ("other_members", n.other_members)):
            for j, pid in enumerate(ids):
                person(where, f"{key}[{j}]", pid)
                if pid in seen:
                    issues.append(Issue(where, f"{key}[{j}]", f'"{pid}" is listed twice in this network'))
                seen.add(pid)
        in_a_network |= seen
        teams = [(a.agency, a.team) for a in n.allocations]
        for j, t in enumerate(teams):
            if t in teams[:j]:
                issues.append(
                    Issue(where, f"allocations[{j}]", "this team is already allocated this network")
                )
    for i, p in enumerate(ff.people):
        if p.id not in in_a_network:
            issues.append(
                Issue(
                    ff.person_label(i), "", "is not in any family network: list them in a network's members"
                )
            )

    rel_seen: dict[tuple[str, str, str], int] = {}
    for i, r in enumerate(ff.relationships):
        where = f"relationships[{i}]"
        person(where, "from", r.from_id)
        person(where, "to", r.to_id)
        triple = (r.from_id, r.to_id, r.type)
        other = rel_seen.get(triple)
        if other is None and REL_BY_CODE[r.type].symmetric:
            other = rel_seen.get((r.to_id, r.from_id, r.type))
        if other is not None:
            issues.append(
                Issue(where, "type", f"this relationship is already in the file at relationships[{other}]")
            )
        rel_seen.setdefault(triple, i)

    referenced: set[str] = set()
    for i, res in enumerate(ff.residences):
        where = f"residences[{i}]"
        person(where, "person", res.person)
        if res.household not in households:
            issues.append(Issue(where, "household", f'no household with id "{res.household}"'))
        referenced.add(res.household)
    for i, h in enumerate(ff.households):
        if h.id not in referenced:
            issues.append(
                Issue(f'households[{i}] (id "{h.id}")', "", "nobody lives here: add a residence for it")
            )

    for i, c in enumerate(ff.care):
        person(f"care_arrangements[{i}]", "carer", c.carer)
        person(f"care_arrangements[{i}]", "child", c.child)

    pr_seen: dict[tuple[str, str], int] = {}
    for i, pr in enumerate(ff.pr):
        where = f"parental_responsibility[{i}]"
        person(where, "person", pr.person)
        person(where, "child", pr.child)
        if pr.person == pr.child:
            issues.append(
                Issue(where, "person", "a child cannot hold parental responsibility for themselves")
            )
        if (pr.person, pr.child) in pr_seen:
            issues.append(
                Issue(
                    where,
                    "child",
                    f"parental responsibility for this pair is already in the file at "
                    f"parental_responsibility[{pr_seen[(pr.person, pr.child)]}]",
                )
            )
        pr_seen.setdefault((pr.person, pr.child), i)

    members = {n.id: {*n.index_children, *n.other_members} for n in ff.networks}

    def member(where: str, network: str, person_id: str) -> None:
        if network not in members:
            issues.append(Issue(where, "network", f'no network with id "{network}"'))
        elif person_id in people and person_id not in members[network]:
            issues.append(Issue(where, "person", f'"{person_id}" is not a member of network "{network}"'))

    joints = unique(
        "joint_appointments", [j.id for j in ff.joint], [ff.joint_label(i) for i in range(len(ff.joint))]
    )
    joint_by_id = {j.id: j for j in ff.joint}
    for i, ja in enumerate(ff.joint):
        where = ff.joint_label(i)
        person(where, "person", ja.person)
        member(where, ja.network, ja.person)
        if ja.contact_on is not None and ja.invited_on is not None and ja.contact_on < ja.invited_on:
            issues.append(
                Issue(
                    where,
                    "contact_on",
                    "is before invited_on: the contact must be on or after the invitation",
                )
            )
    for i, info in enumerate(ff.information):
        where = f"information_given[{i}]"
        person(where, "person", info.person)
        member(where, info.network, info.person)
        if info.appointment:
            if info.appointment not in joints:
                issues.append(
                    Issue(where, "appointment", f'no joint appointment with id "{info.appointment}"')
                )
            elif joint_by_id[info.appointment].person != info.person:
                issues.append(Issue(where, "appointment", "that joint appointment is for someone else"))
            elif joint_by_id[info.appointment].network != info.network:
                issues.append(Issue(where, "appointment", "that joint appointment is in another network"))


def _check_database(ff: FamilyFile, issues: list[Issue]) -> None:
    """Every team and every user named exists."""
    names = {u for u, _, _ in ff._user_refs}
    known = (
        set(User.objects.filter(username__in=names).values_list("username", flat=True)) if names else set()
    )
    for username, where, key in ff._user_refs:
        if username not in known:
            issues.append(Issue(where, key, f'no user "{username}": add the user first, or change the name'))
    found = set()
    if ff._team_refs:
        found = set(Team.objects.filter(_teams_q(ff)).values_list("agency__name", "name"))
    for agency, team, where, key in ff._team_refs:
        if (agency, team) not in found:
            issues.append(Issue(where, key, f'no team "{team}" in agency "{agency}"'))
    codes = {info.material for info in ff.information}
    materials = (
        set(cm.Material.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
    )
    for i, info in enumerate(ff.information):
        if info.material and info.material not in materials:
            issues.append(
                Issue(f"information_given[{i}]", "material", f'no material with code "{info.material}"')
            )


def _teams_q(ff: FamilyFile) -> Q:
    q = Q(pk__in=[])
    for agency, team in {(a, t) for a, t, _, _ in ff._team_refs}:
        q |= Q(agency__name=agency, name=team)
    return q


def _core_network(ff: FamilyFile) -> core.Network:
    """The whole file as one core network; record ids are list positions + 1."""
    pid = {p.id: i + 1 for i, p in enumerate(ff.people)}
    hid = {h.id: i + 1 for i, h in enumerate(ff.households)}
    index = [pid[c] for n in ff.networks for c in n.index_children]
    return core.Network(
        id=0,
        name="family file",
        index_child_ids=tuple(dict.fromkeys(index)),
        people={
            i + 1: dataclasses.replace(
                s._core_person(i + 1, p.data),
                other_names=tuple(core.OtherName(NameKind(k), g, f) for k, g, f in p.other_names),
            )
            for i, p in enumerate(ff.people)
        },
        relationships=tuple(
            core.Relationship(i + 1, pid[r.from_id], pid[r.to_id], r.type, r.start, r.end)
            for i, r in enumerate(ff.relationships)
        ),
        households={
            i + 1: core.Household(i + 1, h.address.address_line_1, masked=h.address.masked)
            for i, h in enumerate(ff.households)
        },
        residences=tuple(
            core.Residence(i + 1, pid[r.person], hid[r.household], r.start, r.end)
            for i, r in enumerate(ff.residences)
        ),
        care=tuple(s._core_care(i + 1, pid[c.carer], pid[c.child], c.data) for i, c in enumerate(ff.care)),
    )


_CORE_RECORDS = {
    "relationship": "relationships",
    "residence": "residences",
    "care": "care_arrangements",
    "pr": "parental_responsibility",
}


def _check_core(ff: FamilyFile, issues: list[Issue]) -> None:
    """The checks every change to the record goes through, over the whole file."""
    for p in network_problems(_core_network(ff), timezone.localdate()):
        if p.record == "person":
            where = ff.person_label(p.record_id - 1)
        else:
            where = f"{_CORE_RECORDS.get(p.record, p.record)}[{p.record_id - 1}]"
        issues.append(Issue(where, p.field, p.message))


# -- moving dates ----------------------------------------------------------------


def shift_dates(ff: FamilyFile, to: date) -> int:
    """Move every date and time in the file by the days from its ``reference_date``
    to ``to`` (so a baby nine weeks old on the reference date is nine weeks old
    on ``to``). Returns the number of days moved."""
    if ff.reference_date is None:
        raise FamilyFileError([Issue("", "reference_date", "is missing: it is needed to move the dates")])
    delta = to - ff.reference_date

    def d(value: date | None) -> date | None:
        return value + delta if value is not None else None

    def p(prov: Prov) -> Prov:
        at = prov.recorded_at + delta if prov.recorded_at is not None else None
        return dataclasses.replace(prov, recorded_at=at)

    for n in ff.networks:
        for a in n.allocations:
            a.start = a.start + delta
            a.end = d(a.end)
    for person in ff.people:
        data = person.data
        person.data = dataclasses.replace(
            data,
            birth_date=d(data.birth_date),
            death_date=d(data.death_date),
            seen_directly_on=d(data.seen_directly_on),
        )
        person.provenance = {k: p(v) for k, v in person.provenance.items()}
        person.facts = {k: FactIn(v.value, p(v.provenance)) for k, v in person.facts.items()}
    for h in ff.households:
        h.provenance = p(h.provenance)
    for r in ff.relationships:
        r.start, r.end, r.provenance = d(r.start), d(r.end), p(r.provenance)
    for res in ff.residences:
        res.start, res.end, res.provenance = d(res.start), d(res.end), p(res.provenance)
    for c in ff.care:
        c.data = dataclasses.replace(c.data, start=d(c.data.start), end=d(c.data.end))
        c.provenance = p(c.provenance)
    for pr in ff.pr:
        pr.start, pr.provenance = d(pr.start), p(pr.provenance)
    for j in ff.joint:
        j.contact_on, j.invited_on = d(j.contact_on), d(j.invited_on)
    for info in ff.information:
        info.given_on = d(info.given_on)
    ff.reference_date = to
    return delta.days


# -- importing -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    networks: list[m.FamilyNetwork]
    network_ids: dict[str, int]  # file id -> database id
    people: dict[str, m.Person]  # file id -> person
    counts: dict[str, int]
    members: dict[int, int]  # network database id -> number of people in it


class _ImportStep(Exception):
    """A service refused one record; carries where it was in the file."""

    def __init__(self, where: str, err: RecordError) -> None:
        self.where, self.err = where, err


def family_file_import(
    *, family_file: FamilyFile, actor: User | None, file_name: str, sha256: str = ""
) -> ImportResult:
    """Load a family file read by :func:`family_file_read`: all or nothing.

    Runs in one transaction. Each record goes through its records service (so
    the core validations apply and each change is audited); a refusal names the
    file record at fault, undoes everything, and raises
    :class:`FamilyFileError`. Provenance (who recorded each fact, and when) is
    kept as the file gives it. One ``import`` audit event records the file."""
    ff = family_file
    try:
        with transaction.atomic():
            issues: list[Issue] = []
            _check_database(ff, issues)  # again, in the transaction: a team may have gone since
            if issues:
                raise FamilyFileError(issues)
            return _import(ff, actor, file_name, sha256)
    except _ImportStep as step:
        raise FamilyFileError(
            [Issue(step.where, _FILE_FIELDS.get(p.field, p.field), p.message) for p in step.err.problems]
        ) from None


# A service's name for a field, where the file's name differs.
_FILE_FIELDS = {"__all__": "", "materials": "material", "note": "outcome_note"}


def _stamp_update(model: type[Any], pk: int, prov: Prov, users: Mapping[str, User], **extra: Any) -> None:
    model.objects.filter(pk=pk).update(
        source=prov.source,
        source_detail=prov.detail,
        recorded_by=users.get(prov.recorded_by),
        recorded_at=prov.recorded_at,
        **extra,
    )


def _import(ff: FamilyFile, actor: User | None, file_name: str, sha256: str) -> ImportResult:
    svc_actor = cast(User, actor)  # services accept no actor (the system) at run time
    usernames = {u for u, _, _ in ff._user_refs}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)} if usernames else {}
    teams = {(t.agency.name, t.name): t for t in Team.objects.filter(_teams_q(ff)).select_related("agency")}

    networks: dict[str, m.FamilyNetwork] = {}
    member_of: dict[str, list[str]] = {}
    for n in ff.networks:
        network = m.FamilyNetwork.objects.create(name=n.name, created_by=actor)
        networks[n.id] = network
        audit_record(
            actor=actor,
            action="create",
            object_type="network",
            object_id=network.pk,
            network_id=network.pk,
            changes={"name": [None, n.name]},
            reason=f"imported from {file_name}",
        )
        for a in n.allocations:
            team = teams[(a.agency, a.team)]
            alloc = m.Allocation.objects.create(network=network, team=team, start=a.start, end=a.end)
            audit_record(
                actor=actor,
                action="create",
                object_type="allocation",
                object_id=alloc.pk,
                network_id=network.pk,
                changes={"team": [None, str(team)], "start": [None, a.start], "end": [None, a.end]},
            )
        for pid in [*n.index_children, *n.other_members]:
            member_of.setdefault(pid, []).append(n.id)
    index_in = {(n.id, c) for n in ff.networks for c in n.index_children}

    def first_network(*pids: str) -> m.FamilyNetwork:
        for n in ff.networks:
            if all(n.id in member_of[p] for p in pids):
                return networks[n.id]
        return networks[member_of[pids[-1]][0]]

    people: dict[str, m.Person] = {}
    for i, p in enumerate(ff.people):
        where = ff.person_label(i)
        home, *others = member_of[p.id]
        network = networks[home]
        try:
            person = s.person_add(
                actor=svc_actor, network=network, data=p.data, as_index=(home, p.id) in index_in
            )
            for kind, given, family in p.other_names:
                s.other_name_add(
                    actor=svc_actor,
                    network=network,
                    person=person,
                    kind=kind,
                    given_name=given,
                    family_name=family,
                )
            for key, fact in p.facts.items():
                row = s.fact_set(
                    actor=svc_actor,
                    network=network,
                    person=person,
                    key=key,
                    value=fact.value,
                    source=s.Source_(fact.provenance.source, fact.provenance.detail),
                )
                _stamp_update(m.PersonFact, row.pk, fact.provenance, users)
        except RecordError as err:
            raise _ImportStep(where, err) from None
        prov = {
            f: {
                "source": v.source,
                "detail": v.detail,
                "by": v.recorded_by,
                "at": v.recorded_at.isoformat() if v.recorded_at else "",
            }
            for f, v in p.provenance.items()
        }
        m.Person.objects.filter(pk=person.pk).update(provenance=prov)
        for other in others:
            _member_add(actor, networks[other], person, is_index=(other, p.id) in index_in)
        people[p.id] = person

    where = ""
    try:
        for i, r in enumerate(ff.relationships):
            where = f"relationships[{i}]"
            rel = s.relationship_create(
                actor=svc_actor,
                network=first_network(r.from_id, r.to_id),
                from_person=people[r.from_id],
                to_person=people[r.to_id],
                data=s.RelationshipData(r.type, r.start, r.end),
                source=s.Source_(r.provenance.source, r.provenance.detail),
            )
            _stamp_update(m.Relationship, rel.pk, r.provenance, users)

        households: dict[str, m.Household] = {}
        hh = {h.id: h for h in ff.households}
        for i, res in enumerate(ff.residences):
            where = f"residences[{i}]"
            existing = households.get(res.household)
            stay = s.residence_create(
                actor=svc_actor,
                network=first_network(res.person),
                person=people[res.person],
                household=existing,
                address=None if existing else hh[res.household].address,
                start=res.start,
                end=res.end,
                source=s.Source_(res.provenance.source, res.provenance.detail),
            )
            _stamp_update(m.Residence, stay.pk, res.provenance, users)
            if existing is None:
                households[res.household] = stay.household
                _stamp_update(m.Household, stay.household_id, hh[res.household].provenance, users)

        for i, c in enumerate(ff.care):
            where = f"care_arrangements[{i}]"
            care = s.care_create(
                actor=svc_actor,
                network=first_network(c.child),
                carer=people[c.carer],
                child=people[c.child],
                data=c.data,
                source=s.Source_(c.provenance.source, c.provenance.detail),
            )
            _stamp_update(m.CareArrangement, care.pk, c.provenance, users)

        for i, pr in enumerate(ff.pr):
            where = f"parental_responsibility[{i}]"
            row_pr = s.pr_set(
                actor=svc_actor,
                network=first_network(pr.child),
                person=people[pr.person],
                child=people[pr.child],
                basis=pr.basis,
                start=pr.start,
                source=s.Source_(pr.provenance.source, pr.provenance.detail),
            )
            _stamp_update(m.ParentalResponsibility, row_pr.pk, pr.provenance, users)

        appointments: dict[str, cm.JointAppointment] = {}
        for i, j in enumerate(ff.joint):
            where = ff.joint_label(i)
            network, person = networks[j.network], people[j.person]
            appointment = cs.joint_appointment_invite(
                actor=svc_actor,
                network=network,
                person=person,
                contact_on=j.contact_on,
                contact_type=j.contact_type,
                invited_on=j.invited_on,
            )
            if j.outcome != InvitationOutcome.PENDING:
                appointment = cs.joint_appointment_outcome_record(
                    actor=svc_actor,
                    network=network,
                    appointment=appointment,
                    outcome=j.outcome,
                    expected_version=None,
                    note=j.outcome_note,
                )
            cm.JointAppointment.objects.filter(pk=appointment.pk).update(invited_by=users.get(j.invited_by))
            appointments[j.id] = appointment

        materials = {
            x.code: x for x in cm.Material.objects.filter(code__in={i.material for i in ff.information})
        }
        for i, info in enumerate(ff.information):
            where = f"information_given[{i}]"
            (info_row,) = cs.information_given_record(
                actor=svc_actor,
                network=networks[info.network],
                person=people[info.person],
                data=cs.InformationData(
                    materials=(materials[info.material],),
                    how=info.how,
                    given_on=info.given_on,
                    declined=info.declined,
                    declined_reason=info.declined_reason,
                ),
                appointment=appointments.get(info.appointment),
                withdrawn_ok=True,
            )
            cm.InformationGiven.objects.filter(pk=info_row.pk).update(given_by=users.get(info.given_by))
    except RecordError as err:
        raise _ImportStep(where, err) from None

    counts = ff.counts()
    audit_record(
        actor=actor,
        action="import",
        object_type="family_file",
        object_id=sha256,
        changes={
            "file": [None, file_name],
            "network_ids": [None, [nw.pk for nw in networks.values()]],
            **{k: [None, v] for k, v in counts.items()},
        },
    )
    members = {networks[n.id].pk: len(n.index_children) + len(n.other_members) for n in ff.networks}
    return ImportResult(
        networks=list(networks.values()),
        network_ids={k: nw.pk for k, nw in networks.items()},
        people=people,
        counts=counts,
        members=members,
    )


def _member_add(actor: User | None, network: m.FamilyNetwork, person: m.Person, *, is_index: bool) -> None:
    """Add a person already on the record to another family network."""
    m.NetworkMember.objects.create(network=network, person=person, is_index=is_index)
    audit_record(
        actor=actor,
        action="create",
        object_type="network_member",
        object_id=person.pk,
        network_id=network.pk,
        changes={"person": [None, person.pk], "is_index": [None, is_index]},
    )
    s._touch(network, actor)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# -- exporting -------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    text: str
    counts: dict[str, int]
    masked_withheld: bool
    # Links to people in family networks not being exported (left out of the file).
    left_out: dict[str, int]
    linked_network_ids: list[int]


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _prov_out(row: m.Provenanced, usernames: Mapping[int, str]) -> dict[str, Any] | None:
    by = usernames.get(row.recorded_by_id) if row.recorded_by_id else None
    if not row.source and not row.source_detail and by is None and row.recorded_at is None:
        return None
    return {
        "source": row.source or None,
        "detail": row.source_detail,
        "recorded_by": by,
        "recorded_at": _moment(row.recorded_at),
    }


def _person_prov_out(entry: Mapping[str, Any]) -> dict[str, Any]:
    at = entry.get("at") or ""
    return {
        "source": entry.get("source") or None,
        "detail": entry.get("detail") or "",
        "recorded_by": entry.get("by") or None,
        "recorded_at": _moment(datetime.fromisoformat(at)) if at else None,
    }


def family_file_export(networks: Iterable[m.FamilyNetwork], *, include_masked: bool = False) -> Export:
    """Write the family networks as a family file, in a fixed number of queries.

    People, networks, relationships, residences, care arrangements and
    parental responsibility are written in the order they were recorded, and
    households in the order people's residences first name them; ids are
    ``n1``, ``p1``, ``h1``... in that order. Relationships, care and parental
    responsibility that reach people outside these networks are left out (and
    counted). Masked addresses and telephone numbers are withheld unless
    ``include_masked``; a file with details withheld says so and cannot be
    imported."""
    nets = sorted(networks, key=lambda n: n.pk)
    net_ids = [n.pk for n in nets]
    members = list(
        m.NetworkMember.objects.filter(network_id__in=net_ids).select_related("person").order_by("person_id")
    )
    persons = {mem.person_id: mem.person for mem in members}
    pid = {p: f"p{i + 1}" for i, p in enumerate(sorted(persons))}
    nid = {n: f"n{i + 1}" for i, n in enumerate(net_ids)}
    allocations = list(
        m.Allocation.objects.filter(network_id__in=net_ids).select_related("team__agency").order_by("pk")
    )
    other_names: dict[int, list[m.OtherName]] = {}
    for on in m.OtherName.objects.filter(person_id__in=list(persons)).order_by("pk"):
        other_names.setdefault(on.person_id, []).append(on)
    facts: dict[int, list[m.PersonFact]] = {}
    for f in m.PersonFact.objects.filter(person_id__in=list(persons)).order_by("key", "pk"):
        facts.setdefault(f.person_id, []).append(f)
    rels = list(
        m.Relationship.objects.filter(
            Q(from_person_id__in=list(persons)) | Q(to_person_id__in=list(persons))
        ).order_by("pk")
    )
    residences = list(
        m.Residence.objects.filter(person_id__in=list(persons)).select_related("household").order_by("pk")
    )
    care = list(
        m.CareArrangement.objects.filter(
            Q(carer_id__in=list(persons)) | Q(child_id__in=list(persons))
        ).order_by("pk")
    )
    prs = list(
        m.ParentalResponsibility.objects.filter(
            Q(person_id__in=list(persons)) | Q(child_id__in=list(persons))
        ).order_by("pk")
    )
    joints = list(
        cm.JointAppointment.objects.filter(network_id__in=net_ids, person_id__in=list(persons)).order_by("pk")
    )
    information = list(
        cm.InformationGiven.objects.filter(network_id__in=net_ids, person_id__in=list(persons))
        .select_related("material")
        .order_by("pk")
    )
    rows: list[m.Provenanced] = [*rels, *residences, *care, *prs, *(f for fl in facts.values() for f in fl)]
    rows += [r.household for r in residences]
    user_ids = {r.recorded_by_id for r in rows if r.recorded_by_id}
    user_ids |= {j.invited_by_id for j in joints if j.invited_by_id}
    user_ids |= {i.given_by_id for i in information if i.given_by_id}
    usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}

    withheld = False
    left_out = {"relationships": 0, "care_arrangements": 0, "parental_responsibility": 0}
    outside: set[int] = set()

    def inside(kind: str, *ids: int) -> bool:
        missing = [i for i in ids if i not in persons]
        if missing:
            left_out[kind] += 1
            outside.update(missing)
        return not missing

    by_network: dict[int, list[m.NetworkMember]] = {}
    for mem in members:
        by_network.setdefault(mem.network_id, []).append(mem)
    out_networks = []
    for n in nets:
        mems = by_network.get(n.pk, [])
        out_networks.append(
            {
                "id": nid[n.pk],
                "name": n.name,
                "index_children": [pid[x.person_id] for x in mems if x.is_index],
                "other_members": [pid[x.person_id] for x in mems if not x.is_index],
                "allocations": [
                    {
                        "agency": a.team.agency.name,
                        "team": a.team.name,
                        "start": _day(a.start),
                        "end": _day(a.end),
                    }
                    for a in allocations
                    if a.network_id == n.pk
                ],
            }
        )

    out_people = []
    for p_pk in sorted(persons):
        p = persons[p_pk]
        phone = p.phone
        if p.phone_masked and phone and not include_masked:
            phone, withheld = "", True
        prov = p.provenance or {}
        out_people.append(
            {
                "id": pid[p_pk],
                "given_name": p.given_name,
                "family_name": p.family_name,
                "name_absent_reason": p.name_absent_reason,
                "other_names": [
                    {"kind": on.kind, "given_name": on.given_name, "family_name": on.family_name}
                    for on in other_names.get(p_pk, [])
                ],
                "sex": p.sex,
                "birth_date": _day(p.birth_date),
                "birth_date_accuracy": p.birth_date_accuracy,
                "death_date": _day(p.death_date),
                "nhs_number": p.nhs_number,
                "phone": phone,
                "phone_masked": p.phone_masked,
                "email": p.email,
                "seen_directly_on": _day(p.seen_directly_on),
                "facts": {
                    f.key: {"value": f.value, "provenance": _prov_out(f, usernames)}
                    for f in facts.get(p_pk, [])
                },
                "provenance": {
                    k: _person_prov_out(prov[k]) for k in s.PERSON_FIELDS if isinstance(prov.get(k), dict)
                },
            }
        )

    hid: dict[int, str] = {}
    out_households = []
    out_residences = []
    for r in residences:
        h = r.household
        if h.pk not in hid:
            hid[h.pk] = f"h{len(hid) + 1}"
            hide = h.masked and not include_masked
            withheld = withheld or (hide and bool(h.address_line_1 or h.postcode or h.town))
            out_households.append(
                {
                    "id": hid[h.pk],
                    "address_line_1": "" if hide else h.address_line_1,
                    "address_line_2": "" if hide else h.address_line_2,
                    "town": "" if hide else h.town,
                    "postcode": "" if hide else h.postcode,
                    "masked": h.masked,
                    "provenance": _prov_out(h, usernames),
                }
            )
        out_residences.append(
            {
                "person": pid[r.person_id],
                "household": hid[h.pk],
                "start": _day(r.start),
                "end": _day(r.end),
                "provenance": _prov_out(r, usernames),
            }
        )

    out_rels = [
        {
            "from": pid[r.from_person_id],
            "to": pid[r.to_person_id],
            "type": r.type,
            "start": _day(r.start),
            "end": _day(r.end),
            "provenance": _prov_out(r, usernames),
        }
        for r in rels
        if inside("relationships", r.from_person_id, r.to_person_id)
    ]
    out_care = [
        {
            "carer": pid[c.carer_id],
            "child": pid[c.child_id],
            "place": c.place,
            "frequency": c.frequency,
            "overnight": c.overnight,
            "supervised": c.supervised,
            "sleep_place": c.sleep_place,
            "start": _day(c.start),
            "end": _day(c.end),
            "provenance": _prov_out(c, usernames),
        }
        for c in care
        if inside("care_arrangements", c.carer_id, c.child_id)
    ]
    out_pr = [
        {
            "person": pid[pr.person_id],
            "child": pid[pr.child_id],
            "basis": pr.basis,
            "start": _day(pr.start),
            "provenance": _prov_out(pr, usernames),
        }
        for pr in prs
        if inside("parental_responsibility", pr.person_id, pr.child_id)
    ]
    jid = {j.pk: f"a{n + 1}" for n, j in enumerate(joints)}
    out_joints = [
        {
            "id": jid[j.pk],
            "network": nid[j.network_id],
            "person": pid[j.person_id],
            "contact_on": _day(j.contact_on),
            "contact_type": j.contact_type,
            "invited_on": _day(j.invited_on),
            "invited_by": usernames.get(j.invited_by_id) if j.invited_by_id else None,
            "outcome": j.outcome,
            "outcome_note": j.outcome_note,
        }
        for j in joints
    ]
    out_information = [
        {
            "network": nid[i.network_id],
            "person": pid[i.person_id],
            "material": i.material.code,
            "how": i.how,
            "given_on": _day(i.given_on),
            "given_by": usernames.get(i.given_by_id) if i.given_by_id else None,
            "declined": i.declined,
            "declined_reason": i.declined_reason,
            "appointment": jid.get(i.appointment_id) if i.appointment_id else None,
        }
        for i in information
    ]
    linked = (
        sorted(
            set(
                m.NetworkMember.objects.filter(person_id__in=outside)
                .exclude(network_id__in=net_ids)
                .values_list("network_id", flat=True)
            )
        )
        if outside
        else []
    )
    doc = {
        FORMAT_KEY: FORMAT_VERSION,
        "masked_details": MASKED_WITHHELD if withheld else MASKED_INCLUDED,
        "networks": out_networks,
        "people": out_people,
        "households": out_households,
        "relationships": out_rels,
        "residences": out_residences,
        "care_arrangements": out_care,
        "parental_responsibility": out_pr,
        "joint_appointments": out_joints,
        "information_given": out_information,
    }
    counts = {
        "networks": len(out_networks),
        "people": len(out_people),
        "relationships": len(out_rels),
        "households": len(out_households),
        "residences": len(out_residences),
        "care_arrangements": len(out_care),
        "parental_responsibility": len(out_pr),
        "joint_appointments": len(out_joints),
        "information_given": len(out_information),
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return Export(text, counts, withheld, {k: v for k, v in left_out.items() if v}, linked)


def family_file_export_audited(
    *,
    actor: User | None,
    networks: Sequence[m.FamilyNetwork],
    include_masked: bool,
    destination: str,
    write: Any = None,
) -> Export:
    """Export and record one ``export`` audit event per family network. ``write``
    (given the text) runs inside the same transaction, so a failed write leaves
    no event claiming the export happened."""
    with transaction.atomic():
        export = family_file_export(networks, include_masked=include_masked)
        digest = sha256_of(export.text.encode())
        for n in networks:
            audit_record(
                actor=actor,
                action="export",
                object_type="network",
                object_id=n.pk,
                network_id=n.pk,
                changes={
                    "file": [None, destination],
                    "sha256": [None, digest],
                    "masked_details": [None, MASKED_WITHHELD if export.masked_withheld else MASKED_INCLUDED],
                    "include_masked": [None, include_masked],
                    **{k: [None, v] for k, v in export.counts.items()},
                },
            )
        if write is not None:
            write(export.text)
    return export
