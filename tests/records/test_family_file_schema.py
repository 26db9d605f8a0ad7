"""The family file format is declared once, in pydantic models
(kinmap/records/family_file/schema.py): what export writes is what the models
declare, field for field and in the same order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from kinmap.records.family_file import schema as sc
from kinmap.records.family_file.history_schema import HistoryDocument
from tests.records.family_files import _both, _info, _invite, accounts, base

__all__ = ["accounts"]  # the fixture, shared with the other import tests

RECORDS: dict[str, type[sc.Record]] = {
    "networks": sc.Network,
    "people": sc.Person,
    "households": sc.Household,
    "relationships": sc.Relationship,
    "residences": sc.Residence,
    "care_arrangements": sc.CareArrangement,
    "parental_responsibility": sc.ParentalResponsibility,
    "joint_appointments": sc.JointAppointment,
    "information_given": sc.InformationGiven,
}


def keys(model: type[sc.Record]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


@pytest.mark.django_db
def test_export_writes_the_fields_the_schema_declares_in_its_order(accounts: User) -> None:
    doc = base()
    doc["people"][1]["facts"] = {"adult-services": {"value": "None", "provenance": None}}
    doc["people"][1]["other_names"] = [{"kind": "previous", "family_name": "Hollis"}]
    doc["networks"][0]["allocations"][0]["end"] = None
    _both(_invite(), _info(person="p3", how="joint-appointment", given_on="2025-11-24", appointment="a1"))(
        doc
    )
    family_file_import(family_file=family_file_read(json.dumps(doc)), actor=None, file_name="x.json")
    written: dict[str, Any] = json.loads(family_file_export(m.FamilyNetwork.objects.all()).text)

    assert set(written) <= set(keys(HistoryDocument))
    for section, model in RECORDS.items():
        assert written[section], section
        for record in written[section]:
            assert list(record) == keys(model), section
    person = written["people"][1]
    assert list(person["other_names"][0]) == keys(sc.OtherName)
    assert list(person["facts"]["adult-services"]) == keys(sc.Fact)
    assert list(person["provenance"]["birth_date"]) == keys(sc.FieldProvenance)
    assert list(written["networks"][0]["allocations"][0]) == keys(sc.Allocation)
