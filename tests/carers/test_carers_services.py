"""Services for materials, information given and joint appointments: what they
record, what they refuse (with the message), and that a refusal saves nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.core.carers import carer_summaries
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.selectors import family_record_load
from tests.conftest import make_user

from .family import Family, seed_like_family

pytestmark = pytest.mark.django_db


def today() -> Any:
    return timezone.localdate()


@pytest.fixture
def fam(owner: User) -> Family:
    return seed_like_family(owner)


@pytest.fixture
def admin(health_team: Any) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


def material(code: str) -> cm.Material:
    return cm.Material.objects.get(code=code)


def snapshot() -> tuple[int, int, int, int]:
    return (
        cm.InformationGiven.objects.count(),
        cm.JointAppointment.objects.count(),
        cm.Material.objects.filter(active=True).count(),
        AuditEvent.objects.count(),
    )


def refused(fn: Callable[[], object], message: str, field: str | None = None) -> None:
    before = snapshot()
    with pytest.raises(RecordError) as err:
        fn()
    assert err.value.messages == [message]
    if field is not None:
        assert err.value.problems[0].field == field
    assert snapshot() == before


# -- the seeded catalogue ---------------------------------------------------------


def test_the_catalogue_is_seeded_with_the_five_materials() -> None:
    codes = set(cm.Material.objects.values_list("code", flat=True))
    assert codes == {"icon", "safer-sleep", "coping-plan", "local-support", "for-fathers"}
    icon = material("icon")
    assert icon.title == "ICON: Babies cry, you can cope"
    for words in ("Infant crying is normal", "Comforting methods can help", "OK to walk away"):
        assert words in icon.summary
    assert "Never, ever shake a baby" in icon.summary
    assert material("for-fathers").audience == "fathers"
    assert "01632 960 200" in material("local-support").summary


# -- information given -------------------------------------------------------------


def test_recording_a_telephone_conversation_covering_icon_closes_the_icon_gap(
    owner: User, fam: Family
) -> None:
    def father_missing() -> tuple[str, ...]:
        net = family_record_load(fam.network).graph_network
        rows = carer_summaries(net, today())[fam.baby.pk]
        return next(r for r in rows if r.carer.person_id == fam.father.pk).missing

    assert father_missing() == ("icon", "safer-sleep")
    version = m.FamilyNetwork.objects.get(pk=fam.network.pk).version
    rows = cs.information_given_record(
        actor=owner,
        network=fam.network,
        person=fam.father,
        data=cs.InformationData(materials=[material("icon")], how="telephone", given_on=today()),
    )
    assert [(r.material.code, r.how, r.given_by) for r in rows] == [("icon", "telephone", owner)]
    assert father_missing() == ("safer-sleep",)
    assert m.FamilyNetwork.objects.get(pk=fam.network.pk).version == version + 1
    event = AuditEvent.objects.filter(object_type="information_given").get()
    assert event.changes["material"] == [None, "icon"]
    assert event.changes["how"] == [None, "telephone"]


def test_an_offer_declined_is_recorded_with_the_reason(owner: User, fam: Family) -> None:
    (row,) = cs.information_given_record(
        actor=owner,
        network=fam.network,
        person=fam.father,
        data=cs.InformationData(
            materials=[material("safer-sleep")],
            how="telephone",
            given_on=today(),
            declined=True,
            declined_reason="  He says the baby sleeps fine  ",
        ),
    )
    assert row.declined and row.declined_reason == "He says the baby sleeps fine"


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"materials": []}, "Choose the information you gave or offered", "materials"),
        ({"how": "pigeon"}, "Choose how the information was given or offered", "how"),
        ({"given_on": None}, "Enter the date the information was given or offered", "given_on"),
        ({"given_on": "tomorrow"}, "The date must be today or in the past", "given_on"),
        (
            {"declined": True},
            "Say why they did not want the information, in their words",
            "declined_reason",
        ),
        (
            {"declined_reason": "busy"},
            "A reason is only for information that was offered and declined",
            "declined_reason",
        ),
    ],
)
def test_information_given_refuses_bad_input_and_saves_nothing(
    owner: User, fam: Family, change: dict[str, Any], message: str, field: str
) -> None:
    values: dict[str, Any] = {
        "materials": [material("icon"), material("safer-sleep")],
        "how": "telephone",
        "given_on": today(),
    }
    values.update(change)
    if values["given_on"] == "tomorrow":
        values["given_on"] = today() + timedelta(days=1)
    refused(
        lambda: cs.information_given_record(
            actor=owner, network=fam.network, person=fam.father, data=cs.InformationData(**values)
        ),
        message,
        field,
    )


def test_information_given_refuses_a_withdrawn_material_and_a_stranger(
    owner: User, admin: User, fam: Family
) -> None:
    plan = cs.material_deactivate(
        actor=admin,
        material=material("coping-plan"),
        reason="Being rewritten",
        expected_version=material("coping-plan").version,
    )
    refused(
        lambda: cs.information_given_record(
            actor=owner,
            network=fam.network,
            person=fam.father,
            data=cs.InformationData(materials=[plan], how="post", given_on=today()),
        ),
        "My coping with crying plan has been withdrawn by the partnership",
        "materials",
    )
    stranger = s.network_create(actor=owner, child=s.PersonData(given_name="Other", family_name="Child"))
    other = m.NetworkMember.objects.get(network=stranger).person
    refused(
        lambda: cs.information_given_record(
            actor=owner,
            network=fam.network,
            person=other,
            data=cs.InformationData(materials=[material("icon")], how="post", given_on=today()),
        ),
        "This person is not part of this family network",
        "person",
    )


# -- joint appointments -------------------------------------------------------------


def test_inviting_the_father_and_recording_the_outcome(owner: User, fam: Family) -> None:
    appt = cs.joint_appointment_invite(
        actor=owner, network=fam.network, person=fam.father, contact_on=today(), contact_type="6-8-weeks"
    )
    assert appt.outcome == "pending" and appt.invited_by == owner
    net = family_record_load(fam.network).graph_network
    assert [(i.person_id, i.contact_type, i.outcome) for i in net.invitations] == [
        (fam.father.pk, "6-8-weeks", "pending")
    ]
    appt = cs.joint_appointment_outcome_record(
        actor=owner, network=fam.network, appointment=appt, outcome="attended", expected_version=1
    )
    assert appt.outcome == "attended" and appt.version == 2
    event = AuditEvent.objects.filter(object_type="joint_appointment", action="update").get()
    assert event.changes == {"outcome": ["pending", "attended"]}
    with pytest.raises(StaleEdit):
        cs.joint_appointment_outcome_record(
            actor=owner, network=fam.network, appointment=appt, outcome="declined", expected_version=1
        )


def test_invitations_refuse_bad_input_and_save_nothing(owner: User, fam: Family) -> None:
    def invite(person: m.Person, on: Any, kind: str = "6-8-weeks") -> Callable[[], object]:
        return lambda: cs.joint_appointment_invite(
            actor=owner, network=fam.network, person=person, contact_on=on, contact_type=kind
        )

    refused(invite(fam.father, today(), "picnic"), "Choose the kind of contact", "contact_type")
    refused(invite(fam.father, None), "Enter the date of the contact", "contact_on")
    refused(
        invite(fam.father, today() - timedelta(days=1)),
        "The contact must be today or in the future",
        "contact_on",
    )
    refused(
        invite(fam.mother, today()),
        "Mara Testwood lives with the child: joint appointments are for carers who live elsewhere",
        "person",
    )
    refused(
        invite(fam.gran, today()),
        "Gwen Testwood is not recorded as caring for the child. Record their care arrangement first",
        "person",
    )
    invite(fam.father, today())()
    refused(invite(fam.father, today()), "Dale Testcroft is already invited to this contact", "contact_on")


def test_attended_cannot_be_recorded_before_the_contact(owner: User, fam: Family) -> None:
    appt = cs.joint_appointment_invite(
        actor=owner,
        network=fam.network,
        person=fam.father,
        contact_on=today() + timedelta(days=3),
        contact_type="6-8-weeks",
    )
    refused(
        lambda: cs.joint_appointment_outcome_record(
            actor=owner, network=fam.network, appointment=appt, outcome="attended", expected_version=1
        ),
        "The contact has not happened yet: record that they attended on or after the day",
        "outcome",
    )
    refused(
        lambda: cs.joint_appointment_outcome_record(
            actor=owner, network=fam.network, appointment=appt, outcome="pending", expected_version=1
        ),
        "Choose what happened: attended, declined or no reply",
        "outcome",
    )
    cs.joint_appointment_outcome_record(
        actor=owner, network=fam.network, appointment=appt, outcome="no-reply", expected_version=1
    )


# -- the materials catalogue ---------------------------------------------------------


def good_material(**change: Any) -> cs.MaterialData:
    values: dict[str, Any] = {
        "code": "bath-time",
        "title": "Safe bath time",
        "summary": "Never leave a baby alone in the bath, not even for a moment.",
        "audience": "all",
        "due_from_days": 0,
        "due_to_days": 365,
        "formats": ("leaflet", "web"),
        "languages": ("English", " english ", "Polish"),
        "url": "https://northshire.example/bath",
    }
    values.update(change)
    return cs.MaterialData(**values)


def test_an_administrator_adds_edits_withdraws_and_restores_a_material(admin: User) -> None:
    row = cs.material_create(actor=admin, data=good_material())
    assert row.languages == ["English", "Polish"] and row.formats == ["leaflet", "web"]
    row = cs.material_update(
        actor=admin, material=row, data=good_material(title="Bath time safety"), expected_version=1
    )
    assert row.title == "Bath time safety" and row.version == 2
    update = AuditEvent.objects.filter(object_type="material", action="update").get()
    assert update.changes == {"title": ["Safe bath time", "Bath time safety"]}
    row = cs.material_deactivate(
        actor=admin, material=row, reason="Replaced by the national leaflet", expected_version=row.version
    )
    assert not row.active
    event = AuditEvent.objects.filter(object_type="material", action="deactivate").get()
    assert event.reason == "Replaced by the national leaflet"
    assert cs.material_reactivate(actor=admin, material=row, expected_version=row.version).active
    with pytest.raises(StaleEdit):
        cs.material_update(actor=admin, material=row, data=good_material(), expected_version=1)


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"code": ""}, "Enter a short code for the material, like safer-sleep", "code"),
        (
            {"code": "Bath Time"},
            "The code must be lower-case letters and numbers joined by hyphens, like safer-sleep",
            "code",
        ),
        ({"code": "icon"}, "Another material already has the code icon", "code"),
        ({"title": "  "}, "Enter the title", "title"),
        ({"summary": ""}, "Enter a summary of what the material says, in plain English", "summary"),
        ({"audience": "cats"}, "Choose who the material is for", "audience"),
        (
            {"due_from_days": 30, "due_to_days": 10},
            "The age the material is due until must be the same as or after the age it is due from",
            "due_to_days",
        ),
        ({"due_to_days": 9000}, "Enter an age between 0 and 6570 days (18 years)", "due_to_days"),
        ({"formats": ()}, "Choose at least one format", "formats"),
        ({"languages": (" ",)}, "Enter at least one language", "languages"),
        ({"url": ""}, "Enter the web address, or untick 'Web link'", "url"),
        ({"url": "http://insecure.example"}, "Enter a web address that starts with https://", "url"),
    ],
)
def test_material_validation(admin: User, change: dict[str, Any], message: str, field: str) -> None:
    refused(lambda: cs.material_create(actor=admin, data=good_material(**change)), message, field)


def test_only_an_administrator_changes_materials_and_core_ones_stay(admin: User, owner: User) -> None:
    refused(
        lambda: cs.material_create(actor=owner, data=good_material()),
        "Only a partnership administrator can change the information materials",
    )
    icon = material("icon")
    refused(
        lambda: cs.material_deactivate(
            actor=admin, material=icon, reason="old", expected_version=icon.version
        ),
        "ICON: Babies cry, you can cope is checked by the information rules and cannot be withdrawn. "
        "Change its content instead",
        "reason",
    )
    data = cs.MaterialData(
        code="crying",
        title=icon.title,
        summary=icon.summary,
        formats=tuple(icon.formats),
        languages=tuple(icon.languages),
        url=icon.url,
    )
    refused(
        lambda: cs.material_update(actor=admin, material=icon, data=data, expected_version=icon.version),
        "The code icon is checked by the information rules and cannot be changed",
        "code",
    )
    refused(
        lambda: cs.material_deactivate(
            actor=admin,
            material=material("coping-plan"),
            reason=" ",
            expected_version=material("coping-plan").version,
        ),
        "Say why this material is being withdrawn",
        "reason",
    )


# -- the loader ----------------------------------------------------------------------


def _grow(fam: Family, actor: User, n: int) -> None:
    for i in range(n):
        p = s.person_add(
            actor=actor,
            network=fam.network,
            data=s.PersonData(given_name=f"Carer{i}", family_name="Testwood"),
            related_to=fam.baby,
            relationship=s.RelationshipData(type="FAMMEMB"),
        )
        s.residence_create(
            actor=actor,
            network=fam.network,
            person=p,
            address=s.AddressData(address_line_1=f"{i} Test Street", postcode="ZZ99 3CC"),
        )
        s.care_create(
            actor=actor,
            network=fam.network,
            carer=p,
            child=fam.baby,
            data=s.CareData(place="carer-home", overnight=True),
        )
        cs.information_given_record(
            actor=actor,
            network=fam.network,
            person=p,
            data=cs.InformationData(
                materials=[material("icon"), material("safer-sleep")], how="post", given_on=today()
            ),
        )
        cs.joint_appointment_invite(
            actor=actor, network=fam.network, person=p, contact_on=today(), contact_type="6-8-weeks"
        )


def _load_queries(network: m.FamilyNetwork) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        net = family_record_load(network).graph_network
    return len(ctx.captured_queries), len(net.information_given), len(net.invitations)


def test_the_loader_reads_carer_information_in_a_fixed_number_of_queries(owner: User) -> None:
    small, big = seed_like_family(owner), seed_like_family(owner)
    _grow(small, owner, 1)
    _grow(big, owner, 12)
    small_q, small_info, small_inv = _load_queries(small.network)
    big_q, big_info, big_inv = _load_queries(big.network)
    assert (small_info, small_inv) == (2, 1)
    assert (big_info, big_inv) == (24, 12)
    assert small_q == big_q


def test_gaps_are_recomputed_in_the_same_transaction(owner: User, fam: Family) -> None:
    from kinmap.gaps import models as gm

    def open_for_father() -> set[str]:
        rows = gm.Gap.objects.filter(
            network=fam.network, subject_kind="person", subject_id=str(fam.father.pk)
        )
        return {g.rule_id for g in rows if g.is_open and g.rule_id[1:3] in ("17", "18", "19", "20")}

    assert open_for_father() == {"R17-icon", "R18-safer-sleep", "R20-carers-elsewhere"}
    cs.joint_appointment_invite(
        actor=owner, network=fam.network, person=fam.father, contact_on=today(), contact_type="6-8-weeks"
    )
    assert open_for_father() == {"R17-icon", "R18-safer-sleep", "R20-carers-elsewhere"}
    cs.information_given_record(
        actor=owner,
        network=fam.network,
        person=fam.father,
        data=cs.InformationData(materials=[material("icon")], how="telephone", given_on=today()),
    )
    assert open_for_father() == {"R18-safer-sleep"}
    care_gap = gm.Gap.objects.get(
        network=fam.network, key=f"R18-sleep-place:care:{fam.father_care.pk}:{fam.baby.pk}"
    )
    assert care_gap.is_open and care_gap.severity == "critical"
