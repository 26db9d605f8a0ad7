"""NHS number validation (modulus 11 check digit). Plain Python."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"^\d{10}$")


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and hyphens people type ("943 476 5919")."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_error(value: str) -> str | None:
    """None if ``value`` is a valid NHS number, else a message saying what is wrong."""
    digits = normalise_nhs_number(value)
    if not _DIGITS.match(digits):
        return "Enter an NHS number with 10 digits, like 943 476 5919"
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        return "Enter a valid NHS number: the check digit does not match"
    return None


def is_valid_nhs_number(value: str) -> bool:
    return nhs_number_error(value) is None
