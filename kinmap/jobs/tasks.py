"""The background tasks (django-tasks; run by ``kinmap worker``)."""

from __future__ import annotations

from django_tasks import task

from kinmap.audit.services import audit_seal

from .neighbours import neighbours_recompute
from .services import family_recompute_step


@task()
def recompute_families(run_id: int) -> None:
    """Recompute every family of ``FamilyRecompute`` ``run_id``, batch by batch
    from where it stands (so a second task for the same run, or one started
    after a worker stopped, just goes on), sealing the audit events each batch
    wrote."""
    while family_recompute_step(run_id=run_id):
        audit_seal()
    audit_seal()


@task()
def recompute_neighbours(network_ids: list[int]) -> None:
    """Recompute the family networks that share a member with a family just
    changed (``kinmap.jobs.neighbours``), then seal the audit events it wrote."""
    neighbours_recompute(network_ids=network_ids)
    audit_seal()
