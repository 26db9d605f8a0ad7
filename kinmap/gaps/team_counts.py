"""Each team's families and their open gaps counted (``TeamGapCounts``), so
that the area worklist, the team worklist's count and the supervision page's
count read one row a team instead of every family of it, whatever the size of
the team or the caseload.

The counts are those of :func:`count_teams` (one query over the families of
the teams named, from their ``GapSummary`` rows). A team's row is counted
again when it is read and either a change has been made since it was
counted, or the day or the escalation thresholds are not those it was counted
for (allocations start and end, and gaps become flagged, with the day).

A change is told by :func:`team_counts_touch`, which inserts one
``TeamCountsChange`` row a team concerned in the change's own transaction
(an insert: no change waits for another, for the background recompute or for
a page): :func:`kinmap.gaps.summaries.gap_summaries_refresh` calls it for
every change to a family's gaps (recompute, answers, supervisors, contacts,
imports, merges, ``kinmap synth``), and the services that make or end an
allocation (``kinmap.accounts.services``), start a family network (its first
allocation), import one, and close or reopen one (``kinmap.records.lifecycle``)
call it in their own transactions. A reader reads how many changes a team has had (committed ones)
before counting and keeps that number with the counts: a change committed
while it counted makes the number larger, so the row is counted again at the
next read. A reader never waits for a change under way (changes only insert
rows); it writes its counts in one statement, whichever reader writes last.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BigIntegerField,
    Count,
    Expression,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from kinmap.accounts.models import Team
from kinmap.core.escalation import EscalationSettings
from kinmap.records import models as rm
from kinmap.records.pipelined import IDS, FixedQueries, Ids, instances, rows_of

from . import models as gm
from .summaries import flagged_family_q

COUNTS = ("families", "families_with_gaps", "open_count", "critical_count", "flagged_families", "oldest")
CHUNK = 1000  # network ids a statement
FOLD = 500  # a team's change rows are folded into its counts' row beyond this many


def thresholds_key(settings: EscalationSettings) -> str:
    """The escalation thresholds the flagged families were counted with."""
    return f"{settings.after_days}/{settings.after_contacts}/{settings.after_declines}"


class OneId(Expression):
    """The one id of a fixed query's list (:data:`kinmap.records.pipelined.IDS`,
    a team's), as a value: ``team_id = ($1::bigint[])[1]`` rather than
    ``team_id = ANY($1)``, which the plan PostgreSQL makes once for every list
    checks row by row, where the value is looked up in the index of
    (family, team) with the family (two buffers a family not the team's,
    against three)."""

    def __init__(self) -> None:
        super().__init__(output_field=BigIntegerField())

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            return "(%s::bigint[])[1]", [IDS]
        return "json_extract(%s, '$[0]')", [IDS]


def running_allocations(team_ids: Iterable[int] | Ids | OneId, day: date) -> QuerySet[rm.Allocation]:
    """The allocations of the teams running on ``day``, whether or not the
    family is closed (read from the allocations alone); ``team_ids`` ints,
    :data:`kinmap.records.pipelined.IDS` (a fixed query's list of ids,
    :class:`kinmap.records.pipelined.FixedQueries`) or :class:`OneId` (its
    one id)."""
    if isinstance(team_ids, OneId):
        teams = Q(team_id=team_ids)
    else:
        teams = Q(team_id__in_ids=team_ids) if isinstance(team_ids, Ids) else Q(team_id__in=list(team_ids))
    return rm.Allocation.objects.filter(teams, start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))


def allocated_to(team: int | OneId, day: date) -> Q:
    """Families (a condition on ``FamilyNetwork``) not closed and allocated on
    ``day`` to the team ``team`` (its id, or :class:`OneId`), the allocation
    joined rather than a subquery of them (one a family: unique by family and
    team), so that the database checks a family's allocation before it reads
    the family's row: a walk of the summaries in worklist order reads the rows
    of the team's families only. One ``filter`` call with it joins the
    allocations once."""
    return Q(allocations__team_id=team, allocations__start__lte=day, closed_at__isnull=True) & (
        Q(allocations__end__isnull=True) | Q(allocations__end__gt=day)
    )


def allocated_now(team_ids: Iterable[int] | Ids | OneId, day: date) -> QuerySet[rm.Allocation]:
    """The allocations of the teams running on ``day`` to families not closed
    (:func:`running_allocations`, ``team_ids`` the same)."""
    return running_allocations(team_ids, day).filter(network__closed_at__isnull=True)


def count_teams(
    team_ids: Iterable[int], day: date, settings: EscalationSettings
) -> dict[int, dict[str, Any]]:
    """Count afresh, in one query, for each team of ``team_ids``: its families
    allocated on ``day`` (not closed), how many have open gaps, those gaps, how
    many are critical, how many families have a gap flagged for a supervisor,
    the earliest ``open_since`` of an open gap. By team id; every team is
    there (a team without families counts 0). A team allocated once to a
    family (the allocation is unique by family and team), so no DISTINCT."""
    ids = list(team_ids)
    out: dict[int, dict[str, Any]] = {t: dict.fromkeys(COUNTS, 0) | {"oldest": None} for t in ids}
    summary = "network__gap_summary"
    counted = (
        allocated_now(ids, day)
        .values("team_id")
        .annotate(
            families=Count("pk"),
            families_with_gaps=Count("pk", filter=Q(**{f"{summary}__open_count__gt": 0})),
            open_count=Coalesce(Sum(f"{summary}__open_count"), Value(0)),
            critical_count=Coalesce(Sum(f"{summary}__critical_count"), Value(0)),
            flagged_families=Count("pk", filter=flagged_family_q(summary, day, settings)),
            oldest=Min(f"{summary}__oldest_open"),
        )
        .order_by()
    )
    for row in counted:
        out[row.pop("team_id")] = row
    return out


def _fresh(row: gm.TeamGapCounts, changes: int, day: date, key: str) -> bool:
    return row.counted_changes == changes and row.counted_on == day and row.thresholds == key


def _rows_queries(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The teams ``ids``: each team's id, its committed ``TeamCountsChange``
    rows counted, and every column of its ``TeamGapCounts`` row (nulls for a
    team without one)."""
    logged = (
        gm.TeamCountsChange.objects.filter(team_id=OuterRef("pk"))
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    kept = [f"gap_counts__{f.attname}" for f in gm.TeamGapCounts._meta.concrete_fields]
    teams = Team.objects.filter(pk__in_ids=ids).annotate(logged=Coalesce(Subquery(logged), 0))
    return [teams.values_list("pk", "logged", *kept)]


# compiled once per connection (prepared on PostgreSQL): every worklist and
# supervision page reads its team's row
_ROWS = FixedQueries(_rows_queries)


def _rows(ids: list[int]) -> dict[int, tuple[gm.TeamGapCounts, int]]:
    """Each team's row (a new, unsaved one for a team without) and its
    changes so far: ``changes_before`` and its committed ``TeamCountsChange``
    rows (one query)."""
    (rows,) = rows_of(_ROWS.bind(ids))
    out = {}
    for team_id, logged, *kept in rows:
        row = (
            instances(gm.TeamGapCounts, [tuple(kept)])[0]
            if kept[0] is not None
            else gm.TeamGapCounts(team_id=team_id)
        )
        out[team_id] = (row, row.changes_before + logged)
    return out


def team_counts(
    team_ids: Iterable[int], day: date, settings: EscalationSettings
) -> dict[int, dict[str, Any]]:
    """The counts of :func:`count_teams` for each team of ``team_ids`` (by
    team id), read from ``TeamGapCounts`` (one query) and, for the teams whose
    row is missing or out of date, counted again and kept (two queries more,
    whatever their number; two more now and then, to fold in many changes)."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    key = thresholds_key(settings)
    rows = _rows(ids)  # the changes so far, read before counting
    stale = {t: row for t, (row, changes) in rows.items() if not _fresh(row, changes, day, key)}
    out = {t: {k: getattr(row, k) for k in COUNTS} for t, (row, _) in rows.items() if t not in stale}
    if stale:
        fresh = count_teams(stale, day, settings)
        out.update(fresh)
        for t, row in stale.items():
            row.counted_changes, row.counted_on, row.thresholds = rows[t][1], day, key
            for k, v in fresh[t].items():
                setattr(row, k, v)
        # one statement; a reader that counted an older state writes an older
        # number of changes with it, so the row is counted again
        gm.TeamGapCounts.objects.bulk_create(
            [stale[t] for t in sorted(stale)],
            update_conflicts=True,
            unique_fields=["team"],
            update_fields=["counted_changes", "counted_on", "thresholds", *COUNTS],
        )
        _fold([t for t, (row, changes) in rows.items() if changes - row.changes_before > FOLD])
    return out


def _fold(team_ids: list[int]) -> None:
    """Fold the committed change rows of these teams into their row's
    ``changes_before``, in one transaction a team: the number of changes
    stays the same. Skips a team another reader is folding."""
    for t in team_ids:
        with transaction.atomic():
            if not gm.TeamGapCounts.objects.select_for_update(skip_locked=True).filter(team_id=t).exists():
                continue
            folded, _ = gm.TeamCountsChange.objects.filter(team_id=t).delete()
            gm.TeamGapCounts.objects.filter(team_id=t).update(changes_before=F("changes_before") + folded)


def team_counts_touch(*, team_ids: Iterable[int] = (), network_ids: Iterable[int] = ()) -> None:
    """Tell that the counts of these teams, and of every team ever allocated to
    these families, may have changed: one ``TeamCountsChange`` row a team, in
    the caller's transaction (inserted only: nothing waits). One statement
    per thousand ids."""
    teams = sorted(set(team_ids))
    if teams:
        gm.TeamCountsChange.objects.bulk_create(
            [gm.TeamCountsChange(team_id=t) for t in teams], batch_size=CHUNK
        )
    networks = sorted(set(network_ids))
    table = connection.ops.quote_name(gm.TeamCountsChange._meta.db_table)
    allocation = connection.ops.quote_name(rm.Allocation._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(networks), CHUNK):
            chunk = networks[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (team_id) SELECT DISTINCT team_id FROM {allocation} "  # noqa: S608 (names from the models)
                f"WHERE network_id IN ({marks})",
                chunk,
            )
