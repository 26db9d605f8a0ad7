"""Each family's open gaps counted in one row (``GapSummary``), so that the
worklists, the area worklist and the supervision page read one row a family
instead of every gap, whatever the size of the caseload.

:func:`gap_summaries_refresh` rewrites the rows of the families named from
their gaps, in one statement whatever their number; every service that changes
which gaps are open, their severity or what flags them calls it in its own
transaction (the recompute's ``_write``, an answer, a supervisor's agreement,
a gap shown at a contact; the bulk load after it writes its gaps).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Case, Count, IntegerField, Max, Min, Model, Q, QuerySet, Value, When

from kinmap.core.escalation import EscalationSettings
from kinmap.records.pipelined import ids_param

from . import models as gm

FIELDS = (
    "open_count",
    "critical_count",
    "worst_rank",
    "oldest_open",
    "critical_oldest",
    "critical_prompted_max",
    "declined_max",
    "overnight_until_max",
)
NONE: dict[str, Any] = {
    "open_count": 0,
    "critical_count": 0,
    "worst_rank": 9,
    "oldest_open": None,
    "critical_oldest": None,
    "critical_prompted_max": None,
    "declined_max": None,
    "overnight_until_max": None,
}
CRITICAL = "critical"  # gm.Severity.CRITICAL, spelt out for the migration's historical models
RANKS = {"critical": 0, "important": 1, "routine": 2}  # gm.SEVERITY_RANK by value


def refresh_with(gap_model: type[Model], summary_model: type[Model], network_ids: Iterable[int]) -> int:
    """Rewrite the summary rows of ``network_ids`` from their open gaps (one
    statement per thousand families, :func:`_rewrite`); the models are given
    so that a migration can pass its historical ones. Returns the number of
    rows written."""
    ids = sorted(set(network_ids))
    for start in range(0, len(ids), 1000):
        _rewrite(gap_model, summary_model, ids[start : start + 1000])
    return len(ids)


def _counted(gap_model: type[Model], ids: list[int]) -> QuerySet[Any, Any]:
    """The columns of :data:`FIELDS` counted from the open gaps of the
    families ``ids`` that have any, with their ``network_id``."""
    critical = Q(severity=CRITICAL)
    return (
        gap_model._default_manager.filter(network_id__in_ids=ids, resolved_at__isnull=True)
        .exclude(na_status="agreed")
        .values("network_id")
        .annotate(
            open_count=Count("pk"),
            critical_count=Count("pk", filter=critical),
            worst_rank=Min(
                Case(
                    *(When(severity=s, then=Value(r)) for s, r in RANKS.items()),
                    default=Value(9),
                    output_field=IntegerField(),
                )
            ),
            oldest_open=Min("open_since"),
            critical_oldest=Min("open_since", filter=critical),
            critical_prompted_max=Max("times_prompted", filter=critical),
            declined_max=Max("times_declined"),
            overnight_until_max=Max("overnight_infant_until"),
        )
        .order_by()
    )


def _rewrite(gap_model: type[Model], summary_model: type[Model], ids: list[int]) -> None:
    """Write the summary row of each family of ``ids`` (distinct ints) in
    one statement, counted in the database: ``INSERT ... SELECT`` of the
    counts of :func:`_counted` (:data:`NONE` for a family without open gaps),
    each row updated when it is there (``ON CONFLICT ... DO UPDATE``). Neither
    the counts nor the rows pass through Python, and there is one round trip,
    not two."""
    db = router.db_for_write(summary_model)
    connection = connections[db]
    quote = connection.ops.quote_name
    counts_sql, counts_params = _counted(gap_model, ids).query.get_compiler(using=db).as_sql()
    column = {f.name: str(f.column) for f in summary_model._meta.concrete_fields}
    key = quote(column["network"])
    columns = [quote(column[f]) for f in FIELDS]
    values, params = [], []
    for f in FIELDS:
        if NONE[f] is None:
            values.append(f"c.{quote(f)}")
        else:
            values.append(f"COALESCE(c.{quote(f)}, %s)")
            params.append(NONE[f])
    if connection.vendor == "postgresql":
        families = "SELECT unnest(%s::bigint[]) AS id"
    else:
        families = "SELECT value AS id FROM json_each(%s)"
    # quoted names of the models' own tables and columns and Django's compiled
    # SQL only: every value is a parameter
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    sql = (
        f"INSERT INTO {quote(summary_model._meta.db_table)} ({key}, {', '.join(columns)}) "  # noqa: S608
        f"SELECT n.id, {', '.join(values)} FROM ({families}) n "
        f"LEFT JOIN ({counts_sql}) c ON c.{quote('network_id')} = n.id "
        # WHERE true: SQLite reads ON CONFLICT after a join only so
        f"WHERE true ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ids_param(ids, connection.vendor), *counts_params])


def gap_summaries_refresh(*, network_ids: Iterable[int]) -> int:
    """Bring the ``GapSummary`` of each family of ``network_ids`` (ints) up to
    date with its gaps, in the caller's transaction (one statement per
    thousand families), and tell the teams allocated to them that their counts may
    have changed (:func:`kinmap.gaps.team_counts.team_counts_touch`, one query
    more per thousand). Returns the number of rows written."""
    from .team_counts import team_counts_touch  # it reads flagged_family_q from here

    ids = set(network_ids)
    written = refresh_with(gm.Gap, gm.GapSummary, ids)
    team_counts_touch(network_ids=ids)
    return written


def flag_since(today: date, settings: EscalationSettings) -> date:
    """The day on or before which an open critical gap's requirement first
    applied (its ``open_since``) for it to be open ``after_days`` days or more
    on ``today`` (as in ``selectors.flagged_q``)."""
    return today - timedelta(days=settings.after_days)


def flagged_family_q(prefix: str, today: date, settings: EscalationSettings) -> Q:
    """Families with at least one open gap flagged for a supervisor on
    ``today`` (the rule of :func:`kinmap.core.escalation.escalation_reasons`),
    as a condition on their summary reached through ``prefix``
    (``"gap_summary"``, ``"network__gap_summary"``): an open critical gap
    open ``after_days`` or more or shown at ``after_contacts`` contacts, a gap
    declined ``after_declines`` times, or overnight care of a baby under one."""
    return (
        Q(**{f"{prefix}__critical_oldest__lte": flag_since(today, settings)})
        | Q(**{f"{prefix}__critical_prompted_max__gte": settings.after_contacts})
        | Q(**{f"{prefix}__declined_max__gte": settings.after_declines})
        | Q(**{f"{prefix}__overnight_until_max__gt": today})
    )
