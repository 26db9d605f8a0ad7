"""Printed, the family page, a contact and a carer pack show the record only:
no buttons, navigation or forms (kinmap.css, @media print), and a gap or a
card is kept on one page. On screen the same controls are there, so the test
would see a print rule that stopped hiding them."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import sign_in

CONTROLS = "button, .govuk-button, nav, form, input, select, textarea, summary, .govuk-header, .govuk-footer"
SHOWN = """(selector) => Array.from(document.querySelectorAll(selector)).filter(
  (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
).map((e) => e.tagName + '.' + e.className)"""


def shown(page: Page, selector: str) -> list[str]:
    return page.evaluate(SHOWN, selector)


def test_printed_pages_show_the_record_without_buttons_navigation_or_forms(
    page: Page, materials_seeded: None
) -> None:
    demo_load(today=timezone.localdate())
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    user = User.objects.get(username="health.visitor")
    father = m.Person.objects.get(memberships__network=network, given_name="Jordan")
    contact = gs.contact_open(actor=user, network=network, type="6-8-weeks", date=timezone.localdate())
    sign_in(page, user, DEMO_PASSWORD)
    urls = {
        "family": f"/families/{network.pk}/",
        "contact": f"/families/{network.pk}/contacts/{contact.pk}/",
        "carer pack": f"/families/{network.pk}/carers/{father.pk}/pack/",
    }
    for name, url in urls.items():
        page.emulate_media(media="screen")
        page.goto(url)
        assert shown(page, CONTROLS), f"{name}: no controls on screen to hide"
        page.emulate_media(media="print")
        assert shown(page, CONTROLS) == [], name
        assert shown(page, "main h1") != [], name  # the record itself is printed
    # on the contact, a gap is not split over two pages and its heading stays with it
    page.goto(urls["contact"])
    page.emulate_media(media="print")
    gap = page.locator("[data-gap-block]").first
    assert gap.evaluate("(e) => getComputedStyle(e).breakInside") == "avoid"
    assert gap.locator("h4").evaluate("(e) => getComputedStyle(e).breakAfter") == "avoid"
    # why we ask is printed, though on screen it is one tap away
    assert gap.locator("[data-why]").is_visible()
