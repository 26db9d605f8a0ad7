"""The access world (world.py) with a second family network that shares people
and a household with the first: the case where one person is in the family
networks of children by two mothers.

Network A is the world's family (held by health, allocated to social care's
assessment team too). Network B, "Family of Mia Othernet", is held by social
care's duty team ("social-unallocated" in the world's cells, which is not
allocated to A) and also allocated to the assessment team. So:

  health-allocated     sees A only
  social-allocated     sees A and B
  social-unallocated   sees B only
  health-unallocated   sees neither

Dan Testfather (the father in A) is in B too, with Mia, his daughter by another
mother; his mother Gwen and his son Kai are members of both networks. Records:

  B only   Mia's mother, her relationship to Mia, her stay and household,
           her care of Mia and her parental responsibility for Mia; Dan's
           relationship to Mia; B's contact, gap and joint appointment
  A and B  Gwen's relationship to Dan; Dan's stay at his flat and the flat
           (masked); Gwen's care of Kai; Dan's parental responsibility for Kai
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kinmap.accounts.models import Role
from kinmap.carers import services as cs
from kinmap.core.nhs import is_valid_nhs_number
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records import services as s

from .world import World, build_world

OTHER_CHILD_NAME = "Mia Othernet"
OTHER_MOTHER_ADDRESS = "OTHERNET-7F3Q Willow Court"
SHARED_FLAT_ADDRESS = "SHARED-FLAT-2H8P Canal Wharf"


def _synthetic_nhs_number() -> str:
    """A valid NHS number from the 999 range, which is never issued to anyone."""
    return next(n for n in (f"999{i:07d}" for i in range(1000, 2000)) if is_valid_nhs_number(n))


OTHER_CHILD_NHS = _synthetic_nhs_number()


@dataclass
class SharedWorld:
    world: World
    other: m.FamilyNetwork  # network B
    other_ids: dict[str, int]  # URL keyword -> id of a record of B only
    shared_ids: dict[str, int]  # URL keyword -> id of a record of both A and B
    mia: m.Person
    mia_mother: m.Person
    dan_to_mia: m.Relationship
    dan_stay: m.Residence


def _years_ago(years: int) -> date:
    today = date.today()
    return date(today.year - years, 1, 15)


def build_shared_world() -> SharedWorld:
    w = build_world()
    lead = w.lead
    other_lead = w.user(Role.PRACTITIONER, "social-unallocated")
    dan = w.father

    other = s.network_create(
        actor=other_lead,
        child=s.PersonData(
            given_name="Mia",
            family_name="Othernet",
            sex="female",
            birth_date=_years_ago(3),
            birth_date_accuracy="accurate",
            nhs_number=OTHER_CHILD_NHS,
        ),
    )
    m.Allocation.objects.create(network=other, team=w.teams["social-allocated"], start=date.today())
    mia = m.NetworkMember.objects.get(network=other, is_index=True).person
    mia_mother = s.person_add(
        actor=other_lead,
        network=other,
        data=s.PersonData(given_name="Odette", family_name="Othernet", sex="female"),
        related_to=mia,
        relationship=s.RelationshipData(type="NMTH"),
    )
    mother_home = s.residence_create(
        actor=other_lead,
        network=other,
        person=mia_mother,
        address=s.AddressData(address_line_1=OTHER_MOTHER_ADDRESS, postcode="ZZ99 3OT"),
    )
    s.residence_create(actor=other_lead, network=other, person=mia, household=mother_home.household)
    mother_care = s.care_create(
        actor=other_lead,
        network=other,
        carer=mia_mother,
        child=mia,
        data=s.CareData(place="child-home", frequency="every day"),
    )
    mother_pr = s.pr_set(actor=other_lead, network=other, person=mia_mother, child=mia, basis="birth-mother")

    # Dan joins B (as a family file import would add a person already known)
    m.NetworkMember.objects.create(network=other, person=dan)
    dan_to_mia = s.relationship_create(
        actor=other_lead, network=other, from_person=dan, to_person=mia, data=s.RelationshipData(type="NFTH")
    )
    # Gwen, Dan's mother, and Kai, Dan's son, are members of both networks
    gwen = s.person_add(
        actor=lead,
        network=w.network,
        data=s.PersonData(given_name="Gwen", family_name="Testfather", sex="female"),
        related_to=dan,
        relationship=s.RelationshipData(type="NMTH"),
    )
    kai = s.person_add(
        actor=lead,
        network=w.network,
        data=s.PersonData(
            given_name="Kai",
            family_name="Testfather",
            sex="male",
            birth_date=_years_ago(5),
            birth_date_accuracy="accurate",
        ),
        related_to=dan,
        relationship=s.RelationshipData(type="NFTH"),
        reverse=True,
    )
    m.NetworkMember.objects.create(network=other, person=gwen)
    m.NetworkMember.objects.create(network=other, person=kai)
    gwen_to_dan = m.Relationship.objects.get(from_person=gwen, to_person=dan)
    dan_stay = s.residence_create(
        actor=lead,
        network=w.network,
        person=dan,
        address=s.AddressData(address_line_1=SHARED_FLAT_ADDRESS, postcode="ZZ99 4SF", masked=True),
    )
    gwen_care = s.care_create(
        actor=lead, network=w.network, carer=gwen, child=kai, data=s.CareData(place="carer-home")
    )
    dan_pr = s.pr_set(actor=lead, network=w.network, person=dan, child=kai, basis="joint-registration")

    other_contact = gs.contact_open(actor=other_lead, network=other, type="home-visit", date=date.today())
    other_gap = gm.Gap.objects.filter(network=other).order_by("pk").first()
    assert other_gap is not None
    s.care_create(
        actor=other_lead,
        network=other,
        carer=dan,
        child=mia,
        data=s.CareData(place="carer-home", frequency="on Saturdays"),
    )
    other_appointment = cs.joint_appointment_invite(
        actor=other_lead,
        network=other,
        person=dan,
        contact_on=date.today() + timedelta(days=1),
        contact_type="6-8-weeks",
    )
    return SharedWorld(
        world=w,
        other=other,
        other_ids={
            "person_id": mia_mother.pk,
            "rel_id": m.Relationship.objects.get(from_person=mia_mother, to_person=mia).pk,
            "residence_id": mother_home.pk,
            "household_id": mother_home.household_id,
            "care_id": mother_care.pk,
            "pr_id": mother_pr.pk,
            "contact_id": other_contact.pk,
            "gap_id": other_gap.pk,
            "appointment_id": other_appointment.pk,
        },
        shared_ids={
            "rel_id": gwen_to_dan.pk,
            "residence_id": dan_stay.pk,
            "household_id": dan_stay.household_id,
            "care_id": gwen_care.pk,
            "pr_id": dan_pr.pk,
        },
        mia=mia,
        mia_mother=mia_mother,
        dan_to_mia=dan_to_mia,
        dan_stay=dan_stay,
    )
