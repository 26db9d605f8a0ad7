"""After a rule setting changes every family is recomputed in the background:
in lanes of batches, resumable after a worker stops, superseded by a later
change, with a progress page for the administrator and ``kinmap rules set``.
(The lanes themselves: test_recompute_lanes.py.)"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.jobs import services as js
from kinmap.jobs.claimants import worker_id
from kinmap.jobs.models import FamilyRecompute
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily, seed_family
from tests.jobs.lanes import lanes_of
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db

RULE = "R09-other-names"


@pytest.fixture
def families(owner: User) -> list[SeedFamily]:
    return [seed_family(owner, name=f"Testbaby{i}") for i in range(5)]


def _open(families: list[SeedFamily]) -> list[bool]:
    """Whether each family's R09 gap (the father's other names) is open."""
    return [
        gm.Gap.objects.get(network=f.network, key=f"{RULE}:person:{f.father.pk}").is_open for f in families
    ]


def _switch_off(admin: User) -> FamilyRecompute:
    gs.rule_setting_change(actor=admin, rule_id=RULE, enabled=False, params={}, reason="on the GP form")
    return FamilyRecompute.objects.get(state=FamilyRecompute.State.QUEUED)


def test_a_rule_change_is_recomputed_in_the_background(admin: User, families: list[SeedFamily]) -> None:
    run = _switch_off(admin)
    assert (run.total, run.requested_by, run.reason) == (5, admin, "on the GP form")
    assert [(lane.total, lane.done) for lane in lanes_of(run)] == [(1, 0), (1, 0), (1, 0), (2, 0)]
    assert run.rule_change == gm.RuleSettingChange.objects.get()
    assert _open(families) == [True] * 5  # nothing recomputed inside the change
    run_worker()
    run.refresh_from_db()
    assert run.state == FamilyRecompute.State.DONE and run.finished_at is not None
    assert [(lane.state, lane.done, lane.skipped) for lane in lanes_of(run)] == [("done", 1, [])] * 3 + [
        ("done", 2, [])
    ]
    assert _open(families) == [False] * 5
    # one audit event per family recomputed, by the administrator, all sealed by the worker
    events = AuditEvent.objects.filter(action="recompute", actor=admin)
    assert sorted(events.values_list("network_id", flat=True)) == sorted(f.network.pk for f in families)
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_a_stuck_worker_is_continued_where_it_stopped(admin: User, families: list[SeedFamily]) -> None:
    run = _switch_off(admin)
    last = lanes_of(run)[-1]  # families 3 and 4
    assert js.family_recompute_lane_step(lane_id=last.pk, size=1)  # one batch, then the worker sticks
    # claimed by a worker process that is alive (this one), never ended
    DBTaskResult.objects.filter(id=last.task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id()]
    )
    last.refresh_from_db()
    assert (last.state, last.done, last.after_network_id) == ("running", 1, families[3].network.pk)
    assert _open(families) == [True, True, True, False, True]

    assert js.family_recompute_resume_stale() == []  # it moved a moment ago and its worker is alive
    run_worker()  # the other lanes' tasks
    assert _open(families) == [False, False, False, False, True]
    run.refresh_from_db()
    assert run.state == "running"
    later = timezone.now() + js.STALE_AFTER + timedelta(seconds=1)
    assert js.family_recompute_resume_stale(now=later) == [last.pk]
    assert js.family_recompute_resume_stale(now=later) == []  # its new task waits: not enqueued twice

    run_worker()
    run.refresh_from_db()
    assert run.state == "done" and sum(lane.done for lane in lanes_of(run)) == 5
    assert _open(families) == [False] * 5
    # every family recomputed once: none done again after the restart
    recomputed = AuditEvent.objects.filter(action="recompute", actor=admin).values_list(
        "network_id", flat=True
    )
    assert sorted(recomputed) == sorted(f.network.pk for f in families)


def test_a_later_change_supersedes_an_unfinished_recompute(admin: User, families: list[SeedFamily]) -> None:
    first = _switch_off(admin)
    lane = lanes_of(first)[-1]
    js.family_recompute_lane_step(lane_id=lane.pk, size=1)
    row = gm.RuleSetting.objects.get(rule_id=RULE)
    gs.rule_setting_change(
        actor=admin, rule_id=RULE, enabled=True, params={}, reason="back on", expected_version=row.version
    )
    first.refresh_from_db()
    assert first.state == FamilyRecompute.State.SUPERSEDED
    assert {x.state for x in lanes_of(first)} == {FamilyRecompute.State.SUPERSEDED}  # every lane
    assert not js.family_recompute_lane_step(lane_id=lane.pk)  # its task stops at its next batch
    run_worker()
    second = FamilyRecompute.objects.get(state=FamilyRecompute.State.DONE)
    assert (sum(x.done for x in lanes_of(second)), second.total) == (5, 5)
    assert _open(families) == [True] * 5


def test_progress_in_words() -> None:
    started = timezone.now()
    run = FamilyRecompute(
        state=FamilyRecompute.State.RUNNING, total=100_000, started_at=started, created_at=started
    )
    p = js.family_recompute_progress(run, done=20_000, touched_at=started + timedelta(seconds=60))
    assert (p.counted, p.time_left, p.percent) == ("20,000 of 100,000 families", "about 4 minutes left", 20)
    assert js.family_recompute_progress(run, done=0, touched_at=started).time_left == (
        "working out how long it will take"
    )
    run.state = FamilyRecompute.State.DONE
    p = js.family_recompute_progress(run, done=0, touched_at=None)
    assert (p.counted, p.time_left) == ("100,000 of 100,000 families", "finished")


def test_the_progress_page(admin: User, owner: User, families: list[SeedFamily]) -> None:
    run = _switch_off(admin)
    js.family_recompute_lane_step(lane_id=lanes_of(run)[0].pk)  # one family
    js.family_recompute_lane_step(lane_id=lanes_of(run)[3].pk)  # two
    client = Client()
    client.login(username=admin.username, password=PASSWORD)
    url = reverse("jobs-recompute", kwargs={"run_id": run.pk})
    page = client.get(url).content.decode()
    assert "3 of 5 families, about" in page or "3 of 5 families, less than a minute left" in page
    assert '<progress class="kinmap-progress"' in page and 'value="60"' in page
    assert '<meta http-equiv="refresh" content="5">' in page  # reloads itself, no JavaScript
    assert "on the GP form" in page
    assert "See the progress" in client.get(reverse("gaps-rule-settings")).content.decode()
    run_worker()
    page = client.get(url).content.decode()
    assert "5 of 5 families, finished" in page and 'http-equiv="refresh"' not in page
    assert client.get(reverse("jobs-recompute", kwargs={"run_id": run.pk + 1})).status_code == 404
    assert client.get("/settings/rules/recomputes/99999999999999999999/").status_code == 404
    client.login(username=owner.username, password=PASSWORD)
    assert client.get(url).status_code == 403


def test_the_progress_page_in_a_fixed_number_of_queries(
    admin: User, families: list[SeedFamily], django_assert_num_queries: object
) -> None:
    run = _switch_off(admin)
    client = Client()
    client.login(username=admin.username, password=PASSWORD)
    url = reverse("jobs-recompute", kwargs={"run_id": run.pk})
    client.get(url)
    # session, user, the run with its change and requester and its lanes
    # summed, the page frame's counts (one query); a reading page does not save its session
    # (kinmap.web.sessions)
    with django_assert_num_queries(4):  # type: ignore[operator]
        assert client.get(url).status_code == 200


def _rules(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("rules", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_kinmap_rules_set(admin: User, owner: User, families: list[SeedFamily]) -> None:
    code, out = _rules(
        "set", "R14-agency-request", "min_times_prompted", "2", "--as", admin.username, "--reason", "x"
    )
    assert code == 0, out
    run = FamilyRecompute.objects.get()
    assert out.splitlines() == [
        "Rule setting R14-agency-request changed: min_times_prompted = 2.",
        f"Every family (5) is being recomputed in the background as recompute {run.pk}; "
        "'kinmap worker' runs it.",
    ]
    assert gm.RuleSetting.objects.get(rule_id="R14-agency-request").params == {"min_times_prompted": 2}
    assert _rules("set", RULE, "enabled", "false", "--as", admin.username, "--reason", "y")[0] == 0
    assert gm.RuleSetting.objects.get(rule_id=RULE).enabled is False
    assert FamilyRecompute.objects.filter(state="superseded").count() == 1
    assert _rules("set", RULE, "enabled", "false", "--as", owner.username, "--reason", "y") == (
        2,
        "Only a partnership administrator can change the rule settings",
    )
    assert _rules("set", "R99-none", "x", "1", "--as", admin.username, "--reason", "y") == (
        2,
        "There is no rule R99-none",
    )
    assert _rules("set", RULE, "enabled", "maybe", "--as", admin.username, "--reason", "y")[0] == 2
    assert _rules("set", RULE, "enabled", "true", "--as", admin.username)[0] == 2  # no reason
