"""Read the safety information kept about a family, in a fixed number of queries."""

from __future__ import annotations

import dataclasses

from django.db.models import QuerySet

from kinmap.core import model as core
from kinmap.core.vocab import InfoHow, InvitationOutcome
from kinmap.records.selectors import FamilyRecord

from . import models as cm


def add_carer_information(record: FamilyRecord) -> core.Network:
    """The record's pure network with the information given to its members and
    their joint appointments (two queries, whatever the size of the family).

    Information reaches a person, not a network: what a father was given while
    recorded in one family network counts in every network he belongs to.
    """
    ids = record.member_ids
    given = [
        core.InformationGiven(
            id=i.pk,
            person_id=i.person_id,
            material=i.material.code,
            on=i.given_on,
            how=InfoHow(i.how),
            declined=i.declined,
            declined_reason=i.declined_reason,
            by=i.given_by.username if i.given_by else "",
        )
        for i in cm.InformationGiven.objects.filter(person_id__in=ids)
        .select_related("material", "given_by")
        .order_by("given_on", "pk")
    ]
    invitations = [
        core.Invitation(
            id=a.pk,
            person_id=a.person_id,
            contact_on=a.contact_on,
            contact_type=a.contact_type,
            outcome=InvitationOutcome(a.outcome),
            invited_on=a.invited_on,
        )
        for a in cm.JointAppointment.objects.filter(person_id__in=ids).order_by("contact_on", "pk")
    ]
    return dataclasses.replace(
        record.graph_network, information_given=tuple(given), invitations=tuple(invitations)
    )


def materials_active() -> QuerySet[cm.Material]:
    return cm.Material.objects.filter(active=True).order_by("title")


def material_titles() -> dict[str, str]:
    """Every material's title by code (one query)."""
    return dict(cm.Material.objects.values_list("code", "title"))
