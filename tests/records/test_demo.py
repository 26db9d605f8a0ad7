"""``kinmap demo``: accounts for every role, at least five families (one mirroring
the seed case), idempotent, never in production."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from kinmap.accounts.models import Agency, MaskedDetailEntitlement, Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from kinmap.core.graph import FamilyGraph, Group, SiblingKind
from kinmap.gaps.models import Gap, GapState
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_PASSWORD, DEMO_URL, USERS
from kinmap.records.selectors import family_record_load, networks_for_user
from kinmap.sharing import services as sh

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
COUNTED = [
    Agency,
    Team,
    User,
    MaskedDetailEntitlement,
    m.FamilyNetwork,
    m.Allocation,
    m.NetworkMember,
    m.Person,
    m.OtherName,
    m.PersonFact,
    m.Relationship,
    m.Household,
    m.Residence,
    m.CareArrangement,
    m.ParentalResponsibility,
    AuditEvent,
]


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def graph_of(name: str) -> tuple[FamilyGraph, dict[str, int]]:
    """The family network's graph today, and its people's ids by given name."""
    network = m.FamilyNetwork.objects.get(name=name)
    g = FamilyGraph(family_record_load(network).graph_network, timezone.localdate())
    ids = {p.given_name or p.name_absent_reason: pid for pid, p in g.network.people.items()}
    return g, ids


@pytest.mark.django_db
def test_demo_sets_everything_up_once_and_prints_the_sign_ins() -> None:
    first = demo()
    after_first = snapshot()
    second = demo("--url", "http://127.0.0.1:8765")
    assert snapshot() == after_first  # nothing duplicated, nothing re-imported

    assert m.FamilyNetwork.objects.filter(members__is_index=True).distinct().count() >= 5
    assert "Demo family networks loaded now: 6." in first
    assert "Demo family networks loaded now: 0." in second
    assert "Already loaded before (left as they are): 01-overnight-with-father.json," in second
    assert f"Open {DEMO_URL} and sign in as any of these users." in first
    assert "Open http://127.0.0.1:8765 and sign in as any of these users." in second
    for text in (first, second):
        assert f"The password for every demo user is: {DEMO_PASSWORD}" in text
        for du in USERS:
            row = next(line for line in text.splitlines() if line.startswith(f"  {du.username} "))
            assert dict(Role.choices)[du.role] in row
            assert du.team in row and du.agency in row

    # a user for every role, each able to sign in with the published password
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert len(DEMO_PASSWORD) >= 12
    for du in USERS:
        assert Client().login(username=du.username, password=DEMO_PASSWORD)
    # social care supervisors may see masked details
    assert MaskedDetailEntitlement.objects.filter(
        agency__name="Northshire Children's Social Care", role=Role.SUPERVISOR
    ).exists()
    # the health trust has a designated safeguarding lead, told when the midwife (whose
    # team has no supervisor) uses emergency access
    lead = User.objects.get(username="safeguarding.lead")
    assert Agency.objects.get(name="Northshire Community Health Trust").designated_safeguarding_lead == lead
    midwife = User.objects.get(username="midwife")
    assert sh.break_glass_overseers(midwife) == (sh.Overseer.SAFEGUARDING_LEAD, [lead])
    # every practitioner and supervisor has families to work with
    for user in User.objects.filter(role__in=[Role.PRACTITIONER, Role.SUPERVISOR, Role.INFORMATION_OFFICER]):
        assert networks_for_user(user).exists(), user.username


@pytest.mark.django_db
def test_demo_families_are_as_described() -> None:
    demo()
    today = timezone.localdate()

    # (a) the seed case: a 9-week-old boy living with his mother ...
    g, ids = graph_of("Family of Alfie Renshaw")
    alfie, chloe, jordan = ids["Alfie"], ids["Chloe"], ids["Jordan"]
    baby = g.person(alfie)
    assert baby.age_in_days(today) == 63
    assert g.birth_mother(alfie) == chloe and g.birth_father(alfie) == jordan
    assert g.group_for(chloe, alfie) is Group.LIVES_WITH
    mother = g.person(chloe)
    assert mother.seen_directly_on is not None and mother.nhs_number and mother.phone
    assert {"birth_date", "nhs_number", "phone"} <= set(mother.provenance)
    assert "adult-services" in mother.facts
    # ... his father lives elsewhere and has him overnight ...
    assert g.group_for(jordan, alfie) is Group.LIVES_ELSEWHERE
    assert g.overnight_carers(alfie) == [jordan]
    assert [c.place.value for c in g.care_away_from_home(alfie)] == ["carer-home"]
    assert g.describe(jordan, alfie) == (
        "Birth father · lives elsewhere · has the baby overnight (on Friday nights) at the carer's home"
    )
    # ... little is recorded about him ...
    father = g.person(jordan)
    assert (father.birth_date, father.phone, father.email, father.nhs_number) == (None, "", "", "")
    assert father.seen_directly_on is None
    assert not [pr for pr in g.network.parental_responsibility if pr.person_id == jordan]
    # ... and he has a child from a previous relationship in another family network,
    # allocated to another team
    (mia,) = g.children_from_other_relationships(jordan, alfie)
    assert mia in g.network.outside_ids
    assert g.person(mia).given_name == "Mia"
    mia_network = m.FamilyNetwork.objects.get(members__person_id=mia, members__is_index=True)
    assert set(mia_network.teams.values_list("name", flat=True)) == {"Assessment team"}
    assert not set(mia_network.teams.all()) & set(
        m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw").teams.all()
    )

    # (b) a blended family with half- and step-siblings
    g, ids = graph_of("Family of Isla Hale")
    kinds = {sib.person_id: sib.kind for sib in g.siblings(ids["Isla"])}
    assert kinds == {ids["Arjun"]: SiblingKind.HALF, ids["Ellie"]: SiblingKind.HALF}
    assert {sib.person_id: sib.kind for sib in g.siblings(ids["Arjun"])}[ids["Ellie"]] is SiblingKind.STEP
    assert g.relation_to_child(ids["Tom"], ids["Arjun"]) == "stepfather"

    # (c) an unborn child due in a few weeks
    g, ids = graph_of("Family of baby Nowak (unborn)")
    (unborn,) = g.index_children
    assert unborn.unborn and unborn.birth_date is not None
    assert today + timedelta(weeks=2) <= unborn.birth_date <= today + timedelta(weeks=6)

    # (d) a mother and children at a masked address
    g, ids = graph_of("Family of Amelia Grant")
    (current,) = g.households_of(ids["Amelia"])
    assert g.network.households[current].masked
    assert g.person(ids["Sophie"]).phone_masked
    assert g.group_for(ids["Sophie"], ids["Amelia"]) is Group.LIVES_WITH
    assert g.group_for(ids["Ryan"], ids["Amelia"]) is Group.LIVES_ELSEWHERE

    # (e) grandparents giving regular day care, and a mother's new partner who visits
    g, ids = graph_of("Family of Freddie Walsh")
    freddie = ids["Freddie"]
    assert set(g.carers(freddie)) == {ids["Karen"], ids["Steve"], ids["Liam"]}
    assert g.overnight_carers(freddie) == []
    assert g.relation_to_child(ids["Karen"], freddie) == "grandparent"
    assert g.partners(ids["Hannah"]) == [ids["Liam"]]
    assert "regular visitor" in g.relation_to_child(ids["Liam"], freddie)


@pytest.mark.django_db
def test_demo_refuses_to_run_in_production(settings: Any) -> None:
    settings.KINMAP_ENV = "production"
    before = snapshot()
    with pytest.raises(CommandError) as info:
        demo()
    assert str(info.value) == (
        "kinmap demo creates made-up families and accounts with a published password, "
        "so it refuses to run when KINMAP_ENV=production."
    )
    assert snapshot() == before


def open_gaps(network: m.FamilyNetwork) -> set[tuple[str, str]]:
    """(rule, subject) of the family's open gaps, as `kinmap gaps N --json` prints them."""
    out = io.StringIO()
    call_command("gaps", str(network.pk), "--json", "--as", "health.visitor", "--reason", "test", stdout=out)
    return {(g["rule"], g["subject"]) for g in json.loads(out.getvalue())["open_gaps"]}


@pytest.mark.django_db
def test_the_seed_mother_had_the_safety_information_and_the_father_none() -> None:
    """The point of the product: the mother was given ICON and safer sleep at the new
    birth visit; the father, who has the baby overnight, was given nothing."""
    demo()
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    chloe, jordan = m.Person.objects.get(given_name="Chloe"), m.Person.objects.get(given_name="Jordan")
    alfie = m.Person.objects.get(given_name="Alfie")
    given = list(
        cm.InformationGiven.objects.filter(network=network).values_list(
            "person__given_name", "material__code", "how", "given_on", "given_by__username"
        )
    )
    assert alfie.birth_date is not None
    visit = alfie.birth_date + timedelta(days=11)
    assert given == [
        ("Chloe", "icon", "in-person", visit, "health.visitor"),
        ("Chloe", "safer-sleep", "in-person", visit, "health.visitor"),
    ]
    assert not cm.JointAppointment.objects.filter(network=network).exists()
    gaps = open_gaps(network)
    for rule in ("R17-icon", "R18-safer-sleep"):
        assert (rule, f"person:{jordan.pk}") in gaps
        assert (rule, f"person:{chloe.pk}") not in gaps
        resolved = Gap.objects.get(network=network, rule_id=rule, subject_id=str(chloe.pk))
        assert resolved.state == GapState.RESOLVED
    assert ("R20-carers-elsewhere", f"person:{jordan.pk}") in gaps


@pytest.mark.django_db
def test_the_grandparents_family_has_joint_appointment_invitations() -> None:
    demo()
    today = timezone.localdate()
    network = m.FamilyNetwork.objects.get(name="Family of Freddie Walsh")
    karen, steve = m.Person.objects.get(given_name="Karen"), m.Person.objects.get(given_name="Steve")
    invitations = list(
        cm.JointAppointment.objects.filter(network=network).values_list(
            "person__given_name", "contact_type", "outcome"
        )
    )
    assert invitations == [("Karen", "home-visit", "attended"), ("Steve", "clinic", "pending")]
    coming = cm.JointAppointment.objects.get(person=steve)
    assert coming.contact_on == today + timedelta(days=14) and coming.invited_on < today
    gaps = open_gaps(network)
    # Karen came to a joint appointment and was given both; Steve declined by telephone
    carers_rules = ("R17", "R18", "R19", "R20")
    assert not {g for g in gaps if g[1] == f"person:{karen.pk}" and g[0].startswith(carers_rules)}
    assert {("R17-icon", f"person:{steve.pk}"), ("R18-safer-sleep", f"person:{steve.pk}")} <= gaps
    declined = cm.InformationGiven.objects.get(person=steve)
    assert (declined.declined, declined.declined_reason) == (True, "Karen tells me what I need to know")
