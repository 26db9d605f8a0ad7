"""The team worklist, the area worklist and the supervision page at any size:
counted in the database, a page at a time, in a fixed number of queries."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import selectors, supervision_reads
from kinmap.gaps.presenters import flags
from kinmap.gaps.summaries import gap_summaries_refresh
from kinmap.gaps.team_counts import team_counts_touch
from kinmap.records import models as rm
from kinmap.records.synth import synth_load
from tests.conftest import make_user

PAGES = ("my-families", "area-worklist", "supervisor-dashboard")
# the supervision page with its team's counts kept: the session, the user, the
# escalation thresholds, the kept count, the page of families, its lists (one
# text of prepared statements on PostgreSQL, five queries on SQLite), the
# audit event, the notifications and the overdue actions
SUPERVISION_QUERIES = {"sqlite": 13, "postgresql": 9}


def _queries(client: Client, url: str, **params: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _area(families: int, seed: int) -> None:
    synth_load(families=families, teams=1, seed=seed)


def _stir(seed: int) -> None:
    """Make some open gaps flagged, some declined, some old, some waiting for
    a supervisor, so that every count has something to count."""
    rng = random.Random(seed)
    now = timezone.now()
    gaps = list(gm.Gap.objects.filter(resolved_at__isnull=True).order_by("pk"))
    for g in rng.sample(gaps, len(gaps) // 3):
        g.times_prompted = rng.randint(0, 3)
        g.times_declined = rng.randint(0, 3)
        g.opened_at = now - timedelta(days=rng.choice([0, 27, 28, 29, 400]))
        g.na_status = rng.choice(["", "", gm.NotApplicable.PENDING, gm.NotApplicable.AGREED])
        g.save()
    # changed behind the services' back: count them again as the services do
    gap_summaries_refresh(network_ids={g.network_id for g in gaps})


@pytest.fixture
def supervisor(db: None) -> User:
    _area(10, seed=21)
    team = Team.objects.get(name="Synthetic team 1")
    return make_user("synth.supervisor", team, Role.SUPERVISOR)


def _each_page(client: Client) -> dict[str, tuple[int, str]]:
    """Each page's queries and text: the first read after a change (the teams'
    counts counted again), the next read (kept counts), and the team worklist
    with a filter (counted from the gaps)."""
    out = {}
    for name in PAGES:
        client.get(reverse(name))  # folds in the changes so far (more queries, now and then)
        team_counts_touch(team_ids=Team.objects.values_list("pk", flat=True))
        out[f"{name} after a change"] = _queries(client, reverse(name))
        out[f"{name} kept"] = _queries(client, reverse(name))
    out["my-families filtered"] = _queries(client, reverse("my-families"), severity="critical")
    return out


@pytest.mark.django_db
def test_the_lists_do_not_grow_their_queries_with_the_number_of_families(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)
    small = {name: n for name, (n, _) in _each_page(client).items()}
    _area(20, seed=22)  # three times as many families, more than a page
    _stir(5)
    assert supervision_reads.flagged_networks(supervisor).count() > 0
    big = _each_page(client)
    assert {name: n for name, (n, _) in big.items()} == small
    for name in PAGES:  # kept counts: fewer queries than counting again
        assert small[f"{name} kept"] < small[f"{name} after a change"]
    assert small["supervisor-dashboard kept"] == SUPERVISION_QUERIES[connection.vendor]
    html = big["my-families kept"][1]
    assert len(re.findall(r'data-family="\d+"', html)) == 25
    assert 'class="govuk-pagination"' in html and 'aria-current="page"' in html


@pytest.mark.django_db
def test_pages_past_the_end_or_not_numbers_are_not_found(client: Client, supervisor: User) -> None:
    _area(20, seed=23)
    client.force_login(supervisor)
    for name in PAGES:
        assert client.get(reverse(name), {"page": "1"}).status_code == 200
        for bad in ("0", "-1", "99", "two", "1.5", "9" * 5000, "0_1", " 1", "+1", "\uff11"):
            assert client.get(reverse(name), {"page": bad}).status_code == 404, (name, bad)
    total = selectors.worklist_networks(supervisor, selectors.WorklistFilter()).count()
    assert 25 < total <= 50
    html = client.get(reverse("my-families"), {"page": "2"}).content.decode()
    assert len(re.findall(r'data-family="\d+"', html)) == total - 25
    assert f"Showing 26 to {total} of {total} families" in html


@pytest.mark.django_db
def test_counts_in_the_database_agree_with_each_gap_read_in_python(supervisor: User) -> None:
    _stir(7)
    today = timezone.localdate()
    settings = selectors.escalation()
    open_gaps = [g for g in gm.Gap.objects.all() if g.is_open]
    by_family: dict[int, list[gm.Gap]] = {}
    for g in open_gaps:
        by_family.setdefault(g.network_id, []).append(g)
    rows = selectors.worklist(supervisor, selectors.WorklistFilter())
    assert len(rows) == len({r.network.pk for r in rows}) > 10
    for row in rows:
        mine = by_family.get(row.network.pk, [])
        assert row.open_count == len(mine)
        assert row.flagged_count == sum(1 for g in mine if flags(g, today, settings))
        assert row.oldest == min((g.open_since for g in mine), default=None)
        ranks = [gm.SEVERITY_RANK[gm.Severity(g.severity)] for g in mine]
        assert row.worst == (min(mine, key=lambda g: ranks[mine.index(g)]).severity if mine else "")
    assert any(r.flagged_count for r in rows) and any(r.flagged_count < r.open_count for r in rows)
    # most severe first, then the oldest gap
    keys = [(gm.SEVERITY_RANK[gm.Severity(r.worst)] if r.worst else 9, r.oldest or date.max) for r in rows]
    assert keys == sorted(keys)
    (team,) = selectors.area_rows(selectors.area_teams(supervisor), selectors.WorklistFilter())
    assert team.open_count == len(open_gaps) == sum(r.open_count for r in rows)
    assert team.families == len(rows) and team.families_with_gaps == len(by_family)
    assert team.critical_count == sum(1 for g in open_gaps if g.severity == gm.Severity.CRITICAL)
    assert team.flagged_families == sum(1 for r in rows if r.flagged_count) > 0
    assert team.oldest == min(g.open_since for g in open_gaps)
    flagged = list(supervision_reads.flagged_networks(supervisor))
    assert {n.pk for n in flagged} == {r.network.pk for r in rows if r.flagged_count}
    # the most severe first, then the oldest open gap (the worklist's order)
    assert [n.pk for n in flagged] == [r.network.pk for r in rows if r.flagged_count]
    # the supervision page shows each family's flagged gaps, and the team's oldest
    board = supervision_reads.supervisor_dashboard(supervisor, flagged)
    assert {f.network.pk: len(f.gaps) for f in board.families} == {
        r.network.pk: r.flagged_count for r in rows if r.flagged_count
    }
    oldest = sorted(open_gaps, key=lambda g: (g.open_since, g.opened_at, g.pk))[: supervision_reads.SHOWN]
    assert [v.gap.pk for v in board.oldest] == [g.pk for g in oldest]


@pytest.mark.django_db
def test_the_area_worklist_names_no_family_and_audits_its_filter(client: Client, supervisor: User) -> None:
    other = Team.objects.create(agency=supervisor.team.agency, name="Another team")  # type: ignore[union-attr]
    client.force_login(supervisor)
    html = client.get(reverse("area-worklist"), {"severity": "critical"}).content.decode()
    assert f'data-team="{other.pk}"' in html and "(your team)" in html
    assert "(synthetic)" not in html  # families are named only on their own team's lists
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.changes) == (
        "list",
        "area-worklist",
        {"filter": [None, {"severity": "critical"}], "page": [None, 1], "count": [None, 2]},
    )
    practitioner = User.objects.get(username="synth.practitioner.1")
    client.force_login(practitioner)
    assert client.get(reverse("area-worklist")).status_code == 403


def _shape(seed: int) -> None:
    """Give a caseload of two teams the shapes the team worklist's two lists
    must join: families with no open gap (a summary counting none, or no
    summary), families of the same name and the same oldest gap, a family of
    both teams, a closed family, allocations ended or not yet begun."""
    rng = random.Random(seed)
    today = timezone.localdate()
    ids = list(rm.FamilyNetwork.objects.order_by("pk").values_list("pk", flat=True))
    no_gaps, no_summary, same_name, closed = [], [], [], []
    for team in Team.objects.filter(name__startswith="Synthetic team"):
        allocated = rm.Allocation.objects.filter(team=team).order_by("pk")
        mine = list(allocated.values_list("network_id", flat=True))
        rng.shuffle(mine)
        no_gaps += mine[:3]
        no_summary += mine[3:5]
        same_name += mine[5:8]
        closed += mine[8:9]
    gm.Gap.objects.filter(network_id__in=no_gaps + no_summary).update(resolved_at=timezone.now())
    gap_summaries_refresh(network_ids=ids)
    gm.GapSummary.objects.filter(network_id__in=no_summary).delete()
    # the same name, and the same most severe and oldest gap: by name, then by id
    rm.FamilyNetwork.objects.filter(pk__in=same_name[::2]).update(name="Same name (synthetic)")
    for n, pk in enumerate(sorted(same_name, reverse=True)):
        if pk not in same_name[::2]:
            rm.FamilyNetwork.objects.filter(pk=pk).update(name=f"Tied {n:02} (synthetic)")
    gm.GapSummary.objects.filter(network_id__in=same_name).update(worst_rank=0, oldest_open=today)
    rm.FamilyNetwork.objects.filter(pk__in=closed).update(closed_at=timezone.now())
    first, second = Team.objects.filter(name__startswith="Synthetic team").order_by("pk")[:2]
    both = rm.Allocation.objects.filter(team=second).exclude(network_id__in=closed).order_by("pk")[:4]
    rm.Allocation.objects.bulk_create(
        [rm.Allocation(network_id=a.network_id, team=first, start=today) for a in both]
    )
    moved = list(rm.Allocation.objects.filter(team=first).order_by("?")[:3])
    spans = [(today, today), (today + timedelta(days=1), None), (today, None)]  # ended, not begun, begun
    for a, (start, end) in zip(moved, spans, strict=True):
        a.start, a.end = start, end
        a.save()
    # changed behind the services' back: tell the teams' counts as the services do
    team_counts_touch(team_ids=[first.pk, second.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [31, 32, 33])
def test_the_team_worklist_read_through_the_index_is_the_straightforward_list(
    client: Client, seed: int
) -> None:
    synth_load(families=56, teams=2, seed=seed)
    _shape(seed)
    for team in Team.objects.filter(name__startswith="Synthetic team"):
        user = make_user(f"reader.{team.pk}", team, Role.SUPERVISOR)
        reference = list(selectors.worklist_networks(user, selectors.WorklistFilter()))
        listed = selectors.team_worklist(user)
        assert len(listed) == len(reference) > 25
        assert listed.count_with_gaps == sum(1 for n in reference if n.open_count)  # type: ignore[attr-defined]
        assert 0 < listed.count_with_gaps < len(reference)
        columns = ("pk", "worst_rank", "open_count", "oldest")
        whole = [tuple(getattr(n, c) for c in columns) for n in reference]
        for size in (1, 7, 25):  # every page of every size: across the two lists' join too
            for start in range(0, len(reference) + size, size):
                page = listed[start : start + size]
                assert [tuple(getattr(n, c) for c in columns) for n in page] == whole[start : start + size]
        client.force_login(user)
        for number in (1, 2):
            html = client.get(reverse("my-families"), {"page": number}).content.decode()
            shown = [int(pk) for pk in re.findall(r'data-family="(\d+)"', html)]
            assert shown == [n.pk for n in reference][(number - 1) * 25 : number * 25]
            assert f"of {len(reference)} families" in html
