"""The kinds of value in a family file (docs/family-file.md): the codes each
coded field takes, and the checks of a text, code, id, flag, date and moment,
as pydantic annotated types that :mod:`.schema` and :mod:`.history_schema`
declare their fields with. Each check raises a :class:`PydanticCustomError`
(:func:`refuse`) whose message is the one the family file reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from kinmap.core import limits
from kinmap.core.dates import span_accuracies
from kinmap.core.limits import date_range_problem
from kinmap.core.text import normalise_text, text_error
from kinmap.core.vocab import (
    CONTACT_TYPE_LABELS,
    REL_BY_CODE,
    CarePlace,
    DateAccuracy,
    InfoHow,
    InvitationOutcome,
    LegalParentBasis,
    NameKind,
    PRBasis,
    Sex,
    Source,
)
from kinmap.records import services as s

from .document import MASKED_INCLUDED, MASKED_WITHHELD, _one_of, _show

SEXES = tuple(x.value for x in Sex)
ACCURACIES = tuple(x.value for x in DateAccuracy)
SPAN_ACCURACIES = tuple(x.value for x in span_accuracies())
SOURCES = tuple(x.value for x in Source)
PLACES = tuple(x.value for x in CarePlace)
BASES = tuple(x.value for x in PRBasis)
LEGAL_BASES = tuple(x.value for x in LegalParentBasis)
NAME_KINDS = tuple(x.value for x in NameKind)
REL_CODES = tuple(REL_BY_CODE)
CONTACT_TYPES = tuple(CONTACT_TYPE_LABELS)
HOWS = tuple(x.value for x in InfoHow)
OUTCOMES = tuple(x.value for x in InvitationOutcome)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
# A field the file leaves out is read as if it were null: each field's check
# says whether that is allowed (``validate_default``).
NULL: Any = None


def refuse(message: str, field: str = "") -> PydanticCustomError:
    """The error a check raises: ``message`` as the family file reports it, and
    (for a rule across fields) the ``field`` of the record it is reported on."""
    return PydanticCustomError("family_file", "{message}", {"message": message, "field": field})


# -- the kinds of value ------------------------------------------------------------


def _text(max_len: int, required: bool) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            if required:
                raise refuse("is missing")
            return ""
        if not isinstance(value, str):
            raise refuse(f"{_show(value)} is not text")
        if required and not value.strip():
            raise refuse("is empty")
        if len(value) > max_len:
            raise refuse(f"is longer than {max_len} characters")
        return value

    return check


def _code(choices: Sequence[str], default: str | None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            if default is None:
                raise refuse(f"is missing (one of: {_one_of(choices)})")
            return default
        if not isinstance(value, str) or value not in choices:
            raise refuse(f"{_show(value)} is not one of: {_one_of(choices)}")
        return value

    return check


def _ref(value: Any) -> str:
    if value is None:
        raise refuse("is missing")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise refuse(f"{_show(value)} is not an id (letters, digits, '-', '_' or '.', at most 40)")
    return value


def _member(value: Any) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise refuse(f"{_show(value)} is not an id")
    return value


def _optional_ref(value: Any) -> str:
    return "" if value is None else _ref(value)


Ref = Annotated[str, BeforeValidator(_ref)]
OptionalRef = Annotated[str, BeforeValidator(_optional_ref)]
Member = Annotated[str, BeforeValidator(_member)]


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise refuse(f"{_show(value)} is not true or false")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            problem = date_range_problem(day)
            if problem:
                raise refuse(f"{value} {problem}")
            return day
    raise refuse(f"{_show(value)} is not a date (use YYYY-MM-DD)")


def _required_day(value: Any) -> date:
    day = _day(value)
    if day is None:
        raise refuse("is missing")
    return day


Day = Annotated[date | None, BeforeValidator(_day)]
RequiredDay = Annotated[date, BeforeValidator(_required_day)]


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    wrong = (
        f"{_show(value)} is not a date and time with a time zone (use ISO 8601, like 2026-01-05T10:30:00Z)"
    )
    if not isinstance(value, str):
        raise refuse(wrong)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise refuse(wrong) from None
    if parsed.tzinfo is None:
        raise refuse(wrong)
    problem = date_range_problem(parsed.date())
    if problem:
        raise refuse(f"{value} {problem}")
    return parsed.astimezone(UTC)


Moment = Annotated[datetime | None, BeforeValidator(_moment)]


def _empty_list(value: Any) -> Any:
    return [] if value is None else value


def _empty_dict(value: Any) -> Any:
    return {} if value is None else value


T = TypeVar("T")
Items = Annotated[list[T], BeforeValidator(_empty_list)]  # null or missing: empty


# Text of each kind, with its length (kinmap/core/limits.py).
def _no_hidden_characters(what: str, *, normalise: bool = False) -> Callable[[str], str]:
    """Refuse text with hidden characters (kinmap.core.text), as the services do;
    with ``normalise``, store it as they store it (NFC, one space between words)."""

    def check(value: str) -> str:
        if normalise:
            value = normalise_text(value)
        if err := text_error(value, what=what):
            raise refuse(err)
        return value

    return check


SourceDetailText = Annotated[
    str,
    BeforeValidator(_text(limits.SOURCE_DETAIL_MAX, required=False)),
    AfterValidator(_no_hidden_characters("The detail")),
]
UsernameText = Annotated[str, BeforeValidator(_text(limits.USERNAME_MAX, required=False))]
OrganisationText = Annotated[str, BeforeValidator(_text(limits.ORGANISATION_NAME_MAX, required=True))]
NetworkNameRequiredText = Annotated[
    str,
    BeforeValidator(_text(limits.NETWORK_NAME_MAX, required=True)),
    AfterValidator(_no_hidden_characters(s.NETWORK_NAME_LABEL, normalise=True)),
]
NameText = Annotated[str, BeforeValidator(_text(limits.NAME_MAX, required=False))]
FactValueRequiredText = Annotated[str, BeforeValidator(_text(limits.FACT_VALUE_MAX, required=True))]
NameAbsentReasonText = Annotated[str, BeforeValidator(_text(limits.NAME_ABSENT_REASON_MAX, required=False))]
NhsNumberInputText = Annotated[str, BeforeValidator(_text(limits.NHS_NUMBER_INPUT_MAX, required=False))]
PhoneText = Annotated[str, BeforeValidator(_text(limits.PHONE_MAX, required=False))]
EmailText = Annotated[str, BeforeValidator(_text(limits.EMAIL_MAX, required=False))]
AddressLineText = Annotated[str, BeforeValidator(_text(limits.ADDRESS_LINE_MAX, required=False))]
TownText = Annotated[str, BeforeValidator(_text(limits.TOWN_MAX, required=False))]
PostcodeText = Annotated[str, BeforeValidator(_text(limits.POSTCODE_MAX, required=False))]
FrequencyText = Annotated[str, BeforeValidator(_text(limits.FREQUENCY_MAX, required=False))]
SleepPlaceText = Annotated[str, BeforeValidator(_text(limits.SLEEP_PLACE_MAX, required=False))]
LocalAuthorityText = Annotated[str, BeforeValidator(_text(limits.LOCAL_AUTHORITY_MAX, required=True))]
OutcomeNoteText = Annotated[str, BeforeValidator(_text(limits.OUTCOME_NOTE_MAX, required=False))]
MaterialCodeRequiredText = Annotated[str, BeforeValidator(_text(limits.MATERIAL_CODE_MAX, required=True))]
DeclinedReasonText = Annotated[str, BeforeValidator(_text(limits.DECLINED_REASON_MAX, required=False))]
FileDescriptionText = Annotated[str, BeforeValidator(_text(limits.FILE_DESCRIPTION_MAX, required=False))]
# Codes: one of a list, with a default when missing (None: required).
SourceCode = Annotated[str, BeforeValidator(_code(SOURCES, ""))]
SexCode = Annotated[str, BeforeValidator(_code(SEXES, Sex.UNKNOWN.value))]
AccuracyCode = Annotated[str, BeforeValidator(_code(ACCURACIES, ""))]
# a start, end or death date: exact when missing; never "expected"
SpanAccuracyCode = Annotated[str, BeforeValidator(_code(SPAN_ACCURACIES, DateAccuracy.EXACT.value))]
OutcomeCode = Annotated[str, BeforeValidator(_code(OUTCOMES, InvitationOutcome.PENDING.value))]
MaskedCode = Annotated[str, BeforeValidator(_code((MASKED_INCLUDED, MASKED_WITHHELD), MASKED_INCLUDED))]
RequiredSourceCode = Annotated[str, BeforeValidator(_code(SOURCES, None))]
NameKindCode = Annotated[str, BeforeValidator(_code(NAME_KINDS, None))]
RelationshipTypeCode = Annotated[str, BeforeValidator(_code(REL_CODES, None))]
PlaceCode = Annotated[str, BeforeValidator(_code(PLACES, None))]
BasisCode = Annotated[str, BeforeValidator(_code(BASES, None))]
# empty for every relationship but a legal parent's (PRN)
LegalBasisCode = Annotated[str, BeforeValidator(_code(("", *LEGAL_BASES), ""))]
ContactTypeCode = Annotated[str, BeforeValidator(_code(CONTACT_TYPES, None))]
HowCode = Annotated[str, BeforeValidator(_code(HOWS, None))]
