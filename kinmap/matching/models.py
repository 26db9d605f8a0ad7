"""The blocking keys of every person (see ``kinmap.core.matching.keys``)."""

from __future__ import annotations

from django.db import models

from kinmap.records.models import Person

KEY_MAX = 80


class PersonMatchKey(models.Model):
    """One blocking key of one person; derived data, rewritten by
    ``kinmap.matching.keys.person_match_keys_refresh``."""

    # no index of its own: the unique (person, key) one begins with it (an index
    # fewer to keep for the largest table, about five keys a person)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys", db_index=False)
    key = models.CharField(max_length=KEY_MAX)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="match_key_lookup")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="match_key_once")]
