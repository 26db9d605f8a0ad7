"""The family page's genogram, so the family page needs one line to show it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.chronology.asat import AsAt
from kinmap.core import model as core
from kinmap.core.graph import FamilyGraph
from kinmap.records import models as rm

from ..presenters import critical_gap_markers, genogram_picture

register = template.Library()


@register.inclusion_tag("genogram/_genogram.html")
def genogram(
    network: rm.FamilyNetwork,
    graph_network: core.Network,
    user: User,
    as_at: AsAt | None = None,
    graph: FamilyGraph | None = None,
) -> dict[str, Any]:
    """The genogram of the network the page loaded (one query, for the gap
    markers). As at a day (the network the page rebuilt for it), it is drawn
    as on that day, without gap markers (gaps are shown as they are now).
    ``graph``: the page's graph of ``graph_network`` (on that day, or today),
    used again; one of another day is not used (a new one is made)."""
    as_at = as_at or AsAt()
    on = as_at.day if as_at.day is not None else timezone.localdate()
    if graph is not None and not graph.is_of(graph_network, on):
        graph = None
    if as_at.day is not None:
        picture = genogram_picture(network.pk, graph_network, user, on, graph=graph)
    else:
        markers = critical_gap_markers(network.pk, graph_network)
        picture = genogram_picture(network.pk, graph_network, user, on, gaps=markers, graph=graph)
    # read once each here, not by the template's lookups through the objects
    return {
        "network_id": network.pk,
        "picture_inline": picture.inline,
        "as_at_day": as_at.day,
        "as_at_words": as_at.words,
        "as_at_query": as_at.query,
    }
