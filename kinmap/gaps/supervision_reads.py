"""The supervision page's reads: a page of the team's families with gaps
flagged for a supervisor, their flagged gaps, and the most pressing few of the
team's other lists (the oldest open gaps, the gaps waiting for a supervisor to
agree they do not apply, who declined lately and which families declined
most), with their full counts.

Apart from the page of families, every read depends only on the team, the day
and the escalation thresholds (the flagged gaps: on the page's families, the
day and the thresholds). They are :class:`kinmap.records.pipelined.FixedQueries`
over a list of ids (the team's id; the page's network ids), built and
compiled once in the process for each day (and thresholds), and sent together
in one text, prepared once per database connection on PostgreSQL (executed by
name after that). A new day, or new thresholds, builds new queries: nothing
the database returns is kept, so every page shows the record as it is. A
list's full count comes with its rows (``COUNT(*) OVER ()``), not from a
query of its own. A fixed number of queries, whatever the size of the team.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, QuerySet, Window
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kinmap.accounts.models import User
from kinmap.core.escalation import EscalationSettings
from kinmap.records import models as rm
from kinmap.records.pipelined import (
    FixedQueries,
    Ids,
    instances,
    model_rows,
    related_instances,
    related_rows,
    rows_of,
)
from kinmap.web.pagination import PAGE_SIZE

from . import models as gm
from .presenters import GapView, flagged_gap_line, flags, gap_view, severity_order
from .selectors import escalation, flagged_q
from .summaries import flagged_family_q
from .team_counts import OneId, allocated_now, allocated_to, running_allocations

SHOWN = 10  # the oldest open gaps, and the families by declines, shown
SHOWN_DECLINES = 50
SHOWN_PENDING = 50


@dataclass
class FlaggedFamily:
    network: rm.FamilyNetwork
    gaps: list[GapView] = field(default_factory=list)

    @property
    def gap_lines(self) -> SafeString:
        """Its flagged gaps as the page lists them, one ``<li>`` each
        (:func:`kinmap.gaps.presenters.flagged_gap_line`), as HTML."""
        return mark_safe("".join(flagged_gap_line(v) for v in self.gaps))  # noqa: S308 (each line's values escaped)


@dataclass
class Dashboard:
    """The supervision page. ``families`` is one page of the families with
    flagged gaps (the most severe, then the oldest gap, first); the other
    lists are the most pressing few of each (their full counts beside them)."""

    families: list[FlaggedFamily]
    oldest: list[GapView]
    declines: list[gm.GapEvent]
    declines_count: int
    declines_by_family: list[tuple[rm.FamilyNetwork, int]]
    pending_na: list[GapView]
    pending_na_count: int


def _flagged_families(
    team: int | OneId, day: date, settings: EscalationSettings
) -> QuerySet[rm.FamilyNetwork]:
    """The families allocated on ``day`` to the team ``team`` (its id, or
    :class:`~kinmap.gaps.team_counts.OneId`) with gaps flagged for a
    supervisor (with the thresholds ``settings``), in the order of
    :func:`flagged_networks`."""
    # the allocations joined: on the 20,000-family caseload 947 buffers
    # rather than 1,541 for the first page (see allocated_to)
    return (
        rm.FamilyNetwork.objects.filter(allocated_to(team, day))
        .filter(flagged_family_q("gap_summary", day, settings))
        .order_by("gap_summary__worst_rank", F("gap_summary__oldest_open").asc(nulls_last=True), "name", "pk")
    )


def flagged_networks(user: User, today: date | None = None) -> QuerySet[rm.FamilyNetwork]:
    """The user's team's families with gaps flagged for a supervisor today,
    the one with the most severe open gap first, then the oldest open gap,
    then by name (decided from each family's ``GapSummary``; the flagged gaps
    of a page are read by :func:`supervisor_dashboard`)."""
    return _flagged_families(user.team_id or 0, today or timezone.localdate(), escalation())


@functools.lru_cache(maxsize=8)
def _first_page_reads(day: date, settings: EscalationSettings) -> FixedQueries:
    """The first page of :func:`flagged_networks` on ``day`` with the
    thresholds ``settings``, over a team's id (built once in the process for
    each day and thresholds; prepared once per connection on PostgreSQL)."""
    return FixedQueries(lambda ids: [model_rows(_flagged_families(OneId(), day, settings))[:PAGE_SIZE]])


class FlaggedPages:
    """:func:`flagged_networks` as the list a page is sliced from
    (``rows[start:stop]``, by :func:`kinmap.web.pagination.page_of`): the
    first page (the one opened most) read by a statement compiled and planned
    once (:func:`_first_page_reads`), the others by the queryset."""

    def __init__(self, user: User, today: date | None = None) -> None:
        self.user, self.day = user, today or timezone.localdate()

    def __getitem__(self, rows: slice) -> list[rm.FamilyNetwork]:
        start, stop = rows.start or 0, rows.stop
        if stop is not None and stop <= start:  # an empty page: no query, as the queryset's
            return []
        if start == 0 and stop is not None and stop <= PAGE_SIZE:
            reads = _first_page_reads(self.day, escalation()).bind([self.user.team_id or 0])
            (found,) = rows_of(reads)
            return instances(rm.FamilyNetwork, found[:stop])
        return list(flagged_networks(self.user, self.day)[rows])


def _still_open() -> QuerySet[gm.Gap]:
    """Gaps not resolved and not agreed not to apply."""
    return gm.Gap.objects.filter(resolved_at__isnull=True).exclude(na_status=gm.NotApplicable.AGREED)


def _flagged_queries(ids: Ids, day: date, settings: EscalationSettings) -> list[QuerySet[Any, Any]]:
    """The open gaps of the networks ``ids`` flagged on ``day`` with the
    thresholds ``settings``, chosen in the database (a family's other open
    gaps are not read)."""
    return [model_rows(_still_open().filter(network_id__in_ids=ids).filter(flagged_q("", day, settings)))]


def _team_queries(ids: Ids, day: date) -> list[QuerySet[Any, Any]]:
    """The lists of the team ``ids`` (its one id) on ``day``: the oldest open
    gaps with their family; the gaps waiting for a supervisor (waiting
    longest first) and their count; the families that
    declined most, with their names; the latest declines with their gap and
    who declined, and their count."""
    # the team's one id as a value (OneId), so that a family's allocation to
    # it is looked up in the index of (family, team)
    mine = allocated_now(OneId(), day).values("network_id")
    # the oldest open gaps of the team are among those of the families whose
    # oldest open gap is oldest: read only theirs (of the team already)
    oldest_families = gm.GapSummary.objects.filter(network_id__in=mine, oldest_open__isnull=False).order_by(
        "oldest_open", "network_id"
    )
    oldest = _still_open().filter(network_id__in=oldest_families.values("network_id")[:SHOWN])
    pending = _still_open().filter(network_id__in=mine, na_status=gm.NotApplicable.PENDING)
    # the team's declines, found family by family: its families' gaps ever
    # declined (the index gap_declined), then their declines (the index
    # gapevent_declines), so that the work grows with the team, never with
    # the declines of the area's other teams; on PostgreSQL ``in_rows`` makes
    # the database read the team's families first (= ANY(ARRAY(...))); a
    # closed family's declines are left out row by row
    declined_gaps = gm.Gap.objects.filter(
        network_id__in_rows=running_allocations(ids, day).values("network_id"), times_declined__gt=0
    )
    # (and not at all while nothing in the area was ever declined: one
    # look at the index gap_declined, a one-time filter on PostgreSQL)
    declined = gm.GapEvent.objects.filter(
        Exists(gm.Gap.objects.filter(times_declined__gt=0)),
        gap_id__in_rows=declined_gaps.values("pk"),
        gap__network__closed_at__isnull=True,
        kind=gm.EventKind.ANSWERED,
        state=gm.GapState.ASKED_DECLINED,
    )
    return [
        related_rows(oldest.order_by("open_since", "opened_at", "pk"), "network")[:SHOWN],
        related_rows(
            pending.annotate(total=Window(Count("pk"))).order_by("open_since", "opened_at", "pk"),
            extra=("total",),
        )[:SHOWN_PENDING],
        declined.values_list("gap__network_id", "gap__network__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "gap__network_id")[:SHOWN],
        related_rows(
            declined.annotate(total=Window(Count("pk"))).order_by("-at", "-pk"),
            "gap",
            "declined_by",
            extra=("total",),
        )[:SHOWN_DECLINES],
    ]


@functools.lru_cache(maxsize=8)
def flagged_reads(day: date, settings: EscalationSettings) -> FixedQueries:
    """:func:`_flagged_queries` for ``day`` and ``settings``, over a list of
    network ids (built once in the process for each day and thresholds)."""
    return FixedQueries(lambda ids: _flagged_queries(ids, day, settings))


@functools.lru_cache(maxsize=8)
def team_reads(day: date) -> FixedQueries:
    """:func:`_team_queries` for ``day``, over a team's id (built once in the
    process for each day)."""
    return FixedQueries(lambda ids: _team_queries(ids, day))


def _total(extras: list[tuple[Any, ...]]) -> int:
    """The ``COUNT(*) OVER ()`` read with a list's first row (0: no rows)."""
    return int(extras[0][0]) if extras else 0


def supervisor_dashboard(
    user: User, families: Iterable[rm.FamilyNetwork], today: date | None = None
) -> Dashboard:
    """The supervision page for one page of :func:`flagged_networks`
    (``families``): their flagged gaps, the oldest open gaps of the team, who
    declined lately and which families declined most, and the gaps waiting for
    a supervisor to agree they do not apply. One query (one text sent on
    PostgreSQL, five queries on SQLite), whatever the size of the team. The
    page shows no gap's history, so none is read: its ``GapView`` rows have
    no ``events``, ``history`` or ``last_said``; the declines' events come
    with their gap and who declined; the families that declined most carry
    only their id and name; the waiting gaps come without their family (the
    page links to it by id). A gap both among the oldest and waiting is
    shown from the oldest list's row, with its family."""
    day = today or timezone.localdate()
    page = list(families)
    settings = escalation()
    flagged_rows, oldest_rows, pending_rows, by_declines, decline_rows = rows_of(
        flagged_reads(day, settings).bind([n.pk for n in page]),
        team_reads(day).bind([user.team_id or 0]),
    )
    flagged = [g for g in instances(gm.Gap, flagged_rows) if flags(g, day, settings)]
    oldest = [g for g, _ in related_instances(gm.Gap, oldest_rows, "network")]
    pending_read = related_instances(gm.Gap, pending_rows)
    pending = [g for g, _ in pending_read]
    declines_read = related_instances(gm.GapEvent, decline_rows, "gap", "declined_by")
    # one row a gap: the oldest list's, which has its family (the waiting
    # list shows only the gap and its family's id)
    shown = {g.pk: g for g in (*flagged, *pending, *oldest)}
    views = {pk: gap_view(g, [], day, settings) for pk, g in shown.items()}
    by_family = {n.pk: FlaggedFamily(n) for n in page}
    for g in sorted(flagged, key=severity_order):
        if views[g.pk].flags:
            by_family[g.network_id].gaps.append(views[g.pk])
    return Dashboard(
        families=list(by_family.values()),
        oldest=[views[g.pk] for g in oldest],
        declines=[e for e, _ in declines_read],
        declines_count=_total([extra for _, extra in declines_read]),
        declines_by_family=[
            (rm.FamilyNetwork.from_db(rm.FamilyNetwork.objects.db, ["id", "name"], (pk, name)), n)
            for pk, name, n in by_declines
        ],
        pending_na=[views[g.pk] for g in pending],
        pending_na_count=_total([extra for _, extra in pending_read]),
    )
