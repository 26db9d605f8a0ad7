"""A form is acted on once however many times it is sent
(kinmap.web.submissions): a double click or the back button does not record a
supervision decision, or anything else, twice."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.web.models import FormSubmission
from kinmap.web.submissions import ALREADY_SAVED, form_submissions_expire
from tests.gaps.family import SeedFamily

TOKEN = re.compile(r'name="submission" value="([0-9a-f]{32})"')


def token_of(page: str) -> str:
    found = TOKEN.findall(page)
    assert found, "the form has no one-time token"
    return found[0]


def decision(token: str) -> dict[str, str]:
    return {"decision": "Ask the mother about the father's other children", "submission": token}


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_acted_on_once(supervisor: User, fam: SeedFamily, client: Client) -> None:
    client.force_login(supervisor)
    url = reverse("gaps-supervision", args=[fam.network.pk])
    token = token_of(client.get(url).content.decode())
    first = client.post(url, decision(token))
    second = client.post(url, decision(token), follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0] == (first["Location"], 302)
    assert ALREADY_SAVED in second.content.decode()
    assert gm.SupervisorDecision.objects.filter(network=fam.network).count() == 1


@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_can_be_sent_again(
    supervisor: User, fam: SeedFamily, client: Client
) -> None:
    client.force_login(supervisor)
    url = reverse("gaps-supervision", args=[fam.network.pk])
    token = token_of(client.get(url).content.decode())
    refused = client.post(url, {"decision": "", "submission": token})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert token_of(refused.content.decode()) != token  # the page drawn again has a new one
    assert client.post(url, decision(token)).status_code == 302
    assert gm.SupervisorDecision.objects.filter(network=fam.network).count() == 1


@pytest.mark.django_db
def test_each_drawing_of_a_form_has_its_own_token(supervisor: User, fam: SeedFamily, client: Client) -> None:
    client.force_login(supervisor)
    url = reverse("gaps-supervision", args=[fam.network.pk])
    first, second = (token_of(client.get(url).content.decode()) for _ in range(2))
    assert first != second
    assert client.post(url, decision(first)).status_code == 302
    assert client.post(url, decision(second)).status_code == 302
    assert gm.SupervisorDecision.objects.filter(network=fam.network).count() == 2


@pytest.mark.django_db
def test_old_tokens_are_forgotten() -> None:
    now = timezone.now()
    FormSubmission.objects.create(token="a" * 32, path="/", location="/", at=now - timedelta(days=3))
    FormSubmission.objects.create(token="b" * 32, path="/", location="/", at=now)
    assert form_submissions_expire(now=now) == 1
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["b" * 32]


def test_every_form_that_posts_carries_a_token() -> None:
    root = Path(__file__).resolve().parents[2] / "kinmap"
    missing = []
    found = 0
    for path in root.rglob("*.html"):
        text = path.read_text()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S | re.I):
            if re.search(r'method="post"', form, flags=re.I):
                found += 1
                if "{% submission_token %}" not in form:
                    missing.append(str(path.relative_to(root)))
    assert found > 30
    assert missing == []


@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_once_record_one_decision(supervisor: User, fam: SeedFamily) -> None:
    """Two threads send the same form at the same moment (PostgreSQL: two
    connections; the unique token orders them)."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL (SQLite runs one writer at a time)")
    url = reverse("gaps-supervision", args=[fam.network.pk])
    setup = Client()
    setup.force_login(supervisor)
    token = token_of(setup.get(url).content.decode())
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send() -> None:
        c = Client()
        c.force_login(supervisor)
        barrier.wait()
        try:
            results.append(c.post(url, decision(token)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [302, 302]
    assert gm.SupervisorDecision.objects.filter(network=fam.network).count() == 1
