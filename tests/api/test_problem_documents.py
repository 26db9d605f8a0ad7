"""Every error the API gives is a problem document, and the OpenAPI document
says so for every status each operation answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kinmap.accounts.models import User
from kinmap.records import models as m
from tests.conftest import PASSWORD

PROBLEM = "application/problem+json"


def _document(client: Client, user: User) -> dict[str, Any]:
    client.login(username=user.username, password=PASSWORD)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", op) for path, item in doc["paths"].items() for method, op in item.items()
    ]


@pytest.mark.django_db
def test_every_operation_documents_its_errors_as_problem_documents(client: Client, owner: User) -> None:
    doc = _document(client, owner)
    problem_schema = {"$ref": "#/components/schemas/Problem"}
    for label, op in _operations(doc):
        responses = op["responses"]
        assert "401" in responses, f"{label}: 401 (not signed in) is not documented"
        if "{network_id}" in label:
            assert {"404", "422"} <= set(responses), f"{label}: 404 and 422 are not documented"
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM: {"schema": problem_schema}}, (label, status)
    assert set(doc["components"]["schemas"]["Problem"]["required"]) == {"title", "status", "detail"}


@pytest.mark.django_db
def test_the_fhir_bundle_is_documented_and_sent_as_fhir_json(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    doc = _document(client, owner)
    documented = doc["paths"]["/api/v1/families/{network_id}/fhir"]["get"]["responses"]["200"]["content"]
    response = client.get(f"/api/v1/families/{baby_network.pk}/fhir")
    assert response.status_code == 200
    assert list(documented) == [response["Content-Type"]] == ["application/fhir+json"]
    assert response.json()["resourceType"] == "Bundle"


@pytest.mark.django_db
def test_the_openapi_document_needs_sign_in_and_says_so_with_a_401(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert (response.status_code, response["Content-Type"]) == (401, PROBLEM)
    assert response.json()["title"] == "Not signed in"


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        ("post", "/api/v1/families", 405, "POST is not allowed here: use GET"),
        ("delete", "/api/v1/families/1", 405, "DELETE is not allowed here: use GET"),
        ("put", "/api/v1/families/1/fhir", 405, "PUT is not allowed here: use GET"),
        ("get", "/api/v1/nowhere", 404, "There is nothing at this address in the kinmap API"),
        ("get", "/api/v1/families/1/people", 404, "There is nothing at this address in the kinmap API"),
    ],
)
def test_answers_outside_the_operations_are_problem_documents_too(
    client: Client, owner: User, signed_in: bool, method: str, path: str, status: int, detail: str
) -> None:
    if signed_in:
        client.login(username=owner.username, password=PASSWORD)
    response = getattr(client, method)(path)
    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert response.json() == {
        "type": "about:blank",
        "title": {404: "Not found", 405: "Method not allowed"}[status],
        "status": status,
        "detail": detail,
    }
    if status == 405:
        assert response["Allow"] == "GET"


@pytest.mark.django_db
@pytest.mark.parametrize("network_id", ["0", "-1", str(2**63), str(2**64), "9" * 40])
def test_out_of_range_ids_answer_as_a_missing_family(
    client: Client, owner: User, baby_network: m.FamilyNetwork, network_id: str
) -> None:
    client.login(username=owner.username, password=PASSWORD)
    missing = client.get("/api/v1/families/999999").json()
    for suffix in ("", "/fhir"):
        response = client.get(f"/api/v1/families/{network_id}{suffix}")
        assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
        assert response.json() == missing


@pytest.mark.django_db
def test_a_server_error_is_a_problem_document_without_a_traceback(
    client: Client, owner: User, baby_network: m.FamilyNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("kinmap.api.views.family_record_load", broken)
    client.login(username=owner.username, password=PASSWORD)
    client.raise_request_exception = False
    response = client.get(f"/api/v1/families/{baby_network.pk}")
    assert (response.status_code, response["Content-Type"]) == (500, PROBLEM)
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal server error",
        "status": 500,
        "detail": "The server could not answer this request; the error has been logged",
    }
    assert "secret internals" not in response.content.decode()
