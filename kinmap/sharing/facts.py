"""The facts a partner agency can be asked for, and how an answer is recorded.

This is the seam between information requests and the rest of the record:

* A request names one missing fact about one person with ``what``:

  - a person field: ``birth_date``, ``name``, ``nhs_number``, ``phone``, ``email``;
  - ``address``: where the person lives now;
  - ``fact:<key>``: an answer kept as a ``PersonFact`` with that key (for
    example ``fact:adult-services``).

  and optionally the ``gap_key`` of the gap it was raised from (the gaps
  engine's stable key, "rule_id:subject_kind:subject_id[:child_id]").

* :func:`record_answer` records the answer through the records services
  (``person_update``, ``residence_create``, ``fact_set``) with provenance
  source ``other-agency`` and detail ``supplied by <agency name>``. Those
  services audit the change and run the after-change hooks, where the gaps
  engine recomputes: recording the fact is what closes the gap. Nothing here
  touches gaps directly.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from kinmap.accounts.models import User
from kinmap.core.nhs import nhs_number_error
from kinmap.core.vocab import DateAccuracy, Source
from kinmap.records import models as m
from kinmap.records import services as rs
from kinmap.records.errors import RecordError

PERSON_FIELDS = {
    "birth_date": "Date of birth",
    "name": "Name",
    "nhs_number": "NHS number",
    "phone": "Telephone number",
    "email": "Email address",
    "address": "Current address",
}

# Answers kept as facts that partner agencies are often asked for. Any other
# well-formed key may be asked for too (the gaps engine names its own).
KNOWN_FACT_KEYS = {
    "adult-services": "Involvement of adult services (mental health, substance misuse, probation, "
    "domestic abuse services)",
    "other-children": "Other children, including children from previous relationships",
    "previous-names": "Previous names and aliases",
    "agency-involvement": "Known involvement of the agency with this person",
}

_FACT_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")

# What the receiving agency is asked to enter, by kind of fact.
ANSWER_KIND = {
    "birth_date": "date",
    "name": "name",
    "nhs_number": "text",
    "phone": "phone",
    "email": "text",
    "address": "address",
}


def fact_key(what: str) -> str | None:
    if what.startswith("fact:"):
        key = what[5:]
        return key if _FACT_KEY.fullmatch(key) else None
    return None


def is_requestable(what: str) -> bool:
    return what in PERSON_FIELDS or fact_key(what) is not None


def what_label(what: str) -> str:
    if what in PERSON_FIELDS:
        return PERSON_FIELDS[what]
    key = fact_key(what) or what
    return KNOWN_FACT_KEYS.get(key, key.replace("-", " ").capitalize())


def answer_kind(what: str) -> str:
    return ANSWER_KIND.get(what, "text")


def choices() -> list[tuple[str, str]]:
    return [
        *PERSON_FIELDS.items(),
        *((f"fact:{k}", v) for k, v in KNOWN_FACT_KEYS.items()),
    ]


@dataclass(frozen=True)
class Answer:
    """What the receiving agency supplied. Only the parts for the kind of fact
    asked for are used."""

    text: str = ""
    given_name: str = ""
    family_name: str = ""
    on: date | None = None
    accuracy: str = DateAccuracy.ACCURATE.value
    address: rs.AddressData | None = None
    masked: bool = False


def supplied_by(agency_name: str) -> rs.Source_:
    return rs.Source_(Source.OTHER_AGENCY.value, f"supplied by {agency_name}")


def record_answer(
    *, actor: User, network: m.FamilyNetwork, person: m.Person, what: str, answer: Answer, agency_name: str
) -> str:
    """Record the fact with provenance "supplied by <agency>" and say, in words
    that never carry the value, what was recorded. Raises RecordError (nothing
    saved) when the answer is not usable."""
    source = supplied_by(agency_name)
    label = what_label(what)
    key = fact_key(what)
    if key is not None:
        # An agency's answer to a request is a new fact from another source: it is
        # recorded over whatever answer is there now, which the audit trail keeps.
        recorded = (
            m.PersonFact.objects.filter(person=person, key=key).values_list("version", flat=True).first()
        )
        rs.fact_set(
            actor=actor,
            network=network,
            person=person,
            key=key,
            value=answer.text,
            expected_version=recorded,
            source=source,
        )
        return f"{label}: answer recorded"
    if what == "address":
        if answer.address is None:
            raise RecordError("Enter the address", field="address_line_1")
        rs.residence_create(
            actor=actor, network=network, person=person, address=answer.address, source=source
        )
        return f"{label} recorded"
    current = rs.PersonData.of(person)
    if what == "birth_date":
        if answer.on is None:
            raise RecordError("Enter the date of birth", field="on")
        data = dataclasses.replace(current, birth_date=answer.on, birth_date_accuracy=answer.accuracy)
    elif what == "name":
        if not answer.given_name.strip() and not answer.family_name.strip():
            raise RecordError("Enter the name", field="given_name")
        data = dataclasses.replace(
            current,
            given_name=answer.given_name.strip() or current.given_name,
            family_name=answer.family_name.strip() or current.family_name,
        )
    elif what == "nhs_number":
        err = nhs_number_error(answer.text) if answer.text.strip() else "Enter the NHS number"
        if err:
            raise RecordError(err, field="text")
        data = dataclasses.replace(current, nhs_number=answer.text)
    elif what == "phone":
        if not answer.text.strip():
            raise RecordError("Enter the telephone number", field="text")
        data = dataclasses.replace(current, phone=answer.text, phone_masked=answer.masked)
    elif what == "email":
        if "@" not in answer.text:
            raise RecordError("Enter an email address, like name@example.com", field="text")
        data = dataclasses.replace(current, email=answer.text)
    else:
        raise RecordError("This kind of fact cannot be recorded from a request", field="what")
    rs.person_update(
        actor=actor, network=network, person=person, data=data, expected_version=person.version, source=source
    )
    return f"{label} recorded"
