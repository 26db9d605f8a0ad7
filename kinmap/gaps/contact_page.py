"""The contact page's shape: the gaps grouped by the person they are about,
the running count of outcomes, and the answer to a save sent by the page's
script (which replaces the parts that changed instead of loading the page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from . import models as gm
from .answers import subject_person
from .models import Outcome
from .presenters import severity_order

# The header the page's script sends with a save (kinmap/gaps/static/gaps/contact.js).
FETCH_HEADER = "Kinmap-Fetch"


class _Shown(Protocol):
    outcome: gm.ContactGapOutcome


@dataclass
class GapGroup:
    """The gaps about one person (or one household, or the family's links).

    ``key`` is unique on the page ("person-3", "household-1", "family");
    ``title`` names the group in words; ``gaps`` are in the order they are
    asked: those still without an outcome first, most severe and oldest first.
    """

    key: str
    title: str
    gaps: list[Any] = field(default_factory=list)

    @property
    def pending(self) -> int:
        """How many of the group's gaps have no outcome yet (0 to len(gaps))."""
        return sum(1 for s in self.gaps if s.outcome.outcome == Outcome.PENDING)


def _order(s: _Shown) -> tuple[Any, ...]:
    return (s.outcome.outcome != Outcome.PENDING, *severity_order(s.outcome.gap))


def gap_groups(shown: Sequence[_Shown], names: dict[int, str], care_carers: dict[int, int]) -> list[GapGroup]:
    """Group the contact's gaps by whom they are about, most critical group first.

    ``shown`` holds one item per gap (with ``.outcome``, a ContactGapOutcome
    with its gap loaded); ``names`` maps a person id to their name on this
    page; ``care_carers`` maps a care arrangement's id to its carer's person id
    (a gap about care is asked of the carer). A gap about a household goes in
    that household's group; about a relationship or parental responsibility,
    in one group for the family's links. Groups are ordered by their first gap
    (so a group with a critical gap still open comes before one without).
    """
    groups: dict[str, GapGroup] = {}
    for s in sorted(shown, key=_order):
        gap = s.outcome.gap
        pid = subject_person(gap, care_carers)
        if pid is not None and pid in names:
            key, title = f"person-{pid}", names[pid]
        elif gap.subject_kind == "household":
            key, title = f"household-{gap.subject_id}", gap.subject_name or "The household"
        else:
            key, title = "family", "Relationships and responsibility"
        groups.setdefault(key, GapGroup(key, title)).gaps.append(s)
    return list(groups.values())


def progress_words(recorded: int, total: int) -> str:
    """The running count, e.g. "12 of 15 recorded" (recorded <= total)."""
    return f"{recorded} of {total} recorded"


def wants_fragment(request: HttpRequest) -> bool:
    """True when the save came from the page's script, which reads the page
    from the answer instead of following a redirect."""
    return request.headers.get(FETCH_HEADER) == "1"


def after_save(
    request: HttpRequest,
    network: Any,
    contact: gm.Contact,
    anchor: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """The answer to a save that worked: without JavaScript a redirect back to
    the contact (post/redirect/get); from the page's script, the contact page
    itself (200, HTML), so the script swaps in what changed in one round trip.
    ``context`` builds the page's context (called only for the script)."""
    if wants_fragment(request):
        return render(request, "gaps/contact.html", context())
    url = reverse("contact", args=[network.pk, contact.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)
