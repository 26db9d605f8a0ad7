"""A health visitor opens the seed family's genogram, follows the father's gap
marker, and then looks at the family as it was recorded at the end of the day
before his overnight care was recorded: the father is there, the overnight
care is not, and a banner says what the page shows. Then the chronology,
filtered to the father. axe-core checks each page; the as-at page at 375 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import assert_no_axe_violations, sign_in


def test_the_seed_family_as_at_the_day_before_the_fathers_overnight_care_was_recorded(
    page: Page, settings: Any, materials_seeded: None
) -> None:
    demo_load(today=timezone.localdate())
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    jordan = m.Person.objects.get(given_name="Jordan", family_name="Pike")
    overnight = m.CareArrangement.objects.get(carer=jordan, overnight=True)
    assert overnight.recorded_at is not None
    day_before = timezone.localdate(overnight.recorded_at) - timedelta(days=1)

    sign_in(page, User.objects.get(username="health.visitor"), DEMO_PASSWORD)
    page.goto(f"/families/{network.pk}/")
    expect(page.get_by_role("img", name="Genogram of Family of Alfie Renshaw")).to_be_visible()
    page.locator(f'svg a[data-gaps-for="{jordan.pk}"]').click()
    page.wait_for_url(f"**/families/{network.pk}/#gap-*")
    expect(page.locator(f"#{page.url.split('#')[1]}")).to_contain_text("Jordan")
    care = [f'div[data-care="{overnight.pk}"]', f'svg [data-care="{overnight.pk}"]']  # card and arrow
    for shown in care:
        expect(page.locator(shown)).to_have_count(1)  # recorded now

    # the family as it was recorded at the end of the day before the overnight care was
    page.get_by_text("See this family as it was recorded on an earlier date").click()
    page.get_by_label("Date").fill(day_before.isoformat())
    page.get_by_role("button", name="Show the family as at this date").click()
    page.wait_for_url(f"**/families/{network.pk}/?as_at={day_before.isoformat()}")
    banner = page.get_by_role("region", name=f"As recorded at the end of {day_before.day} {day_before:%B %Y}")
    expect(banner).to_contain_text(
        f"You are looking at this family as it was recorded at the end of {day_before.day} {day_before:%B %Y}"
    )
    genogram = page.get_by_role("img", name="Genogram of Family of Alfie Renshaw")
    expect(genogram).to_be_visible()
    expect(page.locator(f'svg [data-person="{jordan.pk}"]').first).to_be_attached()  # he was known...
    for shown in care:
        expect(page.locator(shown)).to_have_count(0)  # ...his overnight care not yet
    expect(page.locator("svg a[data-gaps-for]")).to_have_count(0)
    expect(page.get_by_role("button", name="Add a person")).to_have_count(0)  # read-only
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 375, "height": 800})
    box = genogram.bounding_box()
    assert box is not None and box["width"] <= 375
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # the chronology, filtered to the father: his overnight care, who recorded it and when
    page.get_by_role("link", name="Chronology").first.click()
    expect(page.get_by_role("heading", name="Chronology", level=1)).to_be_visible()
    page.get_by_label("Person").select_option(str(jordan.pk))
    page.get_by_role("button", name="Show lines").click()
    line = page.locator(".kinmap-chronology-line", has_text="Care began: Jordan Pike cares for Alfie Renshaw")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Recorded by health.visitor")
    assert_no_axe_violations(page)
