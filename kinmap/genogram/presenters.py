"""The genogram of a family page: the layout of the core network the page has
already loaded, drawn as SVG for one user.

What the user may see is decided here, in the same places as for the family
page: addresses through :func:`kinmap.web.masking.address_for`, people
through the network the user was let into (its members only: people of other
family networks are not drawn). The only query is the one for the open
critical gaps (and the masked-detail entitlement, cached on the user).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kinmap.accounts.models import User
from kinmap.core import model as core
from kinmap.core.genogram import Genogram, genogram_layout
from kinmap.core.genogram.svg import GapMarker, genogram_svg
from kinmap.core.graph import FamilyGraph
from kinmap.gaps import models as gm
from kinmap.gaps.answers import subject_person
from kinmap.gaps.selectors import open_gaps
from kinmap.web.links import NetworkLinks
from kinmap.web.masking import address_for


@dataclass(frozen=True)
class GenogramPicture:
    layout: Genogram
    svg: str

    @property
    def inline(self) -> SafeString:
        """The SVG to put in a page: every text in it was escaped when written."""
        return mark_safe(self.svg)  # noqa: S308 - built by genogram_svg, which escapes all text


def critical_gap_markers(network_id: int, net: core.Network) -> dict[int, GapMarker]:
    """Open critical gaps by the person they are about, each linking to the
    first of them in the family page's list (one query): the oldest, the one
    whose requirement first applied earliest (``open_since``, then the day it
    was raised, ``opened_at``), as the family page orders its critical gaps.
    The family's open gaps are those the family page's list read
    (:func:`kinmap.gaps.selectors.open_gaps`, once a request)."""
    carers = {c.id: c.carer_id for c in net.care}
    by_person: dict[int, list[gm.Gap]] = defaultdict(list)
    rows = sorted(
        (g for g in open_gaps(network_id) if g.severity == gm.Severity.CRITICAL),
        key=lambda g: (g.open_since, g.opened_at, g.pk),
    )
    for gap in rows:
        pid = subject_person(gap, carers)
        if pid is not None and net.is_member(pid):
            by_person[pid].append(gap)
    family = reverse("family", args=[network_id])
    return {pid: GapMarker(len(gaps), f"{family}#gap-{gaps[0].pk}") for pid, gaps in by_person.items()}


def genogram_picture(
    network_id: int,
    net: core.Network,
    user: User,
    on: date,
    *,
    gaps: dict[int, GapMarker] | None = None,
    graph: FamilyGraph | None = None,
) -> GenogramPicture:
    """The genogram of ``net`` as it stands on ``on``, for ``user``.

    ``net`` is the core network the family page loaded (or one reconstructed
    as at an earlier date); ``gaps`` the markers to draw (by default none);
    ``graph`` the page's graph of ``net`` on ``on``, used again (None: a new
    one; ``ValueError`` for a graph of another network or day).
    """
    layout = genogram_layout(net, on, graph=graph)
    drawn = {s.person_id for s in layout.symbols}
    person_url = NetworkLinks(network_id)
    links = {pid: person_url("person", pid) for pid in drawn}
    labels = {
        h.household_id: address_for(net.households[h.household_id], user)
        for h in layout.households
        if h.household_id in net.households
    }
    svg = genogram_svg(
        layout,
        title=f"Genogram of {net.name}",
        description=describe(layout, net),
        person_links=links,
        gap_markers=gaps or {},
        household_labels=labels,
    )
    return GenogramPicture(layout, svg)


def describe(g: Genogram, net: core.Network) -> str:
    """The picture in one paragraph, for the SVG's description."""
    people = len(g.symbols)
    index = sum(1 for s in g.symbols if s.index)
    partnerships = sum(1 for p in g.partnerships if p.recorded)
    parts = [
        f"A genogram of {net.name}: {people} {'person' if people == 1 else 'people'} "
        f"on {g.rows} {'generation' if g.rows == 1 else 'generations'}, "
        f"{index} index {'child' if index == 1 else 'children'} with a double outline,",
        f"{partnerships} {'partnership' if partnerships == 1 else 'partnerships'},",
        f"{len(g.households)} {'household' if len(g.households) == 1 else 'households'} outlined",
        f"and {len(g.care)} care {'arrangement' if len(g.care) == 1 else 'arrangements'} "
        "away from the child's home shown as arrows.",
        "The key below the diagram explains each symbol. The same information is given in words "
        "on the family page: who is around each child, care arrangements, households and relationships.",
    ]
    return " ".join(parts)
