"""Read actions agreed at supervision: a family's decisions with their actions,
a user's own open actions (their worklist), and the overdue actions of a
supervisor's team. Each selector runs a fixed number of queries, whatever the
number of families, decisions or actions; none lists a closed family's actions
on a worklist."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.records import models as rm
from kinmap.records.access import FAMILY_ROLES, visible_q
from kinmap.records.pipelined import (
    FixedQueries,
    Ids,
    related_columns,
    related_instances,
    related_rows,
    rows_of,
)

from . import models as gm
from .actions import can_complete
from .team_counts import OneId, allocated_now


@dataclass
class ActionLine:
    """One action as a page shows it. ``overdue``: not done and past its due day."""

    action: gm.SupervisorAction
    overdue: bool
    can_complete: bool


@dataclass
class DecisionLine:
    decision: gm.SupervisorDecision
    actions: list[ActionLine] = field(default_factory=list)

    @property
    def open_actions(self) -> int:
        return sum(1 for a in self.actions if a.action.completed_at is None)


def _line(a: gm.SupervisorAction, user: User, today: date, closed: bool) -> ActionLine:
    return ActionLine(a, a.is_overdue(today), can_complete(user, a) and not closed)


def family_decisions(network: rm.FamilyNetwork, user: User, today: date | None = None) -> list[DecisionLine]:
    """Every supervisor's decision about the family, newest first, each with its
    actions (open first, by due day). Two queries."""
    day = today or timezone.localdate()
    decisions = {
        d.pk: DecisionLine(d)
        for d in gm.SupervisorDecision.objects.filter(network=network)
        .select_related("by", "gap")
        .order_by("-at", "-pk")
    }
    if not decisions:
        return []
    actions = (
        gm.SupervisorAction.objects.filter(decision_id__in=list(decisions))
        .select_related("owner", "completed_by")
        .order_by("completed_at", "due", "pk")
    )
    for a in actions:
        decisions[a.decision_id].actions.append(_line(a, user, day, network.is_closed))
    return list(decisions.values())


def _decision_queries(ids: Ids) -> list[QuerySet[Any, Any]]:
    """:func:`family_decisions`' two queries as one, for the networks ``ids``:
    each decision (newest first, with who made it and its gap) joined to each
    of its actions (by when done, then due; with their owner and who did it),
    a row per action (one with empty action columns for a decision without)."""
    actions = related_columns(gm.SupervisorAction, "owner", "completed_by")
    return [
        related_rows(
            gm.SupervisorDecision.objects.filter(network_id__in_ids=ids).order_by(
                "-at", "-pk", "action_items__completed_at", "action_items__due", "action_items__pk"
            ),
            "by",
            "gap",
            extra=[f"action_items__{c}" for c in actions],
        )
    ]


#: A family's decisions with their actions as a fixed query over the network's
#: id (:class:`kinmap.records.pipelined.FixedQueries`), for the family page to
#: send with its other reads; :func:`family_decisions_from` reads it.
FAMILY_DECISIONS = FixedQueries(_decision_queries)


def family_decisions_from(
    network: rm.FamilyNetwork, user: User, rows: list[list[tuple[Any, ...]]], today: date | None = None
) -> list[DecisionLine]:
    """:func:`family_decisions` from the rows of :data:`FAMILY_DECISIONS` for
    the network (no queries): the same lines, in the same order."""
    day = today or timezone.localdate()
    decisions: dict[int, DecisionLine] = {}
    for d, action in related_instances(gm.SupervisorDecision, rows[0], "by", "gap"):
        line = decisions.setdefault(d.pk, DecisionLine(d))
        if action[0] is not None:  # the decision's action, joined in
            ((a, _),) = related_instances(gm.SupervisorAction, [action], "owner", "completed_by")
            line.actions.append(_line(a, user, day, network.is_closed))
    return list(decisions.values())


def my_open_actions(user: User, today: date | None = None) -> list[ActionLine]:
    """The user's actions not yet done, in families they may see that are not
    closed, the first due first. One query: which families the user may see
    is decided in it, for their own actions only."""
    day = today or timezone.localdate()
    rows = (
        gm.SupervisorAction.objects.filter(
            owner=user, completed_at__isnull=True, network__closed_at__isnull=True
        )
        .filter(visible_q(user))
        .select_related("network", "decision__by")
        .order_by("due", "pk")
    )
    return [_line(a, user, day, False) for a in rows]


def _overdue_queries(ids: Ids, day: date) -> list[QuerySet[Any, Any]]:
    """The actions overdue on ``day`` in the families allocated to the team of
    the fixed query's one id, with their family and owner."""
    mine = allocated_now(OneId(), day).values("network_id")
    overdue = gm.SupervisorAction.objects.filter(completed_at__isnull=True, due__lt=day, network_id__in=mine)
    return [related_rows(overdue.order_by("due", "pk"), "network", "owner")]


@functools.lru_cache(maxsize=8)
def _overdue_reads(day: date) -> FixedQueries:
    """:func:`_overdue_queries` for ``day``, over a team's id (built once in
    the process for each day; prepared once per connection on PostgreSQL)."""
    return FixedQueries(lambda ids: _overdue_queries(ids, day))


def team_overdue_actions(user: User, today: date | None = None) -> list[ActionLine]:
    """Actions past their due day and not done in the families allocated to the
    supervisor's team (not closed), the longest overdue first. One query (the
    team's families a subquery, not a list read first: it grows with them),
    compiled once a day in the process."""
    day = today or timezone.localdate()
    (rows,) = rows_of(_overdue_reads(day).bind([user.team_id or 0]))
    return [
        _line(a, user, day, False)
        for a, _ in related_instances(gm.SupervisorAction, rows, "network", "owner")
    ]


def owner_choices(network: rm.FamilyNetwork) -> list[tuple[int, str]]:
    """Who an action can be for: the active practitioners and supervisors of the
    teams allocated to the family now, as (user id, "name, team"). One query."""
    today = timezone.localdate()
    users = (
        User.objects.filter(
            is_active=True,
            role__in=sorted(FAMILY_ROLES),
            team__allocations__network=network,
            team__allocations__start__lte=today,
        )
        .filter(Q(team__allocations__end__isnull=True) | Q(team__allocations__end__gt=today))
        .select_related("team")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [(u.pk, f"{u.display_name}, {u.team.name if u.team else ''}".rstrip(", ")) for u in users]
