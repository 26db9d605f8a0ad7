"""A father recorded twice: once in his son's family network and once in his
daughter's, and the second record also (wrongly) in the son's network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from kinmap.accounts.models import Role, Team, User
from kinmap.merging import relations
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import index_child, make_user


@dataclass
class TwoRecords:
    son_net: m.FamilyNetwork
    daughter_net: m.FamilyNetwork
    first: m.Person  # the older record: survives a merge
    second: m.Person
    son: m.Person
    daughter: m.Person


def _network(actor: User, given: str, born: date) -> m.FamilyNetwork:
    return s.network_create(
        actor=actor,
        child=s.PersonData(
            given_name=given, family_name="Merrow", birth_date=born, birth_date_accuracy="accurate"
        ),
    )


def _member(net: m.FamilyNetwork, **fields: Any) -> m.Person:
    p = m.Person.objects.create(**fields)
    m.NetworkMember.objects.create(network=net, person=p)
    return p


@pytest.fixture
def supervisor(health_team: Team) -> User:
    return make_user("hv.supervisor", health_team, Role.SUPERVISOR)


@pytest.fixture
def two_records(owner: User) -> TwoRecords:
    son_net = _network(owner, "Alfie", date(2026, 9, 1))
    daughter_net = _network(owner, "Mia", date(2024, 3, 5))
    son, daughter = index_child(son_net), index_child(daughter_net)
    first = _member(son_net, given_name="Daniel", family_name="Merrow", nhs_number="9434765919", sex="male")
    second = _member(
        daughter_net, given_name="Dan", family_name="Merrow", birth_date=date(1990, 4, 2), phone="07700900123"
    )
    m.NetworkMember.objects.create(network=son_net, person=second, is_index=False)
    m.Relationship.objects.create(from_person=first, to_person=son, type="NFTH", source="said-by")
    m.Relationship.objects.create(from_person=second, to_person=son, type="NFTH", source="said-by")
    m.Relationship.objects.create(from_person=second, to_person=daughter, type="NFTH")
    m.Relationship.objects.create(from_person=first, to_person=second, type="SIB")
    m.CareArrangement.objects.create(carer=second, child=daughter, place="carer-home", overnight=True)
    m.ParentalResponsibility.objects.create(person=first, child=son, basis="joint-registration")
    m.ParentalResponsibility.objects.create(person=second, child=daughter, basis="joint-registration")
    m.PersonFact.objects.create(person=first, key="smokes", value="no", source="said-by")
    m.PersonFact.objects.create(person=second, key="smokes", value="yes", source="other-agency")
    m.PersonFact.objects.create(person=second, key="works", value="nights", source="said-by")
    m.OtherName.objects.create(person=second, kind="alias", given_name="Danny", family_name="Merrow")
    flat = m.Household.objects.create(address_line_1="1 Quay Street", postcode="NS1 4AB")
    m.Residence.objects.create(person=second, household=flat)
    m.FamilyNetwork.objects.filter(pk=son_net.pk).update(version=5)
    return TwoRecords(son_net, daughter_net, first, second, son, daughter)


def family_snapshot(*person_ids: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that refers to any of ``person_ids``, and their person rows,
    as Django serialises them (all fields), by model. The gaps app's rows are
    left out: gaps are recomputed from the record after a merge and an undo."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model, fields in relations.person_links():
        if model._meta.app_label == "gaps":
            continue
        q = None
        for f in fields:
            part = m.models.Q(**{f"{f.attname}__in": person_ids})
            q = part if q is None else q | part
        rows = relations._serialise(model._base_manager.filter(q).order_by("pk"))
        if rows:
            out[model._meta.label_lower] = rows
    people = relations._serialise(m.Person.objects.filter(pk__in=person_ids).order_by("pk"))
    for p in people:
        p["fields"].pop("version")
        p["fields"].pop("updated_at")
    out["records.person"] = people
    return out
