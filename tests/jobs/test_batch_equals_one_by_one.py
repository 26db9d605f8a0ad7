"""The background recompute after a rule change writes, batch by batch, what
recomputing each family on its own writes: the same gaps, the same steps in
their history, the same outcomes at an open contact, the same audit events
and the same team counts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from kinmap.accounts.models import Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.gaps.engine import escalation_settings
from kinmap.gaps.team_counts import team_counts
from kinmap.jobs import services as js
from kinmap.jobs.models import FamilyRecompute
from tests.gaps.family import SeedFamily, seed_family
from tests.jobs.lanes import step_every_lane
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db

RESOLVED_RULE = "R09-other-names"  # one open gap a seeded family
OPENED_RULE = "R17-icon"  # two gaps a seeded family once switched on


@pytest.fixture(autouse=True)
def one_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every family in one lane, so that a batch holds several families."""
    monkeypatch.setattr(js, "LANES", 1)


def _switch(admin: User, rule_id: str, *, enabled: bool) -> None:
    row = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
    gs.rule_setting_change(
        actor=admin,
        rule_id=rule_id,
        enabled=enabled,
        params={},
        reason="the partnership's decision",
        expected_version=row.version if row else None,
    )


def _state(families: list[SeedFamily], team: Team) -> dict[str, Any]:
    """Everything a recompute writes, without its ids and times."""
    networks = [f.network.pk for f in families]
    gaps = gm.Gap.objects.filter(network_id__in=networks)
    return {
        "gaps": sorted(
            gaps.values_list(
                "network_id",
                "key",
                "rule_id",
                "state",
                "severity",
                "detail",
                "subject_name",
                "version",
                "reopened",
                "times_prompted",
                "na_status",
                "open_since",
                "open_since_basis",
                "overnight_infant_until",
            ).order_by("network_id", "key")
        )
        + sorted((g.network_id, g.key, g.resolved_at is None, g.missing) for g in gaps),
        "events": Counter(
            gm.GapEvent.objects.filter(gap__network_id__in=networks).values_list(
                "gap__network_id",
                "gap__key",
                "kind",
                "state",
                "source",
                "source_detail",
                "contact_id",
                "by_id",
                "reason",
                "occurred_on",
            )
        ),
        "outcomes": Counter(
            gm.ContactGapOutcome.objects.filter(contact__network_id__in=networks).values_list(
                "contact_id", "gap__key", "outcome", "state", "by_id"
            )
        ),
        "audit": Counter(
            (e.actor_id, e.actor_name, e.object_type, e.object_id, e.network_id, repr(e.changes), e.seq)
            for e in AuditEvent.objects.filter(action="recompute")
        ),
        "summaries": sorted(gm.GapSummary.objects.filter(network_id__in=networks).values_list()),
        "teams_told": set(gm.TeamCountsChange.objects.values_list("team_id", flat=True)),
        "team_counts": team_counts(
            [team.pk], date.today(), escalation_settings(gm.RuleSetting.objects.all())
        ),
    }


def _in_batches(families: list[SeedFamily], team: Team) -> dict[str, Any]:
    run = FamilyRecompute.objects.get(state=FamilyRecompute.State.QUEUED)
    assert step_every_lane(run, size=3) == 2  # one lane (one_lane): batches of 3, 1 and none
    return _state(families, team)


def _one_by_one(families: list[SeedFamily], team: Team, actor: User) -> dict[str, Any]:
    for f in families:
        gs.gaps_recompute(network=f.network, actor=actor)
    return _state(families, team)


class _Undone(Exception):
    pass


def _compare(families: list[SeedFamily], team: Team, change: Any, admin: User) -> dict[str, Any]:
    """The state after ``change`` and the background recompute, and after
    ``change`` and each family recomputed on its own (both undone)."""
    found = []
    for recompute in (
        lambda: _in_batches(families, team),
        lambda: _one_by_one(families, team, admin),
    ):
        try:
            with transaction.atomic():
                change()
                found.append(recompute())
                raise _Undone
        except _Undone:
            pass
    batched, single = found
    assert batched == single
    return batched


def test_the_batches_write_what_each_family_recomputed_alone_writes(
    owner: User, admin: User, health_team: Team
) -> None:
    _switch(admin, OPENED_RULE, enabled=False)  # before the families: none has its gaps
    families = [seed_family(owner, name=f"Testbaby{i}") for i in range(4)]
    contact = gs.contact_open(actor=owner, network=families[0].network, type="clinic", date=date.today())
    run_worker()
    before = _state(families, health_team)

    def swap() -> None:  # one rule off (resolved), another on (opened)
        _switch(admin, RESOLVED_RULE, enabled=False)
        _switch(admin, OPENED_RULE, enabled=True)

    after = _compare(families, health_team, swap, admin)
    assert after != before
    kinds = Counter(e[2] for e in after["events"].elements()) - Counter(
        e[2] for e in before["events"].elements()
    )
    # each family: its R09 gap resolved, two R17 gaps opened; at the open contact
    # the two shown and the resolved one answered there
    assert kinds == Counter({"opened": 8, "resolved": 4, "prompted": 2})
    assert Counter(o[2] for o in after["outcomes"].elements())["answered"] == 1
    assert len(after["audit"]) - len(before["audit"]) == 4
    assert all(o[0] == contact.pk for o in after["outcomes"])

    # the swap made for good; then the first rule on again (reopened)
    swap()
    run_worker()
    reopened = _compare(families, health_team, lambda: _switch(admin, RESOLVED_RULE, enabled=True), admin)
    assert Counter(e[2] for e in reopened["events"].elements())["reopened"] == 4
