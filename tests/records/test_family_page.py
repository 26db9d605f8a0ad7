from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import PASSWORD, index_child


def _grow(network: m.FamilyNetwork, actor: User, n: int) -> None:
    """Add n people around the index child, each with a relationship, an address, care,
    parental responsibility and another name, every fact with its source."""
    child = index_child(network)
    for i in range(n):
        p = s.person_add(
            actor=actor,
            network=network,
            data=s.PersonData(
                given_name=f"Relative{i}",
                family_name="Testfamily",
                birth_date=date(1980, 1, 1) + timedelta(days=i),
                birth_date_accuracy="accurate",
            ),
            related_to=child,
            relationship=s.RelationshipData(type="FAMMEMB"),
            source=s.Source_("seen-directly"),
        )
        s.residence_create(
            actor=actor,
            network=network,
            person=p,
            address=s.AddressData(address_line_1=f"{i} Test Street", postcode="ZZ1 1ZZ"),
        )
        s.care_create(
            actor=actor,
            network=network,
            carer=p,
            child=child,
            data=s.CareData(place="carer-home", overnight=i % 2 == 0),
            source=s.Source_("said-by", "the mother"),
        )
        s.pr_set(actor=actor, network=network, person=p, child=child, basis="unknown")
        s.other_name_add(
            actor=actor, network=network, person=p, kind="previous", given_name="", family_name=f"Oldname{i}"
        )


# The family page's statements, whatever the size of the family: the session
# and the user (2), the network and the audit record of the read (2), and
# what the page reads about the family
# (kinmap.records.page_load.family_page_reads): the record (8: members,
# relationships, people, other names, facts, stays, care, parental
# responsibility, each with who recorded it), what carers were given (2),
# which other networks hold its people and addresses (2), the gaps with their
# events, rule settings and the open contact (4), supervision's decisions with
# their actions (1), the carers' materials (1) and the count of notifications
# (1). Nothing is written for the session of a reading page
# (kinmap.web.sessions). On PostgreSQL what the page reads about the family is
# sent as one text of its 19 statements (kinmap.records.pipelined), counted
# once.
FAMILY_PAGE_QUERIES = {"sqlite": 23, "postgresql": 5}


def _page_queries(client: Client, network: m.FamilyNetwork) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("family", args=[network.pk]))
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_family_page_queries_do_not_grow_with_family_size(owner: User, client: Client) -> None:
    small = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Small",
            family_name="Testbaby",
            birth_date=date(2026, 1, 1),
            birth_date_accuracy="accurate",
        ),
    )
    big = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Big",
            family_name="Testbaby",
            birth_date=date(2026, 1, 1),
            birth_date_accuracy="accurate",
        ),
    )
    _grow(small, owner, 2)
    _grow(big, owner, 29)
    assert m.NetworkMember.objects.filter(network=small).count() == 3
    assert m.NetworkMember.objects.filter(network=big).count() == 30
    client.login(username=owner.username, password=PASSWORD)
    assert (
        _page_queries(client, small) == _page_queries(client, big) == FAMILY_PAGE_QUERIES[connection.vendor]
    )
    # and the page shows what those queries loaded
    html = client.get(reverse("family", args=[big.pk])).content.decode()
    assert html.count("Previously Oldname") == 29
    assert html.count("Not known</dd>") >= 29  # parental responsibility: basis not known
    assert html.count("Said by the mother · recorded by hv.owner on") == 29


@pytest.mark.django_db
def test_person_page_queries_do_not_grow_with_family_size(owner: User, client: Client) -> None:
    small = s.network_create(actor=owner, child=s.PersonData(given_name="Small", family_name="Testbaby"))
    big = s.network_create(actor=owner, child=s.PersonData(given_name="Big", family_name="Testbaby"))
    _grow(small, owner, 2)
    _grow(big, owner, 29)
    client.login(username=owner.username, password=PASSWORD)

    def queries(network: m.FamilyNetwork) -> int:
        person = m.NetworkMember.objects.filter(network=network, is_index=False).first()
        assert person is not None
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("person", args=[network.pk, person.person_id]))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert queries(small) == queries(big)


@pytest.mark.django_db
def test_family_page_describes_father_living_elsewhere_with_overnight_care(
    owner: User, client: Client, baby_network: m.FamilyNetwork
) -> None:
    child = index_child(baby_network)
    mother = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Mara", family_name="Testmother", sex="female"),
        related_to=child,
        relationship=s.RelationshipData(type="NMTH"),
    )
    home = s.residence_create(
        actor=owner,
        network=baby_network,
        person=mother,
        address=s.AddressData(address_line_1="1 Home Road", postcode="ZZ1 1AA"),
    )
    s.residence_create(actor=owner, network=baby_network, person=child, household=home.household)
    father = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    s.residence_create(
        actor=owner,
        network=baby_network,
        person=father,
        address=s.AddressData(address_line_1="9 Away Lane", postcode="ZZ2 2BB"),
    )
    s.care_create(
        actor=owner,
        network=baby_network,
        carer=father,
        child=child,
        data=s.CareData(place="carer-home", frequency="on Fridays", overnight=True),
    )
    client.login(username=owner.username, password=PASSWORD)
    html = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    assert (
        "Birth father · lives elsewhere · has the baby overnight (on Fridays) at the carer&#x27;s home"
        in html
    )
    assert "Birth mother · lives with the child" in html


@pytest.mark.django_db
def test_father_s_child_in_another_network_is_shown_but_not_her_mother(
    owner: User, client: Client, baby_network: m.FamilyNetwork
) -> None:
    child = index_child(baby_network)
    father = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    other = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Mia",
            family_name="Testhalf",
            birth_date=date(2021, 4, 4),
            birth_date_accuracy="accurate",
        ),
    )
    mia = index_child(other)
    s.person_add(
        actor=owner,
        network=other,
        data=s.PersonData(given_name="Dee", family_name="Testformer", sex="female"),
        related_to=mia,
        relationship=s.RelationshipData(type="NMTH"),
    )
    s.relationship_create(
        actor=owner,
        network=baby_network,
        from_person=father,
        to_person=mia,
        data=s.RelationshipData(type="NFTH"),
    )
    dee = m.Person.objects.get(given_name="Dee")
    s.relationship_create(
        actor=owner,
        network=other,
        from_person=dee,
        to_person=father,
        data=s.RelationshipData(type="x-former-partner"),
    )
    client.login(username=owner.username, password=PASSWORD)
    html = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    section = html[html.index("Recorded in other family networks") :]
    assert "Mia Testhalf" in section
    assert "Dee Testformer" not in html
