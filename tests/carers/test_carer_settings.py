"""The carer page checks carers with the partnership's settings and shows its
own words: ICON made due by 10 days is asked about for a baby of 12 days."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role, Team, User
from kinmap.core.carers import R17_ICON
from kinmap.gaps import services as gs
from tests.conftest import make_user

from .family import seed_like_family

pytestmark = pytest.mark.django_db

WORDS = "Every carer of a young baby hears about crying from us, so that nobody copes alone."


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


def test_the_carer_page_follows_the_partnerships_icon_age_and_words(
    owner: User, admin: User, client: Client
) -> None:
    fam = seed_like_family(owner, baby_days=12)
    client.force_login(owner)
    url = reverse("carer", args=[fam.network.pk, fam.mother.pk])
    assert f'data-rule="{R17_ICON}"' not in client.get(url).content.decode()  # due at 14 days
    gs.rule_setting_change(
        actor=admin,
        rule_id="R17-icon",
        enabled=True,
        params={"icon_by_days": 10, "baby_under_days": 365},
        reason="Local pathway",
        why_we_ask=WORDS,
    )
    html = client.get(url).content.decode()
    assert f'data-rule="{R17_ICON}"' in html
    assert WORDS in html
