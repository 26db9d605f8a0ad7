"""Stepping a background recompute's lanes in a test, as the worker's tasks
step them."""

from __future__ import annotations

from kinmap.jobs import services as js
from kinmap.jobs.models import FamilyRecompute, FamilyRecomputeLane


def lanes_of(run: FamilyRecompute) -> list[FamilyRecomputeLane]:
    """The lanes of ``run`` as they stand, lowest ids first."""
    return list(FamilyRecomputeLane.objects.filter(run=run).order_by("number"))


def step_every_lane(run: FamilyRecompute, size: int) -> int:
    """Step each lane of ``run`` in turn, batches of ``size``, until every lane
    is finished; the number of steps that left families to do."""
    steps = 0
    for lane in lanes_of(run):
        while js.family_recompute_lane_step(lane_id=lane.pk, size=size):
            steps += 1
    return steps
