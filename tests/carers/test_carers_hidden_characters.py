"""Materials' titles and summaries and what carers said are shown to other
practitioners and carers: hidden characters (zero-width, text direction) are
refused, naming the field, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.records.errors import RecordError
from tests.conftest import make_user

from .family import Family, seed_like_family

pytestmark = pytest.mark.django_db
HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"


def refused(fn: Any) -> list[tuple[str, str]]:
    before = (cm.InformationGiven.objects.count(), cm.Material.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RecordError) as err:
        fn()
    assert (cm.InformationGiven.objects.count(), cm.Material.objects.count(), AuditEvent.objects.count()) == (
        before
    )
    return [(p.field, p.message) for p in err.value.problems]


def test_a_material_title_with_a_direction_control_is_refused(health_team: Any) -> None:
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    data = cs.MaterialData(code="bath-safety", title="Bath \u202eytefas", summary="Never leave a baby.")
    assert refused(lambda: cs.material_create(actor=admin, data=data)) == [
        ("title", f"The title {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")
    ]


def test_a_declined_reason_with_a_zero_width_space_is_refused(owner: User) -> None:
    fam: Family = seed_like_family(owner)
    data = cs.InformationData(
        materials=[cm.Material.objects.get(code="safer-sleep")],
        how="telephone",
        given_on=timezone.localdate(),
        declined=True,
        declined_reason="He says\nthe baby sleeps \u200bfine",
    )
    assert refused(
        lambda: cs.information_given_record(actor=owner, network=fam.network, person=fam.father, data=data)
    ) == [("declined_reason", f"The reason {HIDDEN} (it has U+200B ZERO WIDTH SPACE)")]
