"""A small partnership for access tests: two agencies with two teams each, one
user of every role in every team, and one family network held by a health
team and allocated to a social care team too.

Cells, as in the authorization matrix:
  health-allocated    the family's own agency, team allocated
  health-unallocated  the family's own agency, team not allocated
  social-allocated    another agency, team allocated
  social-unallocated  another agency, team not allocated
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from kinmap.accounts.models import Agency, MaskedDetailEntitlement, Role, Team, User
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.jobs.models import FamilyRecompute
from kinmap.jobs.services import family_recompute_start
from kinmap.merging.models import MatchCandidate, Merge
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.care_orders import care_order_set
from kinmap.sharing import services as sh
from kinmap.sharing.models import InformationRequest, LawfulBasis, SharingDecision

CELLS = ("health-allocated", "health-unallocated", "social-allocated", "social-unallocated")
ROLES = (Role.PRACTITIONER, Role.SUPERVISOR, Role.INFORMATION_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR)

CANARY_PHONE = "07700 900 913 CANARY-PHONE-7Q3X"
CANARY_ADDRESS = "CANARY-REFUGE-9K2W Hidden Row"
CANARY_POSTCODE = "ZZ99 9QX"


@dataclass
class World:
    agencies: dict[str, Agency]
    teams: dict[str, Team]
    users: dict[tuple[str, str], User]  # (role, cell) -> user
    network: m.FamilyNetwork
    child: m.Person
    mother: m.Person
    father: m.Person
    care: m.CareArrangement
    relationship: m.Relationship
    residence: m.Residence
    pr: m.ParentalResponsibility
    care_order: m.ParentalResponsibility  # a care order: the local authority holds it
    request: InformationRequest
    decision: SharingDecision
    social_allocation: m.Allocation
    target_user: User
    extra: dict[str, object] = field(default_factory=dict)

    def user(self, role: str, cell: str) -> User:
        return self.users[(role, cell)]

    @property
    def lead(self) -> User:
        return self.user(Role.PRACTITIONER, "health-allocated")

    def kwargs(self) -> dict[str, int | str]:
        """Values for every URL keyword argument."""
        contact = self.extra["contact"]
        gap = self.extra["gap"]
        appointment = self.extra["appointment"]
        recompute = self.extra["recompute"]
        assert isinstance(recompute, FamilyRecompute)
        assert isinstance(contact, gm.Contact) and isinstance(gap, gm.Gap)
        assert isinstance(appointment, cm.JointAppointment)
        return {
            "appointment_id": appointment.pk,
            "material_id": cm.Material.objects.get(code="coping-plan").pk,
            "contact_id": contact.pk,
            "gap_id": gap.pk,
            "kind": "birth-date",
            "rule_id": gap.rule_id,
            "network_id": self.network.pk,
            "person_id": self.father.pk,
            "care_id": self.care.pk,
            "rel_id": self.relationship.pk,
            "residence_id": self.residence.pk,
            "household_id": self.residence.household_id,
            "pr_id": self.pr.pk,
            "order_id": self.care_order.pk,
            "request_id": self.request.pk,
            # good only in the session of the search that made it (none here)
            "token": "not-from-a-search",
            "user_id": self.target_user.pk,
            "agency_id": self.agencies["health"].pk,
            "allocation_id": self.social_allocation.pk,
            "run_id": recompute.pk,
            "action_id": self.extra["action"].pk,  # type: ignore[attr-defined]
            "candidate_id": self.extra["pair"].pk,  # type: ignore[attr-defined]
            "merge_id": self.extra["merge"].pk,  # type: ignore[attr-defined]
        }


def _user(username: str, team: Team | None, role: str) -> User:
    # No password: tests sign in with force_login, which keeps them fast.
    user = User(username=username, team=team, role=role, first_name=username.split("-")[0].title())
    user.set_unusable_password()
    user.save()
    return user


def askable_gap(network: m.FamilyNetwork, person: m.Person, what: str) -> str:
    """The key of an open gap of ``network`` about ``person`` (themselves, or as
    a carer) from which another agency may be asked for ``what``, as the gap's
    "Ask another agency" link offers it (``kinmap.gaps.answers.ASK_FOR``)."""
    from kinmap.gaps.answers import ASK_FOR, subject_person

    carers = {c.pk: c.carer_id for c in m.CareArrangement.objects.filter(carer=person)}
    return next(
        g.key
        for g in gm.Gap.objects.filter(network=network).order_by("pk")
        if g.is_open
        and subject_person(g, carers) == person.pk
        and what in {ASK_FOR[k] for k in g.missing if k in ASK_FOR}
    )


def build_world(*, masked: bool = True) -> World:
    health = Agency.objects.create(name="Northshire Community Health", kind="health")
    social = Agency.objects.create(name="Northshire Children's Social Care", kind="social-care")
    teams = {
        "health-allocated": Team.objects.create(agency=health, name="Health visiting east"),
        "health-unallocated": Team.objects.create(agency=health, name="Health visiting west"),
        "social-allocated": Team.objects.create(agency=social, name="Assessment team"),
        "social-unallocated": Team.objects.create(agency=social, name="Duty team"),
    }
    users = {
        (role.value, cell): _user(f"{role.value}-{cell}", teams[cell], role.value)
        for role in ROLES
        for cell in CELLS
    }
    lead = users[(Role.PRACTITIONER.value, "health-allocated")]
    network = s.network_create(
        actor=lead,
        child=s.PersonData(
            given_name="Rowan",
            family_name="Testbaby",
            sex="male",
            birth_date=date.fromordinal(date.today().toordinal() - 63),
            birth_date_accuracy="accurate",
        ),
    )
    child = m.NetworkMember.objects.get(network=network, is_index=True).person
    mother = s.person_add(
        actor=lead,
        network=network,
        data=s.PersonData(
            given_name="Mara", family_name="Testmother", sex="female", phone=CANARY_PHONE, phone_masked=masked
        ),
        related_to=child,
        relationship=s.RelationshipData(type="NMTH"),
    )
    home = s.residence_create(
        actor=lead,
        network=network,
        person=mother,
        address=s.AddressData(address_line_1=CANARY_ADDRESS, postcode=CANARY_POSTCODE, masked=masked),
    )
    s.residence_create(actor=lead, network=network, person=child, household=home.household)
    father = s.person_add(
        actor=lead,
        network=network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    care = s.care_create(
        actor=lead,
        network=network,
        carer=father,
        child=child,
        data=s.CareData(place="carer-home", frequency="on Fridays", overnight=True),
    )
    pr = s.pr_set(actor=lead, network=network, person=mother, child=child, basis="birth-mother")
    care_order = care_order_set(
        actor=lead,
        network=network,
        child=child,
        local_authority="Northshire County Council",
        start=child.birth_date,
    )
    social_allocation = m.Allocation.objects.create(
        network=network, team=teams["social-allocated"], start=date.today()
    )
    request = sh.information_request_create(
        actor=lead,
        network=network,
        person=father,
        what="birth_date",
        to_agency=social,
        lawful_basis=LawfulBasis.SAFEGUARDING,
        purpose="The father has the baby overnight; we need to know who he is.",
        urgency="standard",
        gap_key=askable_gap(network, father, "birth_date"),
    )
    decision = sh.sharing_decision_record(
        actor=lead,
        network=network,
        decision="share",
        what="Household composition",
        with_whom="GP practice",
        lawful_basis=LawfulBasis.SAFEGUARDING,
        rationale="The GP needs to know who lives with the baby.",
        family_told=True,
    )
    # a contact in progress, showing the father's missing details
    contact = gs.contact_open(actor=lead, network=network, type="home-visit", date=date.today())
    gap = gm.Gap.objects.get(network=network, key=f"R02-birth-father:person:{father.pk}")
    # the father, who lives elsewhere, invited to a joint appointment
    appointment = cs.joint_appointment_invite(
        actor=lead, network=network, person=father, contact_on=date.today(), contact_type="6-8-weeks"
    )
    # an action agreed at supervision, for the lead practitioner
    gs.supervisor_decision_record(
        actor=users[(Role.SUPERVISOR.value, "health-allocated")],
        network=network,
        decision="Seek the father's details",
        action_items=[gs.ActionData("Ask the GP practice", lead, date.today())],
    )
    action = gm.SupervisorAction.objects.get(network=network)
    # a pair on the review queue of likely duplicates, and a merge on record
    # (rows only: the matrix checks who may open them, not what a merge does)
    pair = MatchCandidate.objects.create(
        person_a_id=min(mother.pk, father.pk),
        person_b_id=max(mother.pk, father.pk),
        probability=0.9,
        match_weight=3.2,
        scored_at=timezone.now(),
    )
    merge = Merge.objects.create(
        survivor=father,
        merged=mother,
        candidate=pair,
        reason="The same person recorded twice",
        merged_by=users[(Role.SUPERVISOR.value, "health-allocated")],
        merged_at=timezone.now(),
        networks=[network.pk],
    )
    target = _user("target-user", teams["health-unallocated"], Role.PRACTITIONER)
    # Only social care's supervisors may see masked details: nobody in the
    # health agency (which holds the family) is entitled.
    MaskedDetailEntitlement.objects.create(agency=social, role=Role.SUPERVISOR)
    # a background recompute after a rule setting changed, asked for by the lead
    recompute = family_recompute_start(actor=lead, reason="a rule setting changed")
    return World(
        agencies={"health": health, "social": social},
        teams=teams,
        users={(r, c): u for (r, c), u in users.items()},
        network=network,
        child=child,
        mother=mother,
        father=father,
        care=care,
        relationship=m.Relationship.objects.get(from_person=father, type="NFTH"),
        residence=home,
        pr=pr,
        care_order=care_order,
        request=request,
        decision=decision,
        social_allocation=social_allocation,
        target_user=target,
        extra={
            "contact": contact,
            "gap": gap,
            "appointment": appointment,
            "recompute": recompute,
            "action": action,
            "pair": pair,
            "merge": merge,
        },
    )
