"""Matching the people of a bulk load (``kinmap import``) against the record:
a certain match is linked, a possible one recorded for review, nothing added
twice without trace."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from kinmap.core.matching import POSSIBLE_PROBABILITY, MatchRecord
from kinmap.core.vocab import DateAccuracy
from kinmap.records import models as m
from kinmap.records.services import PersonData

from .lookup import Candidate, candidates
from .search import agrees


@dataclass(frozen=True)
class ImportMatch:
    """``certain``: the person already on the record to link instead (None:
    add a new one); ``possible``: candidates to record for review."""

    certain: Candidate | None = None
    possible: list[Candidate] = field(default_factory=list)
    #: candidates below the possible threshold on whom nothing disagrees (a
    #: name alone, say): linked only when a relationship corroborates them
    agreeing: list[Candidate] = field(default_factory=list)


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
    found = candidates(record, exclude=exclude)
    certain = next((c for c in found if c.score.certain), None)
    if certain is not None:
        return ImportMatch(certain=certain)
    return ImportMatch(
        possible=[c for c in found if c.score.probability >= POSSIBLE_PROBABILITY],
        agreeing=[c for c in found if c.score.probability < POSSIBLE_PROBABILITY and agrees(c.score)],
    )


def import_matches(
    people: Sequence[tuple[str, PersonData, Collection[tuple[str, str, str]]]],
    relationships: Collection[tuple[str, str, str]],
) -> dict[str, ImportMatch]:
    """:func:`import_match` for every person of a file, before any is added:
    ``people`` as (file id, data, other names), ``relationships`` as (from file
    id, to file id, type code). A possible match (or a weaker one on whom
    nothing disagrees) becomes certain when the file
    relates the person to someone certainly matched and the record already
    has that same relationship between the two (Theo's birth father in the
    file is the man already recorded as Theo's birth father). A person already
    on the record is linked once: a second file person matching them is added
    and recorded for review."""
    out = {fid: import_match(data, names, exclude=()) for fid, data, names in people}
    certain = {fid: mt.certain.person_id for fid, mt in out.items() if mt.certain is not None}
    for fid, mt in list(out.items()):
        if mt.certain is not None or not (mt.possible or mt.agreeing):
            continue
        ids = {c.person_id: c for c in [*mt.possible, *mt.agreeing]}
        for a, b, type_ in relationships:
            other, here_first = (b, True) if a == fid else (a, False) if b == fid else ("", True)
            if other not in certain:
                continue
            pairs = m.Relationship.objects.filter(type=type_)
            pairs = (
                pairs.filter(from_person_id__in=ids, to_person_id=certain[other])
                if here_first
                else pairs.filter(from_person_id=certain[other], to_person_id__in=ids)
            )
            hit = pairs.values_list("from_person_id" if here_first else "to_person_id", flat=True).first()
            if hit is not None:
                out[fid] = ImportMatch(certain=ids[hit])
                certain[fid] = hit
                break
    seen: set[int] = set()
    for fid, mt in out.items():
        if mt.certain is None:
            continue
        if mt.certain.person_id in seen:
            out[fid] = ImportMatch(possible=[mt.certain])
        seen.add(mt.certain.person_id)
    return out
