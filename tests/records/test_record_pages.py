"""The pages that change the family record: relationships (change, remove),
household stays and addresses, parental responsibility, other names; the person
page with where each key fact came from; and empty states."""

from __future__ import annotations

import html as htmllib
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import MaskedDetailEntitlement, Role, User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.web.masking import MASKED_TEXT
from tests.conftest import PASSWORD
from tests.records.conftest import Family


def _text(response: object) -> str:
    """The page as a person reads it: entities decoded."""
    return htmllib.unescape(response.content.decode())  # type: ignore[attr-defined]


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    client.login(username=owner.username, password=PASSWORD)
    return client


# -- relationships ----------------------------------------------------------


@pytest.mark.django_db
def test_changing_a_relationship_saves_it_and_audits_old_and_new(signed_in: Client, family: Family) -> None:
    url = reverse("relationship-edit", args=[family.network.pk, family.rel.pk])
    page = _text(signed_in.get(url))
    assert "Change a relationship" in page
    response = signed_in.post(
        url,
        {"type": "NFTH", "end_0": "1", "end_1": "2", "end_2": "2026", "start_0": "3", "start_1": "1",
         "start_2": "2026", "version": str(family.rel.version), "source": "said-by",
         "source_detail": "the mother"},
    )  # fmt: skip
    assert response.status_code == 302
    rel = m.Relationship.objects.get(pk=family.rel.pk)
    assert (rel.start, rel.end, rel.source_detail) == (date(2026, 1, 3), date(2026, 2, 1), "the mother")
    event = AuditEvent.objects.filter(object_type="relationship", action="update").get()
    assert event.changes == {"start": [None, "2026-01-03"], "end": [None, "2026-02-01"]}


@pytest.mark.django_db
def test_changing_a_relationship_into_a_second_birth_mother_shows_the_error(
    signed_in: Client, family: Family
) -> None:
    url = reverse("relationship-edit", args=[family.network.pk, family.rel.pk])
    response = signed_in.post(url, {"type": "NMTH", "version": str(family.rel.version)})
    assert response.status_code == 200
    assert "Rowan Testbaby already has a birth mother recorded" in _text(response)
    assert m.Relationship.objects.get(pk=family.rel.pk).type == "NFTH"


@pytest.mark.django_db
def test_removing_a_relationship_asks_for_confirmation_and_a_reason(
    signed_in: Client, family: Family
) -> None:
    url = reverse("relationship-remove", args=[family.network.pk, family.rel.pk])
    page = _text(signed_in.get(url))
    assert "Remove this relationship?" in page
    assert "Dan Testfather is the birth father of Rowan Testbaby" in page
    assert 'class="govuk-warning-text"' in page
    assert "Removing it changes how people are described" in page

    refused = signed_in.post(url, {"reason": "  ", "version": str(family.rel.version)})
    assert refused.status_code == 200
    assert "Say why this relationship is being removed" in _text(refused)
    assert m.Relationship.objects.filter(pk=family.rel.pk).exists()

    done = signed_in.post(url, {"reason": "He is the mother's brother", "version": str(family.rel.version)})
    assert done.status_code == 302 and done["Location"] == reverse("family", args=[family.network.pk])
    assert not m.Relationship.objects.filter(pk=family.rel.pk).exists()
    event = AuditEvent.objects.filter(object_type="relationship", action="delete").get()
    assert event.reason == "He is the mother's brother"
    follow = _text(signed_in.get(done["Location"]))
    assert "Relationship removed: Dan Testfather is the birth father of Rowan Testbaby" in follow


@pytest.mark.django_db
def test_forms_opened_from_the_person_page_return_there(signed_in: Client, family: Family) -> None:
    url = reverse("relationship-remove", args=[family.network.pk, family.rel.pk])
    done = signed_in.post(
        f"{url}?return=person-{family.father.pk}", {"reason": "Wrong person", "version": "1"}
    )
    assert done["Location"] == reverse("person", args=[family.network.pk, family.father.pk])


# -- households -------------------------------------------------------------


@pytest.mark.django_db
def test_recording_that_someone_moved_out(signed_in: Client, family: Family) -> None:
    url = reverse("residence-edit", args=[family.network.pk, family.stay.pk])
    page = _text(signed_in.get(url))
    assert "When Dan Testfather lived here" in page
    assert "9 Away Lane, Northtown, ZZ99 2BB" in page
    bad = signed_in.post(
        url,
        {"start_0": "1", "start_1": "6", "start_2": "2025", "end_0": "1", "end_1": "5", "end_2": "2025",
         "version": str(family.stay.version)},
    )  # fmt: skip
    assert "The date they left must be on or after the date they moved in" in _text(bad)
    response = signed_in.post(
        url, {"end_0": "1", "end_1": "5", "end_2": "2025", "version": str(family.stay.version)}
    )
    assert response.status_code == 302
    assert m.Residence.objects.get(pk=family.stay.pk).end == date(2025, 5, 1)
    family_page = _text(signed_in.get(reverse("family", args=[family.network.pk])))
    assert "Lived here until 1 May 2025" in family_page


@pytest.mark.django_db
def test_correcting_an_address(signed_in: Client, family: Family) -> None:
    url = reverse("household-edit", args=[family.network.pk, family.stay.household_id])
    assert "It changes for everyone recorded here: Dan Testfather" in _text(signed_in.get(url))
    bad = signed_in.post(url, {"address_line_1": "9 Away Lane", "postcode": "NOT A CODE", "version": "1"})
    assert "Enter a real postcode, like SW1A 1AA" in _text(bad)
    response = signed_in.post(
        url, {"address_line_1": "19 Away Lane", "town": "Northtown", "postcode": "zz99 2bb", "version": "1"}
    )
    assert response.status_code == 302
    h = m.Household.objects.get(pk=family.stay.household_id)
    assert (h.address_line_1, h.postcode, h.version) == ("19 Away Lane", "ZZ99 2BB", 2)


@pytest.mark.django_db
def test_a_masked_address_cannot_be_seen_or_changed_without_entitlement(
    signed_in: Client, family: Family, owner: User
) -> None:
    m.Household.objects.filter(pk=family.stay.household_id).update(masked=True)
    url = reverse("household-edit", args=[family.network.pk, family.stay.household_id])
    response = signed_in.get(url)
    # not found, like a missing address: a masked id cannot be told apart
    assert response.status_code == 404
    assert "9 Away Lane" not in _text(response)
    stay_page = _text(signed_in.get(reverse("residence-edit", args=[family.network.pk, family.stay.pk])))
    assert "9 Away Lane" not in stay_page and MASKED_TEXT in stay_page

    assert owner.team is not None
    MaskedDetailEntitlement.objects.create(agency=owner.team.agency, role=Role.PRACTITIONER)
    assert "9 Away Lane" in _text(signed_in.get(url))


# -- parental responsibility and other names ----------------------------------


@pytest.mark.django_db
def test_recording_parental_responsibility(signed_in: Client, family: Family) -> None:
    url = reverse("pr-add", args=[family.network.pk])
    page = _text(signed_in.get(f"{url}?person={family.father.pk}&child={family.baby.pk}"))
    assert "Record parental responsibility" in page
    assert f'<option value="{family.father.pk}" selected>Dan Testfather</option>' in page
    assert "Named on the birth register (births from 1 December 2003)" in page
    missing = signed_in.post(url, {"person": family.father.pk, "child": family.baby.pk})
    assert "Choose the basis of parental responsibility" in _text(missing)
    response = signed_in.post(
        url,
        {"person": family.father.pk, "child": family.baby.pk, "basis": "joint-registration",
         "source": "birth-registration"},
    )  # fmt: skip
    assert response.status_code == 302
    pr = m.ParentalResponsibility.objects.get(person=family.father)
    assert (pr.basis, pr.source) == ("joint-registration", "birth-registration")
    family_page = _text(signed_in.get(reverse("family", args=[family.network.pk])))
    assert "Named on the birth register (births from 1 December 2003)" in family_page
    person_page = _text(signed_in.get(reverse("person", args=[family.network.pk, family.father.pk])))
    assert "Birth registration · recorded by hv.owner on" in person_page


@pytest.mark.django_db
def test_changing_parental_responsibility_keeps_who_and_for_whom(signed_in: Client, family: Family) -> None:
    url = reverse("pr-edit", args=[family.network.pk, family.pr.pk])
    # person and child are fixed: a changed value in the post is ignored
    response = signed_in.post(
        url, {"person": family.father.pk, "child": family.baby.pk, "basis": "court-order", "version": "1"}
    )
    assert response.status_code == 302
    pr = m.ParentalResponsibility.objects.get(pk=family.pr.pk)
    assert (pr.person_id, pr.basis, pr.version) == (family.mother.pk, "court-order", 2)


@pytest.mark.django_db
def test_adding_a_previous_name(signed_in: Client, family: Family) -> None:
    url = reverse("other-name-add", args=[family.network.pk, family.mother.pk])
    assert "Add another name for Mara Testmother" in _text(signed_in.get(url))
    empty = signed_in.post(url, {"kind": "previous"})
    assert "Enter the other name" in _text(empty)
    no_kind = signed_in.post(url, {"family_name": "Oldname"})
    assert "Choose whether this is a previous name or an alias" in _text(no_kind)
    response = signed_in.post(url, {"kind": "previous", "given_name": "Mara", "family_name": "Oldname"})
    assert response["Location"] == reverse("person", args=[family.network.pk, family.mother.pk])
    person_page = _text(signed_in.get(response["Location"]))
    assert "previously Mara Oldname" in person_page
    family_page = _text(signed_in.get(reverse("family", args=[family.network.pk])))
    assert "Previously Mara Oldname" in family_page


# -- the person page ------------------------------------------------------------


@pytest.mark.django_db
def test_person_page_says_where_each_key_fact_came_from(
    signed_in: Client, family: Family, owner: User
) -> None:
    s.person_update(
        actor=owner,
        network=family.network,
        person=family.father,
        data=s.PersonData(
            given_name="Dan",
            family_name="Testfather",
            sex="male",
            nhs_number="9434765919",
            birth_date=date(1994, 7, 2),
            birth_date_accuracy="estimated",
        ),
        expected_version=family.father.version,
        source=s.Source_("other-agency", "Children's social care"),
    )
    page = _text(signed_in.get(reverse("person", args=[family.network.pk, family.father.pk])))
    assert "Birth father · lives elsewhere · has the baby overnight (on Fridays) at the carer's home" in page
    assert "943 476 5919" in page
    assert "About July 1994" in page
    today = date.today()
    provenance = f"Another agency: Children's social care · recorded by hv.owner on {today.day} {today:%B %Y}"
    assert page.count(provenance) == 2  # NHS number and date of birth changed; name and sex did not
    assert "Source not recorded" in page  # the name, the relationship, the address, the care
    assert "No: only described by others" in page
    assert "Not recorded" in page  # parental responsibility for the baby
    assert AuditEvent.objects.filter(action="view", object_type="person").count() == 1


@pytest.mark.django_db
def test_a_masked_telephone_is_neither_shown_nor_lost_on_the_person_form(
    signed_in: Client, family: Family, owner: User
) -> None:
    m.Person.objects.filter(pk=family.mother.pk).update(phone="07700 900555", phone_masked=True)
    url = reverse("person-edit", args=[family.network.pk, family.mother.pk])
    page = _text(signed_in.get(url))
    assert "07700 900555" not in page
    assert "The telephone number is masked" in page
    response = signed_in.post(
        url,
        {"given_name": "Mara", "family_name": "Testmother", "sex": "female", "birth_date_accuracy": "unknown",
         "email": "mara@example.invalid", "version": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    mother = m.Person.objects.get(pk=family.mother.pk)
    assert (mother.phone, mother.phone_masked, mother.email) == ("07700 900555", True, "mara@example.invalid")
    assert "07700 900555" not in _text(signed_in.get(reverse("person", args=[family.network.pk, mother.pk])))


# -- empty states ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_list_on_a_new_family_page_says_what_to_ask(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    page = _text(signed_in.get(reverse("family", args=[baby_network.pk])))
    for text in (
        "Nobody is recorded as living with Rowan. Record where Rowan lives, and who else lives there.",
        "Nobody recorded. Ask about parents, partners and anyone who cares for Rowan and lives at another "
        "address.",
        "Nobody recorded. Ask about relatives, friends and regular visitors.",
        "No care arrangements recorded. Ask who looks after the child",
        "No addresses recorded. Record where the child lives",
        "No relationships recorded.",
        "Not recorded for anyone yet. Record it for each parent",
        'Birth father</dt><dd class="govuk-summary-list__value">Not recorded',
    ):
        assert text in page


@pytest.mark.django_db
def test_empty_lists_on_the_person_page(
    signed_in: Client, baby_network: m.FamilyNetwork, owner: User
) -> None:
    p = s.person_add(actor=owner, network=baby_network, data=s.PersonData(given_name="Sol"))
    page = _text(signed_in.get(reverse("person", args=[baby_network.pk, p.pk])))
    assert "No relationships recorded. Say how Sol is related to the child." in page
    assert "No address recorded for Sol." in page
    assert "No care arrangements recorded for Sol. Ask whether Sol ever looks after the child" in page
    assert "None recorded" in page  # other names


# -- access --------------------------------------------------------------------------

NEW_PAGES = [
    ("person", lambda f: [f.network.pk, f.father.pk]),
    ("other-name-add", lambda f: [f.network.pk, f.father.pk]),
    ("relationship-edit", lambda f: [f.network.pk, f.rel.pk]),
    ("relationship-remove", lambda f: [f.network.pk, f.rel.pk]),
    ("residence-edit", lambda f: [f.network.pk, f.stay.pk]),
    ("household-edit", lambda f: [f.network.pk, f.stay.household_id]),
    ("pr-add", lambda f: [f.network.pk]),
    ("pr-edit", lambda f: [f.network.pk, f.pr.pk]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), NEW_PAGES, ids=[n for n, _ in NEW_PAGES])
def test_new_pages_are_not_found_for_another_agency(
    name: str, args: object, family: Family, outsider: User, client: Client
) -> None:
    client.login(username=outsider.username, password=PASSWORD)
    url = reverse(name, args=args(family))  # type: ignore[operator]
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "basis": "none"}).status_code == 404


@pytest.mark.django_db
def test_records_of_another_family_are_not_found_through_this_one(
    signed_in: Client, family: Family, owner: User
) -> None:
    other = s.network_create(actor=owner, child=s.PersonData(given_name="Other", family_name="Testbaby"))
    for name, args in NEW_PAGES:
        url = reverse(name, args=[other.pk, *args(family)[1:]])  # type: ignore[operator]
        if name == "pr-add":
            continue
        assert signed_in.get(url).status_code == 404, name
