"""Every page with a table fits a phone 375 px wide: a wide table scrolls inside
its own box, and the page itself never scrolls sideways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from kinmap.accounts.models import User
from kinmap.jobs.services import family_recompute_start
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import sign_in

PAGES = {
    "partnership.admin": [
        "/manage/users/",
        "/manage/masked-details/",
        "/manage/teams/",
        "/manage/allocations/",
        "/settings/rules/",
        "/settings/rules/recomputes/{run}/",
        "/materials/",
    ],
    "hv.supervisor": [
        "/supervision/",
        "/supervision/area/",
        "/families/{seed}/supervision/",
        "/",
        "/families/{seed}/",
        "/families/{seed}/gaps/",
        "/families/{seed}/chronology/",
        "/families/{seed}/?as_at={yesterday}",
    ],
    "auditor": ["/audit/", "/audit/families/{seed}/"],
    "sc.info": ["/requests/"],
}


@pytest.mark.parametrize("username", PAGES)
def test_no_page_scrolls_sideways_at_375_px(
    page: Page, settings: Any, materials_seeded: None, username: str
) -> None:
    demo_load(today=timezone.localdate())
    seed = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw").pk
    # a recompute's progress page, its reason one long word (a pasted address)
    run = family_recompute_start(
        actor=User.objects.get(username="partnership.admin"),
        reason="See https://example.org/" + "a-long-address-without-spaces" * 8,
    ).pk
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, User.objects.get(username=username), DEMO_PASSWORD)
    too_wide = {}
    for url in PAGES[username]:
        yesterday = timezone.localdate() - timedelta(days=1)
        response = page.goto(url.format(seed=seed, run=run, yesterday=yesterday.isoformat()))
        assert response is not None and response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[url] = width
    assert too_wide == {}
