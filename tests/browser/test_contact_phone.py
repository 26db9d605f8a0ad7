"""In Chromium, on a phone (375 x 812) and on a desktop, with and without
JavaScript: a health visitor runs the seed family's 6 to 8 week review through
every prompt and closes it. Mother, father and baby are there and seen; the
father is given two safety materials at once; he does not want to say one
thing; the mother answers another; the household is confirmed; the rest are
recorded as not asked this time, with a reason. axe-core finds nothing, the
page never scrolls sideways, the running count follows every save, and the
page loads and form submissions the browser made are the ones ``make bench``
reports for the same contact (kinmap.gaps.round_trips)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, Request, expect

from kinmap.accounts.models import User
from kinmap.gaps.round_trips import contact_round_trips
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import TIMEOUT_MS, assert_no_axe_violations, sign_in

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(params=[True, False], ids=["with-javascript", "without-javascript"])
def tab(request: pytest.FixtureRequest, browser: Browser, live_server: Any) -> Iterator[tuple[Page, bool]]:
    """A fresh tab, and whether JavaScript is on in it."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=request.param)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page(), request.param
    finally:
        context.close()


class Requests:
    """Page loads (documents fetched with GET) and form submissions (POSTs,
    by the page or by its script) the browser made."""

    def __init__(self) -> None:
        self.page_loads = 0
        self.submissions = 0

    def __call__(self, request: Request) -> None:
        if request.method == "POST":
            self.submissions += 1
        elif request.resource_type == "document":
            self.page_loads += 1


def fits(page: Page, width: int, javascript: bool) -> None:
    """No sideways scrolling and nothing for axe-core to report. Both run
    scripts in the page, which a tab with JavaScript off refuses, so they are
    checked in the runs with it on (the same pages and sizes)."""
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_no_axe_violations(page)


def progress(page: Page) -> Locator:
    return page.locator("#contact-progress")


def recorded(page: Page) -> tuple[int, int]:
    found = re.fullmatch(r"(\d+) of (\d+) recorded", progress(page).inner_text().strip())
    assert found, progress(page).inner_text()
    return int(found.group(1)), int(found.group(2))


def gap_block(page: Page, person: m.Person, detail: str) -> Locator:
    return page.locator(f"#group-person-{person.pk} [data-gap-block]").filter(
        has=page.get_by_role("heading", level=4, name=re.compile(detail))
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_six_to_eight_week_review_on_a_phone_and_a_desktop(
    tab: tuple[Page, bool], materials_seeded: None, size: str
) -> None:
    page, javascript = tab
    demo_load(today=timezone.localdate())
    bench = contact_round_trips()  # rolled back: the family is as it was
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    people = {str(p): p for p in m.Person.objects.filter(memberships__network=network)}
    mother, father = people["Chloe Renshaw"], people["Jordan Pike"]
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    sign_in(page, User.objects.get(username="health.visitor"), DEMO_PASSWORD)
    counted = Requests()
    page.on("request", counted)

    page.goto(f"/families/{network.pk}/")
    page.get_by_role("link", name="Start a contact").click()
    page.get_by_label("6 to 8 week review").check()
    for group in ("Who was there?", "Who did you see or speak to directly?"):
        for name in people:
            page.get_by_role("group", name=group).get_by_label(name).check()
    page.get_by_role("button", name="Start the contact").click()
    expect(page.get_by_role("heading", level=2, name="What we still need to know")).to_be_visible()
    contact_url = page.url
    done, total = recorded(page)
    assert done < total == bench["with_javascript"]["gaps"]
    fits(page, viewport["width"], javascript)

    # two materials at once, on the father's carer page
    gap_block(page, father, "ICON not given").get_by_role(
        "link", name=re.compile("^Record information given or offered")
    ).click()
    page.get_by_label("ICON: Babies cry, you can cope").check()
    page.get_by_label("Safer sleep for your baby").check()
    page.get_by_label("Yes, it was given").check()
    page.get_by_label("In person at a contact").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded: ICON: Babies cry, you can cope, Safer sleep for your baby given to Jordan Pike"
    )
    page.goto(contact_url)
    before = recorded(page)[0]
    assert before >= 2  # both safety-information gaps answered by the one submission

    # he does not want to say whether he has been known by another name
    block = gap_block(page, father, "other name")
    block.get_by_text("No answer? Record what happened").click()
    block.get_by_label("Asked: they did not want to say").check()
    block.get_by_label("Who did not want to say?").select_option(label="Jordan Pike")
    block.get_by_label("The reason they gave, in their words").fill("He would rather not go into it today")
    block.get_by_label("Your view of why they did not want to say").fill("Tired after work; ask again")
    block.get_by_role("button", name=re.compile("^Save what happened")).click()
    expect(progress(page)).to_have_text(f"{before + 1} of {total} recorded")
    expect(gap_block(page, father, "other name").locator("[data-outcome]")).to_contain_text(
        "asked: declined", ignore_case=True
    )

    # the mother answers: no current partner; saved without saying who said
    # it, the error shows in place (GOV.UK error styling) and nothing is counted
    partner = gap_block(page, mother, "current partner")
    no_partner = re.compile("^Record: no current partner")
    partner.get_by_role("button", name=no_partner).click()
    expect(partner.locator(".govuk-form-group--error .govuk-error-message")).to_contain_text(
        "Say who said it"
    )
    expect(progress(page)).to_have_text(f"{before + 1} of {total} recorded")
    if javascript:
        expect(partner.get_by_label("Who said it, or which agency or document")).to_be_focused()
    else:
        expect(page.locator(".govuk-error-summary")).to_contain_text("Say who said it")
    partner.get_by_label("Who said it, or which agency or document").fill("Chloe")
    partner.get_by_role("button", name=no_partner).click()
    expect(progress(page)).to_have_text(f"{before + 2} of {total} recorded")
    mistakes = 1  # the submission refused above, which the bench's contact does not make

    # the household has not changed
    page.locator("#households").get_by_role("button", name=re.compile("^No change")).first.click()
    expect(page.locator("#households [data-confirmed]").first).to_be_visible()

    # the rest: not asked this time, with a reason
    page.get_by_label("Why were the rest not asked this time?").fill("The baby was unsettled; next time")
    page.get_by_role("button", name="Record the rest as not asked this time").click()
    expect(progress(page)).to_have_text(f"{total} of {total} recorded")
    fits(page, viewport["width"], javascript)
    if javascript:
        assert page.url == contact_url  # every save was made in place

    page.get_by_role("button", name="Close the contact").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Contact closed")
    assert f"/families/{network.pk}/" in page.url

    mode = "with_javascript" if javascript else "without_javascript"
    assert (counted.page_loads, counted.submissions) == (
        bench[mode]["page_loads"],
        bench[mode]["form_submissions"] + mistakes,
    )
