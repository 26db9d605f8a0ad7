"""``GET /api/v1/families``: the team's families a page at a time, with the
same paging rule as the worklists (404 for a page that names nothing),
audited by page and count, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records.selectors import networks_for_user
from kinmap.records.synth import synth_load
from kinmap.web.pagination import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner() -> User:
    synth_load(families=30, teams=1, seed=7, today=date(2026, 11, 1), workers=1)
    return User.objects.get(username="synth.practitioner.1")


def test_the_families_come_a_page_at_a_time_each_once(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    total = networks_for_user(practitioner).count()
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE
    first = client.get("/api/v1/families").json()
    assert first["count"] == total and first["page"] == 1 and first["pages"] == 2
    assert len(first["items"]) == PAGE_SIZE
    assert first["next"] == "/api/v1/families?page=2" and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["items"]) == total - PAGE_SIZE and second["next"] is None
    assert second["previous"] == "/api/v1/families?page=1"
    ids = [f["id"] for f in first["items"] + second["items"]]
    assert sorted(ids) == sorted(networks_for_user(practitioner).values_list("pk", flat=True))


@pytest.mark.parametrize("page", ["0", "3", "-1", "two", "1.5", "1_0", " 1", "\uff11", "9" * 400])
def test_a_page_that_names_nothing_is_not_found_as_a_problem_document(
    client: Client, practitioner: User, page: str
) -> None:
    client.force_login(practitioner)
    response = client.get("/api/v1/families", {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_list_is_audited_by_page_and_count_not_by_ids(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    before = AuditEvent.objects.count()
    client.get("/api/v1/families", {"page": "2"})
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1 and event is not None
    assert (event.action, event.object_type, event.object_id) == ("list", "network", "")
    total = networks_for_user(practitioner).count()
    assert event.changes == {"filter": [None, {}], "page": [None, 2], "count": [None, total]}


def test_a_page_reads_a_fixed_number_of_rows_queries(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    client.get("/api/v1/families")
    counts = []
    for page in ("1", "2"):  # 25 families, then 5 or so: the same queries
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/families", {"page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
