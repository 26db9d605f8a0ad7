"""Where the fact that resolved a gap came from. Plain Python, no Django.

When a gap closes because the missing detail has been recorded, its history
keeps the provenance of that detail ("date of birth given by the mother").
A gap names what it was missing (``Unmet.missing`` keys, see
``kinmap.core.rules.facts.MISSING_LABELS``); this module finds the record that
now holds each of those and returns its provenance, the newest first. Where
the record carries no provenance, or the gap closed for another reason (the
rule stopped applying), there is nothing to say and the answer is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import Network, Person, Provenance
from .vocab import BIRTH_FATHER, BIRTH_MOTHER, CURRENT_PARTNER_CODES, Source

# Missing keys that are answered by a Person field with its own provenance.
_FIELD = {
    "birth_date": ("birth_date",),
    "birth_date_source": ("birth_date",),
    "nhs_number_source": ("nhs_number",),
    "nhs_number": ("nhs_number",),
    "name": ("given_name", "family_name"),
    "name_source": ("given_name", "family_name"),
    "phone_source": ("phone",),
    "email_source": ("email",),
    "contact": ("phone", "email"),
    "death_date": ("death_date",),
    "sex": ("sex",),
}


def _subject_int(subject_id: object) -> int | None:
    try:
        return int(str(subject_id))
    except ValueError:
        return None


def _newest(items: Iterable[Provenance | None]) -> Provenance | None:
    found = [p for p in items if p is not None]
    if not found:
        return None
    return max(found, key=lambda p: p.recorded_at.timestamp() if p.recorded_at else float("-inf"))


def _for_person(network: Network, person: Person, child_id: int | None, key: str) -> Provenance | None:
    pid = person.id
    if key in _FIELD:
        return _newest(person.provenance.get(f) for f in _FIELD[key])
    if key == "address":
        return _newest(r.provenance for r in network.residences if r.person_id == pid and r.end is None)
    if key == "seen_directly_on" and person.seen_directly_on is not None:
        return Provenance(Source.SEEN, f"seen or spoken to on {person.seen_directly_on:%-d %B %Y}")
    if key in ("birth_father", "birth_mother"):
        code = BIRTH_FATHER if key == "birth_father" else BIRTH_MOTHER
        found = _newest(r.provenance for r in network.relationships if r.type == code and r.to_id == pid)
        if found is not None:
            return found
        fact = person.facts.get(f"{key.replace('_', '-')}-absent-reason")
        return fact.provenance if fact else None
    if key == "relationship" and child_id is not None:
        return _newest(r.provenance for r in network.relationships if {r.from_id, r.to_id} == {pid, child_id})
    if key == "parental_responsibility":
        return _newest(
            pr.provenance
            for pr in network.parental_responsibility
            if pr.person_id == pid and (child_id is None or pr.child_id == child_id)
        )
    if key == "current_partner":
        fact = person.facts.get("current-partner")
        return _newest(
            [
                fact.provenance if fact else None,
                *(
                    r.provenance
                    for r in network.relationships
                    if r.type in CURRENT_PARTNER_CODES and pid in (r.from_id, r.to_id)
                ),
            ]
        )
    fact = person.facts.get(key.removesuffix("-source").replace("_", "-"))
    return fact.provenance if fact else None


def resolving_provenance(
    network: Network,
    subject_kind: str,
    subject_id: object,
    child_id: int | None,
    missing: Sequence[str],
) -> Provenance | None:
    """The provenance of the newest record among those that answer ``missing``
    for the subject, or None when it cannot be told."""
    sid = _subject_int(subject_id)
    if sid is None:
        return None
    if subject_kind in ("person", "child"):
        person = network.people.get(sid)
        if person is None:
            return None
        return _newest(_for_person(network, person, child_id, key) for key in missing)
    if subject_kind == "care":
        return next((c.provenance for c in network.care if c.id == sid), None)
    if subject_kind == "relationship":
        return next((r.provenance for r in network.relationships if r.id == sid), None)
    if subject_kind == "parental-responsibility":
        return next((pr.provenance for pr in network.parental_responsibility if pr.id == sid), None)
    if subject_kind == "care-order":
        return next((o.provenance for o in network.care_orders if o.id == sid), None)
    if subject_kind in ("household", "residence"):
        field = "household_id" if subject_kind == "household" else "id"
        return _newest(r.provenance for r in network.residences if getattr(r, field) == sid)
    return None
