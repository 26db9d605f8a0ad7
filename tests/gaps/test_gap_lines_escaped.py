"""The family page's gap lines, written in Python (``family_gap_line``), escape
what people typed: the gap's wording, the partnership's own "why we ask" and
a practitioner's view given as an answer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from tests.conftest import PASSWORD
from tests.gaps.family import seed_family

pytestmark = pytest.mark.django_db

SCRIPT = '"><script>alert(1)</script>'


def test_typed_text_in_a_gap_line_is_escaped(owner: User, client: Client) -> None:
    f = seed_family(owner)
    gs.gaps_recompute(network=f.network, actor=owner)
    gap = gm.Gap.objects.filter(network=f.network, state=gm.GapState.NOT_ASKED).order_by("pk").first()
    assert gap is not None
    gm.Gap.objects.filter(pk=gap.pk).update(detail=f"detail {SCRIPT}")
    gm.RuleSetting.objects.update_or_create(rule_id=gap.rule_id, defaults={"why_we_ask": f"why {SCRIPT}"})
    gm.GapEvent.objects.create(
        gap=gap,
        kind=gm.EventKind.ANSWERED,
        state=gm.GapState.ASKED_UNKNOWN,
        practitioner_view=f"view {SCRIPT}",
        at=timezone.now(),
    )
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("family", args=[f.network.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert page.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the detail and why we ask
