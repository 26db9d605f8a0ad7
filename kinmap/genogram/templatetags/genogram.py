"""The family page's genogram, so the family page needs one line to show it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.chronology.asat import AsAt
from kinmap.core import model as core
from kinmap.records import models as rm

from ..presenters import critical_gap_markers, genogram_picture

register = template.Library()


@register.inclusion_tag("genogram/_genogram.html")
def genogram(
    network: rm.FamilyNetwork, graph_network: core.Network, user: User, as_at: AsAt | None = None
) -> dict[str, Any]:
    """The genogram of the network the page loaded (one query, for the gap
    markers). As at a day (the network the page rebuilt for it), it is drawn
    as on that day, without gap markers (gaps are shown as they are now)."""
    as_at = as_at or AsAt()
    if as_at.day is not None:
        picture = genogram_picture(network.pk, graph_network, user, as_at.day)
    else:
        markers = critical_gap_markers(network.pk, graph_network)
        picture = genogram_picture(network.pk, graph_network, user, timezone.localdate(), gaps=markers)
    return {"network": network, "picture": picture, "as_at": as_at}
