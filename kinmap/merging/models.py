"""Likely duplicates found by the batch match (the review queue), the reviewers'
decisions about them, and the merges made, each kept so that it can be undone.

Models hold data only; changes go through :mod:`kinmap.merging.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kinmap.records.models import Person


class CandidateStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    MERGED = "merged", "Merged"
    DIFFERENT = "different", "Different people"


class FoundBy(models.TextChoices):
    """What put a pair on the review queue: a later batch run replaces only
    its own undecided pairs, never those a bulk load put there."""

    MATCH_RUN = "match-run", "The batch match (kinmap match)"
    IMPORT = "import", "A bulk load (kinmap import)"


class MatchCandidate(models.Model):
    """Two person records the batch match scored as likely the same person.

    ``person_a`` always has the lower id. ``comparisons`` is the list, in the
    model's order, of ``{"name", "label", "weight"}``: the comparison, the level
    the pair fell into (in words, as ``label_for_charts`` in the saved model) and
    its match weight (log2 Bayes factor; positive for evidence of a match)."""

    # no index of its own: the unique (person_a, person_b) one begins with it
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    comparisons = models.JSONField(default=list)
    # Why the probability is held below certainty (twins, parent and child), or "".
    held = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.OPEN)
    found_by = models.CharField(max_length=20, choices=FoundBy.choices, default=FoundBy.MATCH_RUN)
    scored_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]


class Merge(models.Model):
    """``merged`` was found to be ``survivor``: everything recorded about
    ``merged`` now points at ``survivor``. Kept with what is needed to undo it:

    - ``moved``: ``[{"model": "app_label.model", "pk": ..., "fields": [attname, ...]}]``,
      each row repointed from ``merged`` to ``survivor``;
    - ``removed``: ``[{"model", "pk", "fields": {...}}]``, rows that would have
      clashed with a unique constraint (or pointed at the survivor twice), as
      Django serialises them, deleted and restored exactly on unmerge;
    - ``kept_changes``: ``[{"model", "pk", "fields": {attname: old value}}]``,
      true/false fields of the survivor's clashing row set true because the
      removed row had them true (an index child stays an index child);
    - ``filled``: ``{field: old value}``, the survivor's empty details filled in
      from ``merged``;
    - ``networks``: the ids of every network either person was a member of."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    reason = models.TextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    moved = models.JSONField(default=list)
    removed = models.JSONField(default=list)
    kept_changes = models.JSONField(default=list)
    filled = models.JSONField(default=dict)
    networks = models.JSONField(default=list)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=models.Q(undone_at__isnull=True), name="merged_once"
            )
        ]
