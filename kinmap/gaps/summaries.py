"""Each family's open gaps counted in one row (``GapSummary``), so that the
worklists, the area worklist and the supervision page read one row a family
instead of every gap, whatever the size of the caseload.

:func:`gap_summaries_refresh` rewrites the rows of the families named from
their gaps, in two queries whatever their number; every service that changes
which gaps are open, their severity or what flags them calls it in its own
transaction (the recompute's ``_write``, an answer, a supervisor's agreement,
a gap shown at a contact; the bulk load after it writes its gaps).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Model, Q, Value, When

from kinmap.core.escalation import EscalationSettings

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
    """Rewrite the summary rows of ``network_ids`` from their open gaps (two
    queries per thousand families); the models are given so that a migration
    can pass its historical ones. Returns the number of rows written."""
    ids = sorted(set(network_ids))
    written = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        critical = Q(severity=CRITICAL)
        counted = {
            row.pop("network_id"): row
            for row in gap_model._default_manager.filter(network_id__in=chunk, resolved_at__isnull=True)
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
        }
        rows = [summary_model(network_id=nid, **counted.get(nid, NONE)) for nid in chunk]
        summary_model._default_manager.bulk_create(
            rows, update_conflicts=True, unique_fields=["network"], update_fields=list(FIELDS)
        )
        written += len(rows)
    return written


def gap_summaries_refresh(*, network_ids: Iterable[int]) -> int:
    """Bring the ``GapSummary`` of each family of ``network_ids`` (ints) up to
    date with its gaps, in the caller's transaction (two queries per thousand
    families), and tell the teams allocated to them that their counts may
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
