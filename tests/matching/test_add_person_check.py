"""Adding a person never silently adds someone already on the record."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.matching.keys import person_match_keys_refresh
from kinmap.matching.models import PersonMatchKey
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from tests.conftest import index_child

from .conftest import CANARIES, JORDAN_NHS, Seed, post_deciding, signed_in_as

JORDAN_TYPED = {
    "given_name": "Jordan",
    "family_name": "Price",
    "sex": "male",
    "birth_date_0": "7",
    "birth_date_1": "3",
    "birth_date_2": "1994",
    "birth_date_accuracy": "accurate",
    "relationship": "NFTH",
}


def _post(user: User, network: m.FamilyNetwork, **extra: str) -> tuple[int, str]:
    """The add-person form with ``extra``; a decision (``match_decision``,
    ``match_reason``) is sent from the possible matches page, as on the pages."""
    baby = index_child(network)
    decision = {k: extra.pop(k) for k in ("match_decision", "match_reason") if k in extra}
    response = post_deciding(
        signed_in_as(user),
        reverse("person-add", args=[network.pk]),
        {**JORDAN_TYPED, "related_to": str(baby.pk), **extra},
        **decision,
    )
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_the_likely_match_is_shown_with_score_and_reasons_and_nothing_is_saved(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    before = m.Person.objects.count()
    status, page = _post(owner, baby_network)
    assert status == 200
    assert "Is Jordan Price already on the record?" in page
    assert "A person held by Northshire Children&#x27;s Social Care" in page
    assert "Same name and date of birth" in page
    assert "99%" in page
    # what linking shows, said as it is: the person's own details, not their family's
    assert "their own name, date of birth, NHS number, phone and addresses then show in your family" in page
    assert "The other people in their family networks, and those networks' records, stay with them." in page
    assert "without showing you what other family networks hold" not in page
    for canary in CANARIES:
        assert canary not in page, canary
    # the add-person form's answers travel with the decision
    assert '<input type="hidden" name="birth_date_2" value="1994">' in page
    assert m.Person.objects.count() == before


@pytest.mark.django_db
def test_linking_adds_the_existing_person_to_this_family(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    before = m.Person.objects.count()
    status, _ = _post(owner, baby_network, match_decision=f"link-{seed.jordan.pk}")
    assert status == 302
    assert m.Person.objects.count() == before
    assert m.NetworkMember.objects.filter(network=baby_network, person=seed.jordan).exists()
    assert m.Relationship.objects.filter(
        from_person=seed.jordan, to_person=index_child(baby_network), type="NFTH"
    ).exists()
    event = AuditEvent.objects.get(action="link")
    assert event.network_id == baby_network.pk and event.actor == owner
    assert event.reason.startswith("same name and date of birth")
    # his family with social care stays theirs alone
    assert signed_in_as(owner).get(reverse("family", args=[seed.social_network.pk])).status_code == 404
    # the masked phone stays masked on his page in the health visitor's family
    page = signed_in_as(owner).get(reverse("person", args=[baby_network.pk, seed.jordan.pk])).content.decode()
    assert "07700 900431" not in page


@pytest.mark.django_db
def test_a_forged_choice_is_refused(owner: User, seed: Seed, baby_network: m.FamilyNetwork) -> None:
    other = s.person_add(actor=owner, network=baby_network, data=s.PersonData(given_name="Unrelated"))
    status, page = _post(owner, baby_network, match_decision=f"link-{other.pk}")
    assert status == 200
    assert "govuk-error-summary" in page
    assert not AuditEvent.objects.filter(action="link").exists()


@pytest.mark.django_db
def test_someone_new_needs_a_reason_which_is_audited(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    status, page = _post(owner, baby_network, match_decision="new")
    assert status == 200
    assert "Say why this is a different person" in page
    status, _ = _post(
        owner, baby_network, match_decision="new", match_reason="Mother says this Jordan lives in Leeds"
    )
    assert status == 302
    new = m.Person.objects.exclude(pk=seed.jordan.pk).get(given_name="Jordan")
    event = AuditEvent.objects.get(action="confirm_new")
    assert event.object_id == str(new.pk)
    assert event.reason == "Mother says this Jordan lives in Leeds"
    assert event.changes["not"][0]["person"] == seed.jordan.pk


@pytest.mark.django_db
def test_someone_unlike_anyone_is_added_at_once(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    status, _ = _post(owner, baby_network, given_name="Amara", family_name="Nwosu", birth_date_2="1990")
    assert status == 302
    assert m.Person.objects.filter(given_name="Amara").exists()


@pytest.mark.django_db
def test_an_nhs_number_held_by_someone_else_is_refused_on_the_page(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    status, page = _post(
        owner,
        baby_network,
        given_name="Kai",
        family_name="Other",
        nhs_number=JORDAN_NHS,
        match_decision="new",
        match_reason="different man",
    )
    assert status == 200
    assert "This NHS number is already recorded for someone else" in page
    assert not m.Person.objects.filter(given_name="Kai").exists()


@pytest.mark.django_db
def test_an_nhs_number_held_by_someone_else_is_refused_by_the_services(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    with pytest.raises(RecordError) as err:
        s.person_add(
            actor=owner, network=baby_network, data=s.PersonData(given_name="X", nhs_number=JORDAN_NHS)
        )
    assert err.value.problems[0].field == "nhs_number"
    baby = index_child(baby_network)
    with pytest.raises(RecordError):
        s.person_update(
            actor=owner,
            network=baby_network,
            person=baby,
            data=dataclasses.replace(s.PersonData.of(baby), nhs_number=JORDAN_NHS),
            expected_version=baby.version,
        )
    # a person keeps their own number when edited
    jordan = seed.jordan
    s.person_update(
        actor=outsider,
        network=seed.social_network,
        person=jordan,
        data=s.PersonData.of(jordan),
        expected_version=jordan.version,
    )


@pytest.mark.django_db
def test_keys_follow_every_change(outsider: User, seed: Seed) -> None:
    keys = set(PersonMatchKey.objects.filter(person=seed.jordan).values_list("key", flat=True))
    assert {f"nhs:{JORDAN_NHS}", "dob:1994-03-07", "dob:1994-07-03", "pc:NE29QT", "ph:07700900431"} <= keys
    s.other_name_add(
        actor=outsider,
        network=seed.social_network,
        person=seed.jordan,
        kind="alias",
        given_name="",
        family_name="Bell",
    )
    assert PersonMatchKey.objects.filter(person=seed.jordan, key="fy:PL:1994").exists()
    PersonMatchKey.objects.all().delete()
    assert person_match_keys_refresh(person_ids=[seed.jordan.pk, seed.skye.pk, 10**9]) > 0
    assert PersonMatchKey.objects.filter(person=seed.skye, key="dob:2021-05-02").exists()


@pytest.mark.django_db
def test_twins_are_shown_not_linked(owner: User, baby_network: m.FamilyNetwork) -> None:
    twin = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Amelia", family_name="Testbaby", birth_date=date(2024, 1, 5),
                          birth_date_accuracy="accurate"),
    )  # fmt: skip
    response = signed_in_as(owner).post(
        reverse("person-add", args=[baby_network.pk]),
        {"given_name": "Olivia", "family_name": "Testbaby", "sex": "female", "birth_date_0": "5",
         "birth_date_1": "1", "birth_date_2": "2024", "birth_date_accuracy": "accurate"},
    )  # fmt: skip
    # shown for a decision, not linkable (she is already in this family), never linked
    assert response.status_code == 200
    page = response.content.decode()
    assert "Already in this family network" in page
    assert 'value="link-' not in page
    assert not AuditEvent.objects.filter(action="link").exists()
    assert twin.given_name == "Amelia"


@pytest.mark.django_db
def test_a_linked_father_known_as_a_parent_elsewhere_is_flagged_on_the_family_page(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    status, _ = _post(owner, baby_network, match_decision=f"link-{seed.jordan.pk}")
    assert status == 302
    page = signed_in_as(owner).get(reverse("family", args=[baby_network.pk])).content.decode()
    assert (
        "Jordan Price is recorded as the parent of a child in another family network, "
        "held by Northshire Children&#x27;s Social Care." in page
    )
    # rule 8 asks until the child is added or the practitioner says why not
    assert "is recorded as the parent of a child in another family network: add the child" in page
    for canary in CANARIES:
        assert canary not in page, canary


@pytest.mark.django_db
def test_a_synthetic_caseload_is_findable_at_once() -> None:
    from kinmap.records.synth import synth_load

    synth_load(families=3, teams=1, seed=5, today=date(2026, 6, 1))
    people = list(m.Person.objects.all())
    assert people
    with_keys = set(PersonMatchKey.objects.values_list("person_id", flat=True))
    # everyone with something a search can start from (a given name alone is not enough)
    findable = {p.pk for p in people if p.family_name or p.birth_date or p.nhs_number or p.phone}
    assert findable and findable <= with_keys


@pytest.mark.django_db
def test_the_postcode_of_the_address_typed_is_compared(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    """Someone added with an address elsewhere is looked for with its
    postcode too: Dale Hart, whose date of birth is not known, is found by his
    name and the (unmasked) postcode social care holds for him; the same name
    typed with another postcode does not agree on it."""
    dale = s.person_add(
        actor=outsider,
        network=seed.social_network,
        data=s.PersonData(given_name="Dale", family_name="Hart", sex="male"),
        related_to=seed.skye,
        relationship=s.RelationshipData(type="STPFTH"),
    )
    s.residence_create(
        actor=outsider,
        network=seed.social_network,
        person=dale,
        address=s.AddressData(address_line_1="9 Mill Lane", town="Newcastle", postcode="NE6 2QT"),
    )
    typed = {"given_name": "Dale", "family_name": "Hart", "birth_date_0": "", "birth_date_1": "",
             "birth_date_2": "", "birth_date_accuracy": "unknown", "lives": "elsewhere",
             "address_line_1": "9 Mill Lane", "town": "Newcastle"}  # fmt: skip
    status, page = _post(owner, baby_network, **typed, postcode="NE6 2QT")
    assert status == 200 and "Same name and postcode" in page
    status, page = _post(owner, baby_network, **typed, postcode="NE9 9ZZ")
    assert "postcode" not in page.split("What agrees", 1)[-1].split("</dd>", 1)[0]
