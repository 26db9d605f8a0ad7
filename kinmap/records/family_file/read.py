"""Reading a family file: every field's type, code and length, then the
references, the database and the core checks (:mod:`.checks`); every problem
is reported, each naming the record and the field at fault."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from kinmap.core import limits
from kinmap.core.limits import date_range_problem
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
from kinmap.records import services as s
from kinmap.records.errors import RecordError

from .checks import _check_core, _check_database, _check_references
from .document import (
    FORMAT_KEY,
    FORMAT_VERSION,
    MASKED_INCLUDED,
    MASKED_WITHHELD,
    FamilyFileError,
    Issue,
    _one_of,
    _show,
    json_document_load,
)
from .records import (
    AllocationIn,
    CareIn,
    FactIn,
    FamilyFile,
    HouseholdIn,
    InformationIn,
    JointIn,
    NetworkIn,
    PersonIn,
    PRIn,
    Prov,
    RelationshipIn,
    ResidenceIn,
)

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
            if parsed.tzinfo is None:
                raise ValueError
        except ValueError:
            self.issue(key, wrong)
            return None
        problem = date_range_problem(parsed.date())
        if problem:
            self.issue(key, f"{value} {problem}")
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
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            problem = date_range_problem(day)
            if not problem:
                return day
            report(f"{value} {problem}")
            return None
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
    detail = f.text("detail", max_len=limits.SOURCE_DETAIL_MAX)
    if source == Source.SAID_BY and not detail.strip():
        f.issue("detail", 'is empty: say who said it (needed when the source is "said-by")')
    if source == Source.OTHER_AGENCY and not detail.strip():
        f.issue("detail", 'is empty: say which agency (needed when the source is "other-agency")')
    recorded_by = f.text("recorded_by", max_len=limits.USERNAME_MAX)
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
    raw = json_document_load(content)
    if not isinstance(raw, dict) or FORMAT_KEY not in raw:
        raise FamilyFileError(
            [Issue("", FORMAT_KEY, "is missing: this is not a kinmap family file (see docs/family-file.md)")]
        )
    if type(raw[FORMAT_KEY]) is not int or raw[FORMAT_KEY] != FORMAT_VERSION:
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
    ff.description = top.text("description", max_len=limits.FILE_DESCRIPTION_MAX)
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
            frequency=f.text("frequency", max_len=limits.FREQUENCY_MAX),
            overnight=f.flag("overnight"),
            supervised=f.flag("supervised"),
            sleep_place=f.text("sleep_place", max_len=limits.SLEEP_PLACE_MAX),
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
            try:
                shift_dates(ff, shift_to)
            except OverflowError:
                moved = f"moving the dates to {shift_to} takes a date past the year 9999"
                issues.append(Issue("", "reference_date", moved))
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
        given_name=f.text("given_name", max_len=limits.NAME_MAX),
        family_name=f.text("family_name", max_len=limits.NAME_MAX),
        name_absent_reason=f.text("name_absent_reason", max_len=limits.NAME_ABSENT_REASON_MAX),
        sex=f.code("sex", SEXES, default=Sex.UNKNOWN.value),
        birth_date=f.day("birth_date"),
        birth_date_accuracy=f.code(
            "birth_date_accuracy",
            ACCURACIES,
            default=DateAccuracy.ACCURATE.value if has_date else DateAccuracy.UNKNOWN.value,
        ),
        death_date=f.day("death_date"),
        nhs_number=f.text("nhs_number", max_len=limits.NHS_NUMBER_INPUT_MAX),
        phone=f.text("phone", max_len=limits.PHONE_MAX),
        phone_masked=f.flag("phone_masked"),
        email=f.text("email", max_len=limits.EMAIL_MAX),
        seen_directly_on=f.day("seen_directly_on"),
    ).cleaned()

    other_names = []
    for j, item in enumerate(f.items("other_names")):
        nf = _Fields(item, where, issues, OTHER_NAME_KEYS, prefix=f"other_names[{j}].", what="other name")
        kind = nf.code("kind", NAME_KINDS)
        given, family = (
            nf.text("given_name", max_len=limits.NAME_MAX).strip(),
            nf.text("family_name", max_len=limits.NAME_MAX).strip(),
        )
        if nf.ok and not given and not family:
            nf.issue("given_name", "is empty, and so is family_name: enter the other name")
        other_names.append((kind, given, family))

    facts = {}
    for key, value in f.mapping("facts").items():
        if not key.strip() or len(key) > limits.FACT_KEY_MAX:
            f.issue(f"facts.{key}", f"the question's key must be 1 to {limits.FACT_KEY_MAX} characters")
            continue
        ff_ = _Fields(value, where, issues, FACT_KEYS, prefix=f"facts.{key}.", what="fact")
        text = ff_.text("value", max_len=limits.FACT_VALUE_MAX, required=True).strip()
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
    invited_by = f.text("invited_by", max_len=limits.USERNAME_MAX)
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
        outcome_note=f.text("outcome_note", max_len=limits.OUTCOME_NOTE_MAX).strip(),
    )
    if joint.outcome == InvitationOutcome.PENDING and joint.outcome_note:
        f.issue("outcome_note", 'is only for an outcome: attended, declined or no-reply, not "pending"')
    return joint


def _read_information(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> InformationIn:
    where = f"information_given[{i}]"
    f = _Fields(obj, where, issues, INFORMATION_KEYS, what="record of information given")
    given_by = f.text("given_by", max_len=limits.USERNAME_MAX)
    if given_by:
        ff._user_refs.append((given_by, where, "given_by"))
    appointment = f.ref("appointment") if f.has("appointment") else ""
    return InformationIn(
        network=f.ref("network"),
        person=f.ref("person"),
        material=f.text("material", max_len=limits.MATERIAL_CODE_MAX, required=True).strip(),
        how=f.code("how", HOWS),
        given_on=f.day("given_on", required=True),
        given_by=given_by,
        declined=f.flag("declined"),
        declined_reason=f.text("declined_reason", max_len=limits.DECLINED_REASON_MAX).strip(),
        appointment=appointment,
    )


def _read_network(ff: FamilyFile, obj: Any, i: int, issues: list[Issue]) -> NetworkIn:
    nid = obj.get("id") if isinstance(obj, dict) else None
    where = f'networks[{i}] (id "{nid}")' if isinstance(nid, str) else f"networks[{i}]"
    f = _Fields(obj, where, issues, NETWORK_KEYS, what="family network")
    net = NetworkIn(
        f.ref("id"),
        f.text("name", max_len=limits.NETWORK_NAME_MAX, required=True).strip(),
        f.refs("index_children"),
        [],
        [],
    )
    net.other_members = f.refs("other_members")
    if f.ok and not net.index_children and not f.items("index_children"):
        f.issue("index_children", "is empty: a family network is around at least one index child")
    for j, item in enumerate(f.items("allocations")):
        af = _Fields(item, where, issues, ALLOCATION_KEYS, prefix=f"allocations[{j}].", what="allocation")
        alloc = AllocationIn(
            af.text("agency", max_len=limits.ORGANISATION_NAME_MAX, required=True),
            af.text("team", max_len=limits.ORGANISATION_NAME_MAX, required=True),
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
        address_line_1=f.text("address_line_1", max_len=limits.ADDRESS_LINE_MAX),
        address_line_2=f.text("address_line_2", max_len=limits.ADDRESS_LINE_MAX),
        town=f.text("town", max_len=limits.TOWN_MAX),
        postcode=f.text("postcode", max_len=limits.POSTCODE_MAX),
        masked=f.flag("masked"),
    ).cleaned()
    if f.ok:
        try:
            s._address_error(address)
        except RecordError as err:
            for p in err.problems:
                f.issue(p.field, p.message)
    return HouseholdIn(f.ref("id"), address, _read_prov(ff, f, "provenance"))


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
