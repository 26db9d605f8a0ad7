"""A health visitor opens the seed family's genogram on the family page, reads
it, and follows the father's gap marker to his open critical gaps; the same
page at 375 px wide. axe-core checks the page with the genogram on it.

(The family and its genogram "as at" an earlier date: test_chronology_journey.py.)
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import assert_no_axe_violations, sign_in


def test_follow_the_fathers_gap_marker_from_the_seed_familys_genogram(
    page: Page, settings: Any, materials_seeded: None
) -> None:
    demo_load(today=timezone.localdate())
    visitor = User.objects.get(username="health.visitor")
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    jordan = m.Person.objects.get(given_name="Jordan", family_name="Pike")

    sign_in(page, visitor, DEMO_PASSWORD)
    page.goto(f"/families/{network.pk}/")
    genogram = page.get_by_role("img", name="Genogram of Family of Alfie Renshaw")
    expect(genogram).to_be_visible()
    expect(page.get_by_role("heading", name="Genogram")).to_be_visible()
    assert_no_axe_violations(page)

    # each person is a link to their record, reached with the keyboard
    father = page.locator(f'svg a[data-person-link="{jordan.pk}"]')
    expect(father).to_have_attribute("href", f"/families/{network.pk}/people/{jordan.pk}/")
    father.focus()
    assert page.evaluate("document.activeElement.getAttribute('data-person-link')") == str(jordan.pk)

    # the father's marker says how many critical gaps are open, and leads to them
    marker = page.locator(f'svg a[data-gaps-for="{jordan.pk}"]')
    expect(marker).to_have_count(1)
    count = int(marker.locator("text").text_content() or "0")
    assert count >= 1
    marker.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/families/{network.pk}/#gap-*")
    target = page.url.split("#")[1]
    gap = page.locator(f"#{target}")
    expect(gap).to_be_visible()
    expect(gap).to_contain_text("Jordan")
    assert_no_axe_violations(page)

    # at 375 px wide the picture scales to the page (the lists stay as the text alternative)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/families/{network.pk}/#genogram")
    box = genogram.bounding_box()
    assert box is not None and box["width"] <= 375
    expect(page.get_by_role("heading", name="Relationships")).to_be_attached()
    assert_no_axe_violations(page)
