"""Reading a family file: the JSON (:mod:`.document`), then the format as
declared in :mod:`.schema` (pydantic), then the references, the database and
the core checks (:mod:`.checks`). Every problem is reported, each naming the
record and the field at fault in words a person can act on:
``people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)``."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from kinmap.records import services as s
from kinmap.records.known_dates import SpanAccuracy

from . import history_schema as hs
from . import schema as sc
from .checks import _check_core, _check_database, _check_references
from .document import (
    FORMAT_KEY,
    MASKED_WITHHELD,
    READABLE_VERSIONS,
    FamilyFileError,
    Issue,
    _show,
    json_document_load,
)
from .history_checks import history_check_database, history_check_references, history_shift, history_user_refs
from .records import (
    AllocationIn,
    CareIn,
    CareOrderIn,
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

# The order problems are listed in: the file's own fields, then the records,
# people first (the records refer to them).
_ORDER = [
    FORMAT_KEY,
    "description",
    "reference_date",
    "masked_details",
    "people",
    "networks",
    "households",
    "relationships",
    "residences",
    "care_arrangements",
    "parental_responsibility",
    "care_orders",
    "joint_appointments",
    "information_given",
    *hs.HISTORY_SECTIONS,
]
# Records with an id, named by it: 'people[3] (id "p4")'.
_WITH_ID = {"networks", "people", "households", "joint_appointments", *hs.HISTORY_SECTIONS}


def family_file_read(content: str | bytes, *, shift_to: date | None = None) -> FamilyFile:
    """Parse and check a family file; raise :class:`FamilyFileError` listing every
    problem. Checks the structure, the codes, the references between records,
    the teams and users named (in the database), and the whole family as the
    core validation sees it (so a second birth mother is refused here).

    With ``shift_to``, every date is first moved by the days from the file's
    ``reference_date`` to ``shift_to`` (see :func:`shift_dates`)."""
    raw = json_document_load(content)
    if not isinstance(raw, dict) or FORMAT_KEY not in raw:
        raise FamilyFileError(
            [Issue("", FORMAT_KEY, "is missing: this is not a kinmap family file (see docs/family-file.md)")]
        )
    if type(raw[FORMAT_KEY]) is not int or raw[FORMAT_KEY] not in READABLE_VERSIONS:
        raise FamilyFileError(
            [
                Issue(
                    "",
                    FORMAT_KEY,
                    f"version {_show(raw[FORMAT_KEY])} is not supported (this kinmap reads versions "
                    f"{', '.join(str(v) for v in READABLE_VERSIONS)})",
                )
            ]
        )
    if raw[FORMAT_KEY] == 1 and (early := [k for k in hs.HISTORY_SECTIONS if k in raw]):
        raise FamilyFileError(
            [
                Issue("", k, f'is not part of version 1: the family\'s history needs "{FORMAT_KEY}": 2')
                for k in early
            ]
        )
    if raw.get("masked_details") == MASKED_WITHHELD:
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
    try:
        doc = hs.HistoryDocument.model_validate(raw)
    except ValidationError as err:
        found = schema_issues(err, raw)
        if not raw.get("networks") and not any(i.field.startswith("networks") for i in found):
            found.append(_NO_NETWORKS)
        raise FamilyFileError(found) from None
    ff = _family_file(doc)
    issues: list[Issue] = []
    if not ff.networks:
        issues.append(_NO_NETWORKS)
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
        history_check_references(ff, issues)
    if not issues:
        _check_database(ff, issues)
        history_check_database(ff, issues)
    if not issues:
        _check_core(ff, issues)
    if issues:
        raise FamilyFileError(issues)
    return ff


_NO_NETWORKS = Issue("", "networks", "is empty: a family file holds at least one family network")


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

    def latest(a: SpanAccuracy) -> SpanAccuracy:
        return dataclasses.replace(a, start_latest=d(a.start_latest), end_latest=d(a.end_latest))

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
            birth_date_latest=d(data.birth_date_latest),
            death_date=d(data.death_date),
            death_date_latest=d(data.death_date_latest),
            seen_directly_on=d(data.seen_directly_on),
        )
        person.provenance = {k: p(v) for k, v in person.provenance.items()}
        person.facts = {k: FactIn(v.value, p(v.provenance)) for k, v in person.facts.items()}
    for h in ff.households:
        h.provenance = p(h.provenance)
    for r in ff.relationships:
        r.start, r.end, r.provenance, r.accuracy = d(r.start), d(r.end), p(r.provenance), latest(r.accuracy)
    for res in ff.residences:
        res.start, res.end, res.provenance = d(res.start), d(res.end), p(res.provenance)
        res.accuracy = latest(res.accuracy)
    for c in ff.care:
        c.data = dataclasses.replace(
            c.data,
            start=d(c.data.start),
            end=d(c.data.end),
            start_latest=d(c.data.start_latest),
            end_latest=d(c.data.end_latest),
        )
        c.provenance = p(c.provenance)
    for pr in ff.pr:
        pr.start, pr.end, pr.provenance = d(pr.start), d(pr.end), p(pr.provenance)
        pr.accuracy = latest(pr.accuracy)
    for o in ff.care_orders:
        o.start, o.end, o.provenance = d(o.start), d(o.end), p(o.provenance)
        o.accuracy = latest(o.accuracy)
    for j in ff.joint:
        j.contact_on, j.invited_on = d(j.contact_on), d(j.invited_on)
    for info in ff.information:
        info.given_on = d(info.given_on)
    history_shift(ff, delta)
    ff.reference_date = to
    return delta.days


# -- pydantic's errors as the file's problems ------------------------------------------


def schema_issues(err: ValidationError, raw: dict[str, Any]) -> list[Issue]:
    """Each of pydantic's errors as an :class:`Issue` naming the record (by its
    list and position, and its id if it has one) and the field (a dotted path:
    ``provenance.birth_date.recorded_by``, ``allocations[0].start``), in the
    order of :data:`_ORDER`. A question's key at fault hides the errors inside it."""
    errors = err.errors(include_url=False)
    bad_keys = {e["loc"][:-1] for e in errors if e["loc"] and e["loc"][-1] == "[key]"}
    out: list[tuple[int, Issue]] = []
    for e in errors:
        loc = tuple(e["loc"])
        if any(loc[: len(k)] == k and loc != (*k, "[key]") for k in bad_keys):
            continue
        path = loc[:-1] if loc and loc[-1] == "[key]" else loc
        ctx = e.get("ctx") or {}
        where, field = _located(path, raw)
        extra = ctx.get("field", "") if e["type"] == "family_file" else ""
        if extra:
            field = f"{field}.{extra}" if field else extra
        rank = _ORDER.index(path[0]) if path and path[0] in _ORDER else -1
        out.append((rank, Issue(where, field, _message(e, path))))
    out.sort(key=lambda pair: pair[0])
    return [issue for _, issue in out]


def _message(e: Any, path: tuple[Any, ...]) -> str:
    kind, value = e["type"], e.get("input")
    if kind == "family_file":
        return str(e["ctx"]["message"])
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        keys = [f.alias or name for name, f in model.model_fields.items()]
        return f"is not a field of a {model.what} (expected one of: {', '.join(keys)})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "is missing" if value is None else f"must be an object {{...}}, not {_show(value)}"
    if kind == "list_type":
        return f"must be a list [...], not {_show(value)}"
    if kind == "missing":
        return "is missing"
    return str(e["msg"])


def _located(path: tuple[Any, ...], raw: dict[str, Any]) -> tuple[str, str]:
    """``('people', 3, 'provenance', 'birth_date')`` -> ``('people[3] (id "p4")',
    'provenance.birth_date')``."""
    where, rest = "", path
    if len(path) >= 2 and path[0] in _ORDER and isinstance(path[1], int):
        where, rest = f"{path[0]}[{path[1]}]", path[2:]
        if path[0] in _WITH_ID:
            record = raw[path[0]][path[1]]
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                where += f' (id "{record["id"]}")'
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return where, field


def _model_at(path: tuple[Any, ...]) -> type[sc.Record]:
    """The record model that holds the value at ``path``."""
    model: type[sc.Record] = hs.HistoryDocument
    skip = False
    for step in path:
        if skip:  # a list's position or a mapping's key
            skip = False
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        if step not in fields:
            break
        annotation = fields[step].annotation
        skip = get_origin(annotation) in (list, dict)
        inner = _record_in(annotation)
        if inner is not None:
            model = inner
    return model


def _record_in(annotation: Any) -> type[sc.Record] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation if issubclass(annotation, sc.Record) else None
    for arg in get_args(annotation):
        found = _record_in(arg)
        if found is not None:
            return found
    return None


# -- the checked document as the importer takes it -----------------------------------


def _family_file(doc: hs.HistoryDocument) -> FamilyFile:
    ff = FamilyFile(reference_date=doc.reference_date, masked_details=doc.masked_details)
    ff.description = doc.description

    def prov(p: sc.Provenance, where: str, field: str) -> Prov:
        if p.recorded_by:
            ff._user_refs.append((p.recorded_by, where, f"{field}.recorded_by"))
        return Prov(p.source, p.detail.strip(), p.recorded_by, p.recorded_at)

    def user(name: str, where: str, field: str) -> str:
        if name:
            ff._user_refs.append((name, where, field))
        return name

    for i, p in enumerate(doc.people):
        where = f'people[{i}] (id "{p.id}")'
        ff.people.append(
            PersonIn(
                p.id,
                p.data(),
                [(o.kind, o.given_name.strip(), o.family_name.strip()) for o in p.other_names],
                {
                    key: FactIn(fact.value.strip(), prov(fact.provenance, where, f"facts.{key}.provenance"))
                    for key, fact in p.facts.items()
                },
                {key: prov(value, where, f"provenance.{key}") for key, value in p.provenance.items()},
            )
        )
    for i, n in enumerate(doc.networks):
        where = f'networks[{i}] (id "{n.id}")'
        for j, a in enumerate(n.allocations):
            ff._team_refs.append((a.agency, a.team, where, f"allocations[{j}]"))
        allocations = [AllocationIn(a.agency, a.team, a.start, a.end) for a in n.allocations]
        ff.networks.append(NetworkIn(n.id, n.name.strip(), n.index_children, n.other_members, allocations))
    for i, h in enumerate(doc.households):
        ff.households.append(
            HouseholdIn(h.id, h.address(), prov(h.provenance, f'households[{i}] (id "{h.id}")', "provenance"))
        )
    for i, r in enumerate(doc.relationships):
        p_ = prov(r.provenance, f"relationships[{i}]", "provenance")
        ff.relationships.append(
            RelationshipIn(r.from_, r.to, r.type, r.start, r.end, p_, r.legal_basis, r.accuracy())
        )
    for i, res in enumerate(doc.residences):
        p_ = prov(res.provenance, f"residences[{i}]", "provenance")
        ff.residences.append(ResidenceIn(res.person, res.household, res.start, res.end, p_, res.accuracy()))
    for i, c in enumerate(doc.care_arrangements):
        data = s.CareData(
            place=c.place,
            frequency=c.frequency,
            overnight=c.overnight,
            supervised=c.supervised,
            sleep_place=c.sleep_place,
            start=c.start,
            end=c.end,
            **dataclasses.asdict(c.accuracy()),
        )
        ff.care.append(
            CareIn(c.carer, c.child, data, prov(c.provenance, f"care_arrangements[{i}]", "provenance"))
        )
    for i, pr in enumerate(doc.parental_responsibility):
        p_ = prov(pr.provenance, f"parental_responsibility[{i}]", "provenance")
        ff.pr.append(PRIn(pr.person, pr.child, pr.basis, pr.start, p_, pr.end, pr.accuracy()))
    for i, co in enumerate(doc.care_orders):
        p_ = prov(co.provenance, f"care_orders[{i}]", "provenance")
        ff.care_orders.append(CareOrderIn(co.child, co.local_authority, co.start, co.end, p_, co.accuracy()))
    for i, ja in enumerate(doc.joint_appointments):
        where = f'joint_appointments[{i}] (id "{ja.id}")'
        ff.joint.append(
            JointIn(
                id=ja.id,
                network=ja.network,
                person=ja.person,
                contact_on=ja.contact_on,
                contact_type=ja.contact_type,
                invited_on=ja.invited_on,
                invited_by=user(ja.invited_by, where, "invited_by"),
                outcome=ja.outcome,
                outcome_note=ja.outcome_note.strip(),
            )
        )
    for i, info in enumerate(doc.information_given):
        ff.information.append(
            InformationIn(
                network=info.network,
                person=info.person,
                material=info.material.strip(),
                how=info.how,
                given_on=info.given_on,
                given_by=user(info.given_by, f"information_given[{i}]", "given_by"),
                declined=info.declined,
                declined_reason=info.declined_reason.strip(),
                appointment=info.appointment,
            )
        )
    ff.gaps, ff.contacts = list(doc.gaps), list(doc.contacts)
    ff.information_requests = list(doc.information_requests)
    ff.supervisor_decisions, ff.sharing_decisions = (
        list(doc.supervisor_decisions),
        list(doc.sharing_decisions),
    )
    history_user_refs(ff)
    return ff
