"""Controlled vocabularies of the family record.

Plain Python: no Django. Codes are stable strings stored in the database and
written to family files; labels are what a practitioner reads.

Relationship codes follow HL7 v3 RoleCode (PersonalRelationshipRoleType) where
one exists; kinmap's own codes are lower-case and prefixed ``x-`` so nobody
mistakes them for HL7 codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .wording import sexed


class DateAccuracy(StrEnum):
    """How well a date is known (``kinmap.core.dates.KnownDate`` gives its
    earliest and latest possible day). Stored codes are stable: the first codes
    were ``accurate`` and ``estimated``, so those stay the stored values of
    "exact" and "about"; ``EXACT`` and ``ABOUT`` are their names in code."""

    ACCURATE = "accurate"  # exact: the day is known
    EXACT = "accurate"
    MONTH = "month"  # month and year known
    YEAR = "year"  # year only
    ESTIMATED = "estimated"  # about: an estimate (kinmap.core.dates.ABOUT_TOLERANCE_YEARS)
    ABOUT = "estimated"
    BEFORE = "before"  # some day before the date
    AFTER = "after"  # some day after the date
    BETWEEN = "between"  # some day from the date to a second date
    UNKNOWN = "unknown"
    EXPECTED = "expected"  # expected date of delivery of an unborn child


DATE_ACCURACY_LABELS = {
    DateAccuracy.EXACT: "Exact date",
    DateAccuracy.MONTH: "Month and year",
    DateAccuracy.YEAR: "Year only",
    DateAccuracy.ABOUT: "About (estimated)",
    DateAccuracy.BEFORE: "Before",
    DateAccuracy.AFTER: "After",
    DateAccuracy.BETWEEN: "Between two dates",
    DateAccuracy.UNKNOWN: "Not known",
    DateAccuracy.EXPECTED: "Expected (unborn)",
}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"
    NOT_STATED = "not-stated"


SEX_LABELS = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.OTHER: "Other",
    Sex.UNKNOWN: "Not known",
    Sex.NOT_STATED: "Not stated",
}


class Source(StrEnum):
    """Where a fact came from."""

    SAID_BY = "said-by"  # said by a named person (detail says who)
    SEEN = "seen-directly"  # seen or checked directly by a practitioner
    BIRTH_REGISTRATION = "birth-registration"
    NATIONAL_DEMOGRAPHICS = "national-demographics"
    OTHER_AGENCY = "other-agency"  # supplied by another agency (detail says which)


SOURCE_LABELS = {
    Source.SAID_BY: "Said by",
    Source.SEEN: "Seen directly",
    Source.BIRTH_REGISTRATION: "Birth registration",
    Source.NATIONAL_DEMOGRAPHICS: "National demographics",
    Source.OTHER_AGENCY: "Another agency",
}


class NameKind(StrEnum):
    PREVIOUS = "previous"
    ALIAS = "alias"


class CarePlace(StrEnum):
    CHILD_HOME = "child-home"
    CARER_HOME = "carer-home"
    ELSEWHERE = "elsewhere"


CARE_PLACE_LABELS = {
    CarePlace.CHILD_HOME: "at the child's home",
    CarePlace.CARER_HOME: "at the carer's home",
    CarePlace.ELSEWHERE: "elsewhere",
}


class PRBasis(StrEnum):
    """Basis of parental responsibility (England and Wales)."""

    BIRTH_MOTHER = "birth-mother"
    MARRIED = "married"  # married to / civil partner of the mother at the birth
    JOINT_REGISTRATION = "joint-registration"  # on the birth register, births from 1 Dec 2003
    AGREEMENT = "agreement"  # parental responsibility agreement
    COURT_ORDER = "court-order"  # a court order of a kind not listed below
    ADOPTION_ORDER = "adoption-order"  # gives it to the adopters, ends everyone else's
    PARENTAL_ORDER = "parental-order"  # surrogacy: gives it to the intended parents, ends the others'
    SPECIAL_GUARDIANSHIP = "special-guardianship"  # special guardianship order: shared with parents
    CHILD_ARRANGEMENTS = "child-arrangements"  # child arrangements order (lives with): for its length
    NONE = "none"
    UNKNOWN = "unknown"


PR_BASIS_LABELS = {
    PRBasis.BIRTH_MOTHER: "Birth mother",
    PRBasis.MARRIED: "Married to or civil partner of the mother",
    PRBasis.JOINT_REGISTRATION: "Named on the birth register (births from 1 December 2003)",
    PRBasis.AGREEMENT: "Parental responsibility agreement",
    PRBasis.COURT_ORDER: "Court order (another kind)",
    PRBasis.ADOPTION_ORDER: "Adoption order",
    PRBasis.PARENTAL_ORDER: "Parental order (surrogacy)",
    PRBasis.SPECIAL_GUARDIANSHIP: "Special guardianship order",
    PRBasis.CHILD_ARRANGEMENTS: "Child arrangements order (the child lives with them)",
    PRBasis.NONE: "No parental responsibility",
    PRBasis.UNKNOWN: "Not known",
}

# Bases that give parental responsibility (everything but NONE and UNKNOWN).
PR_HOLDING_BASES = frozenset(PRBasis) - {PRBasis.NONE, PRBasis.UNKNOWN}

# Orders that end everyone else's parental responsibility from the day they are
# made (Adoption and Children Act 2002 s46; Human Fertilisation and Embryology
# Act 2008 s54 with the Parental Order Regulations 2018, which apply s46).
PR_EXCLUSIVE_ORDERS = frozenset({PRBasis.ADOPTION_ORDER, PRBasis.PARENTAL_ORDER})


class RelKind(StrEnum):
    """Broad groups of relationship types, used by derivations and rules."""

    PARENT = "parent"  # from-person is a parent of to-person
    PARTNER = "partner"  # symmetric
    SIBLING = "sibling"  # symmetric
    GRANDPARENT = "grandparent"
    RELATIVE = "relative"
    SOCIAL = "social"  # friends, visitors, professional carers


@dataclass(frozen=True)
class RelType:
    code: str
    kind: RelKind
    label: str  # "birth father of"
    reverse: str  # "child of"
    hl7: str | None  # HL7 v3 RoleCode, where one exists
    symmetric: bool = False
    birth: bool = False  # a birth-parent link
    noun: str = ""  # "birth father", for describing a person to a child


def _t(
    code: str,
    kind: RelKind,
    label: str,
    reverse: str,
    hl7: str | None,
    noun: str,
    *,
    symmetric: bool = False,
    birth: bool = False,
) -> RelType:
    return RelType(code, kind, label, reverse, hl7, symmetric, birth, noun)


REL_TYPES: tuple[RelType, ...] = (
    _t("NMTH", RelKind.PARENT, "birth mother of", "child of", "NMTH", "birth mother", birth=True),
    _t("NFTH", RelKind.PARENT, "birth father of", "child of", "NFTH", "birth father", birth=True),
    _t("ADOPTM", RelKind.PARENT, "adoptive mother of", "adopted child of", "ADOPTM", "adoptive mother"),
    _t("ADOPTF", RelKind.PARENT, "adoptive father of", "adopted child of", "ADOPTF", "adoptive father"),
    _t("STPMTH", RelKind.PARENT, "stepmother of", "stepchild of", "STPMTH", "stepmother"),
    _t("STPFTH", RelKind.PARENT, "stepfather of", "stepchild of", "STPFTH", "stepfather"),
    # A legal parent who did not give birth and is not the birth father: a
    # second female parent, or a parent by a parental order. The basis is
    # recorded with it (LegalParentBasis). HL7 PRN is "parent".
    _t("PRN", RelKind.PARENT, "legal parent of", "child of", "PRN", "legal parent"),
    # HL7 has CHLDFOST (foster child) but no foster-parent code.
    _t("x-foster-parent", RelKind.PARENT, "foster carer of", "foster child of", None, "foster carer"),
    _t("SPS", RelKind.PARTNER, "married to", "married to", "SPS", "spouse", symmetric=True),
    _t(
        "DOMPART",
        RelKind.PARTNER,
        "partner of (living together)",
        "partner of (living together)",
        "DOMPART",
        "partner (living together)",
        symmetric=True,
    ),
    _t(
        "SIGOTHR",
        RelKind.PARTNER,
        "partner of (not living together)",
        "partner of (not living together)",
        "SIGOTHR",
        "partner (not living together)",
        symmetric=True,
    ),
    _t(
        "x-former-partner",
        RelKind.PARTNER,
        "former partner of",
        "former partner of",
        None,
        "former partner",
        symmetric=True,
    ),
    _t("SIB", RelKind.SIBLING, "sibling of", "sibling of", "SIB", "sibling", symmetric=True),
    _t("HSIB", RelKind.SIBLING, "half-sibling of", "half-sibling of", "HSIB", "half-sibling", symmetric=True),
    _t(
        "STPSIB", RelKind.SIBLING, "stepsibling of", "stepsibling of", "STPSIB", "stepsibling", symmetric=True
    ),
    _t("GRPRN", RelKind.GRANDPARENT, "grandparent of", "grandchild of", "GRPRN", "grandparent"),
    _t("FAMMEMB", RelKind.RELATIVE, "relative of", "relative of", "FAMMEMB", "relative", symmetric=True),
    _t("FRND", RelKind.SOCIAL, "friend of", "friend of", "FRND", "family friend", symmetric=True),
    _t("x-regular-visitor", RelKind.SOCIAL, "regular visitor to", "visited by", None, "regular visitor"),
    _t(
        "x-professional-carer",
        RelKind.SOCIAL,
        "professional carer of",
        "cared for by",
        None,
        "professional carer",
    ),
)

REL_BY_CODE: dict[str, RelType] = {t.code: t for t in REL_TYPES}

LEGAL_PARENT = "PRN"


class LegalParentBasis(StrEnum):
    """How someone who is not a birth parent is a child's legal parent
    (Human Fertilisation and Embryology Act 2008; Adoption and Children Act 2002)."""

    MARRIAGE = "marriage"  # married to or civil partner of the birth mother at conception (s42)
    AGREEMENT = "agreement"  # agreed female parenthood conditions at the treatment (s43-44)
    PARENTAL_ORDER = "parental-order"  # a parental order after surrogacy (s54, s54A)
    ADOPTION = "adoption"  # an adoption order (2002 Act s46, s67)


LEGAL_PARENT_BASIS_LABELS = {
    LegalParentBasis.MARRIAGE: "married to or in a civil partnership with the birth mother when the "
    "child was conceived",
    LegalParentBasis.AGREEMENT: "agreed parenthood with the birth mother at a licensed fertility clinic",
    LegalParentBasis.PARENTAL_ORDER: "by a parental order after surrogacy",
    LegalParentBasis.ADOPTION: "by an adoption order",
}

BIRTH_MOTHER = "NMTH"
BIRTH_FATHER = "NFTH"
GRANDPARENT = "GRPRN"
PARENT_CODES = frozenset(t.code for t in REL_TYPES if t.kind is RelKind.PARENT)
PARTNER_CODES = frozenset(t.code for t in REL_TYPES if t.kind is RelKind.PARTNER)
CURRENT_PARTNER_CODES = PARTNER_CODES - {"x-former-partner"}


def rel_type(code: str) -> RelType:
    try:
        return REL_BY_CODE[code]
    except KeyError:
        raise ValueError(f"unknown relationship type {code!r}") from None


def relation_words(code: str, *, reverse: bool = False, sex: str = "") -> tuple[str, str]:
    """How one person is related to another, split around the other's name:
    ``("partner of", "(not living together)")`` for SIGOTHR, ``("birth mother
    of", "")`` for NMTH, ``("child of", "")`` for NMTH read from the child's
    side (``reverse``), ``("son of", "")`` when that child's ``sex`` is
    "male" (:func:`kinmap.core.wording.sexed`). A qualifier in brackets goes
    after the name, so that "partner of (not living together) Jordan" reads
    "partner of Jordan (not living together)". Raises ValueError for an
    unknown code."""
    t = rel_type(code)
    label = t.reverse if reverse and not t.symmetric else t.label
    base, _, qualifier = label.partition(" (")
    return sexed(base, sex), f"({qualifier.rstrip(')')})" if qualifier else ""


# A parent or partner is "the"; these may be one of several.
_NOT_THE_ONLY = ("x-foster-parent", "x-former-partner")


def relation_sentence(
    code: str, from_name: str, to_name: str, legal_basis: str = "", *, from_sex: str = ""
) -> str:
    """One relationship as a sentence: "Jordan Pike is the partner of Chloe
    Renshaw (not living together)", "Jean is a grandmother of Alfie" (a parent
    or a current partner is "the", anyone else "a"; "married to" takes
    neither; ``from_sex``, the first person's sex, picks "grandmother" over
    "grandparent"). A legal parent's ``legal_basis`` (a ``LegalParentBasis``
    code) follows in brackets: "Sam Brook is a legal parent of Amy Brook (by a
    parental order after surrogacy)". Raises ValueError for an unknown code."""
    t = rel_type(code)
    before, after = relation_words(code, sex=from_sex)
    if before.startswith("married"):
        article = ""
    elif t.kind in (RelKind.PARENT, RelKind.PARTNER) and t.code not in (*_NOT_THE_ONLY, LEGAL_PARENT):
        article = "the "
    else:
        article = "a "
    if legal_basis:
        after = f"({LEGAL_PARENT_BASIS_LABELS.get(legal_basis, legal_basis)})"  # type: ignore[call-overload]
    return f"{from_name} is {article}{before} {to_name}" + (f" {after}" if after else "")


# -- safety information for carers ------------------------------------------


class InfoHow(StrEnum):
    """How a material reached a carer."""

    IN_PERSON = "in-person"  # in person at a contact
    JOINT_APPOINTMENT = "joint-appointment"
    POST = "post"
    EMAIL = "email"
    TELEPHONE = "telephone"  # talked through by telephone


INFO_HOW_LABELS = {
    InfoHow.IN_PERSON: "In person at a contact",
    InfoHow.JOINT_APPOINTMENT: "At a joint appointment",
    InfoHow.POST: "By post",
    InfoHow.EMAIL: "By email",
    InfoHow.TELEPHONE: "Talked through by telephone",
}


class InvitationOutcome(StrEnum):
    PENDING = "pending"  # invited, the contact has not happened yet
    ATTENDED = "attended"
    DECLINED = "declined"
    NO_REPLY = "no-reply"


INVITATION_OUTCOME_LABELS = {
    InvitationOutcome.PENDING: "Invited, waiting for the appointment",
    InvitationOutcome.ATTENDED: "Attended",
    InvitationOutcome.DECLINED: "Declined",
    InvitationOutcome.NO_REPLY: "No reply",
}

# The kinds of contact a carer can be invited to (the healthy child programme
# contacts, and others).
CONTACT_TYPE_LABELS = {
    "antenatal": "Antenatal contact",
    "new-birth": "New birth visit (10 to 14 days)",
    "6-8-weeks": "6 to 8 week review",
    "9-12-months": "9 to 12 month review",
    "2-2.5-years": "2 to 2½ year review",
    "clinic": "Clinic appointment",
    "home-visit": "Home visit",
    "other": "Other appointment",
}

# Codes of the materials the carer rules check (rules 17 to 19). The partnership
# administrator manages the catalogue; these codes must stay in it.
ICON = "icon"
SAFER_SLEEP = "safer-sleep"
CORE_MATERIALS = (ICON, SAFER_SLEEP)
