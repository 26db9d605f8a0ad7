"""In Chromium: a health visitor opens a contact with the family of a 9-week-old
whose father lives elsewhere and has him overnight. The father's missing date
of birth is prompted with why we ask; the mother declines to give it; at the
next contact the same prompt comes back showing what she said; she gives it;
the gap is gone from the family page and the worklist. Another question,
declined twice, is flagged on the supervisor's dashboard. axe-core finds no
accessibility violations on the pages on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from tests.conftest import make_user
from tests.gaps.family import seed_family

from .conftest import sign_in


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A tab on the live server (the session's Chromium, from conftest).

    bypass_csp: the pages' Content Security Policy forbids injected scripts, as
    it should, and axe-core is injected into the page to check it; bypassing
    the policy in this test context is what lets axe run whatever way it is
    injected. Nothing the pages do depends on it (the CSP itself is tested
    elsewhere)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def no_axe_violations(page: Page) -> None:
    results = Axe().run(page)
    details = [
        (v["id"], [n["target"] for n in v["nodes"]], v["nodes"][0].get("failureSummary", ""))
        for v in results.response["violations"]
    ]
    assert results.violations_count == 0, "\n".join(map(str, [page.url, *details]))


def banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


def start_contact(page: Page, network_id: int, kind: str) -> None:
    page.goto(f"/families/{network_id}/")
    page.get_by_role("link", name="Start a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a contact")
    no_axe_violations(page)
    page.get_by_label(kind).check()
    page.get_by_role("group", name="Who was there?").get_by_label("Mara Testbaby").check()
    page.get_by_role("button", name="Start the contact").click()
    expect(page.get_by_role("heading", level=2, name="What we still need to know")).to_be_visible()


def open_no_answer(block: Locator) -> None:
    """Open "No answer? Record what happened" (a details element) unless it is open."""
    details = block.locator("details.kinmap-no-answer")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def decline(block: Locator, reason: str, view: str) -> None:
    open_no_answer(block)
    block.get_by_label("Asked: they did not want to say").check()
    block.get_by_label("Who did not want to say?").select_option(label="Mara Testbaby")
    block.get_by_label("The reason they gave, in their words").fill(reason)
    block.get_by_label("Your view of why they did not want to say").fill(view)
    block.get_by_role("button", name=re.compile("^Save what happened")).click()


def worklist_families(page: Page, rule: str) -> list[str]:
    page.goto("/")
    page.get_by_label("Requirement").select_option(value=rule)
    page.get_by_role("button", name="Show families").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    return page.locator("tr[data-family] td:first-child").all_inner_texts()


def test_a_gap_is_prompted_until_it_is_filled(page: Page, owner: User, health_team: Team) -> None:
    f = seed_family(owner)
    supervisor = make_user("hv.supervisor", health_team, Role.SUPERVISOR)
    dob = f"R02-birth-father:person:{f.father.pk}"
    services = f"R15-adult-services:person:{f.father.pk}"

    sign_in(page, owner)
    assert worklist_families(page, "R02-birth-father") == ["Family of Rowan Testbaby"]
    no_axe_violations(page)

    # the family page says what we still need to know, and why we ask
    page.goto(f"/families/{f.network.pk}/")
    still = page.locator("#still-need")
    line = still.locator(f'[data-gap-key="{dob}"]')
    expect(line).to_contain_text("Date of birth not recorded for Dan Testfather")
    expect(line).to_contain_text("Why we ask: Dads matter to babies as much as mums do.")
    no_axe_violations(page)

    # first contact: the father's date of birth comes first, with why we ask
    start_contact(page, f.network.pk, "Home visit")
    first = page.locator(".kinmap-gap").first
    expect(first).to_have_attribute("data-gap-key", dob)
    expect(first.locator("[data-why]")).to_contain_text("Dads matter to babies as much as mums do.")
    expect(first.locator("[data-last-time]")).to_have_text("Not asked before")
    no_axe_violations(page)
    decline(first, "he doesn't want services involved", "She seemed worried about how he would react")
    # saved in place: the page's status region says what was saved
    expect(page.locator("#contact-status")).to_contain_text(
        "Saved: Date of birth not recorded for Dan Testfather"
    )
    decline(page.locator(f'[data-gap-key="{services}"]'), "that's his business", "Reluctant to speak for him")
    expect(page.locator("#contact-status")).to_contain_text(
        "Saved: Not yet asked whether adult services know"
    )
    # closing is refused while gaps have no outcome
    page.get_by_role("button", name="Close the contact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Record an outcome for every gap shown before closing the contact"
    )
    no_axe_violations(page)
    page.get_by_label("Why were the rest not asked this time?").fill("baby unwell, visit cut short")
    page.get_by_role("button", name="Record the rest as not asked this time").click()
    expect(page.locator("#contact-status")).to_contain_text("Recorded 'not asked this time'")
    page.get_by_role("button", name="Close the contact").click()
    expect(banner(page)).to_contain_text("Contact closed")

    # next contact: the same prompt returns, showing what was said last time
    start_contact(page, f.network.pk, "Clinic")
    block = page.locator(f'[data-gap-key="{dob}"]')
    expect(block.locator("[data-last-time]")).to_contain_text(
        "declined (Mara Testbaby): \u2018he doesn't want services involved\u2019"
    )
    expect(block).to_contain_text("shown at 2 contacts")
    no_axe_violations(page)
    decline(
        page.locator(f'[data-gap-key="{services}"]'), "still his business", "Same reluctance as last time"
    )
    # the decline is saved (and the gaps shown again) before she answers the next
    expect(page.locator(f'[data-gap-key="{services}"] [data-outcome]')).to_be_visible()

    # she gives his date of birth
    block = page.locator(f'[data-gap-key="{dob}"]')
    answer = block.locator('form[data-answer="birth-date"]')
    born = date(1994, 5, 3)
    answer.get_by_label("Day").fill(str(born.day))
    answer.get_by_label("Month").fill(str(born.month))
    answer.get_by_label("Year").fill(str(born.year))
    answer.get_by_label("Who said it, or which agency or document").fill("the mother")
    answer.get_by_role("button", name=re.compile("^Save the answer")).click()
    expect(page.locator("#contact-status")).to_contain_text(
        "Answered: Date of birth not recorded for Dan Testfather"
    )
    expect(page.locator(f'[data-gap-key="{dob}"] [data-outcome]')).to_contain_text("answered")
    assert not gm.Gap.objects.get(network=f.network, key=dob).is_open

    # gone from the family page and from the worklist
    page.goto(f"/families/{f.network.pk}/")
    expect(page.locator("#still-need")).not_to_contain_text("Date of birth not recorded for Dan Testfather")
    expect(page.locator("#still-need")).to_contain_text(
        "Not recorded whether Dan Testfather has a current partner"
    )
    assert worklist_families(page, "R02-birth-father") == []
    expect(page.get_by_text("No families have gaps that match.")).to_be_visible()
    # the gap's history tells the story
    page.goto(f"/families/{f.network.pk}/gaps/")
    expect(page.locator(f'tr[data-gap-key="{dob}"] [data-history]')).to_contain_text(
        "asked, declined (Mara Testbaby): \u2018he doesn't want services involved\u2019"
    )
    expect(page.locator(f'tr[data-gap-key="{dob}"] [data-history]')).to_contain_text(
        "asked again, date of birth recorded, given by the mother"
    )
    no_axe_violations(page)
    page.get_by_role("button", name=re.compile("^Sign out")).click()

    # declined twice: on the supervisor's dashboard
    sign_in(page, supervisor)
    page.get_by_role("link", name="Supervision", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision: your team's families")
    flagged = page.locator(f'[data-flagged-family="{f.network.pk}"] [data-gap-key="{services}"]')
    expect(flagged).to_contain_text("Not yet asked whether adult services know Dan Testfather")
    expect(flagged).to_contain_text("Declined twice")
    expect(page.locator(f'[data-flagged-family="{f.network.pk}"] [data-gap-key="{dob}"]')).to_have_count(0)
    no_axe_violations(page)
    # the supervisor records a decision, which becomes part of the family's history
    page.locator(f'[data-flagged-family="{f.network.pk}"]').get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision")
    no_axe_violations(page)
    page.get_by_label("Decision", exact=True).fill(
        "Ask the GP practice about his involvement with adult services"
    )
    due = date.today() + timedelta(days=4)
    page.locator("#id_action1-description").fill("Ask the GP practice by Friday")
    page.locator("#id_action1-owner").select_option(str(owner.pk))
    for i, part in enumerate((due.day, due.month, due.year)):
        page.locator(f"#id_action1-due_{i}").fill(str(part))
    page.get_by_role("button", name="Record the decision").click()
    expect(banner(page)).to_contain_text("Decision recorded with 1 action")
    no_axe_violations(page)
    page.goto(f"/families/{f.network.pk}/gaps/")
    expect(page.locator(".kinmap-decision")).to_contain_text(
        "Ask the GP practice about his involvement with adult services"
    )
    # the health visitor sees the action on their list and records it as done
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    sign_in(page, owner)
    expect(page.locator("#my-actions")).to_contain_text("Ask the GP practice by Friday")
    no_axe_violations(page)
    page.goto(f"/families/{f.network.pk}/")
    page.locator("#supervision-actions").get_by_role("link", name=re.compile("^Record as done")).click()
    no_axe_violations(page)
    page.get_by_role("button", name="Record as done").click()
    expect(banner(page)).to_contain_text("Recorded as done: Ask the GP practice by Friday")
    expect(page.locator("#supervision-actions")).to_contain_text("done by")


def test_a_contact_works_without_javascript(page_without_javascript: Page, owner: User) -> None:
    """Every detail of every answer shows under its choice; the forms are plain posts."""
    page = page_without_javascript
    f = seed_family(owner)
    dob = f"R02-birth-father:person:{f.father.pk}"
    sign_in(page, owner)
    start_contact_plain(page, f.network.pk)
    block = page.locator(f'[data-gap-key="{dob}"]')
    open_no_answer(block)
    expect(block.get_by_label("The reason they gave, in their words")).to_be_visible()
    decline(block, "he doesn't want services involved", "She seemed worried")
    expect(banner(page)).to_contain_text("Saved: Date of birth not recorded for Dan Testfather")
    page.get_by_label("Why were the rest not asked this time?").fill("baby unwell")
    page.get_by_role("button", name="Record the rest as not asked this time").click()
    page.get_by_role("button", name="Close the contact").click()
    expect(banner(page)).to_contain_text("Contact closed")
    assert gm.Gap.objects.get(network=f.network, key=dob).state == "asked-declined"


def start_contact_plain(page: Page, network_id: int) -> None:
    page.goto(f"/families/{network_id}/contacts/start/")
    page.get_by_label("Home visit").check()
    page.get_by_role("button", name="Start the contact").click()
    expect(page.get_by_role("heading", level=2, name="What we still need to know")).to_be_visible()


def test_an_administrator_tunes_a_rule_giving_a_reason(page: Page, health_team: Team) -> None:
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    sign_in(page, admin)
    page.get_by_role("link", name="Rule settings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information requirements")
    no_axe_violations(page)
    page.locator('tr[data-rule="R14-agency-request"]').get_by_role("link", name=re.compile("^Change")).click()
    no_axe_violations(page)
    page.get_by_label("Times asked before a request to another agency is considered").fill("2")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are making this change")
    no_axe_violations(page)
    page.get_by_label("Why are you making this change?").fill("Partnership policy, March review")
    page.get_by_role("button", name="Save the change").click()
    expect(banner(page)).to_contain_text("Rule setting changed")
    row = page.locator('tr[data-rule="R14-agency-request"]')
    expect(row).to_contain_text("Times asked before a request to another agency is considered: 2 times")
    expect(row).to_contain_text("after it has been asked about 2 times")
    assert gm.RuleSettingChange.objects.get().reason == "Partnership policy, March review"
