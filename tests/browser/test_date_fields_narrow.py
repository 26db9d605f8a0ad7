"""In Chromium at 375 px wide, the person form with its dates as people know
them (date of birth, date of death and the relationship's start, each with
how well it is known and the second date of "between") fits the screen and
axe-core finds nothing, before and after a "between" start without its second
date is refused with the error summary (nothing saved)."""

from __future__ import annotations

from playwright.sync_api import Page

from kinmap.accounts.models import User
from kinmap.records import models as m

from .conftest import assert_no_axe_violations, sign_in


def test_the_person_form_with_rough_dates_fits_375_px_and_axe_finds_nothing(
    page: Page, owner: User, baby_network: m.FamilyNetwork
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, owner)
    response = page.goto(f"/families/{baby_network.pk}/people/add/")
    assert response is not None and response.status == 200
    assert page.get_by_label("How well is the start of the relationship known?").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)

    page.get_by_label("Given name").fill("Nan")
    page.get_by_label("Family name").fill("Testgran")
    page.locator("select[name=relationship]").select_option("GRPRN")
    page.locator("input[name=rel_start_0]").fill("1")
    page.locator("input[name=rel_start_1]").fill("1")
    page.locator("input[name=rel_start_2]").fill("2024")
    page.get_by_label("How well is the start of the relationship known?").select_option("between")
    # no second date: refused with the error summary, which also fits and passes axe
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "The relationship start date: enter the second date, for 'between'" in summary.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)
    assert not m.Person.objects.filter(given_name="Nan").exists()
