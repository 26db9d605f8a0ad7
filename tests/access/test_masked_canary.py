"""A masked address and a masked telephone number, with values found nowhere
else, never reach a user who is not entitled to them: not on any page they can
open (family pages, forms and their error messages, requests, notifications,
admin and audit pages), not in exports, and not in the log output."""

from __future__ import annotations

import io
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from kinmap.accounts.models import Role
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.web.masking import MASKED_TEXT, export_address, export_phone

from .test_authorization_matrix import MATRIX, url_params
from .world import CANARY_ADDRESS, CANARY_PHONE, CANARY_POSTCODE, CELLS, ROLES, build_world

CANARIES = ("CANARY-PHONE-7Q3X", "900 913", "CANARY-REFUGE-9K2W", CANARY_POSTCODE)


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def _wanted(name: str) -> set[str]:
    return url_params(name)


# Bad input re-renders these forms with error messages: those must not leak either.
BAD_POSTS = {
    "person-edit": {"given_name": "", "family_name": "", "sex": "nonsense", "birth_date_0": "99"},
    "residence-add": {"person": "0", "household": "999999"},
    "care-add": {"carer": "0"},
    "request-new": {"what": "nonsense"},
    "sharing-log": {"decision": "share"},
    "request-answer": {"on_0": "31", "on_1": "2"},
    "request-decline": {"decline-family_told": "no"},
}


def _text(response: HttpResponse) -> str:
    """The response as text; a PDF (the carer pack, the genogram) read back with
    pypdf and its raw bytes too; an image (the genogram's PNG, which has no
    text) as its raw bytes, which would hold any text kept in its metadata."""
    if response.get("Content-Type") == "application/pdf":
        reader = PdfReader(io.BytesIO(response.content))
        pages = "\n".join(page.extract_text() for page in reader.pages)
        return pages + response.content.decode("latin-1")
    if response.get("Content-Type", "").startswith("image/png"):
        return response.content.decode("latin-1")
    return response.content.decode()


@pytest.mark.django_db
def test_masked_values_reach_no_user_who_is_not_entitled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world = build_world(masked=True)
    entitled = {(Role.SUPERVISOR.value, "social-allocated"), (Role.SUPERVISOR.value, "social-unallocated")}
    not_entitled = [(r.value, c) for r in ROLES for c in CELLS if (r.value, c) not in entitled]
    kwargs_variants = [
        {**world.kwargs(), "person_id": world.mother.pk},
        {**world.kwargs(), "person_id": world.father.pk},
    ]
    names = sorted({row[0] for row in MATRIX} - {"logout"})
    fetched = 0
    leaks: list[str] = []
    for role, cell in not_entitled:
        client = Client()
        client.force_login(world.user(role, cell))
        for name in names:
            wanted = _wanted(name)
            for kw in kwargs_variants if "person_id" in wanted else kwargs_variants[:1]:
                url = reverse(name, kwargs={k: v for k, v in kw.items() if k in wanted})
                responses = [client.get(url)]
                if name in BAD_POSTS:
                    responses.append(client.post(url, BAD_POSTS[name]))
                for r in responses:
                    fetched += 1
                    found = _leaks(_text(r))
                    if found:
                        leaks.append(f"{role}/{cell} {url} ({r.status_code}): {found}")
    assert leaks == []
    assert fetched > 700
    assert _leaks(caplog.text) == []


@pytest.mark.django_db
def test_the_canary_is_live_for_an_entitled_user() -> None:
    """The test above would pass vacuously if the values were never shown."""
    world = build_world(masked=True)
    client = Client()
    client.force_login(world.user(Role.SUPERVISOR, "social-allocated"))
    family = client.get(reverse("family", args=[world.network.pk])).content.decode()
    assert CANARY_ADDRESS in family
    edit = client.get(reverse("person-edit", args=[world.network.pk, world.mother.pk])).content.decode()
    assert CANARY_PHONE in edit
    # the genogram names the household's address (in its outline's title) to those entitled
    genogram = client.get(reverse("genogram-svg", args=[world.network.pk])).content.decode()
    assert CANARY_ADDRESS in genogram


@pytest.mark.django_db
def test_non_entitled_user_sees_that_a_detail_is_masked() -> None:
    world = build_world(masked=True)
    client = Client()
    client.force_login(world.lead)
    family = client.get(reverse("family", args=[world.network.pk])).content.decode()
    assert MASKED_TEXT in family
    edit = client.get(reverse("person-edit", args=[world.network.pk, world.mother.pk])).content.decode()
    assert "The telephone number is masked. You are not entitled to see or change it." in edit
    assert 'name="phone"' not in edit


@pytest.mark.django_db
def test_saving_a_person_without_entitlement_keeps_the_masked_phone() -> None:
    world = build_world(masked=True)
    client = Client()
    client.force_login(world.lead)
    url = reverse("person-edit", args=[world.network.pk, world.mother.pk])
    mother = m.Person.objects.get(pk=world.mother.pk)
    response = client.post(
        url,
        {
            "version": mother.version,
            "given_name": "Mara",
            "family_name": "Testmother-Renamed",
            "sex": "female",
            "birth_date_accuracy": "unknown",
        },
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert (mother.family_name, mother.phone, mother.phone_masked) == (
        "Testmother-Renamed",
        CANARY_PHONE,
        True,
    )


@pytest.mark.django_db
def test_audit_changes_never_hold_masked_values() -> None:
    build_world(masked=True)
    for e in AuditEvent.objects.all():
        assert _leaks(str(e.changes)) == [], e
        assert _leaks(e.reason) == [], e


@pytest.mark.django_db
def test_export_helpers_leave_masked_values_out_unless_asked() -> None:
    world = build_world(masked=True)
    household = m.Residence.objects.filter(person=world.mother).select_related("household").get().household
    assert export_phone(world.mother.phone, True, include_masked=False) == ""
    assert export_address(household, include_masked=False) == {
        "address_line_1": "",
        "address_line_2": "",
        "town": "",
        "postcode": "",
        "masked": True,
    }
    assert export_phone(world.mother.phone, True, include_masked=True) == CANARY_PHONE
    assert export_address(household, include_masked=True)["address_line_1"] == CANARY_ADDRESS
