from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import PASSWORD, index_child


@pytest.mark.django_db
def test_api_needs_sign_in_and_answers_a_problem_document(client: Client) -> None:
    response = client.get("/api/v1/families")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not signed in",
        "status": 401,
        "detail": "Sign in to kinmap to use the API",
    }


@pytest.mark.django_db
def test_missing_and_forbidden_families_answer_the_same(
    client: Client, outsider: User, baby_network: m.FamilyNetwork
) -> None:
    client.login(username=outsider.username, password=PASSWORD)
    forbidden = client.get(f"/api/v1/families/{baby_network.pk}")
    missing = client.get("/api/v1/families/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert (
        forbidden.json()
        == missing.json()
        == {
            "type": "about:blank",
            "title": "Not found",
            "status": 404,
            "detail": "No family network found",
        }
    )


@pytest.mark.django_db
def test_family_read_is_audited_and_describes_the_father(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    child = index_child(baby_network)
    father = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(
            given_name="Dan",
            family_name="Testfather",
            sex="male",
            birth_date=date(1995, 5, 1),
            birth_date_accuracy="estimated",
        ),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    client.login(username=owner.username, password=PASSWORD)
    before = AuditEvent.objects.filter(action="view", object_type="network", channel="api").count()
    response = client.get(f"/api/v1/families/{baby_network.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (
        AuditEvent.objects.filter(action="view", object_type="network", channel="api").count() == before + 1
    )
    rel = next(r for r in body["relationships"] if r["from_person"] == father.pk)
    assert rel["type"] == "NFTH"
    assert rel["hl7_role_code"] == "NFTH"
    person = next(p for p in body["people"] if p["id"] == father.pk)
    assert person["description"] == {str(child.pk): "Birth father · address not recorded"}


@pytest.mark.django_db
def test_masked_address_never_leaves_the_server_for_someone_not_entitled(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    child = index_child(baby_network)
    s.residence_create(
        actor=owner,
        network=baby_network,
        person=child,
        address=s.AddressData(address_line_1="7 Canary Refuge Row", postcode="ZZ9 9ZZ", masked=True),
    )
    client.login(username=owner.username, password=PASSWORD)
    response = client.get(f"/api/v1/families/{baby_network.pk}")
    assert response.status_code == 200
    assert "Canary" not in response.content.decode()
    assert response.json()["households"][0]["masked"] is True


@pytest.mark.django_db
def test_openapi_document_lists_the_family_endpoints(client: Client, owner: User) -> None:
    client.login(username=owner.username, password=PASSWORD)
    doc = client.get("/api/v1/openapi.json").json()
    assert set(doc["paths"]) >= {"/api/v1/families", "/api/v1/families/{network_id}"}
