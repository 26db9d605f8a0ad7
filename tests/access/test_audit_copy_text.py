"""Events written many at once (COPY on PostgreSQL) keep text that COPY's
format must escape (tabs, newlines, backslashes, carriage returns, a lone
"\\." line) and letters beyond ASCII exactly as one event written alone keeps
them, and seal and verify like it."""

from __future__ import annotations

import pytest

from kinmap.accounts.models import Agency, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_record, audit_record_many, audit_seal, audit_verify

pytestmark = pytest.mark.django_db

AWKWARD = "Łukasz\tŴyn Ŷ Ćwikła\nO'Brien \\N \\. back\\slash\r\n\\.\nend \u2028 Zoë \U0001d518"


def test_awkward_text_is_kept_and_sealed_alike() -> None:
    agency = Agency.objects.create(name=f"Gwasanaeth {AWKWARD}")
    team = Team.objects.create(name="Tîm", agency=agency)
    actor = User.objects.create(username=f"ŵ.{AWKWARD}"[:150], team=team)
    changes = {"name": AWKWARD, AWKWARD: [AWKWARD, 1, None]}
    audit_record(actor=actor, action="recompute", object_type="network", object_id=AWKWARD, changes=changes)
    assert (
        audit_record_many(
            actor=actor, action="recompute", object_type="network", entries=[(AWKWARD, None, changes)] * 2
        )
        == 2
    )
    kept = list(
        AuditEvent.objects.filter(action="recompute")
        .order_by("pk")
        .values_list("actor_name", "agency_name", "object_id", "changes")
    )
    assert len(kept) == 3 and kept[0] == kept[1] == kept[2]
    assert kept[0][2] == AWKWARD and kept[0][3] == changes
    audit_seal()
    assert audit_verify() == []
