"""The seed family's 6 to 8 week review through the contact page, without and
with its script: every step works both ways, the contact closes, and with the
script no save on the contact page loads the page again."""

from __future__ import annotations

import pytest

from kinmap.gaps import models as gm
from kinmap.gaps.round_trips import contact_round_trips
from kinmap.records import models as rm


@pytest.mark.django_db
def test_the_contact_takes_fewer_page_loads_with_the_script_and_closes_both_ways() -> None:
    figures = contact_round_trips()
    without, with_js = figures["without_javascript"], figures["with_javascript"]
    assert without["gaps"] == with_js["gaps"] > 10
    # the same forms are sent either way ...
    assert without["form_submissions"] == with_js["form_submissions"]
    # ... and each of the four saves made on the contact page (one decline, one
    # answer, the household, the rest not asked) costs a page load only without it
    assert without["page_loads"] - with_js["page_loads"] == 4
    # nothing is left behind: the runs are rolled back
    assert not gm.Contact.objects.exists()
    assert not rm.FamilyNetwork.objects.exists()
