"""Blocking keys: short strings two records share when they might be the same
person, stored in an indexed table so that a lookup reads a few rows, never
every person.

A key is ``<kind>:<value>``:

- ``nhs:9434765919``: the NHS number;
- ``dob:2019-04-03``: the date of birth, and the date with day and month swapped;
- ``fy:SM0:1990``: each family name's sound-alike key with the year of birth
  (each year within the estimate's tolerance when the date is an estimate);
- ``gf:JN|SM0``: each given and family name's sound-alike keys, in sorted order
  (so a record with given and family names swapped shares it);
- ``f:SM0``: each family name's sound-alike key alone (broad: used in a lookup
  only when nothing narrower is known);
- ``pc:SW1A1AA`` and ``ph:07700900123``: each postcode and telephone number.
"""

from __future__ import annotations

from .compare import ESTIMATE_TOLERANCE_DAYS
from .names import day_month_swapped, normalise_nhs, normalise_phone, normalise_postcode, primary_key
from .record import MatchRecord

BROAD_KINDS = frozenset({"f"})
_TOLERANCE_YEARS = ESTIMATE_TOLERANCE_DAYS // 365


def _years(r: MatchRecord) -> range:
    if r.birth_date is None:
        return range(0)
    spread = _TOLERANCE_YEARS if r.birth_date_estimated else 0
    return range(r.birth_date.year - spread, r.birth_date.year + spread + 1)


def blocking_keys(r: MatchRecord) -> frozenset[str]:
    """Every blocking key of ``r`` (see the module docstring), broad ones included:
    what is stored for a person. Empty for a record with nothing to match on."""
    keys: set[str] = set()
    if nhs := normalise_nhs(r.nhs_number):
        keys.add(f"nhs:{nhs}")
    if r.birth_date is not None:
        keys.add(f"dob:{r.birth_date.isoformat()}")
        if (sw := day_month_swapped(r.birth_date)) is not None:
            keys.add(f"dob:{sw.isoformat()}")
    family = {k for k in map(primary_key, r.family_names) if k}
    given = {k for k in map(primary_key, r.given_names) if k}
    for f in family:
        keys.add(f"f:{f}")
        keys.update(f"fy:{f}:{y}" for y in _years(r))
        keys.update("gf:" + "|".join(sorted((g, f))) for g in given)
    # a record with given and family names swapped: its "family" is a given name
    for g in given:
        keys.update(f"fy:{g}:{y}" for y in _years(r))
    keys.update(f"pc:{p}" for p in map(normalise_postcode, r.postcodes) if p)
    keys.update(f"ph:{p}" for p in map(normalise_phone, r.phones) if p)
    return frozenset(keys)


def lookup_keys(r: MatchRecord) -> frozenset[str]:
    """The keys to look up candidates for ``r``: its narrow keys, or, when it has
    none (a search by family name alone), its broad ones."""
    keys = blocking_keys(r)
    narrow = frozenset(k for k in keys if k.split(":", 1)[0] not in BROAD_KINDS)
    return narrow or keys
