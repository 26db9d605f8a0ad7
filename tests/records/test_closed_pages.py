"""A closed family network's pages offer no way to change it: walking every page
of the family reachable from the family page (people, carers, contacts, gaps,
supervision, requests, sharing decisions, chronology, as at a past day), as its
practitioner and as its supervisor, finds no form that posts a change and no
link to a page for making one; only "Reopen this family network" is offered."""

from __future__ import annotations

import re
from collections import deque
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from kinmap.accounts.models import Team, User
from kinmap.gaps import services as gs
from kinmap.records import lifecycle
from kinmap.records import models as m
from tests.access.test_audit_reads import POST_ONLY
from tests.gaps.family import SeedFamily
from tests.records.test_network_lifecycle import WRITES

pytestmark = pytest.mark.django_db

# The pages for changing a family (each a form, or the start of one), and
# those that only take a form.
CHANGE_PAGES = POST_ONLY | frozenset(
    {
        "network-close",
        "person-add",
        "person-edit",
        "other-name-add",
        "relationship-add",
        "relationship-edit",
        "relationship-remove",
        "residence-add",
        "residence-edit",
        "household-edit",
        "care-add",
        "care-edit",
        "care-order-add",
        "care-order-edit",
        "pr-add",
        "pr-edit",
        "request-new",
        "contact-start",
        "supervisor-action-complete",
        "information-add",
        "carer-invite",
        "appointment-outcome",
    }
)
# What a closed network's pages may still post: reopening it, and signing out.
ALLOWED_POSTS = ("network-reopen", "logout")


class _Page(HTMLParser):
    """The links and the forms (method, action) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append((a.get("method", "get").lower(), a.get("action", "")))


def _url_name(path: str) -> str:
    try:
        return resolve(path.split("?")[0].split("#")[0]).url_name or ""
    except Resolver404:
        return ""


def _walk(client: Client, network: m.FamilyNetwork) -> tuple[set[str], list[str]]:
    """Every page of ``network`` reachable from its family page (its URL names)
    and what each offers for changing the family: "<page>: form posting to
    <action>" and "<page>: link to <change page>"."""
    start = reverse("family", args=[network.pk])
    mine = re.compile(rf"^/families/{network.pk}/")
    seen, queue, found, changes = {start}, deque([start]), set(), []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found.add(_url_name(url))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for method, action in page.forms:
            target = _url_name(action) if action else _url_name(url)
            if method == "post" and target not in ALLOWED_POSTS:
                changes.append(f"{url}: form posting to {action or url}")
        for href in page.links:
            path = href.split("#")[0]
            if not mine.match(path):
                continue
            name = _url_name(path)
            if name in CHANGE_PAGES:
                changes.append(f"{url}: link to {name} ({href})")
            elif name != "network-reopen" and path not in seen:
                seen.add(path)
                queue.append(path)
    return found, changes


@pytest.fixture
def closed(owner: User, supervisor: User, social_team: Team, fam: SeedFamily) -> m.FamilyNetwork:
    """The seed family with something of every kind its pages show (a finished
    contact, an action from supervision, a request to another agency, a
    decision to share, safety information given and a joint appointment),
    then closed."""
    network = fam.network
    contact = gs.contact_open(actor=owner, network=network, type="home-visit", date=date.today())
    gs.contact_not_asked_rest(actor=owner, contact=contact, reason="visit cut short")
    gs.contact_close(actor=owner, contact=contact)
    gs.supervisor_decision_record(
        actor=supervisor,
        network=network,
        decision="Seek the father's details",
        action_items=[gs.ActionData("Ask the GP practice", owner, date.today() + timedelta(days=3))],
    )
    for write in (
        "information_request_create",
        "sharing_decision_record",
        "information_given_record",
        "joint_appointment_invite",
    ):
        WRITES[write](owner, supervisor, fam)
    row = m.FamilyNetwork.objects.get(pk=network.pk)
    return lifecycle.network_close(
        actor=owner, network=row, reason="Family moved out of the area", expected_version=row.version
    )


@pytest.mark.parametrize("who", ["owner", "supervisor"])
def test_a_closed_familys_pages_offer_no_way_to_change_it(
    who: str, owner: User, supervisor: User, closed: m.FamilyNetwork, client: Client
) -> None:
    client.force_login({"owner": owner, "supervisor": supervisor}[who])
    found, changes = _walk(client, closed)
    assert changes == []
    # the walk reached the family's pages of every kind
    expected = {"family", "person", "carer", "contact", "gaps-history", "network-requests", "sharing-log"}
    expected |= {"chronology", "gaps-supervision"} if who == "supervisor" else {"chronology"}
    assert expected <= found, expected - found
    # and the family page still offers to reopen the network
    family = client.get(reverse("family", args=[closed.pk])).content.decode()
    assert reverse("network-reopen", args=[closed.pk]) in family


def test_the_same_walk_finds_the_change_forms_of_an_open_family(
    owner: User, fam: SeedFamily, client: Client
) -> None:
    """The walk can fail: on the family before it is closed it finds them."""
    client.force_login(owner)
    _, changes = _walk(client, fam.network)
    assert any("link to person-add" in c for c in changes)
    assert any("link to network-close" in c for c in changes)


def test_a_change_page_typed_in_for_a_closed_family_shows_the_closed_notice_not_a_form(
    owner: User, outsider: User, fam: SeedFamily, client: Client
) -> None:
    """Every page for changing the family found by the walk while it was open,
    typed in after it was closed: 409 with the closed notice and no form that
    posts a change; someone who may not see the family still gets 404."""
    client.force_login(owner)
    _, changes = _walk(client, fam.network)
    hrefs = sorted({c.rsplit("(", 1)[1].rstrip(")") for c in changes if ": link to " in c})
    names = {_url_name(h) for h in hrefs}
    assert {"person-add", "person-edit", "relationship-add", "care-add", "network-close"} <= names
    row = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    lifecycle.network_close(
        actor=owner, network=row, reason="Family moved away", expected_version=row.version
    )
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 409, (href, response.status_code)
        html = response.content.decode()
        assert "This family network is closed" in html and "Family moved away" in html, href
        page = _Page()
        page.feed(html)
        assert [f for f in page.forms if f[0] == "post" and _url_name(f[1]) not in ALLOWED_POSTS] == [], href
        assert reverse("network-reopen", args=[fam.network.pk]) in html
    client.force_login(outsider)
    for href in hrefs:
        assert client.get(href).status_code == 404, href


def test_a_change_sent_after_the_family_was_closed_keeps_what_was_typed(
    owner: User, fam: SeedFamily, client: Client
) -> None:
    """The form was open when someone else closed the family: saving is refused
    with the closed message and the form comes back with what was typed."""
    client.force_login(owner)
    url = reverse("other-name-add", args=[fam.network.pk, fam.father.pk])
    row = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    lifecycle.network_close(
        actor=owner, network=row, reason="Family moved away", expected_version=row.version
    )
    response = client.post(url, {"kind": "previous", "given_name": "Tamsin", "family_name": "Orrell"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "it can be read but not changed" in html and 'value="Tamsin"' in html
    assert not m.OtherName.objects.filter(given_name="Tamsin").exists()
