"""In Chromium: the health visitor adds the baby's father to her family; kinmap
shows that children's social care already holds him, she uses that record, and
the family page flags that he is the parent of a child in another family
network. axe-core finds no accessibility problems on the way."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from kinmap.accounts.models import User
from kinmap.records import models as m
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.matching.conftest import CANARIES, make_seed

pytestmark = pytest.mark.browser


def test_the_health_visitor_links_the_father_social_care_already_holds(
    page: Page, transactional_db: Any, owner: User, outsider: User, baby_network: m.FamilyNetwork
) -> None:
    seed = make_seed(outsider)
    sign_in(page, owner)
    page.goto("/people/search/")
    assert_no_axe_violations(page)
    page.get_by_label("Family name").fill("Price")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "held by Northshire Children's Social Care" in page.inner_text("#other-networks")
    assert_no_axe_violations(page)

    page.goto(f"/families/{baby_network.pk}/people/add/")
    page.select_option("#id_relationship", "NFTH")
    page.get_by_label("Given name").fill("Jordan")
    page.get_by_label("Family name").fill("Price")
    page.check("input[name=sex][value=male]")
    page.fill("#id_birth_date_0", "7")
    page.fill("#id_birth_date_1", "3")
    page.fill("#id_birth_date_2", "1994")
    page.check("input[name=birth_date_accuracy][value=accurate]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Is Jordan Price already on the record?"
    body = page.inner_text("main")
    assert "A person held by Northshire Children's Social Care" in body
    assert "Same name and date of birth" in body
    for canary in CANARIES:
        assert canary not in page.content()
    assert_no_axe_violations(page)
    page.get_by_label("Yes: use the person held by Northshire Children's Social Care", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/families/{baby_network.pk}/")

    flagged = page.inner_text("#known-elsewhere")
    assert (
        "Jordan Price is recorded as the parent of a child in another family network, "
        "held by Northshire Children's Social Care." in flagged
    )
    assert "Skye" not in page.content()
    assert m.NetworkMember.objects.filter(network=baby_network, person=seed.jordan).exists()
    assert_no_axe_violations(page)
