"""Where the rules find their answers, and the words for what is missing.

Structural facts come from the model itself (:mod:`kinmap.core.model`):

==========================  ===============================================================
what                        where it is recorded
==========================  ===============================================================
name                        ``Person.given_name`` and ``Person.family_name`` (both needed)
date of birth               ``Person.birth_date``
address                     a current ``Residence`` at a ``Household`` that has an address
                            (a *masked* household counts: the address exists but is protected)
contact                     ``Person.phone`` or ``Person.email`` (a masked phone counts)
relationships               ``Relationship`` records (HL7 RoleCode-aligned types)
living together             derived from current residences at the same household
care                        ``CareArrangement`` (carer, child, place, frequency, overnight...)
parental responsibility     ``ParentalResponsibility`` with a basis other than "unknown"
seen directly               ``Person.seen_directly_on``
source of a detail          ``Person.provenance[field]`` or the record's ``provenance``
==========================  ===============================================================

Answers that have no structural home are :class:`~kinmap.core.model.Fact` values in
``Person.facts``, keyed by the constants below. A fact answers its question when
its value is not blank; ``none`` (any case) is the answer "there is nothing to
record". One question is stricter: a parent's current partner is only answered
by a recorded partner relationship or by ``none``, because a partner must be
recorded as a person for the other rules to ask about them.

The absent-parent reasons (``birth-father-absent-reason`` and
``birth-mother-absent-reason``, on the child) must also say who recorded them
and when (``Fact.provenance.recorded_by`` and ``recorded_at``).
"""

from __future__ import annotations

from ..model import Person
from ..wording import listing

# On the child
FACT_BIRTH_FATHER_ABSENT = "birth-father-absent-reason"
FACT_BIRTH_MOTHER_ABSENT = "birth-mother-absent-reason"
FACT_VISITORS = "regular-visitors"  # regular visitors and significant others: "none" or who

# On a parent
FACT_CONTACT_ARRANGEMENT = "contact-arrangement"  # a parent who does not live with the child
FACT_CURRENT_PARTNER = "current-partner"  # only "none" answers it (see module docstring)

# On an adult
FACT_OTHER_NAMES = "other-names"  # "none", or names not yet recorded as OtherName
FACT_OTHER_CHILDREN = "other-children"  # "none", or a description of other children
FACT_AGENCY_INVOLVEMENT = "agency-involvement"  # agencies involved with those other children
FACT_ADULT_SERVICES = "adult-services"  # mental health, substance misuse, probation, DA services

# On a birth parent under 18 (kinmap.core.rules.young_parents)
FACT_YOUNG_PARENT_CARER = "young-parent-carer"  # who cares for the young parent
FACT_SAFEGUARDING_REFERRAL = "safeguarding-referral"  # referral considered, and the outcome

NONE = "none"

FACT_KEYS = frozenset(
    {
        FACT_BIRTH_FATHER_ABSENT,
        FACT_BIRTH_MOTHER_ABSENT,
        FACT_VISITORS,
        FACT_CONTACT_ARRANGEMENT,
        FACT_CURRENT_PARTNER,
        FACT_OTHER_NAMES,
        FACT_OTHER_CHILDREN,
        FACT_AGENCY_INVOLVEMENT,
        FACT_ADULT_SERVICES,
        FACT_YOUNG_PARENT_CARER,
        FACT_SAFEGUARDING_REFERRAL,
    }
)

# Keys used in ``Unmet.missing``, with the words a practitioner reads. The
# Django shell maps each key to the form field that records it.
MISSING_LABELS: dict[str, str] = {
    "name": "full name",
    "birth_date": "date of birth",
    "address": "address",
    "contact": "phone number or email",
    "birth_mother": "birth mother, or why she is not recorded",
    "birth_father": "birth father, or why he is not recorded",
    "recorded_by": "who recorded it",
    "recorded_at": "when it was recorded",
    "contact_arrangement": "whether they live with the child, or their contact and care",
    "parental_responsibility": "parental responsibility and its basis",
    "current_partner": "current partner",
    "roster_confirmed": "who lives there, confirmed at this contact",
    "regular_visitors": "regular visitors and other important people",
    "other_children": "other children",
    "agency_involvement": "agency involvement with their other children",
    "other_names": "previous names and aliases",
    "relationship": "relationship to the child",
    "frequency": "how often the care happens",
    "seen_directly_on": "date seen or spoken to directly",
    "birth_date_source": "source of the date of birth",
    "nhs_number_source": "source of the NHS number",
    "source": "source",
    "declined_by": "who declined",
    "reason": "the reason they gave",
    "practitioner_view": "the practitioner's view",
    "information_request": "a request to another agency, considered and logged",
    "rationale": "rationale",
    "lawful_basis": "lawful basis",
    "adult_services": "involvement of adult services",
    "young_parent_carer": "who cares for the young parent",
    "safeguarding_referral": "whether a safeguarding referral was considered",
}


def fact_value(person: Person, key: str) -> str | None:
    """The recorded answer to ``key`` for ``person``, or None if not answered."""
    fact = person.facts.get(key)
    if fact is None:
        return None
    value = fact.value.strip()
    return value or None


def answered(person: Person, key: str) -> bool:
    """Has the question ``key`` been answered (with anything, including "none")?
    (:func:`fact_value` is not None, written out: the rules ask a dozen times a family.)"""
    fact = person.facts.get(key)
    return fact is not None and bool(fact.value.strip())


def says_none(person: Person, key: str) -> bool:
    """Is the recorded answer to ``key`` that there is nothing to record?"""
    value = fact_value(person, key)
    return value is not None and value.casefold() == NONE


def describe_missing(missing: tuple[str, ...]) -> str:
    """``("birth_date", "address")`` as "Date of birth and address"."""
    if len(MISSING_LABELS) != _described_with[0]:  # a label was added: start again
        _described.clear()
        _described_with[0] = len(MISSING_LABELS)
    text = _described.get(missing)
    if text is None:
        words = [MISSING_LABELS.get(m, m.replace("_", " ")) for m in missing]
        text = listing(words)
        text = text[:1].upper() + text[1:]
        if len(_described) < 4096:
            _described[missing] = text
    return text


# describe_missing's words for each tuple of keys asked for so far (the gaps of
# every family name the same few), and the number of labels they were made with
_described: dict[tuple[str, ...], str] = {}
_described_with = [0]
