"""Importing a family file checks names and identifiers as the pages do: each
refusal names the record and the field, and nothing at all is saved; digits in
other scripts are stored as ASCII and names in NFC."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kinmap.accounts.models import Agency, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.family_file import FamilyFileError, family_file_import, family_file_read

AGENCY, TEAM = "Northshire Community Health Trust", "Eastfield health visiting team"
HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"
RLO = "\u202e"
PLACEHOLDER = "An NHS number cannot be all the same digit: enter the real NHS number, or leave it empty"

BASE: dict[str, Any] = {
    "kinmap-family-file": 1,
    "networks": [
        {
            "id": "n1",
            "name": "Family of Theo Testbrook",
            "index_children": ["p1"],
            "other_members": ["p2"],
            "allocations": [{"agency": AGENCY, "team": TEAM, "start": "2025-10-16"}],
        }
    ],
    "people": [
        {
            "id": "p1",
            "given_name": "Theo",
            "family_name": "Testbrook",
            "sex": "male",
            "birth_date": "2025-10-06",
            "nhs_number": "9995472805",
        },
        {
            "id": "p2",
            "given_name": "Jess",
            "family_name": "Testbrook",
            "sex": "female",
            "birth_date": "2001-03-14",
            "other_names": [{"kind": "previous", "given_name": "Jess", "family_name": "Oldname"}],
        },
    ],
    "households": [{"id": "h1", "address_line_1": "Flat 2, 14 Larch Road", "postcode": "ZZ99 1AB"}],
    "relationships": [{"from": "p2", "to": "p1", "type": "NMTH"}],
    "residences": [{"person": "p2", "household": "h1"}, {"person": "p1", "household": "h1"}],
    "care_arrangements": [{"carer": "p2", "child": "p1", "place": "child-home", "frequency": "daily"}],
}
MODELS = [m.FamilyNetwork, m.Person, m.OtherName, m.Household, m.Residence, m.CareArrangement, AuditEvent]


@pytest.fixture
def accounts(db: None) -> None:
    Team.objects.create(agency=Agency.objects.create(name=AGENCY, kind="health"), name=TEAM)
    User.objects.create(username="health.visitor")


def with_change(path: str, value: Any) -> dict[str, Any]:
    """The base file with the value at a dotted path ("people.1.given_name") set."""
    doc = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value
    return doc


def load(doc: dict[str, Any]) -> None:
    family_file_import(family_file=family_file_read(json.dumps(doc)), actor=None, file_name="test.json")


def refused(doc: dict[str, Any]) -> list[str]:
    before = {model.__name__: model.objects.count() for model in MODELS}
    with pytest.raises(FamilyFileError) as info:
        load(doc)
    assert {model.__name__: model.objects.count() for model in MODELS} == before
    return info.value.messages


@pytest.mark.usefixtures("accounts")
@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "people.0.given_name",
            f"{RLO}oehT",
            f'people[0] (id "p1"): given_name: Given name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)',
        ),
        (
            "people.1.family_name",
            "\u200b\u200b",
            f'people[1] (id "p2"): family_name: Family name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)',
        ),
        (
            "people.1.given_name",
            "\u0301\u0301",
            'people[1] (id "p2"): given_name: Enter a given name that contains at least one letter',
        ),
        ("people.0.nhs_number", "0000000000", f'people[0] (id "p1"): nhs_number: {PLACEHOLDER}'),
        ("people.0.nhs_number", "\u0667" * 10, f'people[0] (id "p1"): nhs_number: {PLACEHOLDER}'),
        (
            "people.1.other_names.0.given_name",
            "\u200d",
            f'people[1] (id "p2"): other_names[0].given_name: Other given name {HIDDEN} '
            "(it has U+200D ZERO WIDTH JOINER)",
        ),
        (
            "networks.0.name",
            f"Family of {RLO}oehT",
            f'networks[0] (id "n1"): name: The name of the family network {HIDDEN} '
            "(it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            "households.0.address_line_1",
            f"Flat 2{RLO}",
            f'households[0] (id "h1"): address_line_1: Address line 1 {HIDDEN} '
            "(it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            "relationships.0.provenance",
            {"source": "said-by", "detail": "Jess\u2066 Testbrook"},
            f"relationships[0]: provenance.detail: The detail {HIDDEN} (it has U+2066 LEFT-TO-RIGHT ISOLATE)",
        ),
        (
            "care_arrangements.0.frequency",
            "daily\u2067",
            f"care_arrangements[0]: frequency: How often {HIDDEN} (it has U+2067 RIGHT-TO-LEFT ISOLATE)",
        ),
    ],
)
def test_an_imported_name_or_number_that_is_not_what_it_seems_is_refused(
    path: str, value: Any, message: str
) -> None:
    assert refused(with_change(path, value)) == [message]


@pytest.mark.usefixtures("accounts")
def test_imported_digits_are_stored_as_ascii_and_names_in_nfc() -> None:
    doc = with_change("people.0.nhs_number", "\uff19\uff19\uff19 \uff15\uff14\uff17 \uff12\uff18\uff10\uff15")
    doc["people"][1]["given_name"] = "Zoe\u0308"
    doc["people"][1]["other_names"][0]["family_name"] = "Ame\u0301lie"
    doc["households"][0]["postcode"] = "\uff3a\uff3a\uff19\uff19 \uff11\uff21\uff22"
    load(doc)
    assert m.Person.objects.get(given_name="Theo").nhs_number == "9995472805"
    assert m.Person.objects.filter(given_name="Zo\u00eb").count() == 1
    assert m.OtherName.objects.get().family_name == "Am\u00e9lie"
    assert m.Household.objects.get().postcode == "ZZ99 1AB"
