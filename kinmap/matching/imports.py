"""Matching the people of a bulk load (``kinmap import``) against the record:
a certain match is linked, a possible one recorded for review, nothing added
twice without trace."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from kinmap.core.matching import POSSIBLE_PROBABILITY, MatchRecord
from kinmap.core.vocab import DateAccuracy
from kinmap.records.services import PersonData

from .lookup import Candidate, candidates


@dataclass(frozen=True)
class ImportMatch:
    """``certain``: the person already on the record to link instead (None:
    add a new one); ``possible``: candidates to record for review."""

    certain: Candidate | None = None
    possible: list[Candidate] = field(default_factory=list)


def import_match(
    data: PersonData, other_names: Collection[tuple[str, str, str]], *, exclude: Collection[int]
) -> ImportMatch:
    """Look for a person of a file (``other_names`` as the file gives them:
    (kind, given, family)) among people already on the record, leaving out
    ``exclude`` (the people this load has added). The best certain candidate
    (``MatchScore.certain``) is linked; the others at or above the possible
    threshold are for review."""
    d = data.cleaned()
    record = MatchRecord(
        given_name=d.given_name,
        family_name=d.family_name,
        other_names=tuple((g, f) for _, g, f in other_names),
        birth_date=d.birth_date,
        birth_date_estimated=d.birth_date_accuracy == DateAccuracy.ESTIMATED.value,
        nhs_number=d.nhs_number,
        phones=(d.phone,) if d.phone else (),
    )
    found = candidates(record, min_probability=POSSIBLE_PROBABILITY, exclude=exclude)
    certain = next((c for c in found if c.score.certain), None)
    if certain is not None:
        return ImportMatch(certain=certain)
    return ImportMatch(possible=found)
