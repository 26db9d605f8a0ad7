"""The supervision page's reads are built once in the process for a day (and
escalation thresholds) and prepared once per connection on PostgreSQL: they
follow a change of the supervisor's team, of the day and of the thresholds,
and agree with the gaps read one by one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import selectors, supervision_reads
from kinmap.gaps import services as gs
from kinmap.gaps.presenters import flags, severity_order
from kinmap.gaps.team_counts import allocated_now
from kinmap.records import models as rm
from kinmap.records.synth import synth_load
from tests.conftest import make_user
from tests.gaps.test_worklists import _stir

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(db: None) -> User:
    synth_load(families=16, teams=2, seed=41)
    _stir(9)
    return make_user("reads.supervisor", Team.objects.get(name="Synthetic team 1"), Role.SUPERVISOR)


def _by_hand(user: User, day: date, page: list[int]) -> dict[str, object]:
    """What the page should list, from every open gap read and judged in Python."""
    settings = selectors.escalation()
    mine = set(allocated_now([user.team_id or 0], day).values_list("network_id", flat=True))
    still_open = [g for g in gm.Gap.objects.filter(resolved_at__isnull=True) if g.na_status != "agreed"]
    ours = [g for g in still_open if g.network_id in mine]
    by_age = sorted(ours, key=lambda g: (g.open_since, g.opened_at, g.pk))
    pending = [g for g in by_age if g.na_status == gm.NotApplicable.PENDING]
    declines = gm.GapEvent.objects.filter(
        gap__network_id__in=mine, kind=gm.EventKind.ANSWERED, state=gm.GapState.ASKED_DECLINED
    )
    return {
        "flagged": {
            n: [
                g.pk
                for g in sorted(still_open, key=severity_order)
                if g.network_id == n and flags(g, day, settings)
            ]
            for n in page
        },
        "oldest": [g.pk for g in by_age[: supervision_reads.SHOWN]],
        "pending": [g.pk for g in pending[: supervision_reads.SHOWN_PENDING]],
        "pending_count": len(pending),
        "declines": sorted(e.pk for e in declines),  # fewer than SHOWN_DECLINES here
        "declines_count": declines.count(),
    }


def _read(user: User, day: date, page: list[int]) -> dict[str, object]:
    board = supervision_reads.supervisor_dashboard(user, rm.FamilyNetwork.objects.filter(pk__in=page), day)
    return {
        "flagged": {f.network.pk: [v.gap.pk for v in f.gaps] for f in board.families},
        "oldest": [v.gap.pk for v in board.oldest],
        "pending": [v.gap.pk for v in board.pending_na],
        "pending_count": board.pending_na_count,
        "declines": sorted(e.pk for e in board.declines),
        "declines_count": board.declines_count,
    }


def _decline_some(user: User, n: int = 6, *, team: Team | None = None) -> None:
    """``n`` declines in the families of ``team`` (the user's by default), as
    the answering service records them: an event each, and the gap's
    ``times_declined`` counted up (the page finds a family's declines
    through its gaps ever declined)."""
    team_id = team.pk if team is not None else user.team_id or 0
    mine = allocated_now([team_id], timezone.localdate()).values("network_id")
    gaps = list(gm.Gap.objects.filter(network_id__in=mine, resolved_at__isnull=True).order_by("pk")[:6])
    for i in range(n):
        gap = gaps[i % len(gaps)]
        gm.GapEvent.objects.create(
            gap=gap,
            kind=gm.EventKind.ANSWERED,
            state=gm.GapState.ASKED_DECLINED,
            reason=f"no {i}",
            at=timezone.now(),
        )
        gm.Gap.objects.filter(pk=gap.pk).update(times_declined=F("times_declined") + 1)


def test_the_reads_follow_the_team_the_day_and_the_thresholds(supervisor: User) -> None:
    today = timezone.localdate()
    _decline_some(supervisor)
    page = list(supervision_reads.flagged_networks(supervisor).values_list("pk", flat=True)[:25])
    first = _read(supervisor, today, page)
    assert first == _by_hand(supervisor, today, page)
    assert first["oldest"] and first["pending"] and first["declines_count"] and any(first["flagged"].values())
    assert _read(supervisor, today, page) == first  # read again: the same

    # another team: its own lists, on the same day
    supervisor.team = Team.objects.get(name="Synthetic team 2")
    supervisor.save()
    other = _read(supervisor, today, page)
    assert other == _by_hand(supervisor, today, page)
    assert other["oldest"] != first["oldest"] and other["declines_count"] != first["declines_count"]
    supervisor.team = Team.objects.get(name="Synthetic team 1")
    supervisor.save()

    # another day: the families of the oldest gaps are no longer allocated
    # tomorrow, and more critical gaps have been open long enough
    later = today + timedelta(days=400)
    ending = set(first["oldest"][:3])  # type: ignore[index]
    networks = set(gm.Gap.objects.filter(pk__in=ending).values_list("network_id", flat=True))
    rm.Allocation.objects.filter(network_id__in=networks, team=supervisor.team).update(
        end=today + timedelta(days=1)
    )
    on_later = _read(supervisor, later, page)
    assert on_later == _by_hand(supervisor, later, page)
    assert not ending & set(on_later["oldest"])  # type: ignore[arg-type]
    assert on_later["flagged"] != first["flagged"]
    assert _read(supervisor, today, page) == _by_hand(supervisor, today, page)  # today's, still

    # new thresholds: a gap declined once is flagged
    row = gm.RuleSetting.objects.filter(rule_id="escalation").first()
    admin = make_user("reads.admin", supervisor.team, Role.ADMINISTRATOR)
    gs.rule_setting_change(
        actor=admin,
        rule_id="escalation",
        enabled=True,
        params={**(dict(row.params) if row else {}), "after_declines": 1},
        reason="flag at the first decline",
        expected_version=row.version if row else None,
    )
    stricter = _read(supervisor, today, page)
    assert stricter == _by_hand(supervisor, today, page)
    assert stricter["flagged"] != first["flagged"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_reads_are_prepared_once_a_connection_and_a_day(supervisor: User) -> None:
    today = timezone.localdate()
    page = list(supervision_reads.flagged_networks(supervisor).values_list("pk", flat=True)[:25])

    def texts(day: date) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            supervision_reads.supervisor_dashboard(
                supervisor, rm.FamilyNetwork.objects.filter(pk__in=page), day
            )
        return [q["sql"] for q in ctx.captured_queries if "EXECUTE" in q["sql"]]

    later = today + timedelta(days=3)
    for day in (today, later):
        texts(day)  # prepared, if this connection has not yet
        (again,) = texts(day)
        assert "PREPARE" not in again and again.count("EXECUTE") == 5
    (back,) = texts(today)
    assert "PREPARE" not in back and back != again  # each day's own statements


def _rows_read(sql: str, params: list[object]) -> dict[str, int]:
    """The rows each table's steps in the statement's plan read (rows times
    loops, summed by table), as ``EXPLAIN (ANALYZE)`` counts them: the work
    done, whatever the machine's speed."""
    read: dict[str, int] = {}

    def walk(node: dict[str, Any]) -> None:
        if "Relation Name" in node:
            table = node["Relation Name"]
            read[table] = read.get(table, 0) + int(node["Actual Rows"] * node["Actual Loops"])
        for child in node.get("Plans", ()):
            walk(child)

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()[0]
    walk(plan["Plan"])
    return read


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE is PostgreSQL's")
def test_the_declines_read_only_the_teams_families(supervisor: User) -> None:
    """The two reads of declines (the families that declined most, the
    latest declines) read the team's own declines however many declines the
    area's other teams have: they find them through the team's families."""
    today = timezone.localdate()
    _decline_some(supervisor)
    team_ids = [supervisor.team_id or 0]
    reads = supervision_reads.team_reads(today).bind(team_ids).compiled()[2:]  # the two reads of declines

    def work() -> list[dict[str, int]]:
        return [_rows_read(str(sql), list(params)) for _, sql, params, _, _ in reads]

    page = list(supervision_reads.flagged_networks(supervisor).values_list("pk", flat=True)[:25])
    before, listed = work(), _read(supervisor, today, page)
    others = Team.objects.get(name="Synthetic team 2")
    _decline_some(supervisor, 60, team=others)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE gaps_gapevent; ANALYZE gaps_gap")
    assert _read(supervisor, today, page) == listed == _by_hand(supervisor, today, page)
    assert listed["declines_count"] == 6 and gm.GapEvent.objects.filter(state="asked-declined").count() == 66
    after = work()
    # each read reads the team's 6 declines, not the 60 of the other team
    assert [r["gaps_gapevent"] for r in after] == [r["gaps_gapevent"] for r in before] == [6, 6]
