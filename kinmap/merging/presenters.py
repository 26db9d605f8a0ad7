"""What the review pages show: each comparison's contribution in words, and a
person's details as the reviewer may see them (masked details stay masked)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kinmap.accounts.models import User
from kinmap.records import models as rm
from kinmap.web.masking import MASKED_TEXT, address_for, phone_for

from .access import Side

COMPARISON_WORDS = {
    "nhs_number": "NHS number",
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "postcode": "Postcode",
    "phone": "Phone number",
}
# Comparisons that would say something about a masked address or phone number.
_MASKABLE = {"postcode", "phone"}


def strength(weight: float) -> str:
    """A match weight (bits: log2 of the Bayes factor) in words: how much more
    (or less) likely the records are one person for it. 1 bit doubles the odds."""
    size = abs(weight)
    if size < 0.5:
        return "makes little difference"
    degree = "strong" if size >= 6 else "moderate" if size >= 2 else "weak"
    return f"{degree} evidence {'for' if weight > 0 else 'against'} one person"


@dataclass(frozen=True)
class ComparisonRow:
    what: str
    finding: str
    effect: str
    weight: str


def comparison_rows(comparisons: list[dict[str, Any]], *, hide_masked: bool) -> list[ComparisonRow]:
    """Each comparison of a pair in words. With ``hide_masked`` (a masked
    address or phone on either record, and a reviewer not entitled to see
    masked details) the postcode and phone comparisons are not shown."""
    rows = []
    for c in comparisons:
        what = COMPARISON_WORDS.get(c["name"], c["name"])
        if hide_masked and c["name"] in _MASKABLE:
            rows.append(ComparisonRow(what, MASKED_TEXT, "not shown", ""))
        elif c["label"] is None:
            rows.append(
                ComparisonRow(what, "not compared: missing on one record", "makes no difference", "0")
            )
        else:
            w = float(c["weight"])
            rows.append(ComparisonRow(what, c["label"].capitalize(), strength(w), f"{w:+.1f}"))
    return rows


def masked_people(person_ids: Iterable[int]) -> set[int]:
    """The people with a masked telephone number or a masked address (one query)."""
    ids = list(person_ids)
    phones = set(rm.Person.objects.filter(pk__in=ids, phone_masked=True).values_list("pk", flat=True))
    homes = rm.Residence.objects.filter(person_id__in=ids, household__masked=True)
    return phones | set(homes.values_list("person_id", flat=True))


@dataclass(frozen=True)
class PersonDetails:
    """One visible person's details for the side-by-side page (strings, masked
    where the reviewer is not entitled)."""

    name: str
    other_names: list[str]
    birth_date: Any
    birth_date_accuracy: str
    sex: str
    nhs_number: str
    phone: str
    email: str
    addresses: list[str]
    networks: int


def person_details(user: User, sides: Iterable[Side]) -> dict[int, PersonDetails]:
    """The details of each visible side's person, by id, in two queries."""
    people = [s.person for s in sides if s.visible]
    ids = [p.pk for p in people]
    names: dict[int, list[str]] = defaultdict(list)
    for o in rm.OtherName.objects.filter(person_id__in=ids).order_by("pk"):
        names[o.person_id].append(f"{o.given_name} {o.family_name}".strip() + f" ({o.get_kind_display()})")
    homes: dict[int, list[str]] = defaultdict(list)
    stays = rm.Residence.objects.filter(person_id__in=ids).select_related("household").order_by("pk")
    for r in stays:
        homes[r.person_id].append(address_for(r.household, user) + (" (before)" if r.end else ""))
    out = {}
    for s in sides:
        if not s.visible:
            continue
        p = s.person
        out[p.pk] = PersonDetails(
            name=str(p),
            other_names=names[p.pk],
            birth_date=p.birth_date,
            birth_date_accuracy=p.get_birth_date_accuracy_display(),
            sex=p.get_sex_display(),
            nhs_number=p.nhs_number or "Not known",
            phone=phone_for(p.phone, p.phone_masked, user) if p.phone else "Not known",
            email=p.email or "Not known",
            addresses=homes[p.pk],
            networks=len(s.network_ids),
        )
    return out
