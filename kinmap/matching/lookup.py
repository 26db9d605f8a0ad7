"""The interactive lookup: blocking keys -> at most N candidates -> scored in
Python with the match model in force. Never a batch job per request."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count

from kinmap.core.matching import MatchRecord, MatchScore, blocking_keys, lookup_keys, score_pair

from .keys import match_records_load
from .models import PersonMatchKey
from .weights import current_match_model

#: At most this many people are scored for one lookup: those sharing the most
#: blocking keys with what was looked for.
CANDIDATE_LIMIT = 30


@dataclass(frozen=True)
class Candidate:
    """A person who may be the one looked for, with the score and the match record."""

    person_id: int
    score: MatchScore
    record: MatchRecord


def candidate_ids(
    r: MatchRecord, *, limit: int = CANDIDATE_LIMIT, exclude: Collection[int] = ()
) -> list[int]:
    """Up to ``limit`` person ids sharing a lookup key with ``r``, most shared
    keys first (then lowest id). One query."""
    keys = sorted(lookup_keys(r))
    if not keys:
        return []
    rows = (
        PersonMatchKey.objects.filter(key__in=keys)
        .exclude(person_id__in=list(exclude))
        .values("person_id")
        .annotate(shared=Count("key"))
        .order_by("-shared", "person_id")[:limit]
    )
    return [row["person_id"] for row in rows]


def candidates(
    r: MatchRecord,
    *,
    min_probability: float = 0.0,
    limit: int = CANDIDATE_LIMIT,
    exclude: Collection[int] = (),
    with_masked: bool = True,
) -> list[Candidate]:
    """The people who may be ``r``, scored, at or above ``min_probability``,
    best first. Four queries whatever the size of the record (keys, people,
    other names, stays).

    ``with_masked`` False, for a user not entitled to masked details: the
    candidates' masked postcodes and telephone numbers are left out of their
    records (:func:`~kinmap.matching.keys.match_record`), and a candidate found
    only through one of them (no other key in common with ``r``) is dropped, so
    a lookup never confirms a masked detail."""
    ids = candidate_ids(r, limit=limit, exclude=exclude)
    if not ids:
        return []
    model = current_match_model()
    records = match_records_load(ids, with_masked=with_masked)
    if not with_masked:
        wanted = lookup_keys(r)
        records = {pid: rec for pid, rec in records.items() if wanted & blocking_keys(rec)}
    scored = [Candidate(pid, score_pair(r, rec, model), rec) for pid, rec in records.items()]
    kept = [c for c in scored if c.score.probability >= min_probability]
    return sorted(kept, key=lambda c: (-c.score.weight, c.person_id))
