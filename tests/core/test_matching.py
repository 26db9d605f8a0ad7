"""The pure matching core: names, keys, comparisons, scorer."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinmap.core.matching import (
    LEVELS,
    MatchModel,
    MatchRecord,
    blocking_keys,
    compare,
    fold,
    load_model,
    lookup_keys,
    name_parts,
    normalise_name,
    phonetic_keys,
    score_pair,
)
from kinmap.core.matching.names import (
    day_month_swapped,
    normalise_phone,
    normalise_postcode,
    postcode_district,
)

MODEL = load_model(Path("kinmap/matching/default_model.json"))

JORDAN = MatchRecord(
    given_name="Jordan",
    family_name="Price",
    birth_date=date(1994, 3, 7),
    nhs_number="9434765919",
    postcodes=("NE1 4XF",),
    phones=("07700 900123",),
)


# -- names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Zoë", ("zoe",)),
        ("O'Brien", ("obrien",)),
        ("O\u2019Brien", ("obrien",)),
        ("Smith-Jones", ("smith", "jones")),
        ("Smith  Jones", ("smith", "jones")),
        ("STRAßE", ("strasse",)),
        ("Søren", ("soren",)),
        ("Łukasz", ("lukasz",)),
        ("Siân", ("sian",)),
        ("", ()),
        ("  - ' ", ()),
    ],
)
def test_name_parts(typed: str, parts: tuple[str, ...]) -> None:
    assert name_parts(typed) == parts


def test_phonetic_keys_of_british_spellings() -> None:
    assert phonetic_keys("Mohammed") & phonetic_keys("Muhammad")
    assert phonetic_keys("Smith") & phonetic_keys("Smyth")
    assert phonetic_keys("Smith-Jones") & phonetic_keys("Jones")
    assert not phonetic_keys("Smith") & phonetic_keys("Okafor")
    assert phonetic_keys("") == frozenset()


def test_postcode_and_phone() -> None:
    assert normalise_postcode(" ne1 4xf ") == "NE14XF"
    assert postcode_district("NE1 4XF") == "NE1"
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_district("NE1") == ""
    assert normalise_phone("+44 7700 900123") == normalise_phone("07700 900123") == "07700900123"
    assert normalise_phone("0044 7700 900123") == "07700900123"
    assert normalise_phone("ext 12") == ""


def test_day_month_swapped() -> None:
    assert day_month_swapped(date(2019, 4, 3)) == date(2019, 3, 4)
    assert day_month_swapped(date(2019, 4, 4)) is None
    assert day_month_swapped(date(2019, 4, 13)) is None


def test_a_letter_that_decomposes_to_a_capital_is_folded_too() -> None:
    # the modifier letter capital A (U+1D2C) decomposes to "A"
    assert fold("\u1d2c") == "a" and normalise_name("\u1d2c") == "a"


@given(st.text(max_size=30))
def test_normalise_name_idempotent_and_case_blind(s: str) -> None:
    n = normalise_name(s)
    assert normalise_name(n) == n
    assert normalise_name(s.upper()) == normalise_name(s.lower()) or not s.isascii()
    assert fold(fold(s)) == fold(s)


_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_accents = st.sampled_from(["\u0301", "\u0300", "\u0308", "\u0302", "\u0327", ""])


@given(_letters, st.lists(_accents, min_size=12, max_size=12))
def test_accents_and_case_are_ignored(name: str, marks: list[str]) -> None:
    accented = "".join(ch + mark for ch, mark in zip(name, marks, strict=False))
    a = MatchRecord(given_name=name.upper(), family_name=name)
    b = MatchRecord(given_name=accented, family_name=accented.title())
    levels = compare(a, b)
    assert levels["given_name"] == "same given name"
    assert levels["family_name"] == "same family name"


# -- comparisons -----------------------------------------------------------


_names = st.sampled_from(
    ["Jordan", "Jordon", "Mohammed", "Muhammad", "Smith-Jones", "Smith", "Zoë", "Zoe", ""]
)
_dates = st.one_of(st.none(), st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 1, 1)))
_records = st.builds(
    MatchRecord,
    given_name=_names,
    family_name=_names,
    other_names=st.lists(st.tuples(_names, _names), max_size=2).map(tuple),
    birth_date=_dates,
    birth_date_estimated=st.booleans(),
    nhs_number=st.sampled_from(["", "9434765919", "9434765870"]),
    postcodes=st.lists(st.sampled_from(["NE1 4XF", "NE1 5AB", "SW1A 1AA"]), max_size=2).map(tuple),
    phones=st.lists(st.sampled_from(["07700900123", "+44 7700 900123", "07700900999"]), max_size=2).map(
        tuple
    ),
    addresses=st.lists(
        st.tuples(
            st.sampled_from(["", "14 High Street", "14 High Steet", "Flat 2, 14 High St.", "3 Mill Lane"]),
            st.sampled_from(["", "Byker"]),
            st.sampled_from(["", "Newcastle upon Tyne", "Gateshead"]),
        ),
        max_size=2,
    ).map(tuple),
)


@given(_records, _records)
def test_comparisons_and_score_are_symmetric(a: MatchRecord, b: MatchRecord) -> None:
    assert compare(a, b) == compare(b, a)
    sa, sb = score_pair(a, b, MODEL), score_pair(b, a, MODEL)
    assert math.isclose(sa.weight, sb.weight)
    assert sa.certain == sb.certain


@given(_records)
def test_a_record_is_at_the_best_level_with_itself(a: MatchRecord) -> None:
    levels = compare(a, a)
    for name, level in levels.items():
        if name == "address" and not any(line_1 or line_2 for line_1, line_2, _town in a.addresses):
            assert level in (None, "same town")  # only a town to compare
        else:
            assert level is None or level == LEVELS[name][0]


@given(_records, _records)
def test_labels_are_the_published_ones_and_weights_add_up(a: MatchRecord, b: MatchRecord) -> None:
    s = score_pair(a, b, MODEL)
    for c in s.contributions:
        assert c.level is None or c.level in LEVELS[c.comparison]
        assert c.level is not None or c.weight == 0
    prior = math.log2(1e-5 / (1 - 1e-5))
    assert math.isclose(s.weight, prior + sum(c.weight for c in s.contributions))
    assert 0.0 <= s.probability <= 1.0


@given(_records)
def test_a_record_shares_lookup_keys_with_itself(a: MatchRecord) -> None:
    keys = blocking_keys(a)
    assert lookup_keys(a) <= keys
    assert bool(keys) == bool(lookup_keys(a))


def test_levels_of_each_comparison() -> None:
    a = JORDAN
    assert compare(a, replace(a, nhs_number=""))["nhs_number"] is None
    assert compare(a, replace(a, nhs_number="9434765870"))["nhs_number"] == "different NHS number"
    assert compare(a, replace(a, given_name="Jordon"))["given_name"] == "similar given name"
    assert compare(a, replace(a, given_name="Geordan"))["given_name"] == "given name sounds alike"
    assert compare(a, replace(a, given_name="Kai"))["given_name"] == "different given name"
    assert compare(a, replace(a, family_name="Pryce"))["family_name"] == "family name sounds alike"
    assert compare(a, replace(a, family_name="Price-Walker"))["family_name"] == "similar family name"
    dob = compare(a, replace(a, birth_date=date(1994, 7, 3)))["date_of_birth"]
    assert dob == "day and month swapped"
    assert compare(a, replace(a, birth_date=date(1994, 9, 1)))["date_of_birth"] == "same year of birth"
    est = replace(a, birth_date=date(1995, 12, 1), birth_date_estimated=True)
    assert compare(a, est)["date_of_birth"] == "within the estimate's tolerance"
    assert compare(a, replace(a, birth_date=date(1995, 12, 1)))["date_of_birth"] == "different date of birth"
    far = replace(a, birth_date=date(1999, 1, 1), birth_date_estimated=True)
    assert compare(a, far)["date_of_birth"] == "different date of birth"
    assert compare(a, replace(a, postcodes=("NE1 5AB",)))["postcode"] == "same postcode district"
    assert compare(a, replace(a, postcodes=("SW1A 1AA",)))["postcode"] == "different postcode"
    assert compare(a, replace(a, phones=("+44 7700 900123",)))["phone"] == "same phone number"
    assert compare(a, replace(a, phones=()))["phone"] is None


def test_a_typing_error_in_a_date_of_birth_or_a_postcode() -> None:
    a = JORDAN
    typo = "date of birth one typing error apart"
    assert compare(a, replace(a, birth_date=date(1994, 3, 8)))["date_of_birth"] == typo
    assert compare(a, replace(a, birth_date=date(1994, 8, 7)))["date_of_birth"] == typo
    assert compare(a, replace(a, birth_date=date(1994, 3, 27)))["date_of_birth"] == typo
    # a digit of the decade or century is never a typing error: a parent and
    # child of one name are born years apart
    assert compare(a, replace(a, birth_date=date(1984, 3, 7)))["date_of_birth"] == "different date of birth"
    assert compare(a, replace(a, birth_date=date(1949, 3, 7)))["date_of_birth"] == "different date of birth"
    typo_pc = "postcode one typing error apart"
    assert compare(a, replace(a, postcodes=("NE2 4XF",)))["postcode"] == typo_pc
    assert compare(a, replace(a, postcodes=("NE1 4FX",)))["postcode"] == "same postcode district"
    four = replace(a, postcodes=("2066",))
    assert compare(four, replace(a, postcodes=("2606",)))["postcode"] == typo_pc
    assert compare(four, replace(a, postcodes=("2600",)))["postcode"] == "different postcode"


def test_levels_of_the_address() -> None:
    a = replace(JORDAN, addresses=(("14 High Street", "", "Newcastle upon Tyne"),))

    def level(*addresses: tuple[str, str, str]) -> str | None:
        return compare(a, replace(a, addresses=addresses))["address"]

    assert level(("14, HIGH STREET", "Byker", "Newcastle")) == "same first line of address"
    assert level(("14 High Steet", "", "")) == "similar address"
    assert level(("14 Hgh Street", "", "Newcastle upon Tyne")) == "similar address"
    assert level(("14 Mill Lane", "", "Newcastle upon Tyne")) == "similar address"  # number and town
    assert level(("14", "", "Newcastle upon Tnye")) == "similar address"  # number, town misspelt
    assert level(("14 Mill Lane", "", "Gateshead")) == "different address"  # number, another town
    assert level(("3 Mill Lane", "", "Newcastle upon Tyne")) == "same town"
    assert level(("3 Mill Lane", "", "Gateshead")) == "different address"
    assert level(("", "14 High Street", "")) == "same first line of address"  # second line when no first
    assert level(("3 Mill Lane", "", "Gateshead"), ("14 High Street", "", "")) == "same first line of address"
    # the lines in another order: a house name and the street
    b = replace(a, addresses=(("9 Covington Crescent", "March Rising", "Maitland"),))
    other_order = replace(a, addresses=(("9 March Rising", "Covington Crescent", ""),))
    assert compare(b, other_order)["address"] == "similar address"
    assert level() is None and level(("", "", "")) is None


# -- hard cases ------------------------------------------------------------


def test_same_nhs_number_is_certain_with_reason() -> None:
    s = score_pair(JORDAN, replace(JORDAN, given_name="J", postcodes=()), MODEL)
    assert s.certain
    assert s.reasons[0] == "same NHS number"


def test_same_name_and_date_of_birth_reads_as_one_phrase() -> None:
    a = replace(JORDAN, nhs_number="")
    s = score_pair(a, replace(a, phones=()), MODEL)
    assert s.reason_text == "same name and date of birth and postcode"
    assert s.certain


def test_similar_name_same_postcode() -> None:
    a = MatchRecord(given_name="Jordan", family_name="Price", postcodes=("NE1 4XF",))
    s = score_pair(a, MatchRecord(given_name="Jordon", family_name="Price", postcodes=("NE1 4XF",)), MODEL)
    assert s.reason_text == "similar name, same postcode"
    assert not s.certain


def test_twins_are_never_certain() -> None:
    twin = MatchRecord(
        given_name="Amelia",
        family_name="Price",
        birth_date=date(2020, 5, 1),
        postcodes=("NE1 4XF",),
        phones=("07700900123",),
    )
    s = score_pair(twin, replace(twin, given_name="Olivia"), MODEL)
    assert not s.certain
    assert "different given name" in s.against
    with_nhs = score_pair(
        replace(twin, nhs_number="9434765919"),
        replace(twin, given_name="Olivia", nhs_number="9434765870"),
        MODEL,
    )
    assert with_nhs.probability < 0.5


def test_father_and_son_of_the_same_name_are_not_certain() -> None:
    father = replace(JORDAN, nhs_number="", birth_date=date(1970, 1, 2))
    son = replace(JORDAN, nhs_number="", birth_date=date(1994, 3, 7))
    s = score_pair(father, son, MODEL)
    assert not s.certain
    assert "different date of birth" in s.against
    assert s.weight < score_pair(son, son, MODEL).weight


def test_mother_and_daughter_of_the_same_name_are_not_certain() -> None:
    mother = MatchRecord(
        given_name="Kerry", family_name="Walsh", birth_date=date(1975, 2, 2), postcodes=("NE1 4XF",)
    )
    daughter = replace(mother, birth_date=date(1999, 6, 6))
    assert not score_pair(mother, daughter, MODEL).certain


def test_mohammed_and_muhammad_sound_alike() -> None:
    a = MatchRecord(given_name="Mohammed", family_name="Khan", birth_date=date(1988, 1, 1))
    s = score_pair(a, replace(a, given_name="Muhammad"), MODEL)
    assert s.levels["given_name"] == "given name sounds alike"
    assert s.probability > 0.5
    assert s.reasons[0] == "name sounds alike"


def test_double_barrelled_matches_either_part() -> None:
    a = MatchRecord(given_name="Ella", family_name="Smith-Jones", birth_date=date(2015, 1, 1))
    assert compare(a, replace(a, family_name="Jones"))["family_name"] == "similar family name"
    assert compare(a, replace(a, family_name="smith jones"))["family_name"] == "same family name"
    assert blocking_keys(a) & lookup_keys(replace(a, family_name="Jones"))


def test_given_and_family_swapped() -> None:
    a = MatchRecord(given_name="Li", family_name="Wei", birth_date=date(1990, 5, 5))
    b = MatchRecord(given_name="Wei", family_name="Li", birth_date=date(1990, 5, 5))
    s = score_pair(a, b, MODEL)
    assert s.names_swapped and score_pair(b, a, MODEL).names_swapped
    assert s.reasons[0] == "given and family names swapped"
    assert s.levels["given_name"] == s.levels["family_name"] == "given and family names swapped"
    assert s.probability > 0.5
    assert not s.certain
    assert blocking_keys(a) & lookup_keys(b)


def test_a_name_in_the_other_names_place() -> None:
    """One record's given name is the other's family name (the other name
    replaced): the given name's own level, weighed with the model's m and u;
    the family name is weighed as it is (different)."""
    a = MatchRecord(given_name="Gillian", family_name="Lodge", birth_date=date(1950, 6, 26))
    b = replace(a, given_name="Lodge", family_name="Adele")
    for x, y in ((a, b), (b, a)):
        s = score_pair(x, y, MODEL)
        assert s.levels["given_name"] == "one's given name is the other's family name"
        assert s.levels["family_name"] == "different family name"
        assert not s.names_swapped and "one's given name is the other's family name" in s.reasons
    weights = MODEL.level_weights()["given_name"]
    assert weights["one's given name is the other's family name"] > weights["different given name"]
    # a given name that agrees, or names swapped, come first
    assert compare(a, replace(b, given_name="Gillian"))["given_name"] == "same given name"
    assert compare(a, replace(b, family_name="Gilian"))["given_name"] == "given and family names swapped"
    assert compare(a, replace(b, given_name="Hugo"))["given_name"] == "different given name"


def test_a_name_swap_is_weighed_once() -> None:
    """Both names agree crossed because of one error: the given name's
    comparison weighs it (the model's m and u of the swap) and the family
    name's adds nothing (a null level in the model)."""
    a = MatchRecord(given_name="Alicia", family_name="Fardell", birth_date=date(1947, 10, 4))
    b = replace(a, given_name="Fardwll", family_name="Alicia")  # swapped, with a typing error
    s = score_pair(a, b, MODEL)
    weights = {c.comparison: c.weight for c in s.contributions}
    swap = MODEL.level_weights()["given_name"]["given and family names swapped"]
    assert s.names_swapped and weights["given_name"] == swap > 0
    assert weights["family_name"] == 0.0
    # a swap is weaker evidence than the same names written the same way
    assert s.weight < score_pair(a, a, MODEL).weight


def test_one_name_crossed_is_not_a_swap() -> None:
    """One name crossed is the weaker level of a name in the other's place,
    never a swap."""
    a = MatchRecord(given_name="Thomas", family_name="Wasley")
    assert (
        compare(a, MatchRecord(given_name="Wasley", family_name="Smith"))["given_name"]
        == "one's given name is the other's family name"
    )
    assert (
        compare(a, MatchRecord(given_name="Thomas", family_name="Thomas"))["given_name"] == "same given name"
    )


def test_a_model_trained_before_a_level_was_added_gets_the_defaults() -> None:
    from kinmap.core.matching.score import complete_model

    default = json.loads(Path("kinmap/matching/default_model.json").read_text())
    old = json.loads(json.dumps(default))
    for c in old["comparisons"]:
        c["comparison_levels"] = [
            lv for lv in c["comparison_levels"] if lv["label_for_charts"] != "given and family names swapped"
        ]
    completed = complete_model(old, default)
    assert completed == default
    assert all(
        len(c["comparison_levels"]) < 7 for c in old["comparisons"] if "name" in c["output_column_name"]
    )


def test_married_name_found_through_previous_name() -> None:
    stored = MatchRecord(
        given_name="Sarah",
        family_name="Okafor",
        other_names=(("Sarah", "Bell"),),
        birth_date=date(1990, 2, 3),
    )
    search = MatchRecord(given_name="Sarah", family_name="Bell", birth_date=date(1990, 2, 3))
    assert compare(stored, search)["family_name"] == "same family name"
    assert "fy:PL:1990" in blocking_keys(stored) & lookup_keys(search)


def test_day_month_swap_shares_a_key() -> None:
    a = MatchRecord(family_name="Price", birth_date=date(2019, 4, 3))
    b = MatchRecord(family_name="Nobody", birth_date=date(2019, 3, 4))
    assert "dob:2019-03-04" in blocking_keys(a) & lookup_keys(b)


def test_estimated_date_shares_keys_within_tolerance() -> None:
    a = MatchRecord(family_name="Price", birth_date=date(1990, 6, 1), birth_date_estimated=True)
    b = MatchRecord(family_name="Pryce", birth_date=date(1992, 1, 1))
    assert blocking_keys(a) & lookup_keys(b)


def test_broad_key_only_without_narrow_ones() -> None:
    assert lookup_keys(MatchRecord(family_name="Smith")) == {"f:SM0"}
    assert all(not k.startswith("f:") for k in lookup_keys(JORDAN))


# -- the model document ----------------------------------------------------


def test_default_model_has_every_label() -> None:
    """Every level has a weight but the family name's "names swapped", which
    is a null level (the given name's comparison weighs a swap)."""
    weights = MODEL.level_weights()
    for name, labels in LEVELS.items():
        unweighed = {"given and family names swapped"} if name == "family_name" else set()
        assert set(labels) - unweighed == set(weights[name])
    nulls = {
        (c.output_column_name, lv.label_for_charts) for c in MODEL.comparisons for lv in c.comparison_levels
    }
    assert ("family_name", "given and family names swapped") in nulls


def test_a_model_missing_a_level_adds_nothing_for_it(tmp_path: Path) -> None:
    doc = json.loads(Path("kinmap/matching/default_model.json").read_text())
    doc["comparisons"] = [c for c in doc["comparisons"] if c["output_column_name"] != "phone"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    s = score_pair(JORDAN, JORDAN, load_model(path))
    assert next(c for c in s.contributions if c.comparison == "phone").weight == 0


def test_a_model_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        MatchModel.model_validate({"probability_two_random_records_match": 2, "comparisons": []})


def test_a_common_name_counts_less_than_a_rare_one() -> None:
    """With the name frequencies a trained model carries, the same-name level
    is weighed as Splink adjusts it: log2(m/u) + log2(u) - log2(tf), tf the
    larger share of the two current names (one side's when the other's is not
    in the table), no adjustment when neither is."""
    doc = json.loads(Path("kinmap/matching/default_model.json").read_text())
    for c in doc["comparisons"]:
        if c["output_column_name"] == "family_name":
            c["comparison_levels"][1]["tf_adjustment_column"] = "family_name"
    doc["kinmap_term_frequencies"] = {"family_name": {"nguyen": 0.05, "fardell": 0.0001}}
    model = MatchModel.model_validate(doc)
    same = {lv.label_for_charts: lv for c in model.comparisons for lv in c.comparison_levels}[
        "same family name"
    ]
    assert same.u_probability is not None and same.m_probability is not None

    def family_weight(family: str, other: str | None = None) -> float:
        a = MatchRecord(given_name="Lachlan", family_name=family, birth_date=date(1966, 9, 26))
        s = score_pair(a, replace(a, family_name=other or family), model)
        return next(c.weight for c in s.contributions if c.comparison == "family_name")

    assert family_weight("Nguyen") == pytest.approx(math.log2(same.m_probability / 0.05))
    assert family_weight("Fardell") == pytest.approx(math.log2(same.m_probability / 0.0001))
    assert family_weight("Nguyen") < family_weight("Fardell")
    plain = math.log2(same.m_probability / same.u_probability)
    assert family_weight("Okonkwo") == pytest.approx(plain)  # in no table: not adjusted
    # one side's current name not in the table (a previous name agreeing): the other's share
    a = MatchRecord(family_name="Okonkwo", other_names=(("", "Nguyen"),))
    s = score_pair(a, MatchRecord(family_name="Nguyen"), model)
    assert s.levels["family_name"] == "same family name"
    assert s.contributions[2].weight == pytest.approx(math.log2(same.m_probability / 0.05))
    # the shipped default has no tables: nothing is adjusted
    assert MODEL.kinmap_term_frequencies == {}
