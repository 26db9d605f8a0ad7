"""In Chromium: a health visitor asks children's social care for the father's
date of birth; a social care information officer answers; the fact is recorded
as supplied by that agency; the auditor sees both looks at the family. axe-core
finds no accessibility violations on the pages on the way."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SOCIAL = "Northshire Children's Social Care"


def _no_axe_violations(page: Page) -> None:
    assert_no_axe_violations(page)


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def _seed() -> dict[str, Any]:
    """A family like the one in the Child K review: a baby of 9 weeks living
    with his mother, and a father who lives elsewhere and has him overnight."""
    health = Agency.objects.create(name="Northshire Community Health", kind="health")
    social = Agency.objects.create(name=SOCIAL, kind="social-care")
    hv_team = Team.objects.create(agency=health, name="Health visiting east")
    sc_team = Team.objects.create(agency=social, name="Information governance")
    audit_team = Team.objects.create(agency=health, name="Safeguarding assurance")
    hv = User.objects.create_user(
        username="hv.amara", password=PASSWORD, team=hv_team, role=Role.PRACTITIONER, first_name="Amara"
    )
    officer = User.objects.create_user(
        username="io.sam", password=PASSWORD, team=sc_team, role=Role.INFORMATION_OFFICER, first_name="Sam"
    )
    auditor = User.objects.create_user(
        username="audit.jo", password=PASSWORD, team=audit_team, role=Role.AUDITOR, first_name="Jo"
    )
    network = s.network_create(
        actor=hv,
        child=s.PersonData(
            given_name="Kai",
            family_name="Testbaby",
            sex="male",
            birth_date=date.today() - timedelta(weeks=9),
            birth_date_accuracy="accurate",
        ),
    )
    child = m.NetworkMember.objects.get(network=network, is_index=True).person
    mother = s.person_add(
        actor=hv,
        network=network,
        data=s.PersonData(given_name="Lena", family_name="Testmother", sex="female"),
        related_to=child,
        relationship=s.RelationshipData(type="NMTH"),
    )
    home = s.residence_create(
        actor=hv,
        network=network,
        person=mother,
        address=s.AddressData(address_line_1="1 Example Road", postcode="ZZ99 1AA"),
    )
    s.residence_create(actor=hv, network=network, person=child, household=home.household)
    father = s.person_add(
        actor=hv,
        network=network,
        data=s.PersonData(given_name="Dean", family_name="Testfather", sex="male"),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    s.care_create(
        actor=hv,
        network=network,
        carer=father,
        child=child,
        data=s.CareData(place="carer-home", frequency="Friday nights", overnight=True),
    )
    return {"hv": hv, "officer": officer, "auditor": auditor, "network": network, "father": father}


@pytest.mark.django_db(transaction=True)
def test_health_visitor_asks_social_care_for_the_fathers_date_of_birth(live_server: Any, page: Page) -> None:
    seed = _seed()
    base = live_server.url
    network, father = seed["network"], seed["father"]

    # The health visitor asks.
    _sign_in(page, base, "hv.amara")
    page.goto(f"{base}/families/{network.pk}/")
    _no_axe_violations(page)
    page.get_by_role("link", name="Ask another agency about Dean Testfather").click()
    page.get_by_label("What do you need to know?").select_option(label="Date of birth")
    page.get_by_label("Which agency do you want to ask?").select_option(label=SOCIAL)
    page.get_by_label("Why do you need it?").fill(
        "Dean has Kai overnight on Friday nights and we hold no date of birth for him."
    )
    _no_axe_violations(page)
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert "Request sent to Northshire Children's Social Care" in page.content()
    _no_axe_violations(page)
    _sign_out(page)

    # Social care's information officer answers.
    _sign_in(page, base, "io.sam")
    page.get_by_role("link", name="Requests to answer").click()
    _no_axe_violations(page)
    page.get_by_role("link", name="Date of birth").click()
    page.wait_for_load_state()
    assert "Date of birth of Dean Testfather" in page.content()
    _no_axe_violations(page)
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1994")
    page.get_by_label("Why is sharing this justified?").fill(
        "Safeguarding a baby in his overnight care; the mother has been told."
    )
    page.locator("form[action$='/answer/']").get_by_label("Yes").check()
    page.get_by_role("button", name="Share and record the answer").click()
    page.wait_for_load_state()
    assert "Answer recorded" in page.content()
    _sign_out(page)

    father.refresh_from_db()
    assert father.birth_date == date(1994, 2, 14)
    assert father.provenance["birth_date"]["source"] == "other-agency"
    assert father.provenance["birth_date"]["detail"] == f"supplied by {SOCIAL}"

    # The health visitor sees the answer.
    _sign_in(page, base, "hv.amara")
    page.goto(f"{base}/families/{network.pk}/requests/")
    assert "Date of birth recorded" in page.content()
    _sign_out(page)

    # The auditor sees both looks at the family.
    _sign_in(page, base, "audit.jo")
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Family network reference").fill(str(network.pk))
    page.get_by_role("button", name="Show the trail").click()
    page.wait_for_load_state()
    html = page.content()
    assert "hv.amara" in html and "io.sam" in html
    assert "allocated to Health visiting east" in html
    assert f"answering a request addressed to {SOCIAL}" in html
    _no_axe_violations(page)
