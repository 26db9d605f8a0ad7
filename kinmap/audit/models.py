"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One read or write of family data (or of access to it).

    Each event carries the SHA-256 of its own content and of the event before
    it, so a changed, removed or reordered event breaks the chain
    (``kinmap audit verify``). Never updated or deleted by the application.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the user is renamed
    agency_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)  # "view", "create", "update", "delete", "export", ...
    object_type = models.CharField(max_length=60)  # "network", "person", ...
    object_id = models.CharField(max_length=64, blank=True)
    network_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [old, new]}
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=20, blank=True)  # "web", "api", "cli"
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["actor", "seq"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """A single row locked while an event is appended, so the chain stays linear."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
