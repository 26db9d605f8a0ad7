"""The limits on what the record holds, written once: the pages' forms, the
models, the services (through :mod:`kinmap.core.validation`) and the family
file import all use these, so a value one of them refuses the others refuse
with the same meaning. Plain Python.

Text lengths are in characters, as Django's ``max_length`` counts them.
"""

from __future__ import annotations

from datetime import date

# -- dates ------------------------------------------------------------------------

# The GOV.UK Design System asks services to check a date is real and plausible
# ("Date input" pattern: error messages for dates "must be between" two dates).
# 1900 is before the birth of anyone alive a family network can hold and catches a mistyped year (0225 for
# 2025); 2200 leaves room for every expected date, end date and review date while
# catching 20025. Years outside it also keep date arithmetic (moving a file's
# dates, ten months after a death) far from Python's limit of years 1 to 9999.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
EARLIEST_DATE = date(EARLIEST_YEAR, 1, 1)
LATEST_DATE = date(LATEST_YEAR, 12, 31)


def date_range_problem(value: date) -> str:
    """Why ``value`` is outside the dates the record holds, as the end of a
    sentence whose subject is the date ("must be between 1 January 1900 and 31
    December 2200"), or ``""`` when it is inside."""
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return ""
    return f"must be between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}"


# -- text -------------------------------------------------------------------------

# People's names: the given and the family name each; long enough for every
# name in full (the GOV.UK Design System asks services not to cut names short).
NAME_MAX = 100
NAME_ABSENT_REASON_MAX = 300  # a sentence or two: why the name is not known
NETWORK_NAME_MAX = 200  # "Family of Theo Brookes", with room for several index children
ORGANISATION_NAME_MAX = 200  # an agency's or a team's name
LOCAL_AUTHORITY_MAX = ORGANISATION_NAME_MAX  # the local authority designated by a care order
# NHS numbers are 10 digits (NHS Data Dictionary); 20 leaves room for the spaces
# and hyphens people type, which are removed before the check digit is checked.
NHS_NUMBER_INPUT_MAX = 20
NHS_NUMBER_DIGITS = 10
PHONE_MAX = 40  # ITU-T E.164 numbers have at most 15 digits; room for spaces and an extension
EMAIL_MAX = 254  # RFC 5321: a path is at most 256 octets including the angle brackets
ADDRESS_LINE_MAX = 200
TOWN_MAX = 100
POSTCODE_MAX = 10  # a UK postcode is at most 8 characters with its space; room for stray spaces
FREQUENCY_MAX = 200  # "every other weekend, Friday to Sunday"
SLEEP_PLACE_MAX = 200  # "own cot in the carer's bedroom"
SOURCE_DETAIL_MAX = 200  # who said it, which agency or which document
USERNAME_MAX = 150  # Django's user name length
FACT_KEY_MAX = 60  # a question's key, like "adult-services"
FACT_VALUE_MAX = 2000  # an answer in words, as an answer to another agency's request holds
OUTCOME_NOTE_MAX = 500  # a note on a joint appointment's outcome
DECLINED_REASON_MAX = 1000  # why a carer declined safety information, in their words
MATERIAL_CODE_MAX = 40  # a material's code in the partnership's catalogue
FILE_DESCRIPTION_MAX = 4000  # a family file's free-text description (not stored)
# A line of a chronology in a family file (read, never imported): a fact's
# answer with the words around it and what it corrected.
CHRONOLOGY_TEXT_MAX = 3 * FACT_VALUE_MAX


def text_problem(text: str) -> str:
    """Why ``text`` cannot be stored as text, or ``""``: a NUL character (Django's
    forms refuse it, PostgreSQL cannot store it) or an unpaired surrogate (not a
    Unicode character, so not encodable as UTF-8)."""
    if "\x00" in text:
        return "contains a NUL character (U+0000), which is not allowed in text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate escape (like \\ud800), which is not a character"
    return ""
