"""The contact services: a contact shows every open gap and records who was
seen, bad input is refused with a clear message and nothing saved, and a
contact closes only when every gap shown has an outcome."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as rm
from tests.gaps.family import SeedFamily, seed_family
from tests.gaps.test_services import g, key, refused

pytestmark = pytest.mark.django_db


def test_a_contact_shows_every_open_gap_and_records_who_was_seen(owner: User, fam: SeedFamily) -> None:
    today = date.today()
    contact = gs.contact_open(
        actor=owner,
        network=fam.network,
        type="home-visit",
        date=today,
        present=[fam.mother],
        seen_directly=[fam.father],
    )
    assert set(contact.present.all()) == {fam.mother, fam.father}
    assert list(contact.seen_directly.all()) == [fam.father]
    fam.father.refresh_from_db()
    assert fam.father.seen_directly_on == today
    # being seen resolved R11 for him: it was answered at this contact
    r11 = contact.outcomes.get(gap__key=key(fam, "R11-seen-directly"))
    assert (r11.outcome, r11.gap.is_open) == ("answered", False)
    shown = {o.gap.key for o in contact.outcomes.select_related("gap")}
    still_open = {x.key for x in gm.Gap.objects.filter(network=fam.network) if x.is_open}
    assert still_open <= shown
    assert all(x.times_prompted == 1 for x in gm.Gap.objects.filter(key__in=still_open))
    assert gm.GapEvent.objects.filter(kind="prompted", contact=contact).count() == len(shown)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "visit"}, "Choose the type of contact"),
        ({"date": None}, "Enter the date of the contact"),
        ({"date": date.today() + timedelta(days=1)}, "The date of the contact must be today or in the past"),
    ],
)
def test_contact_open_refuses_bad_input(owner: User, fam: SeedFamily, kwargs: dict, message: str) -> None:
    args: dict[str, Any] = {"actor": owner, "network": fam.network, "type": "clinic", "date": date.today()}
    args.update(kwargs)
    refused(lambda: gs.contact_open(**args), message)


def test_contact_open_refuses_people_from_another_family(owner: User, fam: SeedFamily) -> None:
    other = seed_family(owner, name="Otherfamily")
    refused(
        lambda: gs.contact_open(
            actor=owner, network=fam.network, type="clinic", date=date.today(), seen_directly=[other.father]
        ),
        "Choose people recorded in this family",
    )


def test_one_open_contact_per_practitioner_and_family(owner: User, fam: SeedFamily) -> None:
    gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date(2026, 3, 3))
    refused(
        lambda: gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today()),
        "You already have a contact open with this family (Clinic, 3 March 2026): "
        "close it before starting another",
    )


def test_closing_is_refused_until_every_gap_shown_has_an_outcome(owner: User, fam: SeedFamily) -> None:
    contact = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    # the oldest first: open since the requirement first applied
    pending = list(contact.outcomes.select_related("gap").order_by("gap__open_since", "gap__opened_at", "pk"))
    err = refused(lambda: gs.contact_close(actor=owner, contact=contact), *_close_messages(pending))
    assert err.messages[0] == (
        f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)"
    )
    assert "Record what happened about: Date of birth not recorded for Dan Testfather" in err.messages


def _close_messages(pending: list[gm.ContactGapOutcome]) -> list[str]:
    return [
        f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)",
        *[f"Record what happened about: {o.gap.detail}" for o in pending],
    ]


def test_outcomes_then_close(owner: User, fam: SeedFamily) -> None:
    contact = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    dob = g(fam, "R02-birth-father")
    refused(
        lambda: gs.contact_record_outcome(actor=owner, contact=contact, gap=dob, outcome="answered"),
        "Record the answer first (Date of birth not recorded for Dan Testfather): the gap is still open",
    )
    refused(
        lambda: gs.contact_record_outcome(
            actor=owner, contact=contact, gap=dob, outcome="not-asked-this-time", expected_version=dob.version
        ),
        "Say why it was not asked this time",
    )
    gs.contact_record_outcome(
        actor=owner,
        contact=contact,
        gap=dob,
        outcome="absent",
        answer=gs.Answer(state="asked-unknown", reason="mother does not know it"),
        expected_version=dob.version,
    )
    row = contact.outcomes.get(gap=dob)
    assert (row.outcome, row.state) == ("absent", "asked-unknown")
    refused(
        lambda: gs.contact_not_asked_rest(actor=owner, contact=contact, reason=" "),
        "Say why they were not asked this time",
    )
    n = gs.contact_not_asked_rest(actor=owner, contact=contact, reason="visit cut short: baby unwell")
    assert n == contact.outcomes.count() - 1
    closed = gs.contact_close(actor=owner, contact=contact)
    assert closed.status == "closed" and closed.closed_at is not None
    refused(lambda: gs.contact_close(actor=owner, contact=contact), "This contact is already closed")
    refused(
        lambda: gs.contact_record_outcome(
            actor=owner,
            contact=contact,
            gap=dob,
            outcome="not-asked-this-time",
            reason="x",
            expected_version=dob.version,
        ),
        "This contact is closed: start a new contact to record more answers",
    )


def test_a_gap_keeps_coming_back_at_every_contact_until_resolved(owner: User, fam: SeedFamily) -> None:
    from kinmap.records import services as s

    dob = g(fam, "R02-birth-father")
    for n in (1, 2, 3):
        contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
        assert contact.outcomes.filter(gap=dob).exists()
        gs.contact_not_asked_rest(actor=owner, contact=contact, reason="no time")
        gs.contact_close(actor=owner, contact=contact)
        dob.refresh_from_db()
        assert dob.times_prompted == n
    s.person_update(
        actor=owner,
        network=fam.network,
        person=fam.father,
        data=s.PersonData.of(fam.father).__class__(
            **{
                **s.PersonData.of(fam.father).__dict__,
                "birth_date": date(1994, 5, 3),
                "birth_date_accuracy": "accurate",
            }
        ),
        expected_version=rm.Person.objects.get(pk=fam.father.pk).version,
        source=s.Source_("said-by", "the mother"),
    )
    contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
    assert not contact.outcomes.filter(gap=dob).exists()


def test_household_no_change_is_recorded_and_satisfies_the_roster_rule(owner: User, fam: SeedFamily) -> None:
    household = fam.mother.residences.get().household
    roster = gm.Gap.objects.get(network=fam.network, key=f"R06-household-roster:household:{household.pk}")
    contact = gs.contact_open(
        actor=owner, network=fam.network, type="home-visit", date=date.today() - timedelta(days=1)
    )
    gs.contact_confirm_household(actor=owner, contact=contact, household=household)
    roster.refresh_from_db()
    assert not roster.is_open
    assert contact.outcomes.get(gap=roster).outcome == "answered"
    refused(
        lambda: gs.contact_confirm_household(
            actor=owner, contact=contact, household=household, outcome="maybe"
        ),
        "Choose whether anything has changed",
    )
    gs.contact_not_asked_rest(actor=owner, contact=contact, reason="short visit")
    gs.contact_close(actor=owner, contact=contact)
    # at the next contact, the household is to be reconfirmed again
    roster.refresh_from_db()
    assert not roster.is_open
    later = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    roster.refresh_from_db()
    assert roster.is_open and roster.reopened == 1
    assert later.outcomes.get(gap=roster).outcome == ""
