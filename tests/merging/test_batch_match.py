"""``kinmap match``: Splink scores everyone, trains and saves the model the
search reads, and queues likely duplicates; it never merges, and the hard
cases (twins, a father and son or mother and daughter of one name) stay below
the certainty at which the search would link without a person deciding."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from kinmap.accounts.models import User
from kinmap.core.matching import CERTAIN_PROBABILITY, LEVELS, MatchRecord, load_model
from kinmap.merging import batch
from kinmap.merging.models import CandidateStatus, MatchCandidate, Merge
from kinmap.merging.synthetic import population
from kinmap.records import models as m

pytestmark = pytest.mark.django_db


def _save(net: m.FamilyNetwork, records: Iterable[MatchRecord]) -> dict[str, int]:
    """Store made-up people in ``net``; their ids by "given family born"."""
    ids = {}
    for r in records:
        p = m.Person.objects.create(
            given_name=r.given_name,
            family_name=r.family_name,
            birth_date=r.birth_date,
            birth_date_accuracy="estimated" if r.birth_date_estimated else "accurate",
            nhs_number=r.nhs_number,
            phone=r.phones[0] if r.phones else "",
        )
        m.NetworkMember.objects.create(network=net, person=p)
        for pc in r.postcodes:
            m.Residence.objects.create(person=p, household=m.Household.objects.create(postcode=pc))
        ids[f"{r.given_name} {r.family_name} {r.birth_date}"] = p.pk
    return ids


def _person(given: str, family: str, born: date, postcode: str, phone: str = "") -> MatchRecord:
    phones = (phone,) if phone else ()
    return MatchRecord(
        given_name=given, family_name=family, birth_date=born, postcodes=(postcode,), phones=phones
    )


HARD = [
    _person("Amy", "Brookwater", date(2019, 6, 3), "NS7 2QT"),  # twins
    _person("Lucy", "Brookwater", date(2019, 6, 3), "NS7 2QT"),
    _person("John", "Carverly", date(1968, 2, 14), "NS8 1AB"),  # father and son
    _person("John", "Carverly", date(1994, 9, 30), "NS8 1AB"),
    _person("Mary", "Lowestoft", date(1961, 5, 1), "NS9 4LL"),  # mother and daughter
    _person("Mary", "Lowestoft", date(1987, 11, 20), "NS9 4LL"),
    _person("Jonathan", "Smythson", date(1990, 4, 2), "NS3 9XY", "07700900555"),  # one man, twice
    _person("Jonathon", "Smythson", date(1990, 4, 2), "NS3 9XY", "07700 900555"),
]


@pytest.fixture
def record(owner: User, tmp_path: Path) -> dict[str, int]:
    net = m.FamilyNetwork.objects.create(name="Everyone")
    _save(net, (r for r, _ in population(1500, seed=7)))
    return _save(net, HARD)


def _pair(ids: dict[str, int], x: str, y: str) -> MatchCandidate | None:
    a, b = sorted((ids[x], ids[y]))
    return MatchCandidate.objects.filter(person_a_id=a, person_b_id=b).first()


def test_match_queues_duplicates_trains_the_model_and_merges_nobody(
    record: dict[str, int], owner: User, tmp_path: Path
) -> None:
    model = tmp_path / "match-model.json"
    with override_settings(KINMAP_MATCH_MODEL_PATH=model):
        run = batch.match_run(actor=owner, reason="monthly check")
    assert run.people == 1508 and run.queued > 0
    assert not Merge.objects.exists()
    # The saved model is Splink's, with the search's comparisons and labels, and it loads.
    saved = json.loads(model.read_text())
    levels = {c["output_column_name"]: c["comparison_levels"] for c in saved["comparisons"]}
    # every level of the core, in order, after Splink's own null level ("not compared")
    assert {name: tuple(lv["label_for_charts"] for lv in lvs[1:]) for name, lvs in levels.items()} == LEVELS
    # names swapped are weighed once, by the given name: a null level of the family name
    assert [lv["label_for_charts"] for lv in levels["family_name"] if lv.get("is_null_level")][1:] == [
        "given and family names swapped"
    ]
    assert load_model(model).level_weights()["date_of_birth"]["same date of birth"] > 0
    # A true duplicate (a misspelt given name) is queued with its reasons.
    dup = _pair(record, "Jonathan Smythson 1990-04-02", "Jonathon Smythson 1990-04-02")
    assert dup is not None and dup.status == CandidateStatus.OPEN and dup.probability > 0.9
    found = {c["name"]: c["label"] for c in dup.comparisons}
    assert found["given_name"] == "similar given name" and found["phone"] == "same phone number"
    # Twins, father and son, mother and daughter: never certain.
    for x, y in [
        ("Amy Brookwater 2019-06-03", "Lucy Brookwater 2019-06-03"),
        ("John Carverly 1968-02-14", "John Carverly 1994-09-30"),
        ("Mary Lowestoft 1961-05-01", "Mary Lowestoft 1987-11-20"),
    ]:
        c = _pair(record, x, y)
        assert c is None or c.probability < CERTAIN_PROBABILITY, (x, y, c and c.probability)
        assert c is None or c.held


def test_a_pair_decided_as_different_people_is_not_offered_again(
    record: dict[str, int], owner: User, tmp_path: Path
) -> None:
    with override_settings(KINMAP_MATCH_MODEL_PATH=tmp_path / "model.json"):
        batch.match_run(actor=owner, reason="first run")
        dup = _pair(record, "Jonathan Smythson 1990-04-02", "Jonathon Smythson 1990-04-02")
        assert dup is not None
        MatchCandidate.objects.filter(pk=dup.pk).update(status=CandidateStatus.DIFFERENT, reason="cousins")
        run = batch.match_run(actor=owner, reason="second run")
    assert run.decided_before >= 1
    assert MatchCandidate.objects.get(pk=dup.pk).status == CandidateStatus.DIFFERENT


def test_the_command_runs_as_a_person_with_a_reason(
    record: dict[str, int], supervisor: User, tmp_path: Path
) -> None:
    from io import StringIO

    out = StringIO()
    with override_settings(KINMAP_MATCH_MODEL_PATH=tmp_path / "model.json"):
        call_command(
            "match", "--as", supervisor.username, "--reason", "monthly", stdout=out, stderr=StringIO()
        )
    assert "1508 people scored" in out.getvalue()
    assert (tmp_path / "model.json").is_file()


def test_a_handful_of_people_keeps_the_starting_values_it_cannot_estimate(
    owner: User, tmp_path: Path
) -> None:
    net = m.FamilyNetwork.objects.create(name="Small")
    _save(net, HARD[:3])
    lines: list[str] = []
    model = tmp_path / "model.json"
    with override_settings(KINMAP_MATCH_MODEL_PATH=model):
        run = batch.match_run(actor=owner, reason="tiny", log=lines.append)
    assert run.people == 3
    assert any(line.startswith("not trained (prior)") for line in lines)
    assert 0 < load_model(model).probability_two_random_records_match < 1
