"""The background recompute of every family's gaps after a rule setting
changed: started in the change's transaction, run by ``kinmap worker`` in
short batches, resumable, with its progress in the database.

Each batch is one short transaction: it locks the run's row, takes the next
``BATCH`` families (by id) after the cursor, locks their network rows
skipping any a change holds at that moment (that family is done at the end
instead), recomputes them (``gaps_recompute_locked``: one audit event per
family whose gaps changed, written without a lock) and moves the cursor. A
page never waits for the run, and the run never waits for a page. A worker
that stops part-way leaves the cursor where its last batch ended; the next
worker re-enqueues a run that has not moved for ``STALE_AFTER``
(:func:`family_recompute_resume_stale`) and it goes on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinmap.accounts.models import User
from kinmap.core import progress
from kinmap.gaps import models as gm
from kinmap.gaps.services import gaps_recompute_locked
from kinmap.records import models as rm

from .models import FamilyRecompute

BATCH = 200  # families in one transaction: a few tens of milliseconds of work
STALE_AFTER = timedelta(seconds=60)  # a run not moved for this long has lost its worker

State = FamilyRecompute.State


def _enqueue(run: FamilyRecompute) -> None:
    from .tasks import recompute_families  # the task module imports these services

    run.task_id = str(recompute_families.enqueue(run.pk).id)
    run.save(update_fields=["task_id"])


def family_recompute_start(
    *, actor: User, reason: str, rule_change: gm.RuleSettingChange | None = None
) -> FamilyRecompute:
    """Ask for every family's gaps to be recomputed, in the caller's
    transaction (it runs only if that commits). Runs not yet finished are
    superseded: this one recomputes every family with the settings as they
    will then be. Returns the new run (state QUEUED)."""
    now = timezone.now()
    with transaction.atomic():
        FamilyRecompute.objects.filter(state__in=[State.QUEUED, State.RUNNING]).update(
            state=State.SUPERSEDED, finished_at=now
        )
        upto = rm.FamilyNetwork.objects.aggregate(m=Max("pk"))["m"] or 0
        run = FamilyRecompute.objects.create(
            rule_change=rule_change,
            requested_by=actor,
            reason=reason,
            upto_network_id=upto,
            total=rm.FamilyNetwork.objects.filter(pk__lte=upto).count(),
            created_at=now,
        )
        _enqueue(run)
    return run


def family_recompute_step(*, run_id: int, size: int = BATCH) -> bool:
    """Recompute the next batch of at most ``size`` families of run
    ``run_id`` in one transaction. Returns True while families remain, False
    once the run is finished or superseded (or missing)."""
    with transaction.atomic():
        run = FamilyRecompute.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not run.unfinished:
            return False
        now = timezone.now()
        run.started_at = run.started_at or now
        run.state = State.RUNNING
        networks = rm.FamilyNetwork.objects.order_by("pk")
        ids = list(
            networks.filter(pk__gt=run.after_network_id, pk__lte=run.upto_network_id).values_list(
                "pk", flat=True
            )[:size]
        )
        if ids:
            # a family a change holds now is recomputed by that change; it is done again at the end
            batch = list(networks.select_for_update(no_key=True, skip_locked=True).filter(pk__in=ids))
            run.skipped = [*run.skipped, *sorted(set(ids) - {n.pk for n in batch})]
            run.after_network_id = ids[-1]
        elif run.skipped:
            batch = list(networks.select_for_update(no_key=True).filter(pk__in=run.skipped[:size]))
            run.skipped = run.skipped[size:]
        else:
            batch = []
            run.state, run.finished_at = State.DONE, now
        if batch:
            gaps_recompute_locked(networks=batch, actor=run.requested_by)
        run.done += len(batch)
        run.touched_at = timezone.now()  # the end of this batch's work
        run.save()
    return run.state == State.RUNNING


def family_recompute_resume_stale(*, now: datetime | None = None) -> list[int]:
    """Enqueue again every unfinished run whose worker stopped: not moved for
    ``STALE_AFTER`` and with no task waiting to run it. Returns their ids."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    waiting = {
        str(i)
        for i in DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("id", flat=True)
    }
    resumed = []
    for run in FamilyRecompute.objects.filter(state__in=[State.QUEUED, State.RUNNING]).order_by("pk"):
        moved = run.touched_at or run.created_at
        if moved < cutoff and run.task_id not in waiting:
            _enqueue(run)
            resumed.append(run.pk)
    return resumed


@dataclass(frozen=True)
class Progress:
    """What the progress page shows: counts of families, whole per cent, and
    the sentences ("12,000 of 100,000 families", "about 4 minutes left")."""

    run: FamilyRecompute
    done: int
    total: int
    percent: int
    counted: str
    time_left: str


def family_recompute_progress(run: FamilyRecompute, *, now: datetime | None = None) -> Progress:
    """The progress of ``run`` at ``now``, the time left at its rate so far."""
    done = min(run.done, run.total) if run.state != State.DONE else run.total
    if run.state == State.DONE:
        left = "finished"
    elif run.state == State.SUPERSEDED:
        left = "stopped: a later change recomputes every family"
    elif run.started_at is None:
        left = "waiting for the background worker to start it"
    else:
        elapsed = ((run.touched_at or now or timezone.now()) - run.started_at).total_seconds()
        left = progress.time_left_words(progress.seconds_left(done, run.total, elapsed))
    return Progress(
        run=run,
        done=done,
        total=run.total,
        percent=progress.percent(done, run.total),
        counted=progress.progress_words(done, run.total),
        time_left=left,
    )
