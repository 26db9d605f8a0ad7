"""Every form of a dated record (relationship, stay, new address, care
arrangement, parental responsibility, care order) asks for its period with
the same fields, from one shared include (records/_period_fields.html): each
field once, in the same order."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily

pytestmark = pytest.mark.django_db

PERIOD = ["start", "start_accuracy", "start_latest", "end", "end_accuracy", "end_latest"]


def _period_names(page: str) -> list[str]:
    """The period fields' names in the order the page asks them (a date's
    day, month and year boxes named once, by the date)."""
    names = re.findall(r'name="((?:start|end)(?:_accuracy|_latest)?)(?:_[0-2])?"', page)
    return list(dict.fromkeys(names))


def _pages(fam: SeedFamily) -> dict[str, str]:
    n = fam.network.pk
    stay = m.Residence.objects.filter(person=fam.mother).first()
    assert stay is not None
    return {
        "relationship": reverse("relationship-add", args=[n]),
        "stay": reverse("residence-edit", args=[n, stay.pk]),
        "new address": reverse("residence-add", args=[n]),
        "care arrangement": reverse("care-add", args=[n]),
        "parental responsibility": reverse("pr-add", args=[n]),
        "care order": reverse("care-order-add", args=[n]),
    }


def test_every_dated_record_form_asks_for_its_period_the_same_way(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    assert client.login(username=owner.username, password=PASSWORD)
    for what, url in _pages(fam).items():
        response = client.get(url)
        assert response.status_code == 200, what
        page = htmllib.unescape(response.content.decode())
        assert _period_names(page) == PERIOD, what
