"""Names and short text that people type: what is stored, and what is refused.
Plain Python.

A name must be what it seems on the screen. Two names that look the same must
be stored the same, and a name must not hide characters that change how it,
or the text around it, is shown. The rules, with their sources:

- Stored in Normalization Form C (Unicode Standard Annex #15, "Unicode
  Normalization Forms"): "é" typed as one character or as "e" and a combining
  acute accent is stored as the one character, so equal names compare equal.
- Runs of white space (any Unicode space, tab or line break) become one space,
  and none is kept at either end.
- Hidden characters are refused (:func:`hidden_character`): controls
  (general category Cc), format characters (Cf: zero-width spaces and joiners,
  the soft hyphen, the byte order mark and the explicit directional
  embeddings, overrides and isolates of Unicode Standard Annex #9, "Unicode
  Bidirectional Algorithm", section 2, which can make text read in a different
  order from the order it is stored in), line and paragraph separators
  (Zl, Zp), surrogates, private-use and unassigned code points (Cs, Co, Cn),
  every Default_Ignorable_Code_Point (Unicode Standard Annex #44, and
  DerivedCoreProperties.txt: the Hangul fillers, variation selectors, tag
  characters and the combining grapheme joiner, which show as nothing), and
  U+2800 BRAILLE PATTERN BLANK, which shows as a space but is not one.
- A name has at least one visible letter (general category L, not default
  ignorable), does not start with a combining mark (which would sit on
  whatever is shown before it), and has no run of more than 30 combining
  marks (the limit of the Stream-Safe Text Format, UAX #15 section 13).

Digits in identifiers (:func:`ascii_digits`) are stored as the ASCII digits
0 to 9: a digit in any script (general category Nd: fullwidth, Arabic-Indic,
Devanagari, ...) is converted to its value, as ``unicodedata.decimal`` gives it.
"""

from __future__ import annotations

import unicodedata

import regex

from .limits import NAME_MAX

# Every name field of a person (given, family, other names; users' names)
# holds at most this many characters, after normalisation (kinmap.core.limits).
NAME_MAX_LENGTH = NAME_MAX

# UAX #15 section 13, Stream-Safe Text Format: at most 30 non-starters in a row.
MAX_MARKS_IN_A_ROW = 30

# Hidden by general category, as Python's own Unicode tables give it (the
# version unicodedata.normalize uses), and by regex's tables (which may be of a
# later Unicode version): a character either calls hidden is refused.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_HIDDEN = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]")
_LINE_BREAKS = "\n\r\t"
# The white space people type, collapsed to one space: space separators (Zs),
# tabs and line breaks. Other controls (U+001C to U+001F, say) are hidden.
_SPACES = regex.compile(r"[\p{Zs}\t\n\r]+")
_LETTER = regex.compile(r"[\p{L}--\p{Default_Ignorable_Code_Point}]", regex.V1)
_MARKS = regex.compile(r"\p{M}{" + str(MAX_MARKS_IN_A_ROW + 1) + ",}")

HIDDEN_CHARACTERS_HINT = "hidden characters, such as zero-width spaces or text direction controls"


def ascii_digits(value: str) -> str:
    """``value`` with every decimal digit (Unicode general category Nd, in any
    script) replaced by the ASCII digit of the same value; nothing else changes.
    Fullwidth nine, four, three, a space and Arabic-Indic four, seven, six
    become "943 476"."""
    if value.isascii():  # the usual case, and its digits are ASCII already
        return value
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch for ch in value)


def normalise_text(value: str) -> str:
    """One line of text as it is stored: NFC (UAX #15), each run of white space
    made one space, none at either end. Idempotent. Hidden characters are kept,
    so that :func:`hidden_character` can refuse them."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value or "")).strip(" ")


def normalise_identifier(value: str) -> str:
    """An identifier typed by a person (a telephone number, a postcode): NFKC
    (UAX #15, so fullwidth letters, digits and signs become the ASCII ones),
    digits in any script made ASCII, white space collapsed as
    :func:`normalise_text`. Idempotent."""
    return normalise_text(ascii_digits(unicodedata.normalize("NFKC", value or "")))


def describe_character(ch: str) -> str:
    """``"U+202E RIGHT-TO-LEFT OVERRIDE"``: the code point and its Unicode name."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def hidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first hidden character in ``value``, described (``"U+200B ZERO WIDTH
    SPACE"``), or None. See the module's docstring for what counts as hidden.
    With ``multiline`` line breaks and tabs are allowed."""
    for ch in value or "":
        if multiline and ch in _LINE_BREAKS:
            continue
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES or _HIDDEN.match(ch):
            return describe_character(ch)
    return None


def text_error(value: str, *, what: str, multiline: bool = False) -> str | None:
    """None if ``value`` has no hidden character, else a message naming the field
    (``what``, as its label: "Town or city") and the character found."""
    found = hidden_character(value, multiline=multiline)
    if found is None:
        return None
    return f"{what} must not include {HIDDEN_CHARACTERS_HINT} (it has {found})"


def has_letter(value: str) -> bool:
    """Whether ``value`` has at least one visible letter (category L, not default ignorable)."""
    return _LETTER.search(value or "") is not None


def name_error(value: str, *, what: str = "name", max_length: int = NAME_MAX_LENGTH) -> str | None:
    """None if ``value`` (a person's given, family or other name, or the name of
    a team or agency) is acceptable once normalised by :func:`normalise_text`,
    else a message saying what is wrong. ``what`` is the field in words, lower
    case ("given name"); an empty value is for the caller to allow or refuse.

    Refuses hidden characters, a name without a visible letter, a name that
    starts with a combining mark, more than 30 combining marks in a row and a
    name longer than ``max_length`` characters.
    """
    text = normalise_text(value)
    label = what[:1].upper() + what[1:]
    if not text:
        return None
    hidden = text_error(text, what=label)
    if hidden:
        return hidden
    if not has_letter(text):
        article = "an" if what[:1].lower() in "aeiou" else "a"
        return f"Enter {article} {what} that contains at least one letter"
    if unicodedata.category(text[0]).startswith("M"):
        return f"{label} must not start with an accent or other mark on its own"
    if _MARKS.search(text):
        return f"{label} has more than {MAX_MARKS_IN_A_ROW} accents or other marks in a row"
    if len(text) > max_length:
        return f"{label} must be {max_length} characters or fewer"
    return None
