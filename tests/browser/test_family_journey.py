"""A health visitor records the father of a 9-week-old who lives elsewhere and
has the baby overnight (on Fridays), then finds him described as such on the
family page. axe-core checks every page of the journey."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from kinmap.accounts.models import User
from kinmap.records import models as m

from .conftest import assert_no_axe_violations, sign_in

SCREENSHOT = Path(__file__).resolve().parents[2] / "var" / "family.png"


def _fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save").click()


def _add_person(page: Page, relationship: str, given: str, family: str, sex: str, said_by: str) -> None:
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")
    page.get_by_label("How are they related?").select_option(label=relationship)
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_role("group", name="Sex").get_by_label(sex, exact=True).check()
    page.get_by_label("Said by").check()
    page.get_by_label("Who said it, or which agency or document").fill(said_by)
    _save(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{given} {family} added")


def _record_new_address(page: Page, who: list[str], line_1: str, postcode: str) -> None:
    page.get_by_role("button", name="Record where someone lives").click()
    for name in who:  # several people at one address, in one submission
        page.get_by_role("group", name="Who lives there?").get_by_label(name).check()
    page.get_by_label("A new address").check()
    page.get_by_label("Address line 1").fill(line_1)
    page.get_by_label("Town or city").fill("Northtown")
    page.get_by_label("Postcode").fill(postcode)
    _save(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Household updated")


def test_father_who_lives_elsewhere_with_overnight_care(page: Page, owner: User) -> None:
    born = date.today() - timedelta(weeks=9)

    page.goto("/sign-in/")
    assert_no_axe_violations(page)
    sign_in(page, owner)

    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Start a family network").click()

    # start the network around the baby; first with nothing entered
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a family network")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Start the family network").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name, or say why the name is not known")
    assert_no_axe_violations(page)
    page.get_by_label("Given name").fill("Rowan")
    page.get_by_label("Family name").fill("Testbaby")
    page.get_by_label("Born: the date of birth is known").check()
    _fill_date(page, "Date of birth", born)
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Start the family network").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Family of Rowan Testbaby")
    assert_no_axe_violations(page)

    # the mother, and the father (related as birth father)
    page.get_by_role("button", name="Add a person").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back").click()
    _add_person(
        page, "is the birth mother of", "Mara", "Testmother", "Female", "herself, at the new birth visit"
    )
    _add_person(
        page, "is the birth father of", "Dan", "Testfather", "Male", "the mother, at the new birth visit"
    )

    # the baby lives with the mother; the father at another address
    page.get_by_role("button", name="Record where someone lives").click()
    assert_no_axe_violations(page)
    page.get_by_role("group", name="Who lives there?").get_by_label("Mara Testmother").check()
    page.get_by_label("A new address").check()
    _save(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the first line of the address or the postcode"
    )
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back").click()
    _record_new_address(page, ["Mara Testmother", "Rowan Testbaby"], "1 Home Road", "ZZ99 1AA")
    _record_new_address(page, ["Dan Testfather"], "9 Away Lane", "ZZ99 2BB")

    # overnight care at his home on Fridays
    page.get_by_role("button", name="Add a care arrangement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a care arrangement")
    assert_no_axe_violations(page)
    page.get_by_label("Who gives the care").select_option(label="Dan Testfather")
    page.get_by_label("At the carer's home").check()
    page.get_by_label("How often").fill("on Fridays")
    page.get_by_label("The child stays overnight").check()
    _save(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Care arrangement saved")

    # the family page: found in "Lives elsewhere", described as such
    elsewhere = page.locator('dl[data-group="lives-elsewhere"]')
    heading = page.locator(f"#{elsewhere.get_attribute('aria-labelledby')}")
    expect(heading).to_have_text(re.compile(r"^Lives elsewhere"))
    dan = elsewhere.locator(".kinmap-person-line", has_text="Dan Testfather")
    expect(dan).to_have_count(1)
    expect(dan.locator(".kinmap-description")).to_have_text(
        re.compile(r"^Birth father · lives elsewhere · has the baby overnight \(on Fridays\)")
    )
    mara = page.locator('[data-group="lives-with"] .kinmap-person-line', has_text="Mara Testmother")
    expect(mara.locator(".kinmap-description")).to_have_text("Birth mother · lives with the child")
    assert_no_axe_violations(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # his own page says where each fact came from
    dan.get_by_role("link", name="Dan Testfather", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dan Testfather")
    name_row = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=re.compile("^Name$")))
    expect(name_row.locator(".kinmap-provenance")).to_have_text(
        re.compile(
            r"^Said by the mother, at the new birth visit · recorded by hv\.owner on \d{1,2} \w+ \d{4}$"
        )
    )
    assert_no_axe_violations(page)

    care = m.CareArrangement.objects.get()
    assert (care.carer.given_name, care.frequency, care.overnight, care.place) == (
        "Dan",
        "on Fridays",
        True,
        "carer-home",
    )
