"""The carer pack: what it holds for a named carer, and what it must never hold
(a masked detail, or any other adult's address or telephone number)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kinmap.accounts.models import MaskedDetailEntitlement, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import services as cs
from tests.conftest import PASSWORD

from .family import (
    FATHER_ADDRESS_CANARY,
    GRAN_PHONE_CANARY,
    MASKED_ADDRESS_CANARY,
    MOTHER_PHONE_CANARY,
    Family,
    seed_like_family,
)

pytestmark = pytest.mark.django_db

NEVER = (MASKED_ADDRESS_CANARY, MOTHER_PHONE_CANARY, FATHER_ADDRESS_CANARY, GRAN_PHONE_CANARY, "ZZ99")


@pytest.fixture
def fam(owner: User) -> Family:
    # The owner may see masked details, so nothing is hidden from the person
    # downloading: the pack must leave the details out on its own.
    assert owner.team is not None
    MaskedDetailEntitlement.objects.create(agency=owner.team.agency, role=owner.role)
    family = seed_like_family(owner)
    cs.joint_appointment_invite(
        actor=owner,
        network=family.network,
        person=family.father,
        contact_on=timezone.localdate() + timedelta(days=4),
        contact_type="6-8-weeks",
    )
    return family


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def _signed_in(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_pdf_pack_holds_what_the_father_needs_and_no_contact_details(
    owner: User, client: Client, fam: Family
) -> None:
    _signed_in(client, owner)
    # the family page (entitled user) does show the masked address: it exists
    family_page = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    assert MASKED_ADDRESS_CANARY in family_page
    response = client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.father.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="carer-pack-dale-testcroft-')
    text = _pdf_text(response.content)
    assert "Information for Dale Testcroft" in text
    assert "Looking after Kai, 6 weeks old." in text
    # the materials due at six weeks, the one for fathers included
    for title in (
        "ICON: Babies cry, you can cope",
        "Safer sleep for your baby",
        "My coping with crying plan",
        "Support for families in Northshire",
        "For dads and male carers: your baby and you",
    ):
        assert title in text
    assert "Never, ever shake a baby" in text
    assert text.index("ICON: Babies cry") < text.index("Safer sleep for your baby")
    # the joint appointment he is invited to
    due = timezone.localdate() + timedelta(days=4)
    assert f"6 to 8 week review: {due:%A} {due.day} {due:%B %Y}" in text
    # universal support
    assert "Northshire Parent Line: 01632 960 200 (every day, 8am to 10pm)" in text
    for canary in NEVER:
        assert canary not in text


def test_the_printable_pack_holds_the_same_and_no_contact_details(
    owner: User, client: Client, fam: Family
) -> None:
    _signed_in(client, owner)
    html = client.get(reverse("carer-pack", args=[fam.network.pk, fam.father.pk])).content.decode()
    assert '<h1 class="govuk-heading-l">Information for Dale Testcroft</h1>' in html
    assert "For dads and male carers: your baby and you" in html
    assert "6 to 8 week review" in html
    for canary in NEVER:
        assert canary not in html


def test_the_mothers_pack_leaves_out_the_material_for_fathers(
    owner: User, client: Client, fam: Family
) -> None:
    _signed_in(client, owner)
    text = _pdf_text(client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.mother.pk])).content)
    assert "Information for Mara Testwood" in text
    assert "ICON: Babies cry, you can cope" in text
    assert "For dads and male carers" not in text
    assert "None at the moment." in text
    for canary in NEVER:
        assert canary not in text


def test_a_withdrawn_material_leaves_the_pack(owner: User, client: Client, fam: Family) -> None:
    from kinmap.accounts.models import Role
    from kinmap.carers.models import Material
    from tests.conftest import make_user

    admin = make_user("pack.admin", None, Role.ADMINISTRATOR)
    cs.material_deactivate(
        actor=admin,
        material=Material.objects.get(code="coping-plan"),
        reason="Rewriting",
        expected_version=Material.objects.get(code="coping-plan").version,
    )
    _signed_in(client, owner)
    text = _pdf_text(client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.father.pk])).content)
    assert "My coping with crying plan" not in text
    assert "ICON: Babies cry, you can cope" in text


def test_the_pack_download_is_audited_as_an_export(owner: User, client: Client, fam: Family) -> None:
    _signed_in(client, owner)
    client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.father.pk]))
    client.get(reverse("carer-pack", args=[fam.network.pk, fam.father.pk]))
    events = list(AuditEvent.objects.filter(action="export", object_type="carer_pack").order_by("id"))
    assert [(e.actor_name, e.object_id, e.network_id, e.changes["format"]) for e in events] == [
        ("hv.owner", str(fam.father.pk), fam.network.pk, [None, "pdf"]),
        ("hv.owner", str(fam.father.pk), fam.network.pk, [None, "html"]),
    ]
    assert events[0].changes["materials"][1][:2] == ["icon", "safer-sleep"]


def test_no_pack_for_someone_who_is_not_a_carer_or_for_an_outsider(
    owner: User, outsider: User, client: Client, fam: Family
) -> None:
    _signed_in(client, owner)
    assert client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.gran.pk])).status_code == 404
    client.logout()
    _signed_in(client, outsider)
    assert client.get(reverse("carer-pack-pdf", args=[fam.network.pk, fam.father.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
