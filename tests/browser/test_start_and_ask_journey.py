"""In Chromium: a health visitor starts a family network for a child children's
social care already holds, and kinmap looks for the child first (she uses the
child already on the record, or says why hers is someone new); then she finds
a father in search, in a family network she may not see, and asks the agency
holding him through an information request prefilled with that agency. Every
page on the way is clean under axe-core and fits a phone 375 px wide, and no
detail of social care's family reaches her."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.sharing.models import InformationRequest
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.matching.conftest import JORDAN_NHS, JORDAN_PHONE, JORDAN_POSTCODE, JORDAN_STREET, Seed, make_seed

pytestmark = pytest.mark.browser

SOCIAL = "Northshire Children's Social Care"
PHONE_WIDTH = 375
# social care's details about the father, which the health visitor never types (his
# NHS number spaced is the NHS number field's example, so it is looked for unspaced)
UNSEEN = (JORDAN_NHS, JORDAN_PHONE, JORDAN_POSTCODE, JORDAN_STREET, "7 March 1994")


def _checked(page: Page, unseen: tuple[str, ...] = UNSEEN) -> None:
    """axe-core finds nothing on the page as shown, nor at 375 px wide, where
    the page must not scroll sideways; and nothing of ``unseen`` is in it."""
    assert_no_axe_violations(page)
    before = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide at {PHONE_WIDTH} px"
        assert_no_axe_violations(page)
    finally:
        if before is not None:
            page.set_viewport_size(before)
    html = page.content()
    for detail in unseen:
        assert detail not in html, (page.url, detail)


def _fill_date(page: Page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def _start_a_family_for_skye(page: Page, owner: User, outsider: User) -> Seed:
    """Social care's family of Skye Price (born 2 May 2021) and her father;
    then the health visitor on the start page with Skye's details, up to the
    check that looks for her on the record."""
    seed = make_seed(outsider)
    sign_in(page, owner)
    page.goto("/families/start/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a family network")
    _checked(page)
    page.get_by_label("Given name").fill("Skye")
    page.get_by_label("Family name").fill("Price")
    page.check("input[name=birth_date_accuracy][value=accurate]")
    _fill_date(page, "Date of birth", 2, 5, 2021)
    page.check("input[name=sex][value=female]")
    page.get_by_role("button", name="Start the family network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is Skye Price already on the record?")
    main = page.inner_text("main")
    assert "Before starting the family network, we looked for them" in main
    assert f"A person held by {SOCIAL}" in main
    assert "Same name and date of birth" in main
    _checked(page)
    return seed


def _continue(page: Page, choice: str) -> None:
    page.get_by_label(choice, exact=False).check()
    page.get_by_role("button", name="Continue").click()


def _the_new_family(page: Page, social: m.FamilyNetwork) -> m.FamilyNetwork:
    page.wait_for_url("**/families/*/")
    network = m.FamilyNetwork.objects.exclude(pk=social.pk).get()
    assert page.url.endswith(f"/families/{network.pk}/")
    return network


def test_starting_a_family_links_the_child_social_care_holds(
    page: Page, transactional_db: Any, owner: User, outsider: User
) -> None:
    seed = _start_a_family_for_skye(page, owner, outsider)

    # "someone new" needs a reason: the error is shown as GOV.UK shows errors
    _continue(page, "No, add a new person")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this is a different person")
    _checked(page)
    assert m.FamilyNetwork.objects.count() == 1

    _continue(page, f"Yes: use the person held by {SOCIAL}")
    network = _the_new_family(page, seed.social_network)
    assert m.NetworkMember.objects.get(network=network, person=seed.skye).is_index
    assert m.Person.objects.filter(given_name="Skye").count() == 1  # known once
    # her father is in social care's family only: said to exist, never who he is
    expect(page.locator(".kinmap-hidden-elsewhere")).to_contain_text(
        f"1 person related to Skye is recorded only in family networks you cannot see, known to {SOCIAL}"
    )
    _checked(page, (*UNSEEN, "Jordan"))
    assert AuditEvent.objects.filter(action="link", network_id=network.pk, actor=owner).exists()


def test_starting_a_family_for_a_different_child_needs_a_reason(
    page: Page, transactional_db: Any, owner: User, outsider: User
) -> None:
    seed = _start_a_family_for_skye(page, owner, outsider)
    page.get_by_label("If this is someone new, say why they are not the person above").fill(
        "Another Skye: born in Leeds, mother Dana Price"
    )
    _continue(page, "No, add a new person")
    network = _the_new_family(page, seed.social_network)
    child = m.NetworkMember.objects.get(network=network, is_index=True).person
    assert child.pk != seed.skye.pk
    assert "1 person related to" not in page.inner_text("main")  # nothing shared with social care's Skye
    _checked(page)
    event = AuditEvent.objects.get(action="confirm_new", object_id=str(child.pk))
    assert event.reason == "Another Skye: born in Leeds, mother Dana Price"


def test_a_match_she_cannot_see_is_asked_of_the_agency_holding_it(
    page: Page, transactional_db: Any, owner: User, outsider: User, baby_network: m.FamilyNetwork
) -> None:
    seed = make_seed(outsider)
    # the mother's partner as the health visitor has him: a name only
    partner = s.person_add(
        actor=owner, network=baby_network, data=s.PersonData(given_name="Jordan", family_name="Pryce")
    )
    sign_in(page, owner)
    page.goto("/people/search/")
    _checked(page)
    page.get_by_label("Given name").fill("Jordan")
    page.get_by_label("Family name").fill("Price")
    _fill_date(page, "Date of birth", 7, 3, 1994)
    page.get_by_role("button", name="Search").click()
    found = page.locator("#other-networks")
    # her own Jordan Pryce matches too: "someone else" is known where she cannot see
    expect(found).to_contain_text(
        f"Someone else who matches is known in 1 family network you cannot see, held by {SOCIAL}"
    )
    _checked(page)

    found.get_by_role("link", name=f"Ask {SOCIAL} about the person found").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ask {SOCIAL} about the person your search found"
    )
    chosen: Callable[[str], str] = lambda field: page.eval_on_selector(  # noqa: E731
        f"#id_{field}", "el => el.options[el.selectedIndex].text"
    )
    assert chosen("to_agency") == SOCIAL  # prefilled with the holding agency
    assert page.locator("#id_to_agency option").all_inner_texts() == ["Choose an agency", SOCIAL]
    assert "Jordan Price" not in page.inner_text("main")  # the record found stays unnamed
    _checked(page)

    page.get_by_label("Who in your families is this about?").select_option(
        label=f"Jordan Pryce ({baby_network.name})"
    )
    page.get_by_label("What do you need to know?").select_option("fact:other-children")
    page.get_by_label("Why do you need it?").fill("Mother's new partner stays overnight with the baby")
    page.get_by_role("button", name="Send the request").click()

    page.wait_for_url(f"**/families/{baby_network.pk}/requests/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Request sent to {SOCIAL}")
    expect(page.locator("main")).to_contain_text("Jordan Pryce")
    assert "Jordan Price" not in page.inner_text("main")
    _checked(page)
    request = InformationRequest.objects.get()
    assert (request.network, request.person, request.to_agency.name, request.matched_person) == (
        baby_network,
        partner,
        SOCIAL,
        seed.jordan,
    )
    assert request.what == "fact:other-children"
