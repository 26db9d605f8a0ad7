"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One read or write of family data (or of access to it).

    An event is written (``audit_record``) with a plain INSERT that takes no
    lock: ``seq``, ``prev_hash`` and ``hash`` are empty until the event is
    *sealed* (``audit_seal``): given the next place in the chain and the
    SHA-256 of its own content and of the event before it, so a changed,
    removed or reordered event breaks the chain (``kinmap audit verify``).
    Never updated by the application except for sealing, once (the database
    refuses anything else, ``triggers.py``); never deleted.
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)  # place in the chain, set when sealed
    at = models.DateTimeField()
    # no index of its own: the (actor, seq) index begins with it
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
    prev_hash = models.CharField(max_length=64, blank=True, default="")  # set when sealed
    hash = models.CharField(max_length=64, blank=True, default="")  # set when sealed

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["actor", "seq"]),
            models.Index(fields=["object_type", "object_id"]),
            # the events still to seal: a small index whatever the size of the trail
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_unsealed"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.actor_name} {self.action} {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """The newest sealed event (``seq`` and ``hash``): a single row locked only
    by ``audit_seal`` (and a checkpoint), never by a page or a change, so the
    chain stays linear without anyone waiting on it."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
