"""The carers section of the family page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kinmap.core.model import Network
from kinmap.records.models import FamilyNetwork

from ..presenters import carer_lines, carers_elsewhere
from ..selectors import carer_config, material_titles

register = template.Library()


@register.inclusion_tag("carers/_family_section.html")
def carers_section(
    network: FamilyNetwork, graph_network: Network, titles: dict[str, str] | None = None
) -> dict[str, Any]:
    """Each carer of each index child with what they were given and what is
    still to give; ``titles``: the materials' titles by code, when the page
    read them already (else one query)."""
    today = timezone.localdate()
    lines = carer_lines(graph_network, today, material_titles() if titles is None else titles, carer_config())
    return {
        "network": network,
        "lines": lines,
        "elsewhere": carers_elsewhere(graph_network, today),
        "multiple_children": len(graph_network.index_child_ids) > 1,
    }


@register.inclusion_tag("carers/_missing_core.html")
def carers_missing_core(network: FamilyNetwork, graph_network: Network) -> dict[str, Any]:
    """For a contact: the carers still missing core information, beside the gaps."""
    lines = carer_lines(graph_network, timezone.localdate(), material_titles(), carer_config())
    seen: set[int] = set()
    missing = []
    for line in lines:
        if (line.missing or line.unmet) and line.person_id not in seen:
            seen.add(line.person_id)
            missing.append(line)
    return {"network": network, "lines": missing}
