"""A family whose records hold long unbroken words (a hyphen-less double
surname typed without spaces, an e-mail address, a pasted reference) still
fits a phone 375 px wide: the words wrap inside the page, which never
scrolls sideways."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Page

from kinmap.accounts.models import User
from kinmap.core import limits
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, demo_load

from .conftest import sign_in


def test_long_unbroken_words_wrap_at_375_px(page: Page, settings: Any, materials_seeded: None) -> None:
    demo_load(today=timezone.localdate())
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    person = m.Person.objects.filter(memberships__network=network, given_name="Alfie").get()
    long_word = "Featherstonehaugh" * 5
    m.Person.objects.filter(pk=person.pk).update(
        given_name=long_word[: limits.NAME_MAX],
        family_name=("Z" + long_word)[: limits.NAME_MAX],
        email=("x" * 60 + "@example.invalid")[: limits.EMAIL_MAX],
    )
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, User.objects.get(username="hv.supervisor"), DEMO_PASSWORD)
    too_wide = {}
    family = f"/families/{network.pk}/"
    for url in (family, f"{family}people/{person.pk}/", f"{family}gaps/", f"{family}chronology/"):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        if url in (family, f"{family}people/{person.pk}/"):
            assert long_word[:40] in page.content(), url  # the name is on the page
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[url] = width
    assert too_wide == {}
