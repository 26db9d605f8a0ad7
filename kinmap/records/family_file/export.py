"""Exporting family networks as a family file, in a stable order, so export,
import and export again gives the identical file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.carers import models as cm
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from kinmap.web.masking import can_see_masked, export_address

from .document import FORMAT_KEY, FORMAT_VERSION, MASKED_INCLUDED, MASKED_WITHHELD
from .history_export import FileIds, history_load, history_out
from .import_ import sha256_of

# -- exporting -------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    text: str
    counts: dict[str, int]
    masked_withheld: bool
    # Links to people in family networks not being exported (left out of the file).
    left_out: dict[str, int]
    linked_network_ids: list[int]


def _span_out(row: Any) -> dict[str, Any]:
    """A period's dates with their accuracy, as the family file writes them
    (``schema.Dated``): ISO days or null, accuracy codes."""
    return {
        "start": _day(row.start),
        "start_accuracy": row.start_accuracy,
        "start_latest": _day(row.start_latest),
        "end": _day(row.end),
        "end_accuracy": row.end_accuracy,
        "end_latest": _day(row.end_latest),
    }


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


def family_file_export(
    networks: Iterable[m.FamilyNetwork], *, include_masked: bool = False, chronology: bool = False
) -> Export:
    """Write the family networks as a family file, in a fixed number of queries.

    People, networks, relationships, residences, care arrangements and
    parental responsibility are written in the order they were recorded, and
    households in the order people's residences first name them; ids are
    ``n1``, ``p1``, ``h1``... in that order. Relationships, care and parental
    responsibility that reach people outside these networks are left out (and
    counted). Masked addresses and telephone numbers are withheld unless
    ``include_masked``; a file with details withheld says so and cannot be
    imported. With ``chronology``, each network's chronology is added as a
    read-only section (fifteen more queries a network; an import ignores it)."""
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
    history_rows = history_load(net_ids)
    user_ids |= history_rows.user_ids
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
                "birth_date_latest": _day(p.birth_date_latest),
                "death_date": _day(p.death_date),
                "death_date_accuracy": p.death_date_accuracy,
                "death_date_latest": _day(p.death_date_latest),
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
                **_span_out(r),
                "provenance": _prov_out(r, usernames),
            }
        )

    kept_rels = [r for r in rels if inside("relationships", r.from_person_id, r.to_person_id)]
    kept_care = [c for c in care if inside("care_arrangements", c.carer_id, c.child_id)]
    kept_prs = [
        x
        for x in prs
        if x.person_id is not None and inside("parental_responsibility", x.person_id, x.child_id)
    ]
    out_rels = [
        {
            "from": pid[r.from_person_id],
            "to": pid[r.to_person_id],
            "type": r.type,
            "legal_basis": r.legal_basis,
            **_span_out(r),
            "provenance": _prov_out(r, usernames),
        }
        for r in kept_rels
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
            **_span_out(c),
            "provenance": _prov_out(c, usernames),
        }
        for c in kept_care
    ]
    out_pr = [
        {
            "person": pid[pr.person_id or 0],  # kept_prs: a person holds each
            "child": pid[pr.child_id],
            "basis": pr.basis,
            **_span_out(pr),
            "provenance": _prov_out(pr, usernames),
        }
        for pr in kept_prs
    ]
    kept_orders = [o for o in prs if o.person_id is None and o.child_id in pid]
    out_orders = [  # the local authority's parental responsibility under a care order
        {
            "child": pid[o.child_id],
            "local_authority": o.local_authority,
            **_span_out(o),
            "provenance": _prov_out(o, usernames),
        }
        for o in kept_orders
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
        "care_orders": out_orders,
        "joint_appointments": out_joints,
        "information_given": out_information,
    }
    positions = {
        "relationships": {r.pk: i for i, r in enumerate(kept_rels)},
        "residences": {r.pk: i for i, r in enumerate(residences)},
        "care_arrangements": {c.pk: i for i, c in enumerate(kept_care)},
        "parental_responsibility": {x.pk: i for i, x in enumerate(kept_prs)},
        "care_orders": {o.pk: i for i, o in enumerate(kept_orders)},
    }
    history = history_out(history_rows, FileIds(nid, pid, hid, positions), usernames)
    doc.update(history)
    lines = chronology_out(nets, nid, pid, include_masked=include_masked) if chronology else []
    if chronology:
        doc["chronology"] = lines
    counts = {
        "networks": len(out_networks),
        "people": len(out_people),
        "relationships": len(out_rels),
        "households": len(out_households),
        "residences": len(out_residences),
        "care_arrangements": len(out_care),
        "parental_responsibility": len(out_pr),
        "care_orders": len(out_orders),
        "joint_appointments": len(out_joints),
        "information_given": len(out_information),
        "gaps": len(history["gaps"]),
        "gap_events": sum(len(g["events"]) for g in history["gaps"]),
        "contacts": len(history["contacts"]),
        "supervisor_decisions": len(history["supervisor_decisions"]),
        "information_requests": len(history["information_requests"]),
        "sharing_decisions": len(history["sharing_decisions"]),
        **({"chronology": len(lines)} if chronology else {}),
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return Export(text, counts, withheld, {k: v for k, v in left_out.items() if v}, linked)


def family_file_export_audited(
    *,
    actor: User | None,
    networks: Sequence[m.FamilyNetwork],
    include_masked: bool,
    destination: str,
    reason: str = "",
    write: Any = None,
    chronology: bool = False,
) -> Export:
    """Export and record one ``export`` audit event per family network, with the
    actor and ``reason``. ``write`` (given the text) runs inside the same
    transaction, so a failed write leaves no event claiming the export happened.

    Masked details leave the server only for a person entitled to see them
    (``kinmap.web.masking.can_see_masked``) who gives a reason: otherwise
    ``include_masked`` raises RecordError, and nothing is exported or audited."""
    reason = reason.strip()
    if include_masked and not can_see_masked(actor):
        who = f'User "{actor.username}"' if actor is not None else "Nobody named"
        raise RecordError(
            f"{who} is not entitled to see masked details, so cannot export them with --include-masked",
            field="include_masked",
        )
    if include_masked and not reason:
        raise RecordError("Say why masked details are exported", field="reason")
    with transaction.atomic():
        export = family_file_export(networks, include_masked=include_masked, chronology=chronology)
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
                reason=reason,
            )
        if write is not None:
            write(export.text)
    return export


def chronology_out(
    networks: Sequence[m.FamilyNetwork],
    nid: Mapping[int, str],
    pid: Mapping[int, str],
    *,
    include_masked: bool,
) -> list[dict[str, Any]]:
    """The chronology of each network as file records (see docs/family-file.md):
    addresses withheld as "an address (withheld)" when masked and not included."""
    from kinmap.chronology.selectors import chronology_lines
    from kinmap.records.selectors import family_records_load

    def address(h: Any) -> str:
        lines = export_address(h, include_masked=include_masked)
        if lines.get("masked") and not include_masked:
            return "an address (withheld)"
        parts = [lines["address_line_1"], lines["address_line_2"], lines["town"], lines["postcode"]]
        return ", ".join(str(p) for p in parts if p) or "an address not recorded"

    out = []
    for record in family_records_load(networks):
        for line in chronology_lines(record, address):
            out.append(
                {
                    "network": nid[record.network.pk],
                    "on": _day(line.on),
                    "dated": line.dated,
                    "kind": line.kind,
                    "words": line.words,
                    "people": sorted((pid[p] for p in line.people if p in pid), key=lambda x: int(x[1:])),
                    "recorded_by": line.recorded_by,
                    "recorded_at": _moment(line.recorded_at),
                    "corrects": line.corrects,
                    "later": line.later,
                }
            )
    return out
