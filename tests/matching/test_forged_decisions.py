"""The check before adding a person trusts nothing the page sends back. What
the page showed is kept on the server (the page carries only a random token
for it) and the lookup runs again on every post, so a decision sent without
the page, about other details than those checked, with a forged or emptied
list, or linking someone the page did not offer, is refused with a GOV.UK
error, saves nothing and tells nothing (alike for any id)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.matching.steps import NOT_OFFERED, UNSEEN
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.web.forms import ONE_ANSWER
from tests.conftest import index_child

from .conftest import CANARIES, CHECK_TOKEN, Seed, signed_in_as
from .test_add_person_check import JORDAN_TYPED

pytestmark = pytest.mark.django_db


def _form(network: m.FamilyNetwork, **extra: str) -> dict[str, str]:
    return {**JORDAN_TYPED, "related_to": str(index_child(network).pk), **extra}


def _shown(client: Client, url: str, data: dict[str, str]) -> str:
    """Send the form; the possible matches page's token."""
    page = client.post(url, data).content.decode()
    found = CHECK_TOKEN.search(page)
    assert found is not None, "the possible matches are shown"
    return found.group(1)


def _page_shown(user: User, network: m.FamilyNetwork) -> tuple[Client, str, str]:
    """The user's client, the add-person page and the token of the possible
    matches page shown for Jordan."""
    client = signed_in_as(user)
    url = reverse("person-add", args=[network.pk])
    return client, url, _shown(client, url, _form(network))


def _state() -> tuple[int, int, int]:
    """People, memberships and link/confirm events: what a decision would change."""
    return (
        m.Person.objects.count(),
        m.NetworkMember.objects.count(),
        AuditEvent.objects.filter(action__in=("link", "confirm_new")).count(),
    )


def _refused(response: Any, message: str, *, typed: tuple[str, ...] = ()) -> str:
    """The page shown again with ``message`` in its error summary, and no
    detail of a family the user may not see (but what they ``typed``)."""
    page: str = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page.replace("&#x27;", "'")
    for canary in set(CANARIES) - set(typed):
        assert canary not in page, canary
    return page


@pytest.mark.parametrize(
    "forged",
    [
        {},  # the decision sent with the form, the page never shown
        {"match_check": "made-up"},  # a token the server never gave
        {"match_check": "", "candidates": ""},  # an emptied list of candidates
    ],
)
def test_new_without_the_page_or_a_reason_is_refused(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork, forged: dict[str, str]
) -> None:
    url = reverse("person-add", args=[baby_network.pk])
    before = _state()
    response = signed_in_as(owner).post(url, _form(baby_network, match_decision="new", **forged))
    _refused(response, UNSEEN)
    # and with a reason, still refused: the page showing who they may be comes first
    response = signed_in_as(owner).post(
        url, _form(baby_network, match_decision="new", match_reason="not him", **forged)
    )
    _refused(response, UNSEEN)
    assert _state() == before


def test_details_changed_after_the_page_was_shown_are_checked_again(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    client, url, token = _page_shown(owner, baby_network)
    before = _state()
    # the hidden date of birth edited to a guess: Jordan may still be him, so no decision counts
    edited = _form(baby_network, birth_date_accuracy="estimated", match_check=token, match_decision="new")
    _refused(client.post(url, edited), UNSEEN)
    assert _state() == before
    # the page shown again carries a token for the edited details: then "new" needs its reason
    page = client.post(url, _form(baby_network, birth_date_accuracy="estimated")).content.decode()
    found = CHECK_TOKEN.search(page)
    assert found is not None
    again = {**edited, "match_check": found.group(1)}
    _refused(client.post(url, again), "Say why this is a different person")
    assert _state() == before


def test_a_token_stands_for_one_check_in_one_session(
    owner: User, teammate: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    url = reverse("person-add", args=[baby_network.pk])
    token = _shown(signed_in_as(owner), url, _form(baby_network))
    before = _state()
    # another user's session does not hold it
    response = signed_in_as(teammate).post(
        url, _form(baby_network, match_check=token, match_decision=f"link-{seed.jordan.pk}")
    )
    _refused(response, UNSEEN)
    assert _state() == before


def test_a_candidate_added_after_the_page_was_shown_is_shown_before_any_decision(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    client, url, token = _page_shown(owner, baby_network)
    # meanwhile social care records another Jordan Price born the same day
    s.person_add(
        actor=outsider,
        network=seed.social_network,
        data=s.PersonData(given_name="Jordan", family_name="Price", sex="male",
                          birth_date=seed.jordan.birth_date, birth_date_accuracy="accurate"),
    )  # fmt: skip
    before = _state()
    response = client.post(
        url, _form(baby_network, match_check=token, match_decision="new", match_reason="not him")
    )
    _refused(response, UNSEEN)
    assert _state() == before


def _tokens_out(page: str) -> str:
    page = CHECK_TOKEN.sub("", page)
    page = re.sub(r'name="(csrfmiddlewaretoken|submission)" value="[^"]*"', "", page)
    return page


def test_linking_someone_not_offered_is_refused_alike_and_saves_nothing(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    client = signed_in_as(owner)
    url = reverse("person-add", args=[baby_network.pk])
    own = s.person_add(actor=owner, network=baby_network, data=s.PersonData(given_name="Unrelated"))
    missing = max(m.Person.objects.values_list("pk", flat=True)) + 1000
    pages = []
    before = _state()
    # Skye is in a family the health visitor may not see and was never offered;
    # her own family's person, and an id that is no one's, are refused alike
    for pid in (seed.skye.pk, own.pk, missing, 2**63):
        token = _shown(client, url, _form(baby_network))
        response = client.post(url, _form(baby_network, match_check=token, match_decision=f"link-{pid}"))
        page = _refused(response, NOT_OFFERED)
        assert f"link-{pid}" not in page
        pages.append(_tokens_out(page))
    assert len(set(pages)) == 1
    assert _state() == before
    assert not m.NetworkMember.objects.filter(network=baby_network, person=seed.skye).exists()


def test_the_person_offered_is_linked_once_and_the_token_is_then_spent(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    client, url, token = _page_shown(owner, baby_network)
    decided = _form(baby_network, match_check=token, match_decision=f"link-{seed.jordan.pk}")
    assert client.post(url, decided).status_code == 302
    assert m.NetworkMember.objects.filter(network=baby_network, person=seed.jordan).exists()
    assert client.session.get("kinmap.add_person_checks") == {}


def test_the_start_page_refuses_a_forged_decision_too(owner: User, seed: Seed) -> None:
    from .test_network_start_check import SKYE_TYPED

    networks = m.FamilyNetwork.objects.count()
    client = signed_in_as(owner)
    url = reverse("network-start")
    _refused(client.post(url, {**SKYE_TYPED, "match_decision": "new"}), UNSEEN, typed=("Skye",))
    token = _shown(client, url, SKYE_TYPED)
    forged = {**SKYE_TYPED, "match_check": token, "match_decision": f"link-{seed.jordan.pk}"}
    _refused(client.post(url, forged), NOT_OFFERED, typed=("Skye",))
    assert m.FamilyNetwork.objects.count() == networks


def test_two_decisions_sent_at_once_are_refused(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    """ "Use Jordan" and "add a new person" in one post (a forged or doubled
    form): neither is taken, whatever their order."""
    client, url, token = _page_shown(owner, baby_network)
    before = _state()
    for both in ([f"link-{seed.jordan.pk}", "new"], ["new", f"link-{seed.jordan.pk}"]):
        data: dict[str, Any] = _form(baby_network, match_check=token, match_reason="not him")
        data["match_decision"] = both
        _refused(client.post(url, data), ONE_ANSWER)
    assert _state() == before
