"""Every page works without JavaScript: forms are plain POSTs, links are links."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import index_child

from .conftest import sign_in


def test_record_changes_without_javascript(
    page_without_javascript: Page, owner: User, baby_network: m.FamilyNetwork
) -> None:
    page = page_without_javascript
    baby = index_child(baby_network)
    dan = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    s.residence_create(
        actor=owner, network=baby_network, person=dan, address=s.AddressData(address_line_1="9 Away Lane")
    )
    sign_in(page, owner)
    page.goto(f"/families/{baby_network.pk}/")
    banner = page.locator(".govuk-notification-banner")

    # add a care arrangement
    page.get_by_role("button", name="Add a care arrangement").click()
    page.get_by_label("Who gives the care").select_option(label="Dan Testfather")
    page.get_by_label("At the carer's home").check()
    page.get_by_label("How often").fill("every other Saturday")
    page.get_by_role("button", name="Save").click()
    expect(banner).to_contain_text("Care arrangement saved")
    expect(page.locator(".kinmap-person-line", has_text="Dan Testfather")).to_contain_text(
        "looks after the baby (every other Saturday) at the carer's home, unsupervised"
    )

    # record that he moved out (a date input), then remove the relationship
    page.get_by_role("link", name="Change when Dan Testfather lived here").click()
    page.get_by_role("group", name="Moved out (if they have left)").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Moved out (if they have left)").get_by_label("Month").fill("2")
    page.get_by_role("group", name="Moved out (if they have left)").get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Save").click()
    expect(banner).to_contain_text("Stay at this address updated for Dan Testfather")
    expect(page.locator("[data-household]")).to_contain_text("Lived here until 1 February 2025")

    remove = "Remove relationship: Dan Testfather is the birth father of Rowan Testbaby"
    page.get_by_role("link", name=remove).click()
    page.get_by_label("Why is this relationship being removed?").fill("Recorded in the wrong family")
    page.get_by_role("button", name="Remove the relationship").click()
    expect(banner).to_contain_text("Relationship removed")
    assert not m.Relationship.objects.filter(from_person=dan).exists()

    # sign out is a form too
    page.get_by_role("button", name="Sign out hv.owner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to kinmap")
