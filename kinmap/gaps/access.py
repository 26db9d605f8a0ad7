"""Who may see which gap and contact: through a family network the user may
see (``kinmap.records.access``); 404 alike for missing and forbidden."""

from __future__ import annotations

from django.http import Http404

from kinmap.accounts.models import User
from kinmap.records import models as rm
from kinmap.records.access import record_read
from kinmap.web.converters import is_object_id

from . import models as gm


def gap_in_network(network: rm.FamilyNetwork, gap_id: int) -> gm.Gap | None:
    """The gap of ``network`` with this id, or None; records nothing."""
    return gm.Gap.objects.filter(pk=gap_id, network=network).first()


def gap_for_user(user: User, network: rm.FamilyNetwork, gap_id: int) -> gm.Gap:
    """A gap of a network the user may see (``records.access.network_for_user``);
    records the read of the network when found."""
    gap = gap_in_network(network, gap_id)
    if gap is None:
        raise Http404("No gap found")
    record_read(user, network)
    return gap


def contact_for_user(user: User, network: rm.FamilyNetwork, contact_id: int) -> gm.Contact:
    contact = gm.Contact.objects.filter(pk=contact_id, network=network).select_related("practitioner").first()
    if contact is None:
        raise Http404("No contact found")
    record_read(user, network)
    return contact


def action_for_user(user: User, network: rm.FamilyNetwork, action_id: int) -> gm.SupervisorAction:
    """An action agreed at supervision about ``network`` (which the user may see);
    404 alike for missing, another family's and out-of-range ids. Records the read."""
    action = (
        gm.SupervisorAction.objects.filter(pk=action_id, network=network)
        .select_related("decision__by", "owner", "completed_by")
        .first()
        if is_object_id(action_id)
        else None
    )
    if action is None:
        raise Http404("No action found")
    record_read(user, network)
    return action
