"""The background recompute of every family's gaps after a rule setting
changed: started in the change's transaction, split into ``LANES`` lanes of
consecutive family ids that separate ``kinmap worker`` processes recompute
side by side (one django-tasks task a lane), in short batches, resumable,
with its progress in the database.

Each batch is one short transaction on one lane: it locks that lane's row
only (never the run's, so the lanes of a run never wait for each other),
takes the lane's next ``BATCH`` families (by id) after its cursor, locks
their network rows skipping any a change holds at that moment (that family
is done at the end of the lane instead), recomputes them
(``gaps_recompute_locked``: one audit event per family whose gaps changed,
written without a lock) and moves the cursor. A page never waits for the
run, and the run never waits for a page. The run's own row is written by a
lane only after a batch has committed: once when the first batch of a lane
starts it, once when the last lane to finish finds every lane done.

A worker that stops part-way leaves each lane's cursor where its last batch
ended; a worker re-enqueues a lane that has no task waiting and either no
task running it, or one claimed by a worker process of this host that has
ended (killed: :mod:`kinmap.jobs.claimants`), or one that has not moved it for
``STALE_AFTER`` (a worker on another host, or alive but stuck)
(:func:`family_recompute_resume_stale`), and it goes on from there. A lane
held by a worker that cannot be seen from here is waited for by
``kinmap worker --until-idle`` (:func:`family_recompute_waiting`) rather than
left unfinished. Other tasks a killed worker had claimed are released
(:func:`queue_orphans_release`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinmap.accounts.models import User
from kinmap.core import progress
from kinmap.gaps import models as gm
from kinmap.gaps.services import gaps_recompute_locked
from kinmap.records import advisory
from kinmap.records import models as rm
from kinmap.records.advisory import advisory_xact_lock

from .claimants import WorkerGone, claimant_alive
from .models import UNFINISHED, FamilyRecompute, FamilyRecomputeLane, RecomputeState

BATCH = 200  # families in one transaction: a few tens of milliseconds of work
LANES = 4  # lanes a run is split into: as many worker processes as this can share it
STALE_AFTER = timedelta(seconds=60)  # a lane not moved for this long has lost its worker

State = RecomputeState


def _enqueue(lanes: list[FamilyRecomputeLane]) -> None:
    """One task a lane, its id kept on the lane."""
    from .tasks import recompute_lane  # the task module imports these services

    for lane in lanes:
        lane.task_id = str(recompute_lane.enqueue(lane.pk).id)
    FamilyRecomputeLane.objects.bulk_update(lanes, ["task_id"])


def _lanes_of(upto: int, total: int, lanes: int) -> list[tuple[int, int, int]]:
    """Split the ``total`` families with ids up to ``upto`` into at most
    ``lanes`` lanes of consecutive ids whose sizes differ by at most one:
    ``(after_id, upto_id, count)`` a lane, the first id exclusive, the last
    inclusive (one lane of no family when there are none). One query a lane
    but the last: the id of its last family, at position ``total * (k + 1)
    // n - 1`` in id order for lane ``k`` of ``n``."""
    n = max(1, min(lanes, total))
    ids = rm.FamilyNetwork.objects.filter(pk__lte=upto).order_by("pk").values_list("pk", flat=True)
    ends = [0, *(ids[total * (k + 1) // n - 1] for k in range(n - 1)), upto]
    return [(ends[k], ends[k + 1], total * (k + 1) // n - total * k // n) for k in range(n)]


def family_recompute_start(
    *, actor: User, reason: str, rule_change: gm.RuleSettingChange | None = None, lanes: int | None = None
) -> FamilyRecompute:
    """Ask for every family's gaps to be recomputed, in ``lanes`` lanes
    (``LANES`` when None; one task each), in the caller's transaction (it runs only if that commits).
    Runs not yet finished are superseded, every lane of them: this one
    recomputes every family with the settings as they will then be. Two
    starts at once (two administrators changing two rules) are put one after
    the other: on PostgreSQL a transaction-scoped advisory lock is taken
    first, so the second waits for the first to commit and then supersedes
    its run (without it each would miss the other's uncommitted run and two
    runs would recompute every family); SQLite lets one transaction write at
    a time. Returns the new run (state QUEUED)."""
    with transaction.atomic():
        advisory_xact_lock(advisory.RECOMPUTE_START, 0)
        now = timezone.now()
        FamilyRecompute.objects.filter(state__in=UNFINISHED).update(state=State.SUPERSEDED, finished_at=now)
        FamilyRecomputeLane.objects.filter(state__in=UNFINISHED).update(
            state=State.SUPERSEDED, finished_at=now
        )
        upto = rm.FamilyNetwork.objects.aggregate(m=Max("pk"))["m"] or 0
        total = rm.FamilyNetwork.objects.filter(pk__lte=upto).count()
        run = FamilyRecompute.objects.create(
            rule_change=rule_change,
            requested_by=actor,
            reason=reason,
            upto_network_id=upto,
            total=total,
            created_at=now,
        )
        made = FamilyRecomputeLane.objects.bulk_create(
            FamilyRecomputeLane(
                run=run,
                number=k,
                from_network_id=after,
                upto_network_id=end,
                after_network_id=after,
                total=count,
            )
            for k, (after, end, count) in enumerate(_lanes_of(upto, total, lanes or LANES))
        )
        _enqueue(list(made))
    return run


def family_recompute_lane_step(*, lane_id: int, size: int = BATCH) -> bool:
    """Recompute the next batch of at most ``size`` families of lane
    ``lane_id`` in one transaction that locks the lane's row and the batch's
    network rows, never the run's. Returns True while families remain in the
    lane, False once it is finished or superseded (or missing). After the
    batch has committed, the lane's first batch marks the run RUNNING and
    its last marks the run DONE if every lane is done."""
    with transaction.atomic():
        lane = (
            FamilyRecomputeLane.objects.select_for_update(of=("self",))
            .select_related("run__requested_by")
            .filter(pk=lane_id)
            .first()
        )
        if lane is None or not lane.unfinished or not lane.run.unfinished:
            return False
        now = timezone.now()
        first = lane.started_at is None
        lane.started_at = lane.started_at or now
        lane.state = State.RUNNING
        networks = rm.FamilyNetwork.objects.order_by("pk")
        ids = list(
            networks.filter(pk__gt=lane.after_network_id, pk__lte=lane.upto_network_id).values_list(
                "pk", flat=True
            )[:size]
        )
        if ids:
            # a family a change holds now is recomputed by that change; it is done again at the end
            batch = list(networks.select_for_update(no_key=True, skip_locked=True).filter(pk__in=ids))
            lane.skipped = [*lane.skipped, *sorted(set(ids) - {n.pk for n in batch})]
            lane.after_network_id = ids[-1]
        elif lane.skipped:
            batch = list(networks.select_for_update(no_key=True).filter(pk__in=lane.skipped[:size]))
            lane.skipped = lane.skipped[size:]
        else:
            batch = []
            lane.state, lane.finished_at = State.DONE, now
        if batch:
            gaps_recompute_locked(networks=batch, actor=lane.run.requested_by)
        lane.done += len(batch)
        lane.touched_at = timezone.now()  # the end of this batch's work
        lane.save()
    if first:
        FamilyRecompute.objects.filter(pk=lane.run_id, state=State.QUEUED).update(
            state=State.RUNNING, started_at=lane.started_at
        )
    if lane.state == State.DONE:
        _run_finish(lane.run_id, lane.finished_at or now)
    return lane.state == State.RUNNING


def _run_finish(run_id: int, now: datetime) -> None:
    """Mark run ``run_id`` DONE if every lane of it is: one statement, run
    after the calling lane's batch committed, so that of two lanes ending
    together the later to commit sees both done."""
    lanes_left = FamilyRecomputeLane.objects.filter(run_id=run_id).exclude(state=State.DONE)
    FamilyRecompute.objects.filter(pk=run_id, state__in=UNFINISHED).exclude(
        pk__in=lanes_left.values("run_id")
    ).update(state=State.DONE, finished_at=now)


def _latest_tasks(task_ids: list[str]) -> dict[str, tuple[str, str]]:
    """``{task id: (status, claimant)}`` of the tasks ``task_ids`` (one query),
    the claimant being the worker id of the latest claim ("" if none)."""
    rows = DBTaskResult.objects.filter(id__in=[t for t in task_ids if t]).values_list(
        "id", "status", "worker_ids"
    )
    return {str(i): (status, (claims or [""])[-1]) for i, status, claims in rows}


def _unfinished_lanes() -> list[tuple[int, str]]:
    """``(lane id, task id)`` of every unfinished lane of an unfinished run."""
    return list(
        FamilyRecomputeLane.objects.filter(state__in=UNFINISHED, run__state__in=UNFINISHED)
        .order_by("pk")
        .values_list("pk", "task_id")
    )


def family_recompute_resume_stale(
    *, now: datetime | None = None, stale_after: timedelta = STALE_AFTER
) -> list[int]:
    """Enqueue again every unfinished lane of an unfinished run that has lost
    its worker (:func:`_lost`: no task of it waits to run, and its latest
    task ended between two batches, or was claimed by a worker process of
    this host that has ended, or has not moved the lane for ``stale_after``).
    Each lane is taken under its row's lock (skipping one a batch holds), so
    two workers resuming at once enqueue it once. Returns the lanes' ids. One
    query when no lane is unfinished."""
    cutoff = (now or timezone.now()) - stale_after
    lanes = _unfinished_lanes()
    if not lanes:
        return []
    tasks = _latest_tasks([t for _, t in lanes])
    resumed = []
    for lane_id, task_id in lanes:
        with transaction.atomic():
            lane = (
                FamilyRecomputeLane.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("run")
                .filter(pk=lane_id, task_id=task_id)
                .first()
            )
            if lane is None or not _lost(lane, tasks.get(lane.task_id), cutoff):
                continue
            _enqueue([lane])
            resumed.append(lane.pk)
    return resumed


def _lost(lane: FamilyRecomputeLane, task: tuple[str, str] | None, cutoff: datetime) -> bool:
    """Whether ``lane`` has no worker, its latest ``task`` being ``(status,
    claimant)``: that task ended without finishing it (a worker asked to stop
    ends it between two batches) or is gone, or was claimed by a worker
    process of this host that has ended (:func:`claimant_alive`), or is
    running (claimed by a worker alive or that cannot be seen) or failed and
    has not moved the lane since ``cutoff`` (a failure is tried again no more
    often than that)."""
    status, claimant = task or (None, "")
    if status == TaskResultStatus.READY:
        return False
    if status in (TaskResultStatus.SUCCESSFUL, None):
        return True
    if status == TaskResultStatus.RUNNING and claimant_alive(claimant) is False:
        return True
    return (lane.touched_at or lane.run.created_at) < cutoff


@dataclass(frozen=True)
class Waiting:
    """An unfinished lane whose task is running in a worker that cannot be seen
    from this host (:func:`claimant_alive` is None): lane ``number`` of run
    ``run_id``, claimed by ``claimant``, resumed here at ``resume_at`` (UTC)
    if it has not moved by then."""

    run_id: int
    number: int
    claimant: str
    resume_at: datetime


def family_recompute_waiting(*, stale_after: timedelta = STALE_AFTER) -> list[Waiting]:
    """The unfinished lanes of unfinished runs held by a worker that cannot be
    seen from here (another host's, or a claim not of ``kinmap worker``'s
    form) and not yet resumable: ``kinmap worker --until-idle`` waits for
    them (they are then either finished by their worker or resumed) rather
    than end with the run unfinished. Two queries (one with no lane
    unfinished), lowest lane id first."""
    lanes = _unfinished_lanes()
    if not lanes:
        return []
    tasks = _latest_tasks([t for _, t in lanes])
    held = {
        lane_id: tasks[task_id][1]
        for lane_id, task_id in lanes
        if task_id in tasks
        and tasks[task_id][0] == TaskResultStatus.RUNNING
        and claimant_alive(tasks[task_id][1]) is None
    }
    rows = FamilyRecomputeLane.objects.filter(pk__in=held).select_related("run").order_by("pk")
    return [
        Waiting(
            lane.run_id, lane.number, held[lane.pk], (lane.touched_at or lane.run.created_at) + stale_after
        )
        for lane in rows
    ]


STOPPED_WORDS = (
    "stopped for now (no progress for over a minute): it goes on from here when a background worker runs"
)


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


def family_recompute_progress(
    run: FamilyRecompute, *, done: int, touched_at: datetime | None, now: datetime | None = None
) -> Progress:
    """The progress of ``run`` at ``now``: ``done`` families (its lanes'
    counts summed) by ``touched_at`` (the end of the latest batch of any
    lane), the time left at its rate so far; ``STOPPED_WORDS`` when no lane
    has moved for ``STALE_AFTER`` (its worker stopped or was killed: the
    estimate would stand still)."""
    done = min(done, run.total) if run.state != State.DONE else run.total
    if run.state == State.DONE:
        left = "finished"
    elif run.state == State.SUPERSEDED:
        left = "stopped: a later change recomputes every family"
    elif run.started_at is None:
        left = "waiting for the background worker to start it"
    elif touched_at is not None and (now or timezone.now()) - touched_at > STALE_AFTER:
        left = STOPPED_WORDS
    else:
        elapsed = ((touched_at or now or timezone.now()) - run.started_at).total_seconds()
        left = progress.time_left_words(progress.seconds_left(done, run.total, elapsed))
    return Progress(
        run=run,
        done=done,
        total=run.total,
        percent=progress.percent(done, run.total),
        counted=progress.progress_words(done, run.total),
        time_left=left,
    )


def family_recompute_progress_read(*, run_id: int | None = None) -> Progress | None:
    """The progress of run ``run_id`` (the newest run when None), its lanes
    summed in the database, with its rule change and requester: one query.
    None when there is no such run."""
    runs = (
        FamilyRecompute.objects.select_related("rule_change", "requested_by")
        .annotate(lanes_done=Coalesce(Sum("lanes__done"), 0), lanes_touched_at=Max("lanes__touched_at"))
        .order_by("-pk")
    )
    run = (runs if run_id is None else runs.filter(pk=run_id)).first()
    if run is None:
        return None
    return family_recompute_progress(run, done=run.lanes_done, touched_at=run.lanes_touched_at)


# the failure of a task whose worker process ended under it
ORPHANED = f"{WorkerGone.__module__}.{WorkerGone.__qualname__}"
RUN_AGAIN = frozenset({"kinmap.jobs.tasks.recompute_neighbours"})  # recompute from the data as it is


def queue_orphans_release(*, now: datetime | None = None) -> list[str]:
    """Every task left RUNNING by a worker process of this host that has ended
    (:func:`claimant_alive` False), marked FAILED (``exception_class_path``
    ``ORPHANED``, a sentence as its traceback) so the queue's record is true;
    one in ``RUN_AGAIN`` (it recomputes families from the data as they are,
    so running it twice is safe) is enqueued again with the same arguments.
    A recompute lane's task is not run again here: its lane is resumed by
    :func:`family_recompute_resume_stale`, called first. Each task is taken
    by one conditional UPDATE, and only the worker whose UPDATE took it
    enqueues it again, so two workers at once run it once. Returns the ids
    taken. One query when no task of this host's is orphaned."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    orphans = [
        (str(i), path, args)
        for i, path, args, claims in running.values_list("id", "task_path", "args_kwargs", "worker_ids")
        if claimant_alive((claims or [""])[-1]) is False
    ]
    taken = []
    for task_id, path, args in orphans:
        with transaction.atomic():
            if not running.filter(id=task_id).update(
                status=TaskResultStatus.FAILED,
                finished_at=now or timezone.now(),
                exception_class_path=ORPHANED,
                traceback="Its worker process ended without finishing it (killed, or crashed).",
            ):
                continue
            if path in RUN_AGAIN:
                import_string(path).enqueue(*args["args"], **args["kwargs"])
        taken.append(task_id)
    return taken
