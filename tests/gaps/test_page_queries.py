"""The contact page, the gap history and the worklist run a fixed number of
queries, however large the family and however many families a team holds."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records import services as s
from tests.records.test_family_page import _grow


def _queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.count(b"Why we ask")


def _family(owner: User, name: str, extra_people: int) -> m.FamilyNetwork:
    network = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name=name,
            family_name="Testbaby",
            birth_date=date(2026, 10, 1),
            birth_date_accuracy="accurate",
        ),
    )
    _grow(network, owner, extra_people)
    return network


@pytest.mark.django_db
def test_contact_and_history_pages_do_not_grow_their_queries_with_family_size(
    owner: User, client: Client
) -> None:
    small = _family(owner, "Small", 2)
    big = _family(owner, "Big", 29)
    contacts = {
        n.pk: gs.contact_open(actor=owner, network=n, type="home-visit", date=date.today())
        for n in (small, big)
    }
    assert gm.Gap.objects.filter(network=big).count() > gm.Gap.objects.filter(network=small).count()
    client.force_login(owner)
    small_contact, small_prompts = _queries(
        client, reverse("contact", args=[small.pk, contacts[small.pk].pk])
    )
    big_contact, big_prompts = _queries(client, reverse("contact", args=[big.pk, contacts[big.pk].pk]))
    assert big_prompts > small_prompts  # the big family really shows more gaps
    assert small_contact == big_contact
    small_history, _ = _queries(client, reverse("gaps-history", args=[small.pk]))
    big_history, _ = _queries(client, reverse("gaps-history", args=[big.pk]))
    assert small_history == big_history


@pytest.mark.django_db
def test_worklist_does_not_grow_its_queries_with_the_number_of_families(owner: User, client: Client) -> None:
    client.force_login(owner)
    _family(owner, "First", 1)
    one, _ = _queries(client, reverse("my-families"))
    for i in range(9):
        _family(owner, f"More{i}", 1)
    ten, _ = _queries(client, reverse("my-families"))
    assert one == ten
