"""The API answers as its OpenAPI document says.

Schemathesis loads the live document from the Django WSGI application (signed
in, as a practitioner allocated to demo families) and sends requests generated
from it, valid and invalid, to every operation; every answer is checked against
the document: no server error, a documented status, a documented content type,
a body that fits the documented schema, and invalid requests refused.

Bounded for CI: EXAMPLES_PER_MODE cases per operation and kind of case, over a
thousand in all (counted and asserted), derandomized so every run sends the
same cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
import werkzeug
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.demo_setup import demo_load

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Generated cases per operation and generation mode (valid, invalid); the run
# must send at least MIN_CASES in all. Bounded so that it stays well inside CI.
EXAMPLES_PER_MODE = 250
SIGNED_OUT_EXAMPLES = 25
MIN_CASES = 1000


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """kinmap's WSGI application, run inside the test's transaction: Django
    would otherwise close the connection at the end of each request (the test
    client lifts the same signal handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _live_schema(app: WSGIHandler, session: dict[str, str]) -> Any:
    """The OpenAPI document as the application serves it to a signed-in user."""
    browser = werkzeug.Client(app)
    for name, value in session.items():
        browser.set_cookie(name, value, domain="localhost")
    response = browser.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.status
    schema = schemathesis.openapi.from_dict(response.json)
    schema.app = app  # cases are sent to the application in-process
    return schema


@pytest.mark.django_db
def test_every_answer_matches_the_openapi_document(wsgi_app: WSGIHandler) -> None:
    demo_load(today=date.today())
    user = User.objects.get(username="health.visitor")
    client = Client()
    client.force_login(user)
    session = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}
    schema = _live_schema(wsgi_app, session)
    # Existing families: the user's own (200) and others' (404), so that full
    # answers are checked as well as refusals.
    network_ids = sorted(m.FamilyNetwork.objects.values_list("pk", flat=True))
    assert len(network_ids) >= 5

    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    signed_out_statuses: set[int] = set()

    def run(label: str, strategy: st.SearchStrategy[Any], examples: int) -> None:
        @settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case: Any) -> None:
            counts[label] += 1
            response = case.call()
            statuses[response.status_code] += 1
            if label.endswith("signed out"):
                signed_out_statuses.add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()

    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        signed_in = {"cookies": session}
        run(f"{label} valid", operation.as_strategy(**signed_in), EXAMPLES_PER_MODE)
        # Signed out: the generated session cookie is not a session.
        run(f"{label} signed out", operation.as_strategy(), SIGNED_OUT_EXAMPLES)
        if any(p.name == "network_id" for p in operation.iter_parameters()):
            invalid = operation.as_strategy(GenerationMode.NEGATIVE, **signed_in)
            run(f"{label} invalid", invalid, EXAMPLES_PER_MODE)
            known = [
                operation.as_strategy(path_parameters={"network_id": pk}, **signed_in) for pk in network_ids
            ]
            run(f"{label} families in the record", st.one_of(known), len(network_ids))

    total = sum(counts.values())
    print(f"schemathesis: {total} cases, statuses {dict(sorted(statuses.items()))}, by run {dict(counts)}")
    assert statuses[200] >= 3 and statuses[404] >= 3
    assert signed_out_statuses == {401}
    assert total >= MIN_CASES, counts
