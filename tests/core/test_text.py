"""Names and identifiers that are not what they seem (kinmap.core.text and
kinmap.core.nhs): digits in any script, placeholder NHS numbers, hidden
characters, names without a letter, composed and decomposed forms."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kinmap.core.model import OtherName, Person
from kinmap.core.nhs import nhs_number_error, normalise_nhs_number
from kinmap.core.text import (
    NAME_MAX_LENGTH,
    ascii_digits,
    hidden_character,
    name_error,
    normalise_identifier,
    normalise_text,
    text_error,
)
from kinmap.core.validation import name_problems, person_problems
from kinmap.core.vocab import NameKind
from tests.core.builders import TODAY

# Every decimal digit in Unicode (general category Nd), in any script.
ANY_DIGIT = st.characters(categories=["Nd"])
DIGITS_BY_VALUE: dict[int, list[str]] = {v: [] for v in range(10)}
for _code in range(sys.maxunicode + 1):
    if (_value := unicodedata.decimal(chr(_code), None)) is not None:
        DIGITS_BY_VALUE[_value].append(chr(_code))
# Characters that hide: controls (other than the tab and line breaks, which are
# white space) and format characters (zero-width, bidi controls, BOM).
HIDDEN = st.characters(categories=["Cc", "Cf"], exclude_characters="\t\n\r")
BIDI_CONTROLS = [chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
SAME_DIGIT = [str(d) * 10 for d in range(10)]
PLACEHOLDER = "An NHS number cannot be all the same digit: enter the real NHS number, or leave it empty"
TEN_DIGITS = "Enter an NHS number with 10 digits, like 943 476 5919"
HIDDEN_HINT = "must not include hidden characters, such as zero-width spaces or text direction controls"


def _check_digit(nine: str) -> int | None:
    """The NHS Data Dictionary's modulus 11 check digit of nine ASCII digits
    (None when it would be 10: no valid number starts so), written out anew."""
    remainder = sum(int(d) * (11 - position) for position, d in enumerate(nine, start=1)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    check = _check_digit(nine)
    assume(check is not None)
    number = nine + str(check)
    assume(len(set(number)) > 1)
    return number


def in_other_scripts(draw: st.DrawFn, ascii_number: str) -> str:
    """``ascii_number`` with each digit drawn from any script, and spaces or
    hyphens drawn between them."""
    out = []
    for d in ascii_number:
        out.append(draw(st.sampled_from(DIGITS_BY_VALUE[int(d)])))
        out.append(draw(st.sampled_from(["", "", " ", "-", "\u00a0", "\u2013"])))
    return "".join(out)


# -- digits ---------------------------------------------------------------


@given(st.lists(ANY_DIGIT, max_size=20))
def test_any_digits_become_the_ascii_digits_of_the_same_value(digits: list[str]) -> None:
    converted = ascii_digits("".join(digits))
    assert converted == "".join(str(unicodedata.decimal(d)) for d in digits)
    assert converted.isascii()


@given(st.text())
def test_ascii_digits_changes_only_digits(text: str) -> None:
    converted = ascii_digits(text)
    assert len(converted) == len(text)
    for before, after in zip(text, converted, strict=True):
        assert after == before or (unicodedata.category(before) == "Nd" and after.isascii())


# -- NHS numbers ----------------------------------------------------------


@given(st.data(), valid_nhs_numbers())
def test_an_nhs_number_typed_in_any_digits_is_stored_as_ascii(data: st.DataObject, number: str) -> None:
    typed = in_other_scripts(data.draw, number)
    assert normalise_nhs_number(typed) == number
    assert nhs_number_error(typed) is None
    assert normalise_nhs_number(normalise_nhs_number(typed)) == number


@pytest.mark.parametrize(
    "typed",
    [
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # fullwidth
        "\u0669\u0664\u0663 \u0664\u0667\u0666 \u0665\u0669\u0661\u0669",  # Arabic-Indic
        "\u096f\u096a\u0969-\u096a\u096d\u096c-\u096b\u096f\u0967\u096f",  # Devanagari
    ],
)
def test_nhs_numbers_in_fullwidth_arabic_indic_and_devanagari_digits(typed: str) -> None:
    assert normalise_nhs_number(typed) == "9434765919"
    assert nhs_number_error(typed) is None


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_ten_ascii_digits_are_valid_exactly_when_the_check_digit_matches_and_not_all_the_same(
    number: str,
) -> None:
    expected_valid = _check_digit(number[:9]) == int(number[9]) and len(set(number)) > 1
    assert (nhs_number_error(number) is None) == expected_valid


@pytest.mark.parametrize("number", SAME_DIGIT)
def test_every_all_same_digit_number_passes_modulus_11_but_is_refused(number: str) -> None:
    assert _check_digit(number[:9]) == int(number[9])  # why the check digit alone lets it through
    assert nhs_number_error(number) == PLACEHOLDER
    assert nhs_number_error(f"{number[:3]} {number[3:6]} {number[6:]}") == PLACEHOLDER


@given(st.data(), st.sampled_from(SAME_DIGIT))
def test_all_same_digit_is_refused_in_any_script(data: st.DataObject, number: str) -> None:
    assert nhs_number_error(in_other_scripts(data.draw, number)) == PLACEHOLDER


@given(valid_nhs_numbers(), st.integers(0, 10), st.sampled_from(["\u200b", "\u202e", "\ufeff", "\u2066"]))
def test_an_nhs_number_with_a_hidden_character_is_refused(number: str, at: int, hidden: str) -> None:
    typed = number[:at] + hidden + number[at:]
    message = nhs_number_error(typed)
    assert message is not None and message.startswith(f"NHS number {HIDDEN_HINT}")


@given(st.text(alphabet="0123456789", max_size=9) | st.text(alphabet="0123456789", min_size=11))
def test_wrong_length_is_refused(number: str) -> None:
    assert nhs_number_error(number) == TEN_DIGITS


# -- normalised text -------------------------------------------------------


@given(st.text())
def test_normalise_text_is_idempotent_nfc_and_single_spaced(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip(" ") and "  " not in once
    assert not any(unicodedata.category(ch) == "Zs" and ch != " " for ch in once)
    assert not any(ch in "\t\n\r" for ch in once)


@given(st.text())
def test_composed_and_decomposed_forms_are_stored_the_same(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert normalise_text(nfc) == normalise_text(nfd)


def test_zoe_typed_two_ways_is_one_name() -> None:
    composed, decomposed = "Zo\u00eb", "Zoe\u0308"
    assert composed != decomposed
    assert normalise_text(composed) == normalise_text(decomposed) == composed


@given(st.text())
def test_normalise_identifier_is_idempotent_and_its_digits_ascii(text: str) -> None:
    once = normalise_identifier(text)
    assert normalise_identifier(once) == once
    assert all(ch.isascii() for ch in once if unicodedata.category(ch) == "Nd")


def test_fullwidth_postcode_and_phone_become_ascii() -> None:
    assert normalise_identifier("\uff33\uff37\uff11\uff21\u3000\uff11\uff21\uff21") == "SW1A 1AA"
    assert normalise_identifier("\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663") == (
        "07700 900123"
    )


# -- names ------------------------------------------------------------------


@given(st.text())
def test_a_name_accepted_is_visible_nfc_and_has_no_hidden_character(text: str) -> None:
    stored = normalise_text(text)
    assume(stored)
    if name_error(text) is None:
        assert unicodedata.is_normalized("NFC", stored)
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn") for ch in stored)
        assert any(unicodedata.category(ch).startswith("L") for ch in stored)
        assert not unicodedata.category(stored[0]).startswith("M")
        assert len(stored) <= NAME_MAX_LENGTH


@given(
    st.text(st.characters(categories=["L"]), min_size=1, max_size=20),
    HIDDEN,
    st.integers(0, 20),
)
def test_any_control_or_format_character_in_a_name_is_refused(name: str, hidden: str, at: int) -> None:
    typed = name[:at] + hidden + name[at:]
    message = name_error(typed, what="given name")
    assert message is not None and message.startswith(f"Given name {HIDDEN_HINT}")


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_every_bidirectional_control_is_refused(control: str) -> None:
    message = name_error(f"Ali{control}ce", what="family name")
    assert message == (f"Family name {HIDDEN_HINT} (it has U+{ord(control):04X} {unicodedata.name(control)})")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\u200b\u200b\u200b", f"Given name {HIDDEN_HINT} (it has U+200B ZERO WIDTH SPACE)"),
        ("\u200d", f"Given name {HIDDEN_HINT} (it has U+200D ZERO WIDTH JOINER)"),
        ("\ufeffAnna", f"Given name {HIDDEN_HINT} (it has U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
        ("\u0301\u0302\u0303", "Enter a given name that contains at least one letter"),
        ("\u3164", f"Given name {HIDDEN_HINT} (it has U+3164 HANGUL FILLER)"),
        ("An\u2800na", f"Given name {HIDDEN_HINT} (it has U+2800 BRAILLE PATTERN BLANK)"),
        ("---", "Enter a given name that contains at least one letter"),
        ("12345", "Enter a given name that contains at least one letter"),
        ("\u0301Anna", "Given name must not start with an accent or other mark on its own"),
        ("Q" + "\u0301" * 31, "Given name has more than 30 accents or other marks in a row"),
        ("A" * 101, "Given name must be 100 characters or fewer"),
    ],
)
def test_names_that_are_not_what_they_seem(typed: str, message: str) -> None:
    assert name_error(typed, what="given name") == message


@pytest.mark.parametrize(
    "name",
    [
        "Zo\u00eb",
        "Zoe\u0308",
        "O'Brien",
        "Jean-Luc",
        "  Mary   Ann ",
        "\u0645\u062d\u0645\u062f",  # Arabic
        "\u674e",  # Chinese
        "Nguy\u1ec5n",  # Vietnamese, two marks on one letter
        "\u0928\u093f\u0916\u093f\u0932",  # Devanagari, with vowel signs (marks)
        "A" * 100,
    ],
)
def test_real_names_are_accepted(name: str) -> None:
    assert name_error(name) is None


def test_an_other_name_starting_with_a_vowel_reads_well() -> None:
    assert name_error("\u2014", what="other given name") == (
        "Enter an other given name that contains at least one letter"
    )


@given(st.text())
def test_multiline_text_allows_line_breaks_but_not_hidden_characters(text: str) -> None:
    found = hidden_character(text, multiline=True)
    if found is None:
        assert not any(
            unicodedata.category(ch) in ("Cf", "Co", "Cs", "Cn") or (unicodedata.category(ch) == "Cc")
            for ch in text
            if ch not in "\n\r\t"
        )
    assert hidden_character("line one\nline two\ttab", multiline=True) is None
    assert text_error("a\u202eb\nc", what="The answer", multiline=True) is not None


# -- on a person -----------------------------------------------------------


def test_person_problems_name_the_field() -> None:
    p = Person(
        id=7,
        given_name="\u200b",
        family_name="Test\u202eperson",
        name_absent_reason="",
        other_names=(OtherName(NameKind.ALIAS, "\u0301", ""),),
        nhs_number="1111111111",
        phone="\u202e07700 900123",
        email="a\u200b@example.com",
    )
    fields = {pr.field: pr.message for pr in person_problems(p, TODAY)}
    assert set(fields) == {
        "given_name",
        "family_name",
        "other_names[0].given_name",
        "nhs_number",
        "phone",
        "email",
    }
    assert fields["nhs_number"] == PLACEHOLDER
    assert fields["other_names[0].given_name"] == (
        "Enter an other given name that contains at least one letter"
    )


def test_a_reason_without_words_and_a_telephone_number_without_digits() -> None:
    p = Person(id=1, name_absent_reason="?", phone="mobile")
    assert dict(name_problems(p)) == {
        "name_absent_reason": "Say in words why the name is not known",
        "phone": "Enter a telephone number, like 01632 960 001 or 07700 900 982",
    }
