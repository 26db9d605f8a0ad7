"""The genogram on the family page, and its downloads (SVG, PNG, PDF)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.genogram.presenters import critical_gap_markers
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.selectors import family_record_load
from tests.access.world import CANARY_ADDRESS, build_world
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily
from tests.records.test_family_page import _grow

SVG = "{http://www.w3.org/2000/svg}"


def _svg_in(html: str) -> ET.Element:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no SVG on the page"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own page


def _network(owner: User, given: str) -> m.FamilyNetwork:
    return s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name=given,
            family_name="Testbaby",
            birth_date=date(2026, 1, 1),
            birth_date_accuracy="accurate",
        ),
    )


@pytest.mark.django_db
def test_the_family_page_draws_the_genogram_with_links_and_a_text_alternative(
    owner: User, client: Client
) -> None:
    network = _network(owner, "Drawn")
    _grow(network, owner, 3)
    client.login(username=owner.username, password=PASSWORD)
    html = client.get(reverse("family", args=[network.pk])).content.decode()
    svg = _svg_in(html)
    (picture,) = [e for e in svg.iter() if e.get("role") == "img"]
    title, desc = (svg.find(f"{SVG}title"), svg.find(f"{SVG}desc"))
    assert title is not None and desc is not None
    assert picture.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == f"Genogram of {network.name}"
    assert "4 people" in (desc.text or "") and "in words" in (desc.text or "")
    # every member is a link to their record
    members = m.NetworkMember.objects.filter(network=network)
    hrefs = {a.get("href") for a in svg.iter(f"{SVG}a")}
    for member in members:
        assert reverse("person", args=[network.pk, member.person_id]) in hrefs
    # the lists stay, as the text alternative, and the downloads are offered
    assert 'href="#relationships"' in html and 'id="relationships"' in html
    for name in ("genogram-svg", "genogram-png", "genogram-pdf"):
        assert reverse(name, args=[network.pk]) in html


@pytest.mark.django_db
def test_the_genogram_adds_no_queries_that_grow_with_the_family(owner: User, client: Client) -> None:
    small, big = _network(owner, "Small"), _network(owner, "Big")
    _grow(small, owner, 2)
    _grow(big, owner, 25)
    client.login(username=owner.username, password=PASSWORD)

    def queries(name: str, network: m.FamilyNetwork) -> tuple[int, bytes]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name, args=[network.pk]))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content

    for name in ("family", "genogram-svg"):
        (n_small, _), (n_big, body) = queries(name, small), queries(name, big)
        assert n_small == n_big, name
        text = body.decode()
        svg = _svg_in(text[text.index("<svg") :])
        drawn = [e.get("data-person") for e in svg.iter() if e.get("data-person")]
        assert len(drawn) == len(set(drawn)) == 26  # every member drawn, once


@pytest.mark.django_db
def test_gap_markers_link_to_the_open_critical_gaps_on_the_page(owner: User, client: Client) -> None:
    network = _network(owner, "Gapped")
    _grow(network, owner, 2)
    client.login(username=owner.username, password=PASSWORD)
    html = client.get(reverse("family", args=[network.pk])).content.decode()
    svg = _svg_in(html)
    markers = [a for a in svg.iter(f"{SVG}a") if a.get("data-gaps-for")]
    open_critical = [
        g
        for g in gm.Gap.objects.filter(network=network, severity="critical", resolved_at__isnull=True)
        if g.is_open
    ]
    about_people = {g.subject_id for g in open_critical if g.subject_kind in ("person", "child")}
    assert about_people, "the test family should have open critical gaps about people"
    assert {a.get("data-gaps-for") for a in markers} >= about_people
    for a in markers:
        href = a.get("href", "")
        assert href.startswith(reverse("family", args=[network.pk]) + "#gap-")
        assert f'id="{href.split("#")[1]}"' in html  # the anchor exists on the page


@pytest.mark.django_db
def test_a_gap_marker_links_to_the_persons_oldest_open_critical_gap_by_open_since(fam: SeedFamily) -> None:
    """The oldest is the gap whose requirement first applied earliest
    (``open_since``), not the one raised (loaded) first (``opened_at``)."""
    father = fam.father.pk
    critical = list(
        gm.Gap.objects.filter(
            network=fam.network, severity="critical", resolved_at__isnull=True, subject_id=str(father)
        ).order_by("pk")
    )
    assert len(critical) >= 2, "the seeded father should have two open critical gaps"
    raised_first, raised_later = critical[0], critical[1]
    now, today = timezone.now(), date.today()
    gm.Gap.objects.filter(pk=raised_first.pk).update(opened_at=now - timedelta(days=40), open_since=today)
    gm.Gap.objects.filter(pk=raised_later.pk).update(
        opened_at=now - timedelta(days=1), open_since=today - timedelta(days=90)
    )
    net = family_record_load(fam.network).graph_network
    marker = critical_gap_markers(fam.network.pk, net)[father]
    assert marker.href.endswith(f"#gap-{raised_later.pk}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content_type", "magic"),
    [
        ("genogram-svg", "image/svg+xml", b"<?xml"),
        ("genogram-png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("genogram-pdf", "application/pdf", b"%PDF"),
    ],
)
def test_downloads_are_audited_as_exports(name: str, content_type: str, magic: bytes) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(reverse(name, args=[world.network.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert response["Content-Disposition"].startswith('attachment; filename="genogram-')
    events = list(AuditEvent.objects.filter(id__gt=last, network_id=world.network.pk).order_by("id"))
    exports = [e for e in events if e.action == "export"]
    assert [(e.object_type, e.object_id, e.actor) for e in exports] == [
        ("genogram", str(world.network.pk), world.lead)
    ]
    assert exports[0].changes["format"] == [None, name.removeprefix("genogram-")]
    if name == "genogram-pdf":
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "Rowan" in text and "Key" in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["genogram-svg", "genogram-png", "genogram-pdf"])
def test_downloads_refuse_a_family_the_user_may_not_see_and_record_no_export(name: str) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.user(Role.PRACTITIONER, "health-unallocated"))
    before = AuditEvent.objects.filter(action="export").count()
    assert client.get(reverse(name, args=[world.network.pk])).status_code == 404
    assert client.get(reverse(name, args=[999_999])).status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == before


@pytest.mark.django_db
def test_a_masked_address_is_not_in_the_genogram_of_a_user_not_entitled() -> None:
    world = build_world(masked=True)
    client = Client()
    client.force_login(world.lead)
    svg = client.get(reverse("genogram-svg", args=[world.network.pk])).content.decode()
    assert "data-household=" in svg  # the outline is drawn...
    assert CANARY_ADDRESS not in svg and "Masked: you are not entitled to see this" in svg  # ...without it
