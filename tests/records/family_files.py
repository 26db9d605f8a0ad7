"""Family files for the import tests: a valid file (:func:`base`) and changes
to it, the accounts its allocations name, and the import that must be refused
with nothing saved (:func:`refused`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kinmap.accounts.models import Agency, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from kinmap.records import models as m
from kinmap.records.family_file import FamilyFileError, family_file_import, family_file_read

HEALTH, HV_TEAM = "Northshire Community Health Trust", "Eastfield health visiting team"
SOCIAL, SC_TEAM = "Northshire Children's Social Care", "Assessment team"

SAID = {
    "source": "said-by",
    "detail": "Jess Brookes",
    "recorded_by": "health.visitor",
    "recorded_at": "2025-10-16T10:00:00Z",
}


def base() -> dict[str, Any]:
    """A valid file: Theo lives with his mother Jess; his father Kyle lives
    elsewhere, has him on Friday nights, and has a daughter Lily in another network."""
    return copy.deepcopy(
        {
            "kinmap-family-file": 1,
            "networks": [
                {
                    "id": "n1",
                    "name": "Family of Theo Brookes",
                    "index_children": ["p1"],
                    "other_members": ["p2", "p3"],
                    "allocations": [{"agency": HEALTH, "team": HV_TEAM, "start": "2025-10-16"}],
                },
                {
                    "id": "n2",
                    "name": "Family of Lily Dunn",
                    "index_children": ["p4"],
                    "other_members": ["p3"],
                    "allocations": [{"agency": SOCIAL, "team": SC_TEAM, "start": "2025-09-01"}],
                },
            ],
            "people": [
                {
                    "id": "p1",
                    "given_name": "Theo",
                    "family_name": "Brookes",
                    "sex": "male",
                    "birth_date": "2025-10-06",
                    "nhs_number": "9995472805",
                },
                {
                    "id": "p2",
                    "given_name": "Jess",
                    "family_name": "Brookes",
                    "sex": "female",
                    "birth_date": "2001-03-14",
                    "provenance": {"birth_date": SAID},
                },
                {"id": "p3", "given_name": "Kyle", "family_name": "Dunn", "sex": "male"},
                {"id": "p4", "given_name": "Lily", "family_name": "Dunn", "birth_date": "2021-02-20"},
            ],
            "households": [
                {"id": "h1", "address_line_1": "Flat 2, 14 Larch Road", "postcode": "ZZ99 1AB"},
                {"id": "h2", "address_line_1": "Heron Court", "town": "Westbrook"},
            ],
            "relationships": [
                {"from": "p2", "to": "p1", "type": "NMTH", "provenance": SAID},
                {"from": "p3", "to": "p1", "type": "NFTH"},
                {"from": "p3", "to": "p4", "type": "NFTH"},
            ],
            "residences": [
                {"person": "p2", "household": "h1", "start": "2024-03-01"},
                {"person": "p1", "household": "h1", "start": "2025-10-08"},
                {"person": "p3", "household": "h2"},
            ],
            "care_arrangements": [
                {
                    "carer": "p3",
                    "child": "p1",
                    "place": "carer-home",
                    "frequency": "on Friday nights",
                    "overnight": True,
                }
            ],
            "parental_responsibility": [{"person": "p2", "child": "p1", "basis": "birth-mother"}],
        }
    )


@pytest.fixture
def accounts(db: None) -> User:
    health = Agency.objects.create(name=HEALTH, kind="health")
    team = Team.objects.create(agency=health, name=HV_TEAM)
    social = Agency.objects.create(name=SOCIAL, kind="social-care")
    Team.objects.create(agency=social, name=SC_TEAM)
    return User.objects.create(username="health.visitor", team=team)


MODELS = [
    m.FamilyNetwork,
    m.Allocation,
    m.NetworkMember,
    m.Person,
    m.OtherName,
    m.PersonFact,
    m.Relationship,
    m.Household,
    m.Residence,
    m.CareArrangement,
    m.ParentalResponsibility,
    cm.JointAppointment,
    cm.InformationGiven,
    AuditEvent,
]


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def load(doc: dict[str, Any] | str, actor: User | None = None) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    family_file_import(family_file=family_file_read(text), actor=actor, file_name="test.json")


def refused(doc: dict[str, Any] | str) -> list[str]:
    """Import, expecting refusal; check nothing was saved; return the messages."""
    before = snapshot()
    with pytest.raises(FamilyFileError) as info:
        load(doc)
    assert snapshot() == before
    return info.value.messages


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the base file: set the value at a dotted path ("people.3.birth_date")."""

    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return apply


def _add(key: str, *items: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc.setdefault(key, []).extend(copy.deepcopy(items))

    return apply


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        for change in changes:
            change(doc)

    return apply


def _future() -> str:
    return (timezone.localdate() + timedelta(days=30)).isoformat()


JESS_ICON = {
    "network": "n1",
    "person": "p2",
    "material": "icon",
    "how": "in-person",
    "given_on": "2025-10-16",
    "given_by": "health.visitor",
}
KYLE_INVITED = {
    "id": "a1",
    "network": "n1",
    "person": "p3",
    "contact_on": "2025-11-24",
    "contact_type": "6-8-weeks",
    "invited_on": "2025-11-10",
    "outcome": "attended",
}


def _info(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """A second record of information given (information_given[1]), changed."""
    return _add("information_given", JESS_ICON, {**JESS_ICON, "material": "safer-sleep", **changes})


def _invite(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return _add("joint_appointments", {**KYLE_INVITED, **changes})
