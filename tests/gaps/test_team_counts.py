"""Each team's kept counts (``TeamGapCounts``) are what counting its families
afresh gives, and what the team worklist and the supervision page list, after
every path that changes them: a change to a family (its gaps recomputed), an
answer, a rule setting recomputed in the background, a merge and its undoing,
an import, ``kinmap synth``, an allocation made or ended, a family closed or
reopened, a new day, new escalation thresholds; and after a change that
commits while the counts are being counted."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts import services as accounts
from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import selectors, supervision_reads
from kinmap.gaps import services as gs
from kinmap.gaps import team_counts as tc
from kinmap.merging import services as ms
from kinmap.records import lifecycle
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from kinmap.records.synth import synth_load
from tests.conftest import make_user
from tests.gaps.family import SeedFamily, father_declines, seed_family
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


def check(*teams: Team, day: date | None = None) -> dict[int, dict[str, object]]:
    """The kept counts of ``teams`` agree with counting afresh, and with what
    the team worklist and the supervision page list for someone of the team."""
    today = day or timezone.localdate()
    settings = selectors.escalation()
    ids = [t.pk for t in teams]
    kept = tc.team_counts(ids, today, settings)
    assert kept == tc.count_teams(ids, today, settings)
    assert tc.team_counts(ids, today, settings) == kept  # read again: kept
    for team in teams:
        someone = User(username=f"reader{team.pk}", team=team, role=Role.SUPERVISOR, is_active=True)
        listed = selectors.worklist_networks(someone, selectors.WorklistFilter(), today)
        assert kept[team.pk]["families"] == listed.count()
        assert kept[team.pk]["families_with_gaps"] == listed.filter(open_count__gt=0).count()
        assert kept[team.pk]["flagged_families"] == supervision_reads.flagged_networks(someone, today).count()
    return kept


def _fresh(team: Team) -> bool:
    """The team's kept counts were counted after its last change."""
    row = gm.TeamGapCounts.objects.get(team=team)
    return row.counted_changes == row.changes_before + gm.TeamCountsChange.objects.filter(team=team).count()


def test_the_counts_follow_changes_to_a_familys_gaps(
    owner: User, supervisor: User, fam: SeedFamily, health_team: Team, social_team: Team
) -> None:
    before = check(health_team, social_team)
    assert before[health_team.pk]["families"] == 1 and before[social_team.pk]["families"] == 0
    # declined twice: flagged for a supervisor
    for _ in range(2):
        father_declines(owner, fam)
        check(health_team)
    assert check(health_team)[health_team.pk]["flagged_families"] == 1
    # a recorded fact resolves a gap (recomputed in the change's transaction)
    father = m.Person.objects.get(pk=fam.father.pk)
    s.person_update(
        actor=owner,
        network=fam.network,
        person=father,
        data=dataclasses.replace(
            s.PersonData.of(father), birth_date=date(1995, 3, 2), birth_date_accuracy="accurate"
        ),
        expected_version=father.version,
    )
    assert not _fresh(health_team) and _fresh(social_team)  # only the family's team is told
    check(health_team, social_team)
    # a new family of the team, with no gap of its own yet counted
    seed_family(owner, name="Testbabytwo")
    assert check(health_team)[health_team.pk]["families"] == 2


def test_the_counts_follow_allocations_and_closing(
    owner: User, fam: SeedFamily, health_team: Team, social_team: Team
) -> None:
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    check(health_team, social_team)
    row = accounts.allocation_add(actor=admin, network=fam.network, team=social_team)
    assert check(health_team, social_team)[social_team.pk]["families"] == 1
    accounts.allocation_end(actor=admin, allocation=row, reason="handed back")
    # ended today: counted from tomorrow
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert check(social_team, day=tomorrow)[social_team.pk]["families"] == 0
    network = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    lifecycle.network_close(
        actor=owner, network=network, reason="moved away", expected_version=network.version
    )
    assert check(health_team)[health_team.pk]["families"] == 0
    network.refresh_from_db()
    lifecycle.network_reopen(
        actor=owner, network=network, reason="came back", expected_version=network.version
    )
    assert check(health_team)[health_team.pk]["families"] == 1


def test_the_counts_follow_the_day_and_the_thresholds(
    owner: User, fam: SeedFamily, health_team: Team
) -> None:
    today = timezone.localdate()
    check(health_team)
    # critical gaps open 20 days: flagged from the day they have been open long enough
    gm.Gap.objects.filter(network=fam.network, severity=gm.Severity.CRITICAL).update(
        open_since=today - timedelta(days=20)
    )
    from kinmap.gaps.summaries import gap_summaries_refresh

    gap_summaries_refresh(network_ids=[fam.network.pk])
    check(health_team)
    later = today + timedelta(days=60)
    assert gm.TeamGapCounts.objects.get(team=health_team).counted_on == today
    check(health_team, day=later)
    assert gm.TeamGapCounts.objects.get(team=health_team).counted_on == later
    check(health_team)
    # new thresholds are counted with at once
    row = gm.RuleSetting.objects.filter(rule_id="escalation").first()
    params = dict(row.params) if row else {}
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    gs.rule_setting_change(
        actor=admin,
        rule_id="escalation",
        enabled=True,
        params={**params, "after_days": 10},
        reason="flag sooner",
        expected_version=row.version if row else None,
    )
    check(health_team)
    assert gm.TeamGapCounts.objects.get(team=health_team).thresholds.startswith("10/")


def test_the_counts_follow_a_rule_change_recomputed_in_the_background(owner: User, health_team: Team) -> None:
    for i in range(3):
        seed_family(owner, name=f"Testbaby{i}")
    before = check(health_team)
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    gs.rule_setting_change(
        actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="on the GP form"
    )
    run_worker()
    after = check(health_team)
    assert after[health_team.pk]["open_count"] < before[health_team.pk]["open_count"]


def test_the_counts_follow_a_merge_and_its_undoing(owner: User, supervisor: User, health_team: Team) -> None:
    one, two = seed_family(owner, name="Testbabyone"), seed_family(owner, name="Testbabytwo")
    before = check(health_team)
    merge = ms.person_merge(actor=supervisor, first=one.father, second=two.father, reason="Same man, GP says")
    assert not _fresh(health_team)
    merged = check(health_team)
    ms.merge_undo(actor=supervisor, merge=merge, reason="Not the same man after all")
    assert check(health_team) == before
    assert merged[health_team.pk]["families"] == before[health_team.pk]["families"]


def test_the_counts_follow_an_import_and_synth(owner: User, fam: SeedFamily, health_team: Team) -> None:
    before = check(health_team)
    text = family_file_export([fam.network]).text
    family_file_import(family_file=family_file_read(text), actor=None, file_name="t.json")
    after = check(health_team)
    assert after[health_team.pk]["families"] == before[health_team.pk]["families"] + 1
    assert after[health_team.pk]["open_count"] > before[health_team.pk]["open_count"]
    synth_load(families=4, teams=1, seed=3)
    synthetic = Team.objects.get(name="Synthetic team 1")
    first = check(synthetic, health_team)[synthetic.pk]
    synth_load(families=4, teams=1, seed=4)  # into the same team, in bulk
    second = check(synthetic)[synthetic.pk]
    assert second["families"] > first["families"] and second["open_count"] > first["open_count"]


def test_a_change_committed_while_counting_is_counted_at_the_next_read(
    owner: User, fam: SeedFamily, health_team: Team
) -> None:
    """The number of changes kept is the one read before counting: a change
    told while the count runs leaves the row out of date, not wrongly up to
    date."""
    today, settings = timezone.localdate(), selectors.escalation()
    count = tc.count_teams

    def change_meanwhile(*args: object, **kwargs: object) -> dict[int, dict[str, object]]:
        out = count(*args, **kwargs)  # type: ignore[arg-type]
        seed_family(owner, name="Testbabylate")  # committed after the count read the families
        return out

    with mock.patch.object(tc, "count_teams", change_meanwhile):
        stale = tc.team_counts([health_team.pk], today, settings)
    assert stale[health_team.pk]["families"] == 1
    assert not _fresh(health_team)
    assert check(health_team)[health_team.pk]["families"] == 2


def test_pages_use_the_kept_counts_and_show_an_outsider_nothing(
    client: Client, owner: User, supervisor: User, outsider: User, fam: SeedFamily, social_team: Team
) -> None:
    other = make_user("sw.supervisor", social_team, Role.SUPERVISOR)
    client.force_login(supervisor)
    mine = client.get(reverse("my-families")).content.decode()
    assert f'data-family="{fam.network.pk}"' in mine and "of 1 famil" in mine
    client.force_login(other)
    theirs = client.get(reverse("my-families")).content.decode()
    assert f'data-family="{fam.network.pk}"' not in theirs
    board = client.get(reverse("supervisor-dashboard")).content.decode()
    assert f'data-flagged-family="{fam.network.pk}"' not in board
    area = client.get(reverse("area-worklist")).content.decode()
    assert "Health visiting east" not in area  # another agency's team
    client.force_login(outsider)  # a practitioner: no area worklist, no supervision
    assert client.get(reverse("area-worklist")).status_code == 403
    assert client.get(reverse("supervisor-dashboard")).status_code == 403


def test_many_changes_are_folded_into_the_row_and_still_tell(
    owner: User, fam: SeedFamily, health_team: Team
) -> None:
    today, settings = timezone.localdate(), selectors.escalation()
    for _ in range(tc.FOLD + 1):
        tc.team_counts_touch(team_ids=[health_team.pk])
    check(health_team)
    assert not gm.TeamCountsChange.objects.filter(team=health_team).exists()  # folded in
    assert gm.TeamGapCounts.objects.get(team=health_team).changes_before > tc.FOLD
    assert _fresh(health_team)
    seed_family(owner, name="Testbabyafter")  # a change after the fold still tells
    assert not _fresh(health_team)
    assert tc.team_counts([health_team.pk], today, settings)[health_team.pk]["families"] == 2
