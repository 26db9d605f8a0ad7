"""The carers section of the family page, a carer's page and its forms, and
the partnership's materials pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from tests.conftest import PASSWORD, make_user

from .family import Family, seed_like_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def fam(owner: User) -> Family:
    return seed_like_family(owner)


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    assert client.login(username=owner.username, password=PASSWORD)
    return client


def _date(prefix: str, day: object) -> dict[str, str]:
    from datetime import date

    assert isinstance(day, date)
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _row(html: str, person_id: int) -> str:
    start = html.index(f'data-carer="{person_id}"')
    return html[start : html.index("</tr>", start)]


def test_family_page_lists_each_carer_with_what_is_still_to_give(signed_in: Client, fam: Family) -> None:
    html = signed_in.get(reverse("family", args=[fam.network.pk])).content.decode()
    assert "Carers and safety information" in html
    father = _row(html, fam.father.pk)
    assert "Dale Testcroft" in father and "lives elsewhere, overnight care" in father
    assert "ICON: Babies cry, you can cope, Safer sleep for your baby" in father
    mother = _row(html, fam.mother.pk)
    assert "ICON: Babies cry, you can cope, Safer sleep for your baby" in mother
    assert f'data-carer="{fam.gran.pk}"' not in html


def test_recording_information_on_the_carer_page(signed_in: Client, fam: Family) -> None:
    icon = cm.Material.objects.get(code="icon")
    url = reverse("information-add", args=[fam.network.pk, fam.father.pk])
    page = signed_in.get(url).content.decode()
    assert "Record information given to Dale Testcroft" in page
    response = signed_in.post(
        url,
        {
            "materials": [str(icon.pk)],
            "outcome": "given",
            "how": "telephone",
            **_date("given_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    page = signed_in.get(response["Location"]).content.decode()
    assert "Recorded: ICON: Babies cry, you can cope given to Dale Testcroft" in page
    assert "Still to give: Safer sleep for your baby" in page
    assert "Talked through by telephone" in page
    assert 'data-rule="17"' not in page and 'data-rule="18"' in page


def test_the_information_form_shows_errors_and_saves_nothing(signed_in: Client, fam: Family) -> None:
    url = reverse("information-add", args=[fam.network.pk, fam.father.pk])
    before = cm.InformationGiven.objects.count()
    response = signed_in.post(
        url, {"outcome": "given", "how": "telephone", **_date("given_on", timezone.localdate())}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_materials_0">Choose the information you gave or offered</a>' in html
    assert cm.InformationGiven.objects.count() == before


def test_inviting_and_recording_the_outcome_through_the_pages(signed_in: Client, fam: Family) -> None:
    url = reverse("carer-invite", args=[fam.network.pk, fam.father.pk])
    past = timezone.localdate() - timedelta(days=1)
    bad = signed_in.post(url, {"contact_type": "6-8-weeks", **_date("contact_on", past)}).content.decode()
    assert "The contact must be today or in the future" in bad
    assert not cm.JointAppointment.objects.exists()
    today = timezone.localdate()
    response = signed_in.post(url, {"contact_type": "6-8-weeks", **_date("contact_on", today)})
    assert response.status_code == 302
    appt = cm.JointAppointment.objects.get()
    page = signed_in.get(response["Location"]).content.decode()
    assert "Dale Testcroft invited to the 6 to 8 week review" in page
    assert "Invited, waiting for the appointment" in page
    assert "Invited to the 6 to 8 week review" in page  # rule 20 still open until he comes
    out = signed_in.post(
        reverse("appointment-outcome", args=[fam.network.pk, appt.pk]),
        {"outcome": "attended", "version": "1"},
    )
    assert out.status_code == 302
    page = signed_in.get(out["Location"]).content.decode()
    assert 'data-rule="20"' not in page
    assert "Attended" in page


def test_the_mother_is_not_offered_a_joint_appointment(signed_in: Client, fam: Family) -> None:
    page = signed_in.get(reverse("carer", args=[fam.network.pk, fam.mother.pk])).content.decode()
    assert "Invite to a joint appointment" not in page
    assert "Record information given or offered" in page


def test_carer_pages_answer_404_to_an_outsider(client: Client, outsider: User, fam: Family) -> None:
    assert client.login(username=outsider.username, password=PASSWORD)
    for name in ("carer", "information-add", "carer-invite", "carer-pack"):
        assert client.get(reverse(name, args=[fam.network.pk, fam.father.pk])).status_code == 404


# -- materials (partnership administrator) -------------------------------------------


@pytest.fixture
def admin_client(client: Client, health_team: object) -> Client:
    make_user("materials.admin", None, Role.ADMINISTRATOR)
    assert client.login(username="materials.admin", password=PASSWORD)
    return client


def test_materials_are_only_for_the_partnership_administrator(signed_in: Client) -> None:
    assert signed_in.get(reverse("materials")).status_code == 404
    assert signed_in.get(reverse("material-add")).status_code == 404


def test_administrator_adds_and_withdraws_a_material_after_confirming(admin_client: Client) -> None:
    page = admin_client.get(reverse("materials")).content.decode()
    assert "ICON: Babies cry, you can cope" in page and 'href="/materials/"' in page
    response = admin_client.post(
        reverse("material-add"),
        {
            "code": "bath-time",
            "title": "Safe bath time",
            "summary": "Never leave a baby alone in the bath.",
            "audience": "all",
            "due_from_days": "0",
            "due_to_days": "365",
            "formats": ["leaflet"],
            "languages": "English, Polish",
        },
    )
    assert response.status_code == 302
    bath = cm.Material.objects.get(code="bath-time")
    assert bath.languages == ["English", "Polish"]
    confirm = admin_client.get(reverse("material-withdraw", args=[bath.pk])).content.decode()
    assert "Are you sure you want to withdraw Safe bath time?" in confirm
    bath.refresh_from_db()
    assert bath.active  # nothing happens until confirmed
    refused = admin_client.post(
        reverse("material-withdraw", args=[bath.pk]), {"reason": "", "version": bath.version}
    )
    assert "Say why this material is being withdrawn" in refused.content.decode()
    admin_client.post(
        reverse("material-withdraw", args=[bath.pk]), {"reason": "Replaced", "version": bath.version}
    )
    bath.refresh_from_db()
    assert not bath.active
    assert AuditEvent.objects.filter(object_type="material", action="deactivate").count() == 1
    admin_client.post(reverse("material-restore", args=[bath.pk]), {"version": bath.version})
    bath.refresh_from_db()
    assert bath.active


def test_material_form_shows_validation_errors(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("material-add"),
        {
            "code": "x",
            "title": "X",
            "summary": "Y",
            "audience": "all",
            "formats": ["web"],
            "languages": "English",
        },
    )
    html = response.content.decode()
    assert '<a href="#id_url">Enter the web address, or untick &#x27;Web link&#x27;</a>' in html
    assert not cm.Material.objects.filter(code="x").exists()


def test_the_contact_section_lists_carers_still_missing_core_information(owner: User, fam: Family) -> None:
    from django.template import Context, Template

    from kinmap.carers import services as cs
    from kinmap.records.selectors import family_record_load

    def render() -> str:
        record = family_record_load(fam.network)
        template = Template("{% load carers %}{% carers_missing_core network graph_network %}")
        return template.render(Context({"network": fam.network, "graph_network": record.graph_network}))

    html = render()
    assert "Carers still missing core information" in html
    assert "(lives elsewhere, has the baby overnight)" in html
    assert "ICON: Babies cry, you can cope, Safer sleep for your baby" in _row_li(html, fam.father.pk)
    assert "ICON: Babies cry, you can cope, Safer sleep for your baby" in _row_li(html, fam.mother.pk)
    for person in (fam.mother, fam.father):
        cs.information_given_record(
            actor=owner,
            network=fam.network,
            person=person,
            data=cs.InformationData(
                materials=list(cm.Material.objects.filter(code__in=["icon", "safer-sleep"])),
                how="telephone",
                given_on=timezone.localdate(),
            ),
        )
    html = render()
    assert f'data-carer="{fam.mother.pk}"' not in html
    # the father still has no sleep place recorded for his overnight care
    assert "Where the baby sleeps during care overnight is not recorded." in _row_li(html, fam.father.pk)


def _row_li(html: str, person_id: int) -> str:
    start = html.index(f'data-carer="{person_id}"')
    return html[start : html.index("</li>", start)]


def test_carer_page_and_pack_queries_do_not_grow_with_family_size(client: Client, owner: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_carers_services import _grow

    small, big = seed_like_family(owner), seed_like_family(owner)
    _grow(small, owner, 1)
    _grow(big, owner, 10)
    assert client.login(username=owner.username, password=PASSWORD)

    def queries(fam: Family, name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[fam.network.pk, fam.father.pk])).status_code == 200
        return len(ctx.captured_queries)

    for name in ("carer", "carer-pack", "carer-pack-pdf"):
        assert queries(small, name) == queries(big, name), name
