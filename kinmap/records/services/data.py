"""What a change to the family record says: the data classes the services
take (a person, a relationship, a care arrangement, an address, and where the
facts came from), the person fields they copy, audit and keep the source of,
and the person as the functional core sees it (:func:`_core_person`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from kinmap.core import model as core
from kinmap.core.nhs import normalise_nhs_number
from kinmap.core.text import normalise_identifier, normalise_text
from kinmap.core.vocab import DateAccuracy, Sex, Source

from .. import models as m
from ..errors import RecordError, refuse_hidden_characters
from ..known_dates import SpanAccuracy, accuracy_error, span_dates

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_absent_reason",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "birth_date_latest",
    "death_date",
    "death_date_accuracy",
    "death_date_latest",
    "nhs_number",
    "phone",
    "phone_masked",
    "email",
    "seen_directly_on",
)
# Fields whose source is kept with the value (PRODUCT.md: fact provenance).
KEY_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "death_date",
    "nhs_number",
    "phone",
    "email",
    "sex",
)


NETWORK_NAME_LABEL = "The name of the family network"


@dataclass(frozen=True)
class Source_:
    """Where the facts in one change came from."""

    source: str = ""
    detail: str = ""

    def check(self) -> None:
        if self.source and self.source not in {s.value for s in Source}:
            raise RecordError(f"Unknown source {self.source!r}", field="source")
        refuse_hidden_characters(self.detail, "source_detail", "Who said it, or which agency or document")
        if self.source in (Source.SAID_BY, Source.OTHER_AGENCY) and not self.detail.strip():
            who = "who said it" if self.source == Source.SAID_BY else "which agency supplied it"
            raise RecordError(f"Say {who}", field="source_detail")


@dataclass(frozen=True)
class PersonData:
    given_name: str = ""
    family_name: str = ""
    name_absent_reason: str = ""
    sex: str = Sex.UNKNOWN.value
    birth_date: date | None = None
    birth_date_accuracy: str = DateAccuracy.UNKNOWN.value
    death_date: date | None = None
    nhs_number: str = ""
    phone: str = ""
    phone_masked: bool = False
    email: str = ""
    seen_directly_on: date | None = None
    # the second bound of a "between" date of birth; how well the death date is known
    birth_date_latest: date | None = None
    death_date_accuracy: str = DateAccuracy.EXACT.value
    death_date_latest: date | None = None

    def check(self) -> None:
        """Raise RecordError for an accuracy that is not a ``DateAccuracy`` code
        (a death date cannot be "expected")."""
        accuracy_error(self.birth_date_accuracy, "birth_date")
        accuracy_error(self.death_date_accuracy, "death_date", span=True)

    def cleaned(self) -> PersonData:
        return dataclasses.replace(
            self,
            given_name=normalise_text(self.given_name),
            family_name=normalise_text(self.family_name),
            name_absent_reason=normalise_text(self.name_absent_reason),
            nhs_number=normalise_nhs_number(self.nhs_number),
            phone=normalise_identifier(self.phone),
            email=normalise_text(self.email),
            birth_date_latest=self.birth_date_latest
            if self.birth_date_accuracy == DateAccuracy.BETWEEN
            else None,
            death_date_latest=self.death_date_latest
            if self.death_date_accuracy == DateAccuracy.BETWEEN
            else None,
        )

    @classmethod
    def of(cls, p: m.Person) -> PersonData:
        return cls(**{f: getattr(p, f) for f in PERSON_FIELDS})


@dataclass(frozen=True)
class RelationshipData:
    type: str
    start: date | None = None
    end: date | None = None
    legal_basis: str = ""  # a LegalParentBasis code, for a legal parent (PRN) only
    start_accuracy: str = DateAccuracy.EXACT.value  # kinmap.records.known_dates
    start_latest: date | None = None
    end_accuracy: str = DateAccuracy.EXACT.value
    end_latest: date | None = None

    def core(self, rid: int, from_id: int, to_id: int) -> core.Relationship:
        """The relationship as the functional core sees it, for validation."""
        _span_of(self).check()
        return core.Relationship(
            rid, from_id, to_id, self.type, self.start, self.end, None, self.legal_basis, **span_dates(self)
        )

    def dates(self) -> dict[str, Any]:
        """The dates with their accuracy, as model fields."""
        return {"start": self.start, "end": self.end, **dataclasses.asdict(_span_of(self))}


@dataclass(frozen=True)
class CareData:
    place: str
    frequency: str = ""
    overnight: bool = False
    supervised: bool = False
    sleep_place: str = ""
    start: date | None = None
    end: date | None = None
    start_accuracy: str = DateAccuracy.EXACT.value  # kinmap.records.known_dates
    start_latest: date | None = None
    end_accuracy: str = DateAccuracy.EXACT.value
    end_latest: date | None = None


def _span_of(d: Any) -> SpanAccuracy:
    """The accuracy of ``d``'s start and end (RelationshipData, CareData)."""
    return SpanAccuracy(d.start_accuracy, d.start_latest, d.end_accuracy, d.end_latest)


@dataclass(frozen=True)
class AddressData:
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    masked: bool = False

    def cleaned(self) -> AddressData:
        return dataclasses.replace(
            self,
            address_line_1=normalise_text(self.address_line_1),
            address_line_2=normalise_text(self.address_line_2),
            town=normalise_text(self.town),
            postcode=normalise_identifier(self.postcode).upper(),
        )


def _core_person(pid: int, d: PersonData, old: core.Person | None = None) -> core.Person:
    base = old or core.Person(id=pid)
    return dataclasses.replace(
        base,
        id=pid,
        given_name=d.given_name,
        family_name=d.family_name,
        name_absent_reason=d.name_absent_reason,
        sex=Sex(d.sex),
        birth_date=d.birth_date,
        birth_date_accuracy=DateAccuracy(d.birth_date_accuracy),
        death_date=d.death_date,
        nhs_number=d.nhs_number,
        phone=d.phone,
        email=d.email,
        phone_masked=d.phone_masked,
        seen_directly_on=d.seen_directly_on,
        birth_date_latest=d.birth_date_latest,
        death_date_accuracy=DateAccuracy(d.death_date_accuracy),
        death_date_latest=d.death_date_latest,
    )
