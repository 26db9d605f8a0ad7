"""The rule change ``kinmap bench_area`` makes under load: the rule with the
most open gaps, switched through the Rule settings service, which starts the
background recompute of every family."""

from __future__ import annotations

from collections import Counter

import pytest

from kinmap.gaps import models as gm
from kinmap.jobs.models import FamilyRecompute
from kinmap.records import bench_area as b
from kinmap.records.models import FamilyNetwork
from kinmap.records.synth import synth_load


@pytest.mark.django_db
def test_the_bench_switches_the_busiest_rule_and_a_recompute_is_queued() -> None:
    synth_load(families=4, teams=1, seed=3)
    counted = Counter(gm.Gap.objects.filter(resolved_at__isnull=True).values_list("rule_id", flat=True))
    rule_id = b.busiest_rule()
    assert counted[rule_id] == max(counted.values())
    run = b.rule_switch(rule_id, enabled=False)
    assert run.state == FamilyRecompute.State.QUEUED and run.rule_change is not None
    assert run.rule_change.rule_id == rule_id and run.total == FamilyNetwork.objects.count()
    assert gm.RuleSetting.objects.get(rule_id=rule_id).enabled is False
    again = b.rule_switch(rule_id, enabled=True)  # back as it was; the first run is superseded
    assert gm.RuleSetting.objects.get(rule_id=rule_id).enabled is True
    assert FamilyRecompute.objects.get(pk=run.pk).state == FamilyRecompute.State.SUPERSEDED
    assert again.state == FamilyRecompute.State.QUEUED
