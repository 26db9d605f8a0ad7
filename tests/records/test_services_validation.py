"""Bad input to the family-record services: a clear, specific message, and
nothing saved (every records table and the audit trail are exactly as before)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps

from kinmap.accounts.models import User
from kinmap.audit.models import AuditChainHead, AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError, StaleEdit
from tests.conftest import index_child

TODAY = date.today()
VALID_NHS = "9434765919"


def snapshot(*, reads_allowed: bool = False) -> dict[str, Any]:
    """Every row of every records table, and the audit trail's length and head.

    With ``reads_allowed`` (a page was fetched, and reading a family is itself
    audited) only the audit events that record a change are counted."""
    out: dict[str, Any] = {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("records").get_models()
    }
    if reads_allowed:
        out["audited changes"] = AuditEvent.objects.exclude(action__in=("view", "list")).count()
    else:
        out["audit events"] = AuditEvent.objects.count()
        out["audit head"] = list(AuditChainHead.objects.values_list("seq", "hash"))
    return out


def refused(fn: Any, /, **kwargs: Any) -> list[str]:
    """Call a service that must refuse; return its messages, having checked that
    the database is unchanged."""
    before = snapshot()
    with pytest.raises(RecordError) as exc:
        fn(**kwargs)
    assert snapshot() == before
    return exc.value.messages


def person(given: str, family: str = "Testperson", **kw: Any) -> s.PersonData:
    return s.PersonData(given_name=given, family_name=family, **kw)


def add(owner: User, network: m.FamilyNetwork, data: s.PersonData, **kw: Any) -> m.Person:
    return s.person_add(actor=owner, network=network, data=data, **kw)


# -- people ---------------------------------------------------------------


@pytest.mark.django_db
def test_invalid_nhs_number_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    messages = refused(
        s.person_add, actor=owner, network=baby_network, data=person("Nia", nhs_number="943 476 5918")
    )
    assert messages == ["Enter a valid NHS number: the check digit does not match"]


@pytest.mark.django_db
def test_nhs_number_of_the_wrong_length_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    messages = refused(
        s.person_add, actor=owner, network=baby_network, data=person("Nia", nhs_number="94347659")
    )
    assert messages == ["Enter an NHS number with 10 digits, like 943 476 5919"]


@pytest.mark.django_db
def test_valid_nhs_number_typed_with_spaces_is_stored_as_digits(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    p = add(owner, baby_network, person("Nia", nhs_number="943 476 5919"))
    assert p.nhs_number == VALID_NHS


@pytest.mark.django_db
def test_date_of_birth_in_the_future_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    messages = refused(
        s.person_add,
        actor=owner,
        network=baby_network,
        data=person("Ava", birth_date=TODAY + timedelta(days=1), birth_date_accuracy="accurate"),
    )
    assert messages == [
        "Date of birth must be today or in the past, unless the child is unborn (choose 'Expected (unborn)')"
    ]


@pytest.mark.django_db
def test_future_date_of_birth_is_accepted_for_an_unborn_child(owner: User) -> None:
    network = s.network_create(
        actor=owner,
        child=person(
            "Unborn", "Testbaby", birth_date=TODAY + timedelta(days=60), birth_date_accuracy="expected"
        ),
    )
    assert index_child(network).birth_date == TODAY + timedelta(days=60)


@pytest.mark.django_db
def test_network_cannot_be_started_around_a_child_born_in_the_future(owner: User) -> None:
    messages = refused(
        s.network_create,
        actor=owner,
        child=person("Ava", birth_date=TODAY + timedelta(days=3), birth_date_accuracy="accurate"),
    )
    assert messages == [
        "Date of birth must be today or in the past, unless the child is unborn (choose 'Expected (unborn)')"
    ]
    # an estimate ("about", a year either side) three days ahead can be a day in the past: not refused
    assert s.network_create(
        actor=owner,
        child=person("Ava", birth_date=TODAY + timedelta(days=3), birth_date_accuracy="estimated"),
    )


@pytest.mark.django_db
def test_blank_name_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    messages = refused(
        s.person_add, actor=owner, network=baby_network, data=s.PersonData(given_name="  ", family_name="")
    )
    assert messages == ["Enter a name, or say why the name is not known"]


@pytest.mark.django_db
def test_blank_name_is_accepted_with_an_absent_reason(owner: User, baby_network: m.FamilyNetwork) -> None:
    p = add(
        owner,
        baby_network,
        s.PersonData(name_absent_reason="Mother does not want to say who the father is"),
        related_to=index_child(baby_network),
        relationship=s.RelationshipData(type="NFTH"),
    )
    assert str(p) == "Name not known"
    assert p.name_absent_reason == "Mother does not want to say who the father is"


@pytest.mark.django_db
def test_name_cannot_be_blanked_on_edit(owner: User, baby_network: m.FamilyNetwork) -> None:
    p = add(owner, baby_network, person("Nia"))
    messages = refused(
        s.person_update,
        actor=owner,
        network=baby_network,
        person=p,
        data=s.PersonData(),
        expected_version=p.version,
    )
    assert messages == ["Enter a name, or say why the name is not known"]


# -- relationships --------------------------------------------------------


@pytest.mark.django_db
def test_child_born_before_their_parent_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    messages = refused(
        s.person_add,
        actor=owner,
        network=baby_network,
        data=person("Young", "Testfather", birth_date=TODAY, birth_date_accuracy="accurate"),
        related_to=baby,
        relationship=s.RelationshipData(type="NFTH"),
    )
    assert messages == ["Rowan Testbaby cannot be born before their parent Young Testfather"]


@pytest.mark.django_db
def test_child_born_more_than_ten_months_after_birth_father_died_is_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    died = baby.birth_date - timedelta(days=306)
    father = add(
        owner,
        baby_network,
        person(
            "Late", "Testfather", birth_date=date(1990, 1, 1), birth_date_accuracy="accurate", death_date=died
        ),
    )
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=father,
        to_person=baby,
        data=s.RelationshipData(type="NFTH"),
    )
    assert messages == [
        "Rowan Testbaby was born more than 10 months after the death of Late Testfather, "
        "so he cannot be the birth father"
    ]


@pytest.mark.django_db
def test_child_born_within_ten_months_of_birth_father_death_is_accepted(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    father = add(
        owner, baby_network, person("Late", "Testfather", death_date=baby.birth_date - timedelta(days=200))
    )
    rel = s.relationship_create(
        actor=owner, network=baby_network, from_person=father, to_person=baby, data=s.RelationshipData("NFTH")
    )
    assert rel.type == "NFTH"


@pytest.mark.django_db
def test_person_as_their_own_parent_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    p = add(owner, baby_network, person("Sol"))
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=p,
        to_person=p,
        data=s.RelationshipData(type="NFTH"),
    )
    assert messages == ["A person cannot be related to themselves"]


@pytest.mark.django_db
def test_person_as_their_own_ancestor_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    """Grandmother -> mother -> baby recorded; then the baby as the grandmother's parent."""
    baby = index_child(baby_network)
    mother = add(
        owner,
        baby_network,
        person("Mara", "Testmother"),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    grandmother = add(
        owner,
        baby_network,
        person("Gwen", "Testgran"),
        related_to=mother,
        relationship=s.RelationshipData("NMTH"),
    )
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=baby,
        to_person=grandmother,
        data=s.RelationshipData(type="NMTH"),
    )
    assert messages == ["A person cannot be their own parent or ancestor"]


@pytest.mark.django_db
def test_second_birth_mother_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    add(
        owner,
        baby_network,
        person("Mara", "Testmother"),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    messages = refused(
        s.person_add,
        actor=owner,
        network=baby_network,
        data=person("Other", "Testmother"),
        related_to=baby,
        relationship=s.RelationshipData(type="NMTH"),
    )
    assert messages == ["Rowan Testbaby already has a birth mother recorded"]


@pytest.mark.django_db
def test_second_birth_father_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    add(
        owner,
        baby_network,
        person("Dan", "Testfather"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    other = add(owner, baby_network, person("Other", "Testfather"))
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=other,
        to_person=baby,
        data=s.RelationshipData(type="NFTH"),
    )
    assert messages == ["Rowan Testbaby already has a birth father recorded"]


@pytest.mark.django_db
def test_changing_a_relationship_into_a_second_birth_father_is_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    add(
        owner,
        baby_network,
        person("Dan", "Testfather"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    add(
        owner,
        baby_network,
        person("Sam", "Testpartner"),
        related_to=baby,
        relationship=s.RelationshipData("STPFTH"),
    )
    step = m.Relationship.objects.get(type="STPFTH")
    messages = refused(
        s.relationship_update,
        actor=owner,
        network=baby_network,
        relationship=step,
        data=s.RelationshipData(type="NFTH"),
        expected_version=step.version,
    )
    assert messages == ["Rowan Testbaby already has a birth father recorded"]


# -- care and households --------------------------------------------------


@pytest.mark.django_db
def test_care_by_a_deceased_carer_is_refused(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    gran = add(owner, baby_network, person("Gwen", "Testgran", death_date=date(2025, 3, 4)))
    messages = refused(
        s.care_create,
        actor=owner,
        network=baby_network,
        carer=gran,
        child=baby,
        data=s.CareData(place="carer-home", frequency="on Tuesdays"),
    )
    assert messages == ["Gwen Testgran has died (4 March 2025) and cannot give care after that date"]


@pytest.mark.django_db
def test_one_person_in_two_households_at_the_same_time_is_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    dad = add(owner, baby_network, person("Dan", "Testfather"))
    s.residence_create(
        actor=owner,
        network=baby_network,
        person=dad,
        address=s.AddressData(address_line_1="9 Away Lane", postcode="ZZ99 2BB"),
        start=date(2024, 1, 1),
    )
    messages = refused(
        s.residence_create,
        actor=owner,
        network=baby_network,
        person=dad,
        address=s.AddressData(address_line_1="1 Home Road", postcode="ZZ99 1AA"),
        start=date(2025, 6, 1),
    )
    assert messages == [
        "Dan Testfather already lives at another address at that time: "
        "end that stay first, or change the dates"
    ]


@pytest.mark.django_db
def test_moving_house_after_the_last_stay_ended_is_accepted(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    dad = add(owner, baby_network, person("Dan", "Testfather"))
    first = s.residence_create(
        actor=owner,
        network=baby_network,
        person=dad,
        address=s.AddressData(address_line_1="9 Away Lane", postcode="ZZ99 2BB"),
        start=date(2024, 1, 1),
    )
    s.residence_update(
        actor=owner,
        network=baby_network,
        residence=first,
        start=first.start,
        end=date(2025, 6, 1),
        expected_version=first.version,
    )
    second = s.residence_create(
        actor=owner,
        network=baby_network,
        person=dad,
        address=s.AddressData(address_line_1="1 Home Road", postcode="ZZ99 1AA"),
        start=date(2025, 6, 1),
    )
    assert m.Residence.objects.filter(person=dad).count() == 2
    assert second.household.address_line_1 == "1 Home Road"


# -- stale edits ----------------------------------------------------------


@pytest.mark.django_db
def test_person_update_with_an_old_version_is_refused_and_saves_nothing(
    owner: User, teammate: User, baby_network: m.FamilyNetwork
) -> None:
    p = add(owner, baby_network, person("Nia"))
    loaded_version = p.version
    s.person_update(
        actor=teammate,
        network=baby_network,
        person=p,
        data=dataclasses.replace(s.PersonData.of(p), phone="07700 900001"),
        expected_version=loaded_version,
    )
    before = snapshot()
    with pytest.raises(StaleEdit) as exc:
        s.person_update(
            actor=owner,
            network=baby_network,
            person=p,
            data=person("Nina"),
            expected_version=loaded_version,
        )
    assert snapshot() == before
    assert exc.value.messages == [
        "This person has changed since this page loaded. Your changes have not been saved: "
        "check the record as it is now, then make your change again."
    ]
    p.refresh_from_db()
    assert (p.given_name, p.phone, p.version) == ("Nia", "07700 900001", loaded_version + 1)


@pytest.mark.django_db
def test_a_problem_already_on_the_record_does_not_block_other_changes(owner: User) -> None:
    """An unborn child's expected date passes: the record now needs the actual date
    of birth, but the practitioner can still add the father meanwhile."""
    network = s.network_create(
        actor=owner,
        child=person(
            "Unborn", "Testbaby", birth_date=TODAY + timedelta(days=1), birth_date_accuracy="expected"
        ),
    )
    baby = index_child(network)
    m.Person.objects.filter(pk=baby.pk).update(birth_date=TODAY - timedelta(days=40))
    father = add(
        owner, network, person("Dan", "Testfather"), related_to=baby, relationship=s.RelationshipData("NFTH")
    )
    assert m.Relationship.objects.filter(from_person=father, to_person=baby, type="NFTH").exists()
    # ...while a change that keeps the problem on the child itself is still refused
    messages = refused(
        s.person_update,
        actor=owner,
        network=network,
        person=baby,
        data=dataclasses.replace(s.PersonData.of(baby), birth_date=TODAY - timedelta(days=41)),
        expected_version=baby.version,
    )
    assert messages == [
        "An expected date of birth must not be more than a month ago: record the actual date of birth"
    ]


# -- kinship and impossible ages (a mix of parent and grandparent links) ------


def young_mother_data(baby: m.Person, age: int) -> s.PersonData:
    """Tia, whose date of birth makes her ``age`` at the baby's birth."""
    assert baby.birth_date is not None
    born = date(baby.birth_date.year - age, baby.birth_date.month, 1)
    return person("Tia", "Testyoung", birth_date=born, birth_date_accuracy="accurate")


@pytest.mark.django_db
def test_a_grandparent_link_making_someone_their_own_ancestor_is_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    mother = add(
        owner,
        baby_network,
        young_mother_data(baby, 20),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    link = s.RelationshipData(type="GRPRN")
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=baby,
        to_person=mother,
        data=link,
    )
    assert messages == ["A person cannot be their own parent or ancestor"]


@pytest.mark.django_db
def test_a_birth_mother_younger_than_10_at_the_birth_is_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    messages = refused(
        s.person_add,
        actor=owner,
        network=baby_network,
        data=young_mother_data(baby, 9),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    assert messages == [
        "Tia Testyoung was 9 at the birth of Rowan Testbaby: a birth parent cannot be younger than 10. "
        "Check both dates of birth"
    ]


@pytest.mark.django_db
def test_a_mother_of_15_is_recorded_and_asked_who_cares_for_her(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    from kinmap.gaps import models as gm

    baby = index_child(baby_network)
    mother = add(
        owner,
        baby_network,
        young_mother_data(baby, 15),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    gap = gm.Gap.objects.get(network=baby_network, rule_id="R22-young-parent")
    assert (gap.subject_id, gap.severity, gap.missing) == (
        str(mother.pk),
        "critical",
        ["young_parent_carer", "safeguarding_referral"],
    )
    asked_as_adult = gm.Gap.objects.filter(
        network=baby_network, subject_id=str(mother.pk), rule_id__in=("R09-other-names", "R15-adult-services")
    )
    assert not asked_as_adult.exists()
