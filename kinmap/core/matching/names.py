"""Names, postcodes, telephone numbers and dates as record linkage compares them.

Pure functions, no Django. A name is made comparable by :func:`normalise_name`
(case folded, accents removed, hyphens and apostrophes dealt with) and given
sound-alike keys by :func:`phonetic_keys` (Double Metaphone, Lawrence Philips
2000, from the ``metaphone`` package, which handles the Celtic, Germanic and
South Asian spellings common in British names better than Soundex).

The name functions are pure, so their results are cached (a lookup compares
the same few names with many candidates).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

import jellyfish
from metaphone import doublemetaphone

from kinmap.core.text import ascii_digits

#: Letters that Unicode does not decompose into a base letter and an accent,
#: written as an English speaker would (BS ISO 9:1995 is for Cyrillic; these
#: follow the usual British transliteration of names: Ø -> o, Æ -> ae).
_NOT_DECOMPOSED = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
    }
)
_JOINERS = "'\u2019\u2018`\u00b4\u02bc"  # apostrophes: O'Brien is one word, obrien
_SPLITTERS = "-\u2010\u2011\u2012\u2013\u2014_./,"  # hyphens, dashes and other separators: two parts

#: Jaro-Winkler similarity (Winkler 1990, prefix scale 0.1) at or above which
#: two different normalised names are "similar".
SIMILAR_NAME_THRESHOLD = 0.92


@lru_cache(maxsize=65_536)
def fold(value: str) -> str:
    """``value`` case folded (Unicode default case folding, so ß -> ss) with every
    accent removed (NFKD, combining marks dropped) and letters Unicode does not
    decompose transliterated (ø -> o, æ -> ae, ł -> l). Idempotent."""
    folded = value or ""
    # twice: a compatibility decomposition can give a capital again (the
    # modifier letter ᴬ decomposes to A), which the second pass folds
    for _ in range(2):
        folded = unicodedata.normalize("NFKD", folded.casefold().translate(_NOT_DECOMPOSED))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def name_parts(value: str) -> tuple[str, ...]:
    """The parts of one name (given or family), folded by :func:`fold`:
    apostrophes join (``O'Brien`` -> ``("obrien",)``), hyphens, spaces and other
    separators split (``Smith-Jones`` and ``Smith Jones`` -> ``("smith",
    "jones")``), anything but letters and digits dropped. Empty tuple for no name."""
    text = fold(value)
    for ch in _JOINERS:
        text = text.replace(ch, "")
    for ch in _SPLITTERS:
        text = text.replace(ch, " ")
    parts = ("".join(ch for ch in word if ch.isalnum()) for word in text.split())
    return tuple(p for p in parts if p)


def normalise_name(value: str) -> str:
    """One name as compared: its :func:`name_parts` joined by single spaces
    (``"Zoë  Smith-Jones"`` -> ``"zoe smith jones"``). Idempotent."""
    return " ".join(name_parts(value))


@lru_cache(maxsize=65_536)
def phonetic_keys(value: str) -> frozenset[str]:
    """The Double Metaphone keys (primary and alternate, non-empty) of each part
    of the name and of the parts written together, so that "Smith-Jones" shares
    a key with "Smith" and with "Smithjones". Empty for no name."""
    parts = name_parts(value)
    words = set(parts)
    if len(parts) > 1:
        words.add("".join(parts))
    keys: set[str] = set()
    for w in words:
        keys.update(k for k in doublemetaphone(w) if k)
    return frozenset(keys)


@lru_cache(maxsize=65_536)
def primary_key(value: str) -> str:
    """The Double Metaphone primary key of the name written as one word ("" for
    no name): the single sound-alike key used in blocking."""
    joined = "".join(name_parts(value))
    return doublemetaphone(joined)[0] if joined else ""


@lru_cache(maxsize=65_536)
def name_similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity in [0, 1] of the two normalised names (spaces
    removed, so "Smith Jones" and "Smith-Jones" are 1.0). Symmetric."""
    x, y = "".join(name_parts(a)), "".join(name_parts(b))
    if not x or not y:
        return 0.0
    return float(jellyfish.jaro_winkler_similarity(x, y))


@lru_cache(maxsize=65_536)
def text_similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity in [0, 1] of two strings as they are (already
    normalised by the caller). Symmetric."""
    return float(jellyfish.jaro_winkler_similarity(a, b)) if a and b else 0.0


@lru_cache(maxsize=65_536)
def normalise_postcode(value: str) -> str:
    """A UK postcode compared: upper case, letters and digits only ("sw1a 1aa" ->
    "SW1A1AA"). Not validated: a partial or foreign postcode still compares."""
    return "".join(
        ch for ch in ascii_digits(unicodedata.normalize("NFKC", value or "")).upper() if ch.isalnum()
    )


@lru_cache(maxsize=65_536)
def postcode_district(value: str) -> str:
    """The outward code of a full UK postcode (BS 7666: the inward code is always
    a digit and two letters, so it is the last three characters): "SW1A1AA" ->
    "SW1A". "" when the postcode is too short to have both halves."""
    pc = normalise_postcode(value)
    return pc[:-3] if len(pc) >= 5 else ""


@lru_cache(maxsize=65_536)
def normalise_phone(value: str) -> str:
    """A UK telephone number compared: digits only, the UK country code +44 or
    0044 written as the trunk prefix 0 ("+44 7700 900123" -> "07700900123").
    "" when it has fewer than 6 digits (an extension is not a number)."""
    digits = "".join(ch for ch in ascii_digits(value or "") if ch.isdigit())
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) >= 12:
            digits = "0" + digits[len(prefix) :]
            break
    return digits if len(digits) >= 6 else ""


def day_month_swapped(d: date) -> date | None:
    """The date with day and month exchanged (3 April -> 4 March), or None when
    that is not a real date or is the same date (day equals month)."""
    if d.day == d.month or d.day > 12:
        return None
    try:
        return d.replace(month=d.day, day=d.month)
    except ValueError:
        return None


@lru_cache(maxsize=65_536)
def normalise_address_line(value: str) -> str:
    """One line of an address compared: folded as a name (:func:`fold`), every
    run of anything but letters and digits one space ("Flat 2, 14 St. John's
    Road" -> "flat 2 14 st john s road"). "" for none."""
    text = "".join(ch if ch.isalnum() else " " for ch in fold(value))
    return " ".join(text.split())


@lru_cache(maxsize=65_536)
def house_number(value: str) -> str:
    """The first word with a digit of an address line ("14a High Street" ->
    "14a"; "Flat 2, 14 High Street" -> "2"), normalised; "" when none."""
    return next((w for w in normalise_address_line(value).split() if any(c.isdigit() for c in w)), "")


@lru_cache(maxsize=65_536)
def street_name(value: str) -> str:
    """An address line without its house or flat numbers: its normalised words
    with no digit ("14a High Street" -> "high street"; "Flat 2, 14 High
    Street" -> "flat high street"); "" when none."""
    return " ".join(w for w in normalise_address_line(value).split() if not any(c.isdigit() for c in w))


@lru_cache(maxsize=65_536)
def one_edit_apart(a: str, b: str) -> bool:
    """Whether two different strings are one typing error apart: one character
    inserted, deleted or changed, or two next to each other exchanged
    (Damerau-Levenshtein distance 1: Damerau 1964 found these four account for
    over 80% of misspellings). Splink's ``damerau_levenshtein`` on DuckDB and
    Spark agrees at distance 1."""
    return a != b and jellyfish.damerau_levenshtein_distance(a, b) == 1


@lru_cache(maxsize=65_536)
def normalise_nhs(value: str) -> str:
    """An NHS number compared: its digits (any script) only; "" for none."""
    return "".join(ch for ch in ascii_digits(value or "") if ch.isdigit())
