"""Background work that must survive a restart: its progress is kept here, in
the database, so a worker that stops part-way is continued by the next."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RecomputeState(models.TextChoices):
    """Where a recompute, or one lane of it, stands."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Recomputing"
    DONE = "done", "Finished"
    SUPERSEDED = "superseded", "Replaced by a later change"


UNFINISHED = (RecomputeState.QUEUED, RecomputeState.RUNNING)


class FamilyRecompute(models.Model):
    """Every family's gaps recomputed in the background after a rule setting
    changed: families in id order up to ``upto_network_id`` (the newest when it
    was asked for; families made later were computed with the new settings
    when made), split into lanes (:class:`FamilyRecomputeLane`, consecutive
    ranges of ids) that separate worker processes recompute side by side. It
    is DONE when every lane is. ``total`` is a count of families (the lanes'
    totals summed); times are UTC. Its row is written when it starts, when it
    ends and when a later change supersedes it, never by a lane's batch."""

    State = RecomputeState

    rule_change = models.ForeignKey(
        "gaps.RuleSettingChange", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=20, choices=RecomputeState.choices, default=RecomputeState.QUEUED)
    upto_network_id = models.BigIntegerField()
    total = models.IntegerField()
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # the first lane's first batch
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"Recompute {self.pk} of {self.total} families ({self.state})"

    @property
    def unfinished(self) -> bool:
        return self.state in UNFINISHED


class FamilyRecomputeLane(models.Model):
    """One lane of a :class:`FamilyRecompute`: the families with ids in
    (``from_network_id``, ``upto_network_id``], recomputed in id order by one
    django-tasks task at a time. ``after_network_id`` is its cursor (every
    family of the lane up to it is done, or in ``skipped``: being changed at
    that moment, so done at the end of the lane). ``done`` and ``total`` are
    counts of families; ``number`` is 0 for the lane of the lowest ids; times
    are UTC (``touched_at`` the end of its latest batch)."""

    State = RecomputeState

    # no index of its own: the unique (run, number) one begins with it
    run = models.ForeignKey(FamilyRecompute, on_delete=models.CASCADE, related_name="lanes", db_index=False)
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=RecomputeState.choices, default=RecomputeState.QUEUED)
    from_network_id = models.BigIntegerField()
    upto_network_id = models.BigIntegerField()
    after_network_id = models.BigIntegerField()
    skipped = models.JSONField(default=list, blank=True)  # network ids, done at the end
    total = models.IntegerField()
    done = models.IntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result of its latest enqueue
    started_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="jobs_lane_run_number")]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"Lane {self.number} of recompute {self.run_id}: {self.done} of {self.total} ({self.state})"

    @property
    def unfinished(self) -> bool:
        return self.state in UNFINISHED
