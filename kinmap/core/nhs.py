"""NHS numbers: how one typed is stored, and when it is refused. Plain Python.

Source: NHS Data Dictionary, "NHS Number" (a 10-digit number whose tenth digit
is a modulus 11 check digit: the first nine digits are weighted 10 down to 2,
the sum's remainder on division by 11 is taken from 11, 11 becomes 0 and a
result of 10 means the number is not valid).

Stored as ten ASCII digits. Digits typed in another script (fullwidth,
Arabic-Indic, ...) are converted (:func:`kinmap.core.text.ascii_digits`); the
spaces and hyphens people type ("943 476 5919", "943-476-5919") are removed;
hidden characters (zero-width spaces, text direction controls) are refused.

A number of one digit ten times (0000000000, 1111111111, ..., 9999999999)
passes the modulus 11 check (each digit d gives 54 x d, and 54 x d + d is a
multiple of 11) but is a placeholder typed when the number is not known, not
an NHS number: it is refused. Numbers from 999 000 0000 to 999 999 9999 are
valid and never issued, kept for testing: kinmap's synthetic data uses them,
so they are accepted.
"""

from __future__ import annotations

import re
import unicodedata

from .text import ascii_digits, text_error

_DIGITS = re.compile(r"[0-9]{10}", re.ASCII)
EXAMPLE = "943 476 5919"


def _typed_separator(ch: str) -> bool:
    # spaces (Zs), tabs and line breaks, and dashes (Pd, with U+2212 MINUS SIGN)
    return ch in "\t\n\r\u2212" or unicodedata.category(ch) in ("Zs", "Pd")


def normalise_nhs_number(value: str) -> str:
    """The NHS number as stored: digits in any script made ASCII, spaces and
    hyphens removed ("٩٤٣ ٤٧٦ ٥٩١٩" -> "9434765919"). Anything else is kept, for
    :func:`nhs_number_error` to refuse. Idempotent."""
    return "".join(ch for ch in ascii_digits(value or "") if not _typed_separator(ch))


def nhs_check_digit(body: str) -> int | None:
    """The modulus 11 check digit of the first nine digits of an NHS number
    (NHS Data Dictionary, "NHS Number"): weights 10 down to 2, 11 minus the
    remainder, 11 read as 0; None when it would be 10 (no valid number has
    these nine digits)."""
    check = 11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number_error(value: str) -> str | None:
    """None if ``value`` is a valid NHS number (as typed, before or after
    :func:`normalise_nhs_number`), else a message saying what is wrong."""
    hidden = text_error(value or "", what="NHS number", multiline=True)
    if hidden:
        return hidden
    digits = normalise_nhs_number(value)
    if not _DIGITS.fullmatch(digits):
        return f"Enter an NHS number with 10 digits, like {EXAMPLE}"
    if len(set(digits)) == 1:
        return "An NHS number cannot be all the same digit: enter the real NHS number, or leave it empty"
    check = nhs_check_digit(digits[:9])
    if check is None or check != int(digits[9]):
        return "Enter a valid NHS number: the check digit does not match"
    return None


def is_valid_nhs_number(value: str) -> bool:
    """Whether ``value`` is a valid NHS number (see :func:`nhs_number_error`)."""
    return nhs_number_error(value) is None
