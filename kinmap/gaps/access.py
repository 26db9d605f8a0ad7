"""Who may see which gap and contact: through a family network the user may
see (``kinmap.records.access``); 404 alike for missing and forbidden."""

from __future__ import annotations

from django.http import Http404

from kinmap.accounts.models import User
from kinmap.records import models as rm

from . import models as gm


def gap_for_user(user: User, network: rm.FamilyNetwork, gap_id: int) -> gm.Gap:
    gap = gm.Gap.objects.filter(pk=gap_id, network=network).first()
    if gap is None:
        raise Http404("No gap found")
    return gap


def contact_for_user(user: User, network: rm.FamilyNetwork, contact_id: int) -> gm.Contact:
    contact = gm.Contact.objects.filter(pk=contact_id, network=network).select_related("practitioner").first()
    if contact is None:
        raise Http404("No contact found")
    return contact
