"""Changes to the materials catalogue and to the safety information given to carers.

Every service takes keyword-only arguments, runs in one transaction, refuses
bad input with a :class:`RecordError` naming the field at fault (and saves
nothing), and writes the audit event with old and new values. Changes to a
family call ``records.services.common._touch`` so its gaps are recomputed in the same
transaction.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.services import audit_record
from kinmap.core.carers import carers_of
from kinmap.core.graph import FamilyGraph
from kinmap.core.vocab import CONTACT_TYPE_LABELS, CORE_MATERIALS, InfoHow, InvitationOutcome
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, check_version, refuse_hidden_characters
from kinmap.records.lifecycle import network_began, occurred_on_problem
from kinmap.records.selectors import family_record_load
from kinmap.records.services.common import _touch

from . import models as cm

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MATERIAL_FIELDS = (
    "code",
    "title",
    "summary",
    "audience",
    "due_from_days",
    "due_to_days",
    "formats",
    "languages",
    "url",
)


def _today() -> date:
    return timezone.localdate()


# -- the materials catalogue -------------------------------------------------------


@dataclass(frozen=True)
class MaterialData:
    code: str
    title: str
    summary: str
    audience: str = "all"
    due_from_days: int | None = None
    due_to_days: int | None = None
    formats: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("English",)
    url: str = ""

    def cleaned(self) -> MaterialData:
        languages: list[str] = []
        for lang in self.languages:
            word = " ".join(lang.split())
            if word and word.casefold() not in {x.casefold() for x in languages}:
                languages.append(word)
        return dataclasses.replace(
            self,
            code=self.code.strip().lower(),
            title=" ".join(self.title.split()),
            summary=self.summary.strip(),
            formats=tuple(f for f in cm.FORMAT_LABELS if f in set(self.formats)),
            languages=tuple(languages),
            url=self.url.strip(),
        )

    def as_row(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["formats"] = list(self.formats)
        d["languages"] = list(self.languages)
        return d


def _require_administrator(actor: User) -> None:
    if actor.role != Role.ADMINISTRATOR:
        raise RecordError("Only a partnership administrator can change the information materials")


def _material_problems(d: MaterialData, *, pk: int | None) -> None:
    if not d.code:
        raise RecordError("Enter a short code for the material, like safer-sleep", field="code")
    if len(d.code) > 40 or not _CODE.fullmatch(d.code):
        raise RecordError(
            "The code must be lower-case letters and numbers joined by hyphens, like safer-sleep",
            field="code",
        )
    others = cm.Material.objects.filter(code=d.code)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.exists():
        raise RecordError(f"Another material already has the code {d.code}", field="code")
    if not d.title:
        raise RecordError("Enter the title", field="title")
    refuse_hidden_characters(d.title, "title", "The title")
    refuse_hidden_characters(d.summary, "summary", "The summary", multiline=True)
    if len(d.title) > 200:
        raise RecordError("The title must be 200 characters or fewer", field="title")
    if not d.summary:
        raise RecordError("Enter a summary of what the material says, in plain English", field="summary")
    if d.audience not in cm.AUDIENCE_LABELS:
        raise RecordError("Choose who the material is for", field="audience")
    for name, value in (("due_from_days", d.due_from_days), ("due_to_days", d.due_to_days)):
        if value is not None and not 0 <= value <= 6570:
            raise RecordError("Enter an age between 0 and 6570 days (18 years)", field=name)
    if d.due_from_days is not None and d.due_to_days is not None and d.due_from_days > d.due_to_days:
        raise RecordError(
            "The age the material is due until must be the same as or after the age it is due from",
            field="due_to_days",
        )
    if not d.formats:
        raise RecordError("Choose at least one format", field="formats")
    if not d.languages:
        raise RecordError("Enter at least one language", field="languages")
    if "web" in d.formats and not d.url:
        raise RecordError("Enter the web address, or untick 'Web link'", field="url")
    if d.url and not re.fullmatch(r"https://[^\s/]+\.[^\s]+", d.url):
        raise RecordError("Enter a web address that starts with https://", field="url")


def _material_values(row: cm.Material) -> dict[str, Any]:
    return {f: getattr(row, f) for f in MATERIAL_FIELDS}


@transaction.atomic
def material_create(*, actor: User, data: MaterialData) -> cm.Material:
    _require_administrator(actor)
    d = data.cleaned()
    _material_problems(d, pk=None)
    row = cm.Material.objects.create(**d.as_row())
    audit_record(
        actor=actor,
        action="create",
        object_type="material",
        object_id=row.pk,
        changes={k: [None, v] for k, v in _material_values(row).items()},
    )
    return row


@transaction.atomic
def material_update(
    *, actor: User, material: cm.Material, data: MaterialData, expected_version: int | None
) -> cm.Material:
    _require_administrator(actor)
    d = data.cleaned()
    row = cm.Material.objects.select_for_update(no_key=True).get(pk=material.pk)
    check_version(row.version, expected_version, "material")
    if row.code in CORE_MATERIALS and d.code != row.code:
        raise RecordError(
            f"The code {row.code} is checked by the information rules and cannot be changed",
            field="code",
        )
    _material_problems(d, pk=row.pk)
    old = _material_values(row)
    for k, v in d.as_row().items():
        setattr(row, k, v)
    row.version += 1
    row.save()
    new = _material_values(row)
    audit_record(
        actor=actor,
        action="update",
        object_type="material",
        object_id=row.pk,
        changes={k: [old[k], new[k]] for k in new if old[k] != new[k]},
    )
    return row


@transaction.atomic
def material_deactivate(
    *, actor: User, material: cm.Material, reason: str, expected_version: int | None
) -> cm.Material:
    """Withdraw a material: it is no longer offered or put in carer packs. What
    was given before stays on record. ``expected_version`` is the version the
    administrator saw."""
    _require_administrator(actor)
    row = cm.Material.objects.select_for_update(no_key=True).get(pk=material.pk)
    check_version(row.version, expected_version, "material")
    if not row.active:
        raise RecordError(f"{row.title} is already withdrawn")
    if row.code in CORE_MATERIALS:
        raise RecordError(
            f"{row.title} is checked by the information rules and cannot be withdrawn. "
            "Change its content instead",
            field="reason",
        )
    if not reason.strip():
        raise RecordError("Say why this material is being withdrawn", field="reason")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row.active = False
    row.version += 1
    row.save(update_fields=["active", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="deactivate",
        object_type="material",
        object_id=row.pk,
        changes={"active": [True, False]},
        reason=reason.strip(),
    )
    return row


@transaction.atomic
def material_reactivate(*, actor: User, material: cm.Material, expected_version: int | None) -> cm.Material:
    """Offer a withdrawn material again. ``expected_version`` is the version the
    administrator saw."""
    _require_administrator(actor)
    row = cm.Material.objects.select_for_update(no_key=True).get(pk=material.pk)
    check_version(row.version, expected_version, "material")
    if row.active:
        raise RecordError(f"{row.title} is already offered")
    row.active = True
    row.version += 1
    row.save(update_fields=["active", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="reactivate",
        object_type="material",
        object_id=row.pk,
        changes={"active": [False, True]},
    )
    return row


# -- information given to carers ----------------------------------------------------


@dataclass(frozen=True)
class InformationData:
    materials: Sequence[cm.Material] = field(default_factory=tuple)
    how: str = ""
    given_on: date | None = None
    declined: bool = False
    declined_reason: str = ""


def _member(network: rm.FamilyNetwork, person: rm.Person) -> None:
    if not rm.NetworkMember.objects.filter(network=network, person=person).exists():
        raise RecordError("This person is not part of this family network", field="person")


@transaction.atomic
def information_given_record(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    person: rm.Person,
    data: InformationData,
    appointment: cm.JointAppointment | None = None,
    withdrawn_ok: bool = False,
) -> list[cm.InformationGiven]:
    """Record that materials reached a carer (or were offered and declined): one
    record per material, all or none.

    ``withdrawn_ok`` lets a record carried from another kinmap (a family file)
    name a material withdrawn since: what was given before stays on record,
    and on a day before the work with the family began in this kinmap.

    ``data.given_on`` is the day it happened (it may be before today: recorded
    after the event; never in the future nor before the work with the family
    began, :func:`kinmap.records.lifecycle.network_began`); the time it was
    typed is kept as ``recorded_at``."""
    _member(network, person)
    if not data.materials:
        raise RecordError("Choose the information you gave or offered", field="materials")
    withdrawn = [m.title for m in data.materials if not m.active]
    if withdrawn and not withdrawn_ok:
        raise RecordError(f"{', '.join(withdrawn)} has been withdrawn by the partnership", field="materials")
    if data.how not in {h.value for h in InfoHow}:
        raise RecordError("Choose how the information was given or offered", field="how")
    if data.given_on is None:
        raise RecordError("Enter the date the information was given or offered", field="given_on")
    if data.given_on > _today():
        raise RecordError("The date must be today or in the past", field="given_on")
    if data.given_on.year < 2000:
        raise RecordError("Enter a date from 2000 onwards", field="given_on")
    # A record carried from another kinmap (a family file) happened while the
    # work with the family went on there, before this copy of it began.
    if not withdrawn_ok and (
        problem := occurred_on_problem(data.given_on, began=network_began(network), what="The date")
    ):
        raise RecordError(problem, field="given_on")
    reason = data.declined_reason.strip()
    if data.declined and not reason:
        raise RecordError(
            "Say why they did not want the information, in their words", field="declined_reason"
        )
    if not data.declined and reason:
        raise RecordError(
            "A reason is only for information that was offered and declined", field="declined_reason"
        )
    refuse_hidden_characters(reason, "declined_reason", "The reason", multiline=True)
    if appointment is not None and appointment.person_id != person.pk:
        raise RecordError("That joint appointment is for someone else", field="appointment")
    if (
        data.how == InfoHow.JOINT_APPOINTMENT
        and appointment is not None
        and appointment.outcome != InvitationOutcome.ATTENDED
    ):
        raise RecordError("Record that they attended the joint appointment first", field="appointment")
    rows = []
    for material in data.materials:
        row = cm.InformationGiven.objects.create(
            network=network,
            person=person,
            material=material,
            how=data.how,
            given_on=data.given_on,
            given_by=actor,
            declined=data.declined,
            declined_reason=reason,
            appointment=appointment,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="information_given",
            object_id=row.pk,
            network_id=network.pk,
            changes={
                "person": [None, person.pk],
                "material": [None, material.code],
                "how": [None, data.how],
                "given_on": [None, data.given_on],
                "declined": [None, data.declined],
                **({"declined_reason": [None, reason]} if reason else {}),
            },
        )
        rows.append(row)
    _touch(network, actor)
    return rows


# -- joint appointments ---------------------------------------------------------------


@transaction.atomic
def joint_appointment_invite(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    person: rm.Person,
    contact_on: date | None,
    contact_type: str,
    invited_on: date | None = None,
) -> cm.JointAppointment:
    """Invite a carer who lives elsewhere to a coming contact with the child.

    ``invited_on`` records an invitation made on an earlier day (a family file
    carrying the record from another kinmap): the contact must then be on or
    after that day rather than today."""
    _member(network, person)
    if contact_type not in CONTACT_TYPE_LABELS:
        raise RecordError("Choose the kind of contact", field="contact_type")
    if contact_on is None:
        raise RecordError("Enter the date of the contact", field="contact_on")
    if invited_on is not None and invited_on > _today():
        raise RecordError("The invitation date must be today or in the past", field="invited_on")
    if invited_on is None and contact_on < _today():
        raise RecordError("The contact must be today or in the future", field="contact_on")
    if invited_on is not None and contact_on < invited_on:
        raise RecordError("The contact must be on or after the day of the invitation", field="contact_on")
    graph = FamilyGraph(family_record_load(network).graph_network, _today())
    roles = [c for child in graph.network.index_child_ids for c in carers_of(graph, child)]
    mine = [c for c in roles if c.person_id == person.pk]
    if not mine:
        raise RecordError(
            f"{person} is not recorded as caring for the child. Record their care arrangement first",
            field="person",
        )
    if all(c.lives_with for c in mine):
        raise RecordError(
            f"{person} lives with the child: joint appointments are for carers who live elsewhere",
            field="person",
        )
    # an appointment belongs to its network's contact: the same person (shared
    # with another family network) may be invited to that network's own
    duplicate = cm.JointAppointment.objects.filter(
        network=network, person=person, contact_on=contact_on, contact_type=contact_type
    ).exists()
    if duplicate:
        raise RecordError(f"{person} is already invited to this contact", field="contact_on")
    row = cm.JointAppointment.objects.create(
        network=network,
        person=person,
        contact_on=contact_on,
        contact_type=contact_type,
        invited_on=invited_on or _today(),
        invited_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="joint_appointment",
        object_id=row.pk,
        network_id=network.pk,
        changes={
            "person": [None, person.pk],
            "contact_on": [None, contact_on],
            "contact_type": [None, contact_type],
            **({"invited_on": [None, invited_on]} if invited_on is not None else {}),
        },
    )
    _touch(network, actor)
    return row


@transaction.atomic
def joint_appointment_outcome_record(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    appointment: cm.JointAppointment,
    outcome: str,
    expected_version: int | None,
    note: str = "",
) -> cm.JointAppointment:
    """Attended closes the carer's gap for a joint appointment; declined and no
    reply keep it open (offer copies or a telephone call instead)."""
    row = cm.JointAppointment.objects.select_for_update(no_key=True).get(pk=appointment.pk)
    if row.network_id != network.pk:
        raise RecordError("That joint appointment belongs to another family", field="appointment")
    check_version(row.version, expected_version, "joint appointment")
    choices = {o.value for o in InvitationOutcome} - {InvitationOutcome.PENDING.value}
    if outcome not in choices:
        raise RecordError("Choose what happened: attended, declined or no reply", field="outcome")
    if outcome == InvitationOutcome.ATTENDED and row.contact_on > _today():
        raise RecordError(
            "The contact has not happened yet: record that they attended on or after the day",
            field="outcome",
        )
    if len(note.strip()) > 500:
        raise RecordError("The note must be 500 characters or fewer", field="note")
    refuse_hidden_characters(note, "note", "The note", multiline=True)
    old = {"outcome": row.outcome, "outcome_note": row.outcome_note}
    row.outcome = outcome
    row.outcome_note = note.strip()
    row.outcome_recorded_at = timezone.now()
    row.version += 1
    row.save()
    new = {"outcome": row.outcome, "outcome_note": row.outcome_note}
    audit_record(
        actor=actor,
        action="update",
        object_type="joint_appointment",
        object_id=row.pk,
        network_id=network.pk,
        changes={k: [old[k], new[k]] for k in new if old[k] != new[k]},
    )
    _touch(network, actor)
    return row
