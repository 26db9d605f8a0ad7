"""Recording after the event: a contact, an answer, a decline and information
given carry the day they happened (never in the future, never before the work
with the family began) and keep when they were typed; a gap's "open since" is
the day its requirement first applied, and escalation by age uses it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.gaps import models as gm
from kinmap.gaps import selectors as gsel
from kinmap.gaps import services as gs
from kinmap.gaps import supervision_reads
from kinmap.gaps.presenters import short_date
from kinmap.records import models as rm
from kinmap.records import services as rs
from kinmap.records.errors import RecordError
from kinmap.records.lifecycle import network_began
from tests.gaps.family import SeedFamily
from tests.gaps.test_services import refused

pytestmark = pytest.mark.django_db


def began(fam: SeedFamily) -> date:
    return network_began(fam.network)


def gap(fam: SeedFamily, rule: str) -> gm.Gap:
    return gm.Gap.objects.get(network=fam.network, key=f"{rule}:person:{fam.father.pk}")


def decline(fam: SeedFamily, **kwargs: object) -> gm.Gap:
    g = gap(fam, "R02-birth-father")
    return gs.gap_answer(
        actor=kwargs.pop("actor"),  # type: ignore[arg-type]
        gap=g,
        answer=gs.Answer(
            state="asked-declined",
            reason="not now",
            practitioner_view="She was tired",
            declined_by=fam.mother,
        ),
        expected_version=g.version,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_network_began_with_its_first_allocation_or_its_creation(fam: SeedFamily) -> None:
    assert began(fam) == date.today() - timedelta(days=365)  # the seeded allocation
    rm.Allocation.objects.filter(network=fam.network).update(start=date.today() + timedelta(days=5))
    assert began(fam) == timezone.localdate(fam.network.created_at)


# -- contacts ---------------------------------------------------------------------


def test_a_contact_recorded_after_the_event_keeps_both_days(owner: User, fam: SeedFamily) -> None:
    day = date.today() - timedelta(days=20)
    contact = gs.contact_open(actor=owner, network=fam.network, type="home-visit", date=day)
    contact.refresh_from_db()
    assert contact.date == day
    assert timezone.localdate(contact.opened_at) == date.today()


def test_a_contact_before_the_work_with_the_family_began_is_refused(owner: User, fam: SeedFamily) -> None:
    start = began(fam)
    refused(
        lambda: gs.contact_open(
            actor=owner, network=fam.network, type="clinic", date=start - timedelta(days=1)
        ),
        f"The date of the contact must be on or after {start:%-d %B %Y}, "
        "when the work with this family began",
    )
    # the first day itself is fine
    assert gs.contact_open(actor=owner, network=fam.network, type="clinic", date=start).date == start


# -- answers and declines ----------------------------------------------------------


def test_a_decline_recorded_after_the_event_keeps_the_day_asked_and_the_time_typed(
    owner: User, fam: SeedFamily
) -> None:
    asked = date.today() - timedelta(days=12)
    g = decline(fam, actor=owner, occurred_on=asked)
    e = g.events.get(kind="answered")
    assert (e.occurred_on, timezone.localdate(e.at)) == (asked, date.today())
    # the rules see the decline on the day it happened
    inputs = gs.process_inputs(fam.network, list(gm.Gap.objects.filter(network=fam.network)))
    assert [d.declined_on for d in inputs.declines] == [asked]
    # and the pages say so
    (view,) = [v for v in gsel.family_gaps(fam.network) if v.gap.pk == g.pk]
    assert view.last_said.startswith(f"{short_date(asked, date.today())}: declined")


def test_an_answer_without_a_day_happened_on_the_contacts_day_or_today(owner: User, fam: SeedFamily) -> None:
    g = decline(fam, actor=owner)
    assert g.events.get(kind="answered").occurred_on == date.today()
    yesterday = date.today() - timedelta(days=1)
    contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=yesterday)
    other = gap(fam, "R05-current-partner")
    gs.contact_record_outcome(
        actor=owner,
        contact=contact,
        gap=other,
        outcome="absent",
        answer=gs.Answer(state="asked-unknown"),
        expected_version=other.version,
    )
    assert other.events.get(kind="answered").occurred_on == yesterday


@pytest.mark.parametrize("when", ["future", "before"])
def test_an_answer_in_the_future_or_before_the_work_began_is_refused(
    owner: User, fam: SeedFamily, when: str
) -> None:
    start = began(fam)
    day = date.today() + timedelta(days=1) if when == "future" else start - timedelta(days=1)
    message = (
        "The date it was asked must be today or in the past"
        if when == "future"
        else f"The date it was asked must be on or after {start:%-d %B %Y}, "
        "when the work with this family began"
    )
    err = refused(lambda: decline(fam, actor=owner, occurred_on=day), message)
    assert [p.field for p in err.problems] == ["occurred_on"]


# -- information given ----------------------------------------------------------------


def info(fam: SeedFamily, day: date, **kwargs: object) -> list[cm.InformationGiven]:
    icon = cm.Material.objects.get(code="icon")
    return cs.information_given_record(
        actor=kwargs.pop("actor"),  # type: ignore[arg-type]
        network=fam.network,
        person=fam.father,
        data=cs.InformationData(materials=(icon,), how="in-person", given_on=day),
        **kwargs,  # type: ignore[arg-type]
    )


def test_information_given_after_the_event_keeps_both_days(owner: User, fam: SeedFamily) -> None:
    day = date.today() - timedelta(days=30)
    (row,) = info(fam, day, actor=owner)
    row.refresh_from_db()
    assert (row.given_on, timezone.localdate(row.recorded_at)) == (day, date.today())


def test_information_given_before_the_work_began_is_refused_unless_carried_from_a_family_file(
    owner: User, fam: SeedFamily
) -> None:
    start = began(fam)
    early = start - timedelta(days=3)
    with pytest.raises(RecordError) as err:
        info(fam, early, actor=owner)
    assert err.value.messages == [
        f"The date must be on or after {start:%-d %B %Y}, when the work with this family began"
    ]
    assert [p.field for p in err.value.problems] == ["given_on"]
    assert not cm.InformationGiven.objects.filter(network=fam.network).exists()
    # a record carried from another kinmap happened while the work went on there
    (row,) = info(fam, early, actor=owner, withdrawn_ok=True)
    assert row.given_on == early


# -- open since ---------------------------------------------------------------------


def partner(owner: User, fam: SeedFamily) -> rm.Person:
    """The mother's new partner: nothing in the record dates his part in the family."""
    return rs.person_add(
        actor=owner,
        network=fam.network,
        data=rs.PersonData(given_name="Tom", family_name="Hale", sex="male"),
        source=rs.Source_("said-by", "the mother"),
        related_to=fam.mother,
        relationship=rs.RelationshipData(type="SPS"),
    )


def test_a_gap_is_open_since_the_requirement_first_applied(owner: User, fam: SeedFamily) -> None:
    birth = fam.baby.birth_date
    assert birth is not None
    safer_sleep = gap(fam, "R18-safer-sleep")  # the father has the baby overnight
    assert (safer_sleep.open_since, safer_sleep.open_since_basis) == (birth, "family-dates")
    icon = gap(fam, "R17-icon")
    assert icon.open_since == birth + timedelta(days=14)  # ICON due by 14 days old
    # his date of birth: wanted since he became the baby's father, at the birth
    assert gap(fam, "R02-birth-father").open_since == birth
    # the new partner's other names: the family's dates do not say; the day recorded
    tom = partner(owner, fam)
    names = gm.Gap.objects.get(network=fam.network, key=f"R09-other-names:person:{tom.pk}")
    assert (names.open_since, names.open_since_basis) == (date.today(), "recorded")


def test_a_gap_raised_again_keeps_its_open_since(owner: User, fam: SeedFamily) -> None:
    tom = partner(owner, fam)
    names = gm.Gap.objects.get(network=fam.network, key=f"R09-other-names:person:{tom.pk}")
    found = date.today() - timedelta(days=9)  # as if found nine days ago
    gm.Gap.objects.filter(pk=names.pk).update(open_since=found)
    rs.fact_set(
        expected_version=None, actor=owner, network=fam.network, person=tom, key="other-names", value="none"
    )
    names.refresh_from_db()
    assert not names.is_open
    rs.fact_remove(actor=owner, network=fam.network, person=tom, key="other-names", reason="Said in error")
    names.refresh_from_db()
    assert (names.is_open, names.reopened, names.open_since) == (True, 1, found)


def test_escalation_by_age_and_oldest_open_use_open_since(owner: User, fam: SeedFamily) -> None:
    birth = fam.baby.birth_date
    assert birth is not None
    age = (date.today() - birth).days  # 63 days: past the 28 days of the escalation setting
    views = {v.gap.key: v for v in gsel.family_gaps(fam.network)}
    safer_sleep = views[f"R18-safer-sleep:person:{fam.father.pk}"]
    assert f"Critical and open for {age} days" in safer_sleep.flags
    assert safer_sleep.age_days == age
    # found today and open since today: the new partner's gaps are not flagged by age
    tom = partner(owner, fam)
    views = {v.gap.key: v for v in gsel.family_gaps(fam.network)}
    mine = [v for v in views.values() if v.gap.subject_id == str(tom.pk)]
    assert mine and not any("open for" in f for v in mine for f in v.flags)
    (row,) = gsel.worklist(owner, gsel.WorklistFilter())
    assert row.oldest == birth
    # the database's count of flagged gaps agrees with the rule in Python
    assert row.flagged_count == sum(1 for v in views.values() if v.flags)


def test_rule_14_states_how_long_the_gap_has_been_open_from_open_since(owner: User, fam: SeedFamily) -> None:
    """Rule 14 through the recompute: a critical gap raised today (its data
    just loaded) but whose requirement applied at the birth is said to be
    unknown since the birth, not since today."""
    birth = fam.baby.birth_date
    assert birth is not None
    father = gap(fam, "R02-birth-father")
    assert father.severity == gm.Severity.CRITICAL and father.is_open
    assert (father.open_since, timezone.localdate(father.opened_at)) == (birth, date.today())
    gm.Gap.objects.filter(pk=father.pk).update(times_prompted=3)
    gs.gaps_recompute(network=fam.network, actor=owner)
    r14 = gm.Gap.objects.get(network=fam.network, key=f"R14-agency-request:gap:{father.key}")
    assert r14.is_open
    assert f"after asking 3 times since {birth:%-d %B %Y}:" in r14.detail
    assert f"{date.today():%-d %B %Y}" not in r14.detail


def test_the_gaps_waiting_longest_for_agreement_are_those_open_longest(
    supervisor: User, fam: SeedFamily
) -> None:
    """The supervision page's gaps waiting for a supervisor to agree they do
    not apply: the one open the longest (``open_since``) first, even when it
    was raised later."""
    first_raised, later_raised = (
        gap(fam, "R02-birth-father"),
        gm.Gap.objects.filter(network=fam.network, resolved_at__isnull=True)
        .exclude(key__startswith="R02-birth-father:")
        .order_by("pk")
        .first(),
    )
    assert later_raised is not None
    now = timezone.now()
    gm.Gap.objects.filter(pk=first_raised.pk).update(
        na_status=gm.NotApplicable.PENDING, opened_at=now - timedelta(days=30), open_since=date.today()
    )
    gm.Gap.objects.filter(pk=later_raised.pk).update(
        na_status=gm.NotApplicable.PENDING,
        opened_at=now - timedelta(days=1),
        open_since=date.today() - timedelta(days=200),
    )
    board = supervision_reads.supervisor_dashboard(supervisor, [])
    assert [v.gap.pk for v in board.pending_na] == [later_raised.pk, first_raised.pk]


# -- pages -----------------------------------------------------------------------


def test_the_contact_page_records_the_day_asked_and_refuses_a_future_one(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    client.force_login(owner)
    today = date.today()
    client.post(
        reverse("contact-start", args=[fam.network.pk]),
        {"type": "home-visit", "date_0": today.day, "date_1": today.month, "date_2": today.year},
    )
    contact = gm.Contact.objects.get(network=fam.network, status="open")
    g = gap(fam, "R02-birth-father")
    p = f"g{g.pk}-"
    url = reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, g.pk])

    def post(day: date) -> str:
        response = client.post(
            url,
            {
                p + "outcome": "asked-declined",
                p + "declined_by": fam.mother.pk,
                p + "declined_reason": "not today",
                p + "declined_view": "She was tired",
                p + "version": g.version,
                p + "occurred_on_0": day.day,
                p + "occurred_on_1": day.month,
                p + "occurred_on_2": day.year,
            },
        )
        return response.content.decode()

    html = post(today + timedelta(days=2))
    assert "There is a problem" in html
    assert "The date it was asked must be today or in the past" in html
    assert not g.events.filter(kind="answered").exists()
    asked = today - timedelta(days=3)
    post(asked)
    assert g.events.get(kind="answered").occurred_on == asked


def test_the_family_page_shows_open_since_and_says_when_the_dates_do_not_tell(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    partner(owner, fam)
    client.force_login(owner)
    html = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    birth = fam.baby.birth_date
    assert birth is not None
    assert f"open since {birth:%-d %B %Y}" in html
    assert (
        f"open since {date.today():%-d %B %Y} (when it was recorded: the family&#x27;s dates do not say)"
        in html
    )
