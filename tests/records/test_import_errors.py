"""Every way a family file can be refused: each problem names the record and the
field at fault, and nothing at all is saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from kinmap.records.family_file import FamilyFileError, family_file_read
from tests.conftest import run_kinmap
from tests.records.family_files import (
    SAID,
    _add,
    _both,
    _future,
    _set,
    accounts,
    base,
    load,
    refused,
    snapshot,
)

__all__ = ["accounts"]  # the fixture (tests.records.family_files)

AMY = {"id": "p5", "given_name": "Amy", "family_name": "Stone", "sex": "female", "birth_date": "1995-05-05"}
add_amy = _both(_add("people", AMY), _set("networks.0.other_members", ["p2", "p3", "p5"]))

CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "bad date",
        _set("people.3.birth_date", "2025-13-01"),
        'people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)',
    ),
    (
        "date in another format",
        _set("relationships.0.start", "16/10/2025"),
        'relationships[0]: start: "16/10/2025" is not a date (use YYYY-MM-DD)',
    ),
    ("unknown person", _set("relationships.2.to", "p9"), 'relationships[2]: to: no person with id "p9"'),
    (
        "invalid NHS number",
        _set("people.0.nhs_number", "9995472806"),
        'people[0] (id "p1"): nhs_number: Enter a valid NHS number: the check digit does not match',
    ),
    (
        "NHS number too short",
        _set("people.0.nhs_number", "99954"),
        'people[0] (id "p1"): nhs_number: Enter an NHS number with 10 digits, like 943 476 5919',
    ),
    (
        "born in the future",
        lambda d: _set("people.3.birth_date", _future())(d),
        'people[3] (id "p4"): birth_date: Date of birth must be today or in the past, unless the child is '
        "unborn (choose 'Expected (unborn)')",
    ),
    (
        "expected date long past",
        _set("people.0.birth_date_accuracy", "expected"),
        'people[0] (id "p1"): birth_date: An expected date of birth must not be more than a month ago: '
        "record the actual date of birth",
    ),
    (
        "accurate date missing",
        _set("people.2.birth_date_accuracy", "accurate"),
        "people[2] (id \"p3\"): birth_date: Enter a date of birth, or choose 'Not known'",
    ),
    (
        "died before birth",
        _set("people.1.death_date", "2000-01-01"),
        'people[1] (id "p2"): death_date: Date of death must be on or after the date of birth',
    ),
    (
        "child born before parent",
        _set("people.1.birth_date", "2025-10-07"),
        "relationships[0]: from: Theo Brookes cannot be born before their parent Jess Brookes",
    ),
    (
        "second birth mother",
        _both(add_amy, _add("relationships", {"from": "p5", "to": "p1", "type": "NMTH"})),
        "relationships[3]: type: Theo Brookes already has a birth mother recorded",
    ),
    (
        "second birth father",
        _both(add_amy, _add("relationships", {"from": "p5", "to": "p4", "type": "NFTH"})),
        "relationships[3]: type: Lily Dunn already has a birth father recorded",
    ),
    (
        "own ancestor",
        _add("relationships", {"from": "p1", "to": "p3", "type": "ADOPTF"}),
        "relationships[3]: to: A person cannot be their own parent or ancestor",
    ),
    (
        "related to themselves",
        _add("relationships", {"from": "p2", "to": "p2", "type": "FRND"}),
        "relationships[3]: to: A person cannot be related to themselves",
    ),
    (
        "born long after the father died",
        _set("people.2.death_date", "2024-01-01"),
        "relationships[1]: from: Theo Brookes was born more than 10 months after the death of Kyle Dunn, "
        "so he cannot be the birth father",
    ),
    (
        "care by a carer who has died",
        _set("people.2.death_date", "2025-10-20"),
        "care_arrangements[0]: carer: Kyle Dunn has died (20 October 2025) and cannot give care after "
        "that date",
    ),
    (
        "own carer",
        _set("care_arrangements.0.carer", "p1"),
        "care_arrangements[0]: carer: A child cannot be their own carer",
    ),
    (
        "two households at once",
        _add("residences", {"person": "p2", "household": "h2", "start": "2025-01-01"}),
        "residences[3]: start: Jess Brookes already lives at another address at that time: end that stay "
        "first, or change the dates",
    ),
    (
        "blank name",
        _both(_set("people.2.given_name", " "), _set("people.2.family_name", "")),
        'people[2] (id "p3"): given_name: Enter a name, or say why the name is not known',
    ),
    (
        "unknown field",
        _set("people.0.nickname", "Teddy"),
        'people[0] (id "p1"): nickname: is not a field of a person (expected one of: id, given_name, '
        "family_name, name_absent_reason, other_names, sex, birth_date, birth_date_accuracy, "
        "birth_date_latest, death_date, death_date_accuracy, death_date_latest, "
        "nhs_number, phone, phone_masked, email, seen_directly_on, facts, provenance)",
    ),
    (
        "unknown relationship code",
        _set("relationships.1.type", "FATHER"),
        'relationships[1]: type: "FATHER" is not one of: NMTH, NFTH, ADOPTM, ADOPTF, STPMTH, STPFTH, '
        "PRN, x-foster-parent, SPS, DOMPART, SIGOTHR, x-former-partner, SIB, HSIB, STPSIB, GRPRN, FAMMEMB, "
        "FRND, x-regular-visitor, x-professional-carer",
    ),
    (
        "missing relationship type",
        _set("relationships.1.type", None),
        "relationships[1]: type: is missing (one of: NMTH, NFTH, ADOPTM, ADOPTF, STPMTH, STPFTH, "
        "PRN, x-foster-parent, SPS, DOMPART, SIGOTHR, x-former-partner, SIB, HSIB, STPSIB, GRPRN, FAMMEMB, "
        "FRND, x-regular-visitor, x-professional-carer)",
    ),
    (
        "unknown sex",
        _set("people.0.sex", "m"),
        'people[0] (id "p1"): sex: "m" is not one of: female, male, other, unknown, not-stated',
    ),
    (
        "not true or false",
        _set("care_arrangements.0.overnight", "yes"),
        'care_arrangements[0]: overnight: "yes" is not true or false',
    ),
    (
        "unknown place",
        _set("care_arrangements.0.place", "nursery"),
        'care_arrangements[0]: place: "nursery" is not one of: child-home, carer-home, elsewhere',
    ),
    (
        "name not text",
        _set("people.0.given_name", 42),
        'people[0] (id "p1"): given_name: 42 is not text',
    ),
    (
        "name too long",
        _set("people.0.family_name", "x" * 101),
        'people[0] (id "p1"): family_name: is longer than 100 characters',
    ),
    (
        "unknown team",
        _set("networks.0.allocations.0.team", "Night team"),
        'networks[0] (id "n1"): allocations[0]: no team "Night team" in agency '
        '"Northshire Community Health Trust"',
    ),
    (
        "allocation without a start",
        _set("networks.0.allocations.0.start", None),
        'networks[0] (id "n1"): allocations[0].start: is missing',
    ),
    (
        "unknown user",
        _set("people.1.provenance.birth_date.recorded_by", "hv.nobody"),
        'people[1] (id "p2"): provenance.birth_date.recorded_by: no user "hv.nobody": add the user first, '
        "or change the name",
    ),
    (
        "time without a time zone",
        _set("relationships.0.provenance", {**SAID, "recorded_at": "2025-10-16T10:00:00"}),
        'relationships[0]: provenance.recorded_at: "2025-10-16T10:00:00" is not a date and time with a time '
        "zone (use ISO 8601, like 2026-01-05T10:30:00Z)",
    ),
    (
        "said by nobody",
        _set("relationships.0.provenance", {**SAID, "detail": ""}),
        "relationships[0]: provenance.detail: is empty: say who said it "
        '(needed when the source is "said-by")',
    ),
    (
        "unknown source",
        _set("relationships.0.provenance", {**SAID, "source": "gossip"}),
        'relationships[0]: provenance.source: "gossip" is not one of: said-by, seen-directly, '
        "birth-registration, national-demographics, other-agency",
    ),
    (
        "field provenance without a source",
        _set("people.1.provenance.birth_date", {"detail": "x"}),
        'people[1] (id "p2"): provenance.birth_date.source: is missing (one of: said-by, seen-directly, '
        "birth-registration, national-demographics, other-agency)",
    ),
    (
        "provenance of no field",
        _set("people.1.provenance.shoe_size", SAID),
        'people[1] (id "p2"): provenance.shoe_size: is not a person field (expected one of: given_name, '
        "family_name, name_absent_reason, sex, birth_date, birth_date_accuracy, birth_date_latest, "
        "death_date, death_date_accuracy, death_date_latest, nhs_number, "
        "phone, phone_masked, email, seen_directly_on)",
    ),
    (
        "blank other name",
        _set("people.1.other_names", [{"kind": "previous"}]),
        'people[1] (id "p2"): other_names[0].given_name: is empty, and so is family_name: '
        "enter the other name",
    ),
    (
        "fact without a value",
        _set("people.1.facts", {"adult-services": {"value": " "}}),
        'people[1] (id "p2"): facts.adult-services.value: is empty',
    ),
    (
        "duplicate person id",
        _set("people.3.id", "p1"),
        'people[3] (id "p1"): id: "p1" is already used by people[0]',
    ),
    (
        "bad id",
        _set("people.3.id", "p 4"),
        "people[3] (id \"p 4\"): id: \"p 4\" is not an id (letters, digits, '-', '_' or '.', at most 40)",
    ),
    (
        "person in no network",
        _add("people", AMY),
        'people[4] (id "p5"): is not in any family network: list them in a network\'s members',
    ),
    (
        "listed twice in a network",
        _set("networks.0.other_members", ["p2", "p3", "p1"]),
        'networks[0] (id "n1"): other_members[2]: "p1" is listed twice in this network',
    ),
    (
        "network without index child",
        _set("networks.1.index_children", []),
        'networks[1] (id "n2"): index_children: is empty: '
        "a family network is around at least one index child",
    ),
    (
        "network without a name",
        _set("networks.1.name", ""),
        'networks[1] (id "n2"): name: is empty',
    ),
    (
        "no networks",
        _set("networks", []),
        "networks: is empty: a family file holds at least one family network",
    ),
    (
        "household nobody lives in",
        _add("households", {"id": "h3", "postcode": "ZZ99 3AA"}),
        'households[2] (id "h3"): nobody lives here: add a residence for it',
    ),
    (
        "household without an address",
        _set("households.1", {"id": "h2", "town": "Westbrook"}),
        'households[1] (id "h2"): address_line_1: Enter the first line of the address or the postcode',
    ),
    (
        "bad postcode",
        _set("households.0.postcode", "NOT A CODE"),
        'households[0] (id "h1"): postcode: Enter a real postcode, like SW1A 1AA',
    ),
    (
        "unknown household",
        _set("residences.2.household", "h7"),
        'residences[2]: household: no household with id "h7"',
    ),
    (
        "symmetric relationship twice",
        _add(
            "relationships",
            {"from": "p2", "to": "p3", "type": "x-former-partner"},
            {"from": "p3", "to": "p2", "type": "x-former-partner"},
        ),
        "relationships[4]: type: this relationship is already in the file at relationships[3]",
    ),
    (
        "parental responsibility twice",
        _add("parental_responsibility", {"person": "p2", "child": "p1", "basis": "court-order"}),
        "parental_responsibility[1]: start: Jess Brookes already has a parental responsibility record "
        "for this child at that time: end it first, or change the dates",
    ),
    (
        "parental responsibility for oneself",
        _add("parental_responsibility", {"person": "p1", "child": "p1", "basis": "unknown"}),
        "parental_responsibility[1]: person: a child cannot hold parental responsibility for themselves",
    ),
    (
        "unknown basis",
        _set("parental_responsibility.0.basis", "mother"),
        'parental_responsibility[0]: basis: "mother" is not one of: birth-mother, married, '
        "joint-registration, agreement, court-order, adoption-order, parental-order, "
        "special-guardianship, child-arrangements, none, unknown",
    ),
    (
        "people not a list",
        _set("people", {}),
        "people: must be a list [...], not {}",
    ),
    (
        "record not an object",
        _set("relationships.0", "p2 is mother of p1"),
        'relationships[0]: must be an object {...}, not "p2 is mother of p1"',
    ),
    (
        "unknown top-level field",
        _set("famillies", []),
        "famillies: is not a field of a family file (expected one of: kinmap-family-file, description, "
        "reference_date, masked_details, networks, people, households, relationships, residences, "
        "care_arrangements, parental_responsibility, care_orders, joint_appointments, information_given, "
        "chronology, gaps, contacts, supervisor_decisions, information_requests, sharing_decisions)",
    ),
    (
        "masked details withheld",
        _set("masked_details", "withheld"),
        "masked_details: this file was exported with masked details withheld, so it cannot be imported: "
        "export it again with --include-masked",
    ),
    (
        "another version",
        _set("kinmap-family-file", 3),
        "kinmap-family-file: version 3 is not supported (this kinmap reads versions 1, 2)",
    ),
]


def test_the_base_file_imports(accounts: User) -> None:
    load(base())
    assert m.FamilyNetwork.objects.count() == 2
    assert m.Person.objects.count() == 4


@pytest.mark.parametrize(
    ("change", "message"), [(c, msg) for _, c, msg in CASES], ids=[n for n, _, _ in CASES]
)
def test_refused_with_the_record_and_field_named(
    accounts: User, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = base()
    change(doc)
    assert message in refused(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{,", "line 1, column 2: not valid JSON: Expecting property name enclosed in double quotes"),
        (
            "[1, 2]",
            "kinmap-family-file: is missing: this is not a kinmap family file (see docs/family-file.md)",
        ),
        (
            '{"people": []}',
            "kinmap-family-file: is missing: this is not a kinmap family file (see docs/family-file.md)",
        ),
    ],
)
def test_not_a_family_file(accounts: User, text: str, message: str) -> None:
    assert refused(text) == [message]


def test_every_problem_is_listed_at_once(accounts: User) -> None:
    doc = base()
    doc["people"][3]["birth_date"] = "2025-13-01"
    doc["relationships"][2]["to"] = "p9"
    doc["care_arrangements"][0]["overnight"] = "yes"
    doc["networks"][0]["allocations"][0]["start"] = "soon"
    assert refused(doc) == [
        'people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)',
        'networks[0] (id "n1"): allocations[0].start: "soon" is not a date (use YYYY-MM-DD)',
        'care_arrangements[0]: overnight: "yes" is not true or false',
    ]
    # references are checked once the structure is sound: the bad reference comes next
    doc["people"][3]["birth_date"] = "2021-02-20"
    doc["care_arrangements"][0]["overnight"] = True
    doc["networks"][0]["allocations"][0]["start"] = "2025-10-16"
    assert refused(doc) == ['relationships[2]: to: no person with id "p9"']


def test_a_refusal_while_loading_undoes_everything(accounts: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record refused by its service after others were written: all of it is undone,
    and the refusal names the file record."""

    def refuse(**kwargs: Any) -> None:
        raise RecordError("Refused for this test", field="place")

    monkeypatch.setattr(s, "care_create", refuse)
    assert refused(base()) == ["care_arrangements[0]: place: Refused for this test"]


def test_shifting_dates_needs_a_reference_date(accounts: User) -> None:
    with pytest.raises(FamilyFileError) as info:
        family_file_read(json.dumps(base()), shift_to=timezone.localdate())
    assert info.value.messages == ["reference_date: is missing: it is needed to move the dates"]


# -- the command line --------------------------------------------------------


def test_import_command_lists_the_problems(accounts: User, tmp_path: Path) -> None:
    doc = base()
    doc["people"][3]["birth_date"] = "2025-13-01"
    doc["relationships"][2]["to"] = "p9"
    path = tmp_path / "family.json"
    path.write_text(json.dumps(doc))
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), "--as", "health.visitor", "--reason", "test")
    assert str(info.value) == (
        "family.json was not imported, and nothing was saved: "
        'people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)'
    )
    assert info.value.returncode == 2
    assert snapshot() == before
    doc["networks"][0]["name"] = ""
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), "--as", "health.visitor", "--reason", "test")
    assert str(info.value) == (
        "family.json was not imported, and nothing was saved. 2 problems:\n"
        '  people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)\n'
        '  networks[0] (id "n1"): name: is empty'
    )
    assert info.value.returncode == 2
    assert snapshot() == before


def test_import_command_refuses_an_unknown_user_and_a_missing_file(accounts: User, tmp_path: Path) -> None:
    path = tmp_path / "family.json"
    path.write_text(json.dumps(base()))
    with pytest.raises(
        CommandError, match='No user "nobody": give the user name of an existing account with --as'
    ):
        call_command("import", str(path), "--as", "nobody", "--reason", "test")
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.json: No such file or directory"):
        call_command("import", str(tmp_path / "missing.json"), "--as", "health.visitor", "--reason", "test")
    assert m.Person.objects.count() == 0


def test_import_command_exits_non_zero_with_the_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kinmap-family-file": 1, "networks": [}')
    done = run_kinmap(tmp_path, "import", str(bad), "--as", "health.visitor", "--reason", "test")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "CommandError: bad.json was not imported, and nothing was saved: "
        "line 1, column 40: not valid JSON: Expecting value\n"
    )
