"""Background work that must survive a restart: its progress is kept here, in
the database, so a worker that stops part-way is continued by the next."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FamilyRecompute(models.Model):
    """Every family's gaps recomputed in the background after a rule setting
    changed: families in id order up to ``upto_network_id`` (the newest when it
    was asked for; families made later were computed with the new settings
    when made), ``after_network_id`` the cursor (every family up to it is done,
    or in ``skipped``: being changed at that moment, so done at the end).
    ``done`` and ``total`` are counts of families; times are UTC."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Recomputing"
        DONE = "done", "Finished"
        SUPERSEDED = "superseded", "Replaced by a later change"

    rule_change = models.ForeignKey(
        "gaps.RuleSettingChange", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    upto_network_id = models.BigIntegerField()
    after_network_id = models.BigIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)  # network ids, done at the end
    total = models.IntegerField()
    done = models.IntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result of its latest enqueue
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)  # end of the latest batch
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"Recompute {self.pk}: {self.done} of {self.total} ({self.state})"

    @property
    def unfinished(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
