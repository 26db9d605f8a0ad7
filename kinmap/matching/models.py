"""The blocking keys of every person (see ``kinmap.core.matching.keys``)."""

from __future__ import annotations

from django.db import models

from kinmap.records.models import Person

KEY_MAX = 80


class PersonMatchKey(models.Model):
    """One blocking key of one person; derived data, rewritten by
    ``kinmap.matching.keys.person_match_keys_refresh``.

    The person and the key are the row's primary key (a key once a person):
    the largest table, about five keys a person, keeps no number of its own,
    nor the index and the sequence a number needs (Django's
    ``CompositePrimaryKey``)."""

    pk = models.CompositePrimaryKey("person", "key")
    # no index of its own: the primary key (person, key) begins with it
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys", db_index=False)
    key = models.CharField(max_length=KEY_MAX)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="match_key_lookup")]
