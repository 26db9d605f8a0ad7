"""The table Splink reads is normalised by the matching core, prediction rows
are read back as the core's level labels, and the hard cases are held below
certainty."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinmap.core.matching import CERTAIN_PROBABILITY, LEVELS, MatchModel, MatchRecord, score_pair
from kinmap.matching.weights import DEFAULT_MODEL_PATH
from kinmap.merging import bench
from kinmap.merging import splink_model as sm
from kinmap.merging.splink_training import train_and_predict


def test_a_row_is_normalised_by_the_matching_core() -> None:
    row = sm.splink_row(
        MatchRecord(
            given_name="Zoë",
            family_name="O'Brien-Smith",
            other_names=(("", "Kelly"),),
            birth_date=date(1990, 4, 3),
            postcodes=("ns1 4ab",),
            phones=("+44 7700 900123",),
            nhs_number="943 476 5919",
            person_id=7,
        )
    )
    assert row["given_name"] == "zoe" and row["family_parts"] == ["obrien", "smith"]
    assert row["family_names"] == ["kelly", "obrien smith"]
    assert row["dob_swapped_day"] == date(1990, 3, 4).toordinal()
    assert row["postcodes"] == ["NS14AB"] and row["districts"] == ["NS1"]
    assert row["phones"] == ["07700900123"] and row["nhs_number"] == "9434765919"


def _row(levels: dict[str, int | None], probability: float = 0.9999) -> dict[str, object]:
    row: dict[str, object] = {"person_id_l": 9, "person_id_r": 4, "match_weight": 13.0}
    row["match_probability"] = probability
    for name, gamma in levels.items():
        row[f"gamma_{name}"] = -1 if gamma is None else gamma
        row[f"mw_{name}"] = 0.0 if gamma is None else 2.5
    return row


def test_prediction_rows_come_back_as_the_cores_labels() -> None:
    model = sm.settings_dict("duckdb")
    gammas = {
        "nhs_number": None,
        "given_name": 5,
        "family_name": 2,
        "date_of_birth": 4,
        "postcode": 0,
        "phone": 1,
        "address": 2,
    }
    (pair,) = sm.pairs_from_rows([_row(gammas, 0.97)], model)
    assert (pair.id_l, pair.id_r) == (4, 9)
    assert {n: label for n, label, _ in pair.levels} == {
        "nhs_number": None,
        "given_name": "same given name",
        "family_name": "similar family name",
        "date_of_birth": "day and month swapped",
        "postcode": "different postcode",
        "phone": "same phone number",
        "address": "similar address",
    }
    assert pair.probability == 0.97 and not pair.held
    # names swapped: weighed by the given name's comparison, the family
    # name's a null level (-1) labelled as swapped too, with no weight
    (swapped,) = sm.pairs_from_rows([_row(gammas | {"given_name": 4, "family_name": None})], model)
    levels = {n: (label, w) for n, label, w in swapped.levels}
    assert levels["given_name"] == ("given and family names swapped", 2.5)
    assert levels["family_name"] == ("given and family names swapped", 0.0)
    # one name in the other's place: the given name's level, the family name's own
    (moved,) = sm.pairs_from_rows([_row(gammas | {"given_name": 1, "family_name": 0})], model)
    levels = {n: (label, w) for n, label, w in moved.levels}
    assert levels["given_name"] == ("one's given name is the other's family name", 2.5)
    assert levels["family_name"] == ("different family name", 2.5)


@given(st.sampled_from(LEVELS["given_name"][:-2]), st.sampled_from(LEVELS["postcode"]))
def test_twins_and_a_parent_and_child_of_one_name_are_never_certain(given_level: str, postcode: str) -> None:
    twins = {"nhs_number": None, "given_name": "different given name", "family_name": "same family name"}
    twins |= {"date_of_birth": "same date of birth", "postcode": postcode}
    assert "twins" in sm.hard_case(twins)
    # a twin's given name that is the other's family name is still a twin's
    assert "twins" in sm.hard_case(twins | {"given_name": "one's given name is the other's family name"})
    parent = twins | {"given_name": "same given name", "date_of_birth": "different date of birth"}
    assert "parent and child" in sm.hard_case(parent)
    assert sm.hard_case(parent | {"nhs_number": "same NHS number"}) == ""
    assert sm.hard_case(twins | {"given_name": given_level}) == ""
    assert sm.HARD_CASE_PROBABILITY < CERTAIN_PROBABILITY


def test_precision_recall_and_f1() -> None:
    q = bench._quality({(1, 2), (3, 4), (5, 6)}, {(1, 2), (3, 4), (7, 8), (9, 10)})
    assert (q["precision"], q["recall"]) == (round(2 / 3, 5), 0.5)
    assert q["f1"] == round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 5)


def test_the_batch_and_the_core_put_a_pair_at_the_same_levels() -> None:
    """Splink's SQL (DuckDB) and the matching core agree on every comparison's
    level for records of one name, postcode and address each (the documented
    differences are about other names and several postcodes or addresses)."""
    from itertools import combinations

    from kinmap.core.matching import compare

    base = MatchRecord(
        given_name="Jordan",
        family_name="Price",
        birth_date=date(1994, 3, 7),
        postcodes=("NE1 4XF",),
        phones=("07700 900123",),  # one phone for everyone: every pair is blocked
        addresses=(("14 High Street", "", "Newcastle upon Tyne"),),
    )
    variants = [
        base,
        replace(base, given_name="Jordon", birth_date=date(1994, 3, 8), postcodes=("NE2 4XF",)),
        replace(base, birth_date=date(1994, 7, 3), addresses=(("14 Hgh Street", "", ""),)),
        replace(base, birth_date=date(1984, 3, 7), postcodes=("2066",), addresses=(("", "", "Newcastle"),)),
        replace(base, given_name="Kai", postcodes=("2606",), addresses=(("14 Mill Lane", "", "Newcastle"),)),
        replace(base, family_name="Pryce", birth_date=None, postcodes=("NE1 4FX",), addresses=()),
        replace(base, birth_date=date(1994, 3, 27), addresses=(("3 Mill Lane", "", "Gateshead"),)),
        replace(base, birth_date=date(1995, 12, 1), birth_date_estimated=True, postcodes=("SW1A 1AA",)),
        replace(
            base, given_name="Prcie", family_name="Jordan", addresses=(("14 Mill Lane", "High Street", ""),)
        ),
        replace(base, addresses=(("High Street", "14 Mill Lane", "Gateshead"),)),
        replace(base, given_name="Prise", family_name="Adele", birth_date=date(1961, 3, 7)),
        replace(base, given_name="Kai", family_name="Jordan", birth_date=None),
        replace(base, given_name="Zak", addresses=(("14", "", "Newcastle upon Tnye"),)),
    ]
    records = [replace(r, person_id=i) for i, r in enumerate(variants, start=1)]
    start = json.loads(DEFAULT_MODEL_PATH.read_text())
    rows = [sm.splink_row(r) for r in records]
    trained = train_and_predict(rows, threshold=0.0, start=start, train=False)
    got = {(p.id_l, p.id_r): {n: label for n, label, _ in p.levels} for p in trained.pairs}
    assert len(got) == len(records) * (len(records) - 1) // 2
    pairs = {(p.id_l, p.id_r): p for p in trained.pairs}
    model = MatchModel.model_validate(trained.model)
    # the names' term frequencies over these records go with the model
    jordans = sum(r.given_name == "Jordan" for r in records) / len(records)
    assert model.kinmap_term_frequencies["given_name"]["jordan"] == pytest.approx(jordans)
    for a, b in combinations(records, 2):
        assert got[(a.person_id, b.person_id)] == compare(a, b), (a, b)
        # and the search's scorer weighs the pair as Splink does (names swapped
        # once, a common name less than a rare one), comparison by comparison
        pair, score = pairs[(a.person_id, b.person_id)], score_pair(a, b, model)
        assert score.weight == pytest.approx(pair.match_weight), (a, b)
        assert [c.weight for c in score.contributions] == pytest.approx([w for _n, _l, w in pair.levels])
    same = model.level_weights()["given_name"]["same given name"]
    jordan = score_pair(records[0], records[2], model).contributions[1]
    assert jordan.level == "same given name" and jordan.weight < same  # a common name
