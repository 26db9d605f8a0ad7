"""Every edit form carries the version of the record it edits. An edit made on
a copy older than what is saved is refused with "changed since this page
loaded" in the error summary; what the user entered is kept, nothing is saved,
and saving again (having seen what changed) goes through."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from tests.conftest import PASSWORD
from tests.records.conftest import Family
from tests.records.test_services_validation import snapshot

STALE = "has changed since this page loaded. Your changes have not been saved"


@dataclass
class Case:
    url: Callable[[Family], str]
    # what the user submits, built from the family
    post: Callable[[Family], dict[str, str]]
    # a change made by someone else after the page loaded
    meanwhile: Callable[[Family, User], None]
    # (model, pk) of the row whose content must not change
    row: Callable[[Family], tuple[type, int]]
    kept: str  # something the user entered, still in the re-displayed form
    saved_now: str  # the other change, shown as "what is saved now"


def _date(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}_0": str(d.day), f"{prefix}_1": str(d.month), f"{prefix}_2": str(d.year)}


def _person_post(f: Family) -> dict[str, str]:
    return {
        "given_name": "Daniel",
        "family_name": "Testfather",
        "sex": "male",
        "birth_date_accuracy": "unknown",
        "phone": "",
    }


def _person_meanwhile(f: Family, who: User) -> None:
    p = m.Person.objects.get(pk=f.father.pk)
    s.person_update(
        actor=who,
        network=f.network,
        person=p,
        data=dataclasses.replace(s.PersonData.of(p), phone="07700 900123"),
        expected_version=p.version,
    )


def _rel_meanwhile(f: Family, who: User) -> None:
    r = m.Relationship.objects.get(pk=f.rel.pk)
    s.relationship_update(
        actor=who,
        network=f.network,
        relationship=r,
        data=s.RelationshipData("NFTH", start=r.start, end=None),
        expected_version=r.version,
        source=s.Source_("said-by", "the mother"),
    )


def _stay_meanwhile(f: Family, who: User) -> None:
    r = m.Residence.objects.get(pk=f.stay.pk)
    s.residence_update(
        actor=who,
        network=f.network,
        residence=r,
        start=date(2023, 5, 1),
        end=None,
        expected_version=r.version,
    )


def _address_meanwhile(f: Family, who: User) -> None:
    h = m.Household.objects.get(pk=f.stay.household_id)
    s.household_update(
        actor=who,
        network=f.network,
        household=h,
        address=s.AddressData(address_line_1="9 Away Lane", town="Southtown", postcode="ZZ99 2BB"),
        expected_version=h.version,
    )


def _care_meanwhile(f: Family, who: User) -> None:
    c = m.CareArrangement.objects.get(pk=f.care.pk)
    s.care_update(
        actor=who,
        network=f.network,
        care=c,
        data=s.CareData(place="carer-home", frequency="every other Friday", overnight=True),
        expected_version=c.version,
    )


def _pr_meanwhile(f: Family, who: User) -> None:
    row = m.ParentalResponsibility.objects.get(pk=f.pr.pk)
    s.pr_set(
        actor=who,
        network=f.network,
        person=f.mother,
        child=f.baby,
        basis="unknown",
        record=row,
        expected_version=row.version,
    )


def _url(name: str, attr: str) -> Callable[[Family], str]:
    return lambda f: reverse(name, args=[f.network.pk, getattr(f, attr).pk])


CASES = {
    "person": Case(
        url=_url("person-edit", "father"),
        post=_person_post,
        meanwhile=_person_meanwhile,
        row=lambda f: (m.Person, f.father.pk),
        kept='value="Daniel"',
        saved_now="07700 900123",
    ),
    "relationship": Case(
        url=_url("relationship-edit", "rel"),
        post=lambda f: {
            "from_person": str(f.father.pk),
            "to_person": str(f.baby.pk),
            "type": "NFTH",
            **_date("start", date(2024, 3, 5)),
        },
        meanwhile=_rel_meanwhile,
        row=lambda f: (m.Relationship, f.rel.pk),
        kept='name="start_2" type="text" inputmode="numeric" value="2024"',
        saved_now="Not recorded",
    ),
    "stay": Case(
        url=_url("residence-edit", "stay"),
        post=lambda f: _date("end", date(2025, 2, 14)),
        meanwhile=_stay_meanwhile,
        row=lambda f: (m.Residence, f.stay.pk),
        kept='name="end_0" type="text" inputmode="numeric" value="14"',
        saved_now="1 May 2023",
    ),
    "address": Case(
        url=lambda f: reverse("household-edit", args=[f.network.pk, f.stay.household_id]),
        post=lambda f: {"address_line_1": "11 Away Lane", "town": "Northtown", "postcode": "ZZ99 2BB"},
        meanwhile=_address_meanwhile,
        row=lambda f: (m.Household, f.stay.household_id),
        kept='value="11 Away Lane"',
        saved_now="Southtown",
    ),
    "care": Case(
        url=_url("care-edit", "care"),
        post=lambda f: {"place": "carer-home", "frequency": "on Saturdays", "overnight": "on"},
        meanwhile=_care_meanwhile,
        row=lambda f: (m.CareArrangement, f.care.pk),
        kept='value="on Saturdays"',
        saved_now="every other Friday",
    ),
    "parental responsibility": Case(
        url=_url("pr-edit", "pr"),
        post=lambda f: {"basis": "court-order"},
        meanwhile=_pr_meanwhile,
        row=lambda f: (m.ParentalResponsibility, f.pr.pk),
        kept='value="court-order" checked',
        saved_now="Not known",
    ),
}


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def _version_in(html: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the form carries no version"
    return int(found.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_stale_edit_is_refused_keeping_what_was_entered(
    case: Case, family: Family, owner: User, teammate: User, client: Client
) -> None:
    client.login(username=owner.username, password=PASSWORD)
    url = case.url(family)
    loaded = _version_in(client.get(url).content.decode())
    case.meanwhile(family, teammate)
    model, pk = case.row(family)
    after_other_change = model.objects.get(pk=pk).version
    assert after_other_change == loaded + 1

    before = snapshot(reads_allowed=True)
    response = client.post(url, {**case.post(family), "version": str(loaded)})
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[
        html.index('class="govuk-error-summary"') : html.index("</ul>", html.index("govuk-error-summary"))
    ]
    assert STALE in summary
    assert snapshot(reads_allowed=True) == before  # nothing saved, nothing audited
    assert case.kept in html  # what the user entered is still there
    assert "What is saved now" in html and case.saved_now in html
    assert _version_in(html) == after_other_change

    # having seen what changed, saving again replaces it
    again = client.post(url, {**case.post(family), "version": str(after_other_change)})
    assert again.status_code == 302
    assert model.objects.get(pk=pk).version == after_other_change + 1


@pytest.mark.django_db
def test_stale_removal_of_a_relationship_is_refused(
    family: Family, owner: User, teammate: User, client: Client
) -> None:
    client.login(username=owner.username, password=PASSWORD)
    url = reverse("relationship-remove", args=[family.network.pk, family.rel.pk])
    loaded = _version_in(client.get(url).content.decode())
    _rel_meanwhile(family, teammate)
    before = snapshot(reads_allowed=True)
    response = client.post(url, {"reason": "Recorded in the wrong family", "version": str(loaded)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This relationship " + STALE in html
    assert "Recorded in the wrong family</textarea>" in html
    assert snapshot(reads_allowed=True) == before
    again = client.post(url, {"reason": "Recorded in the wrong family", "version": str(_version_in(html))})
    assert again.status_code == 302
    assert not m.Relationship.objects.filter(pk=family.rel.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_an_edit_sent_without_its_version_is_refused_as_a_stale_one(
    case: Case, family: Family, owner: User, client: Client
) -> None:
    """Leaving the version out (or sending one that is not a number) does not skip
    the check: the edit is refused with the same message as one based on an old
    version, and nothing is saved."""
    client.login(username=owner.username, password=PASSWORD)
    url = case.url(family)
    loaded = _version_in(client.get(url).content.decode())
    before = snapshot(reads_allowed=True)
    summaries = []
    for version in ({}, {"version": ""}, {"version": str(loaded - 1)}, {"version": "not-a-number"}):
        response = client.post(url, {**case.post(family), **version})
        html = response.content.decode()
        assert response.status_code == 200
        summaries.append(error_summary(html))
        assert snapshot(reads_allowed=True) == before
        assert case.kept in html
        assert _version_in(html) == loaded  # saving again, having looked, goes through
    assert STALE in summaries[0]
    assert len(set(summaries)) == 1  # a version that is not a number too: no other message


@pytest.mark.django_db
def test_a_removal_sent_without_its_version_is_refused(family: Family, owner: User, client: Client) -> None:
    client.login(username=owner.username, password=PASSWORD)
    url = reverse("relationship-remove", args=[family.network.pk, family.rel.pk])
    before = snapshot(reads_allowed=True)
    response = client.post(url, {"reason": "Recorded in the wrong family"})
    assert response.status_code == 200
    assert "This relationship " + STALE in error_summary(response.content.decode())
    assert snapshot(reads_allowed=True) == before


@pytest.mark.django_db
def test_recording_parental_responsibility_already_recorded_does_not_overwrite_it(
    family: Family, owner: User, client: Client
) -> None:
    """The "record" page records a new period: if the same person's responsibility
    for the child is already recorded for that time, it is refused, not replaced."""
    client.login(username=owner.username, password=PASSWORD)
    before = snapshot(reads_allowed=True)
    response = client.post(
        reverse("pr-add", args=[family.network.pk]),
        {"person": family.mother.pk, "child": family.baby.pk, "basis": "court-order"},
    )
    assert response.status_code == 200
    assert (
        "already has a parental responsibility record for this child at that time: end it first, "
        "or change the dates" in error_summary(response.content.decode())
    )
    assert snapshot(reads_allowed=True) == before


def test_an_answer_recorded_since_the_page_loaded_is_not_replaced(family: Family, owner: User) -> None:
    """An answer about a person (a fact) is an edit too: once one is recorded,
    another sent as if none were (no version), or based on an old one, is
    refused with the same message and the saved answer stays as it is."""

    def answer(value: str, expected_version: int | None) -> m.PersonFact:
        return s.fact_set(
            actor=owner,
            network=family.network,
            person=family.father,
            key="other-names",
            value=value,
            expected_version=expected_version,
        )

    first = answer("none", None)
    answer("Known as Dee", first.version)
    before = snapshot(reads_allowed=True)
    for stale in (None, first.version):
        with pytest.raises(RecordError) as refused:
            answer("none", stale)
        assert refused.value.messages == [
            f"This answer {STALE}: check the record as it is now, then make your change again."
        ]
        assert snapshot(reads_allowed=True) == before
    assert m.PersonFact.objects.get(person=family.father, key="other-names").value == "Known as Dee"
    # an answer removed since the page loaded is not recorded again unseen
    s.fact_remove(
        actor=owner, network=family.network, person=family.father, key="other-names", reason="wrong"
    )
    with pytest.raises(RecordError):
        answer("none", first.version + 1)
    assert not m.PersonFact.objects.filter(person=family.father, key="other-names").exists()
