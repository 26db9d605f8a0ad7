"""The carers section of the family page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.records.models import FamilyNetwork
from kinmap.web.html_text import esc
from kinmap.web.links import NetworkLinks
from kinmap.web.templatetags.govuk import govuk_date

from ..presenters import CarerLine, carer_lines, carers_elsewhere
from ..selectors import carer_config, material_titles

register = template.Library()


@register.inclusion_tag("carers/_family_section.html")
def carers_section(
    network: FamilyNetwork,
    graph_network: Network,
    titles: dict[str, str] | None = None,
    graph: FamilyGraph | None = None,
) -> dict[str, Any]:
    """Each carer of each index child with what they were given and what is
    still to give; ``titles``: the materials' titles by code, when the page
    read them already (else one query); ``graph``: the page's graph of
    ``graph_network`` today, used again (one of another day is not used)."""
    today = timezone.localdate()
    if graph is None or not graph.is_of(graph_network, today):
        graph = FamilyGraph(graph_network, today)
    titles = material_titles() if titles is None else titles
    lines = carer_lines(graph_network, today, titles, carer_config(), graph=graph)
    return {
        "network": network,
        "lines": lines,
        "elsewhere": carers_elsewhere(graph_network, today, graph=graph),
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


_SMALL = '<span class="govuk-body-s">'


@register.simple_tag
def carer_rows(network_id: int, lines: list[CarerLine], multiple_children: bool) -> SafeString:
    """The rows of the carers' table (``carers/_family_section.html``): each
    carer with a link to their page, for which child when there are several,
    where they live, what they were given and what is still to give. The same
    text as the template loop it replaced (tests/records/test_family_html.py
    compares them), without a URL lookup a row."""
    links = NetworkLinks(network_id)
    rows = []
    for c in lines:
        child = f"<br>{_SMALL}for {esc(c.child_name)}</span>" if multiple_children else ""
        overnight = ", overnight care" if c.overnight else ""
        away = f"<br>{_SMALL}lives elsewhere{overnight}</span>" if c.lives_elsewhere else ""
        given = (
            "".join(f"{esc(g.material)} ({esc(govuk_date(g.on))})<br>" for g in c.given if not g.declined)
            if c.given
            else "Nothing yet"
        )
        url = links("carer", c.person_id)
        if c.missing:
            still = f"<strong>{', '.join(esc(m) for m in c.missing)}</strong>"
        else:
            still = esc(c.unmet[0].detail) if c.unmet else "Nothing"
        rows.append(
            f'\n  <tr class="govuk-table__row" data-carer="{esc(c.person_id)}">\n'
            f'    <td class="govuk-table__cell"><a class="govuk-link" href="{esc(url)}">'
            f"{esc(c.name)}</a>{child}{away}</td>\n"
            f'    <td class="govuk-table__cell">{given}</td>\n'
            f'    <td class="govuk-table__cell" data-missing>{still}</td>\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value in the rows is escaped (esc)
