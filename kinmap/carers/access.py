"""Finding carer records through a family the user may see. Missing and
forbidden both answer 404."""

from __future__ import annotations

from django.http import Http404

from kinmap.accounts.models import Role, User
from kinmap.records import models as rm
from kinmap.records.access import record_read

from . import models as cm


def appointment_for_user(user: User, network: rm.FamilyNetwork, appointment_id: int) -> cm.JointAppointment:
    """A joint appointment of ``network`` (which the caller found with
    ``records.access.network_for_user``)."""
    appt = (
        cm.JointAppointment.objects.filter(pk=appointment_id, network=network)
        .select_related("person")
        .first()
    )
    if appt is None:
        raise Http404("No joint appointment found")
    record_read(user, network)
    return appt


def is_materials_administrator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMINISTRATOR


def material_for_administrator(user: User, material_id: int) -> cm.Material:
    material = cm.Material.objects.filter(pk=material_id).first()
    if material is None or not is_materials_administrator(user):
        raise Http404("No material found")
    return material
