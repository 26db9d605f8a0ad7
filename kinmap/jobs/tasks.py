"""The background tasks (django-tasks; run by ``kinmap worker``)."""

from __future__ import annotations

from django_tasks import task

from kinmap.audit.services import audit_seal

from .neighbours import neighbours_recompute
from .services import family_recompute_lane_step
from .stopping import stop_asked


@task()
def recompute_lane(lane_id: int) -> None:
    """Recompute every family of ``FamilyRecomputeLane`` ``lane_id``, batch by
    batch from where it stands (so a second task for the same lane, or one
    started after a worker stopped, just goes on), sealing the audit events
    each batch wrote. A worker asked to stop (Ctrl+C, SIGTERM) ends it after
    the batch in hand; the lane is then resumed by the next worker pass."""
    while not stop_asked() and family_recompute_lane_step(lane_id=lane_id):
        audit_seal()
    audit_seal()


@task()
def recompute_neighbours(network_ids: list[int]) -> None:
    """Recompute the family networks that share a member with a family just
    changed (``kinmap.jobs.neighbours``), then seal the audit events it wrote."""
    neighbours_recompute(network_ids=network_ids)
    audit_seal()
