"""A person as record linkage sees them: plain data, no Django."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True)
class MatchRecord:
    """The details of one person (or of one search) that matching compares.

    ``other_names`` are previous names and aliases as (given, family) pairs;
    ``birth_date_estimated`` is true when the date is an estimate (its tolerance
    is :data:`kinmap.core.matching.compare.ESTIMATE_TOLERANCE_DAYS`);
    ``postcodes`` and ``phones`` are every one known, as typed; ``addresses``
    every address known as (first line, second line, town), as typed. ``person_id`` is
    the stored person's id (None for a search or a person not yet saved)."""

    given_name: str = ""
    family_name: str = ""
    other_names: tuple[tuple[str, str], ...] = ()
    birth_date: date | None = None
    birth_date_estimated: bool = False
    nhs_number: str = ""
    postcodes: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[tuple[str, str, str], ...] = ()
    person_id: int | None = None

    @property
    def given_names(self) -> tuple[str, ...]:
        """The current given name then every other given name, non-empty."""
        return tuple(n for n in (self.given_name, *(g for g, _ in self.other_names)) if n.strip())

    @property
    def family_names(self) -> tuple[str, ...]:
        """The current family name then every previous or other family name, non-empty."""
        return tuple(n for n in (self.family_name, *(f for _, f in self.other_names)) if n.strip())

    def swapped(self) -> MatchRecord:
        """The same record with current given and family names exchanged (for
        records where the two were entered the wrong way round)."""
        return replace(self, given_name=self.family_name, family_name=self.given_name)
