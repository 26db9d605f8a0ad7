"""Reading a family page never waits on another transaction's work: writing
the page's audit event takes no lock (the chain is sealed later, by
``audit_seal``), so a change that holds its transaction open does not hold
up anyone reading (docs/access-and-audit.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_seal, audit_verify
from tests.conftest import PASSWORD
from tests.gaps.family import seed_family
from tests.held_open import change_held_open
from tests.records.test_stale_edits import _person_meanwhile as person_meanwhile

NOT_ON_SQLITE = (
    "Needs PostgreSQL: SQLite has one write lock for the whole database, so any write (a page's "
    "audit event included) waits for a change in progress whatever kinmap does; there are no row "
    "locks to stay clear of there"
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_ON_SQLITE),
]


@pytest.mark.django_db(transaction=True)
def test_a_page_read_does_not_wait_for_a_change_held_open(owner: User) -> None:
    family = seed_family(owner)
    with change_held_open(lambda: person_meanwhile(family, owner)):  # a change to the family, open
        client = Client()
        assert client.login(username=owner.username, password=PASSWORD)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(reverse("family", kwargs={"network_id": family.network.pk}))
        assert response.status_code == 200
        assert "07700 900123" not in response.content.decode()  # the change is not committed yet
        read = AuditEvent.objects.filter(id__gt=before, network_id=family.network.pk, action="view")
        assert read.count() == 1
        # Sealing seals the committed read; the open change's event waits for its commit.
        assert audit_seal() >= 1
        assert read.get().seq is not None
    # Committed after the read was sealed: sealed after it, and the chain is whole.
    change = AuditEvent.objects.filter(
        object_type="person", action="update", network_id=family.network.pk
    ).get()
    assert change.seq is None
    audit_seal()
    change.refresh_from_db()
    assert change.seq is not None and change.seq > read.get().seq
    assert change.id < read.get().id  # written first, committed (so sealed) later
    assert audit_verify() == []
