"""The family file: export, import and export again gives the identical file;
the documented format is the one read and written."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_verify
from kinmap.carers import services as cs
from kinmap.carers.models import Material
from kinmap.core.graph import FamilyGraph
from kinmap.core.vocab import REL_TYPES
from kinmap.gaps.models import Gap, GapEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.demo_setup import DEMO_DIR, DemoResult, demo_accounts_ensure, demo_load
from kinmap.records.family_file import (
    FamilyFileError,
    family_file_export,
    family_file_import,
    family_file_read,
    sha256_of,
)
from kinmap.records.selectors import family_record_load
from tests.conftest import index_child, make_user

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "family-file.md").read_text(encoding="utf-8")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AS_ADMIN = ("--as", "partnership.admin", "--reason", "Moving the family to another kinmap")
# the health visitor whose team Theo's family is allocated to (docs/family-file.md's example)
AS_HV = ("--as", "health.visitor", "--reason", "Moving the family to another kinmap")


def docs_example() -> str:
    """The JSON of the complete example in docs/family-file.md."""
    section = DOC.split("## A complete example", 1)[1]
    return section.split("```json\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def accounts(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_ensure()


@pytest.fixture
def demo(db: None, settings: Any) -> DemoResult:
    settings.PASSWORD_HASHERS = FAST_HASHER
    return demo_load(today=timezone.localdate())


def load(text: str, actor: User | None = None) -> list[m.FamilyNetwork]:
    return family_file_import(family_file=family_file_read(text), actor=actor, file_name="test.json").networks


def wipe_family_records() -> None:
    m.FamilyNetwork.objects.all().delete()
    m.Person.objects.all().delete()
    m.Household.objects.all().delete()
    assert not m.Relationship.objects.exists() and not m.CareArrangement.objects.exists()


def by_name(given: str) -> m.Person:
    return m.Person.objects.get(given_name=given)


# -- round trip ----------------------------------------------------------------


def test_demo_families_round_trip_byte_for_byte(demo: DemoResult) -> None:
    """Export each demo file's networks and all of them together; import each export
    into an empty record and export again: the same bytes."""
    groups = [r.networks for _, r in demo.loaded]
    groups.append(list(m.FamilyNetwork.objects.order_by("pk")))
    first = [family_file_export(g, include_masked=True) for g in groups]
    assert [e.left_out for e in first] == [{}] * len(groups)
    assert first[-1].counts == {
        "networks": 6,
        "people": 26,
        "relationships": 37,
        "households": 11,
        "residences": 26,
        "care_arrangements": 7,
        "parental_responsibility": 17,
        "care_orders": 0,
        "joint_appointments": 2,
        "information_given": 5,
        # every gap, with every step of its history
        "gaps": Gap.objects.count(),
        "gap_events": GapEvent.objects.count(),
        "contacts": 0,
        "supervisor_decisions": 0,
        "information_requests": 0,
        "sharing_decisions": 0,
    }
    # the export takes the same number of queries whatever the size of the families
    unborn = m.FamilyNetwork.objects.get(name="Family of baby Nowak (unborn)")
    for networks in ([unborn], groups[-1]):
        with CaptureQueriesContext(connection) as ctx:
            family_file_export(networks, include_masked=True)
        assert len(ctx.captured_queries) == 22  # 11 for the records, 11 for the history
    for export in first:
        wipe_family_records()
        networks = load(export.text)
        assert family_file_export(networks, include_masked=True).text == export.text


def test_a_family_entered_through_the_services_round_trips(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    """Times recorded to the microsecond by the pages are written to the second,
    and the file still round-trips."""
    child = index_child(baby_network)
    said = s.Source_("said-by", "Mother")
    dad = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dale", family_name="Testdad", sex="male", phone="07700 900001"),
        source=said,
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    s.residence_create(
        actor=owner, network=baby_network, person=dad, address=s.AddressData(address_line_1="1 Test Row")
    )
    s.care_create(
        actor=owner,
        network=baby_network,
        carer=dad,
        child=child,
        data=s.CareData(place="carer-home", overnight=True, frequency="Saturdays"),
        source=said,
    )
    s.pr_set(actor=owner, network=baby_network, person=dad, child=child, basis="unknown", source=said)
    s.fact_set(
        expected_version=None,
        actor=owner,
        network=baby_network,
        person=dad,
        key="adult-services",
        value="None",
        source=said,
    )
    s.other_name_add(
        actor=owner, network=baby_network, person=dad, kind="alias", given_name="D", family_name="Testdad"
    )
    today = timezone.localdate()
    visit = cs.joint_appointment_invite(
        actor=owner, network=baby_network, person=dad, contact_on=today, contact_type="home-visit"
    )
    visit = cs.joint_appointment_outcome_record(
        actor=owner,
        network=baby_network,
        appointment=visit,
        outcome="attended",
        expected_version=visit.version,
        note="Came on time",
    )
    icon, sleep = (Material.objects.get(code=c) for c in ("icon", "safer-sleep"))
    cs.information_given_record(
        actor=owner,
        network=baby_network,
        person=dad,
        data=cs.InformationData(materials=(sleep, icon), how="joint-appointment", given_on=today),
        appointment=visit,
    )
    cs.information_given_record(
        actor=owner,
        network=baby_network,
        person=dad,
        data=cs.InformationData(
            materials=(Material.objects.get(code="for-fathers"),),
            how="post",
            given_on=today,
            declined=True,
            declined_reason="Has enough to read",
        ),
    )
    # a material withdrawn since: what was given stays on record, and in the file
    admin = make_user("materials.admin", None, Role.ADMINISTRATOR)
    cs.material_deactivate(
        actor=admin,
        material=Material.objects.get(code="for-fathers"),
        reason="Old",
        expected_version=Material.objects.get(code="for-fathers").version,
    )
    first = family_file_export([baby_network]).text
    doc = json.loads(first)
    assert doc["joint_appointments"] == [
        {
            "id": "a1",
            "network": "n1",
            "person": "p2",
            "contact_on": today.isoformat(),
            "contact_type": "home-visit",
            "invited_on": today.isoformat(),
            "invited_by": "hv.owner",
            "outcome": "attended",
            "outcome_note": "Came on time",
        }
    ]
    assert [
        (i["material"], i["how"], i["declined"], i["given_by"], i["appointment"])
        for i in doc["information_given"]
    ] == [
        ("safer-sleep", "joint-appointment", False, "hv.owner", "a1"),
        ("icon", "joint-appointment", False, "hv.owner", "a1"),
        ("for-fathers", "post", True, "hv.owner", None),
    ]
    assert doc["people"][1]["provenance"]["phone"]["recorded_by"] == "hv.owner"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["relationships"][0]["provenance"]["recorded_at"]
    )
    wipe_family_records()
    assert family_file_export(load(first)).text == first


# -- the documented format -------------------------------------------------------


def test_the_documented_example_imports(accounts: None) -> None:
    theo_net, _lily_net = load(docs_example())
    theo, kyle, lily = by_name("Theo"), by_name("Kyle"), by_name("Lily")
    assert m.Person.objects.filter(given_name="Kyle").count() == 1
    assert set(kyle.memberships.values_list("network__name", "is_index")) == {
        ("Family of Theo Brookes", False),
        ("Family of Lily Dunn", False),
    }
    graph = FamilyGraph(family_record_load(theo_net).graph_network, timezone.localdate())
    assert graph.children_from_other_relationships(kyle.pk, theo.pk) == [lily.pk]
    # (the example's dates are fixed, so Theo is "the baby" only in his first year)
    assert re.fullmatch(
        "Birth father · lives elsewhere · has the (baby|child) overnight \\(on Friday nights\\) "
        "at the carer's home",
        graph.describe(kyle.pk, theo.pk),
    )
    assert theo.nhs_number == "9995472805"  # spaces removed


def test_the_documented_example_prints_as_documented(accounts: None, tmp_path: Path) -> None:
    path = tmp_path / "example.json"
    path.write_text(docs_example(), encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), "--as", "partnership.admin", "--reason", "test", stdout=out)
    documented = DOC.split("Importing it (with the demo accounts in place) prints:", 1)[1]
    documented = documented.split("```text\n", 1)[1].split("```", 1)[0]
    numbered = re.sub(r"Family network \d+", "Family network N", out.getvalue())
    assert numbered == re.sub(r"Family network \d+", "Family network N", documented)


def test_the_documentation_lists_every_relationship_code_with_its_hl7_code() -> None:
    for t in REL_TYPES:
        row = f"| `{t.code}` | {t.hl7 or 'none'}"
        assert row in DOC, row
        assert f"| {t.label} | {t.reverse} |" in DOC


def test_export_writes_every_field_in_a_fixed_order(accounts: None) -> None:
    networks = load(docs_example())
    text = family_file_export(networks).text
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == [
        "kinmap-family-file",
        "masked_details",
        "networks",
        "people",
        "households",
        "relationships",
        "residences",
        "care_arrangements",
        "parental_responsibility",
        "care_orders",
        "joint_appointments",
        "information_given",
        "gaps",
        "contacts",
        "supervisor_decisions",
        "information_requests",
        "sharing_decisions",
    ]
    assert doc["networks"][1] == {
        "id": "n2",
        "name": "Family of Lily Dunn",
        "index_children": ["p4"],
        "other_members": ["p3"],
        "allocations": [
            {
                "agency": "Northshire Children's Social Care",
                "team": "Assessment team",
                "start": "2025-09-01",
                "end": None,
            }
        ],
    }
    assert doc["people"][2] == {
        "id": "p3",
        "given_name": "Kyle",
        "family_name": "Dunn",
        "name_absent_reason": "",
        "other_names": [],
        "sex": "male",
        "birth_date": None,
        "birth_date_accuracy": "unknown",
        "birth_date_latest": None,
        "death_date": None,
        "death_date_accuracy": "accurate",
        "death_date_latest": None,
        "nhs_number": "",
        "phone": "",
        "phone_masked": False,
        "email": "",
        "seen_directly_on": None,
        "facts": {},
        "provenance": {
            "given_name": {
                "source": "said-by",
                "detail": "Jess Brookes (mother)",
                "recorded_by": "health.visitor",
                "recorded_at": "2025-10-16T10:00:00Z",
            }
        },
    }
    assert doc["households"][1] == {
        "id": "h2",
        "address_line_1": "Heron Court",
        "address_line_2": "",
        "town": "Westbrook",
        "postcode": "",
        "masked": False,
        "provenance": None,
    }
    assert doc["relationships"][2] == {
        "from": "p2",
        "to": "p3",
        "type": "x-former-partner",
        "legal_basis": "",
        "start": None,
        "start_accuracy": "accurate",
        "start_latest": None,
        "end": "2025-08-01",
        "end_accuracy": "accurate",
        "end_latest": None,
        "provenance": None,
    }
    assert doc["care_arrangements"] == [
        {
            "carer": "p3",
            "child": "p1",
            "place": "carer-home",
            "frequency": "on Friday nights",
            "overnight": True,
            "supervised": False,
            "sleep_place": "",
            "start": "2025-11-07",
            "start_accuracy": "accurate",
            "start_latest": None,
            "end": None,
            "end_accuracy": "accurate",
            "end_latest": None,
            "provenance": {
                "source": "said-by",
                "detail": "Jess Brookes (mother)",
                "recorded_by": "health.visitor",
                "recorded_at": "2025-12-01T09:30:00Z",
            },
        }
    ]
    assert doc["joint_appointments"] == [
        {
            "id": "a1",
            "network": "n1",
            "person": "p3",
            "contact_on": "2025-11-24",
            "contact_type": "6-8-weeks",
            "invited_on": "2025-11-10",
            "invited_by": "health.visitor",
            "outcome": "attended",
            "outcome_note": "Came with Jess",
        }
    ]
    assert doc["information_given"][::3] == [
        {
            "network": "n1",
            "person": "p2",
            "material": "icon",
            "how": "in-person",
            "given_on": "2025-10-16",
            "given_by": "health.visitor",
            "declined": False,
            "declined_reason": "",
            "appointment": None,
        },
        {
            "network": "n1",
            "person": "p3",
            "material": "safer-sleep",
            "how": "joint-appointment",
            "given_on": "2025-11-24",
            "given_by": "health.visitor",
            "declined": True,
            "declined_reason": "Says he knows it all from his daughter",
            "appointment": "a1",
        },
    ]


# -- import details ----------------------------------------------------------------


def test_import_keeps_the_provenance_the_file_gives(accounts: None) -> None:
    load(docs_example(), actor=User.objects.get(username="partnership.admin"))
    jess, kyle, theo = by_name("Jess"), by_name("Kyle"), by_name("Theo")
    assert jess.provenance["phone"] == {
        "source": "said-by",
        "detail": "Jess Brookes",
        "by": "health.visitor",
        "at": "2025-10-16T10:00:00+00:00",
    }
    rel = m.Relationship.objects.get(from_person=kyle, to_person=theo)
    assert (rel.source, rel.source_detail, rel.recorded_by.username if rel.recorded_by else None) == (
        "said-by",
        "Jess Brookes (mother)",
        "health.visitor",
    )
    assert rel.recorded_at == datetime(2025, 10, 16, 10, 0, tzinfo=UTC)
    fact = m.PersonFact.objects.get(person=jess, key="adult-services")
    assert (fact.value, fact.source_detail) == ("None", "Jess Brookes")
    no_prov = m.Relationship.objects.get(type="x-former-partner")
    assert (no_prov.source, no_prov.recorded_by, no_prov.recorded_at) == ("", None, None)


def test_import_is_audited(accounts: None, tmp_path: Path) -> None:
    path = tmp_path / "example.json"
    content = docs_example().encode()
    path.write_bytes(content)
    before = AuditEvent.objects.count()
    call_command("import", str(path), *AS_ADMIN, stdout=io.StringIO())
    events = list(AuditEvent.objects.order_by("id")[before:])
    imported = events[-1]
    assert (imported.action, imported.object_type, imported.object_id, imported.actor_name) == (
        "import",
        "family_file",
        sha256_of(content),
        "partnership.admin",
    )
    networks = list(m.FamilyNetwork.objects.order_by("pk").values_list("pk", flat=True))
    assert imported.changes == {
        "file": [None, "example.json"],
        "network_ids": [None, networks],
        "networks": [None, 2],
        "people": [None, 4],
        "relationships": [None, 4],
        "households": [None, 2],
        "residences": [None, 3],
        "care_arrangements": [None, 1],
        "parental_responsibility": [None, 2],
        "care_orders": [None, 0],
        "joint_appointments": [None, 1],
        "information_given": [None, 4],
        # a version 1 file: no history
        "gaps": [None, 0],
        "gap_events": [None, 0],
        "contacts": [None, 0],
        "supervisor_decisions": [None, 0],
        "information_requests": [None, 0],
        "sharing_decisions": [None, 0],
    }
    kinds = {(e.action, e.object_type) for e in events}
    assert {("create", "network"), ("create", "allocation"), ("create", "person")} <= kinds
    assert {("create", "relationship"), ("create", "care"), ("create", "network_member")} <= kinds
    assert {e.channel for e in events} == {"cli"}
    assert len({e.request_id for e in events}) == 1
    assert audit_verify() == []


def test_dates_move_with_the_reference_date(accounts: None) -> None:
    doc = json.loads(docs_example())
    doc["reference_date"] = "2025-12-08"  # Theo is 9 weeks old that day
    today = timezone.localdate()
    ff = family_file_read(json.dumps(doc), shift_to=today)
    theo = next(p for p in ff.people if p.id == "theo")
    assert theo.data.birth_date == today - timedelta(weeks=9)
    moved = today - datetime(2025, 12, 8).date()
    care = ff.care[0]
    assert care.provenance.recorded_at == datetime(2025, 12, 1, 9, 30, tzinfo=UTC) + moved
    assert ff.networks[0].allocations[0].start == datetime(2025, 10, 16).date() + moved
    assert ff.networks[0].allocations[0].start == datetime(2025, 10, 16).date() + moved
    (invitation,) = ff.joint
    assert (invitation.invited_on, invitation.contact_on) == (
        today - timedelta(days=28),
        today - timedelta(days=14),
    )
    assert [i.given_on for i in ff.information] == [datetime(2025, 10, 16).date() + moved] * 2 + [
        today - timedelta(days=14)
    ] * 2
    networks = family_file_import(family_file=ff, actor=None, file_name="x.json").networks
    exported = json.loads(family_file_export(networks).text)
    assert "reference_date" not in exported
    assert exported["joint_appointments"][0]["contact_on"] == (today - timedelta(days=14)).isoformat()
    assert exported["people"][0]["birth_date"] == (today - timedelta(weeks=9)).isoformat()


# -- export details ----------------------------------------------------------------


def test_exporting_one_network_leaves_out_links_to_people_outside_it(accounts: None) -> None:
    theo_net, lily_net = load(docs_example())
    export = family_file_export([theo_net])
    assert export.left_out == {"relationships": 1, "parental_responsibility": 1}
    assert export.linked_network_ids == [lily_net.pk]
    doc = json.loads(export.text)
    assert [p["given_name"] for p in doc["people"]] == ["Theo", "Jess", "Kyle"]
    assert len(doc["relationships"]) == 3
    wipe_family_records()
    load(export.text)
    assert m.Person.objects.count() == 3


def test_masked_details_are_withheld_unless_asked_for(accounts: None) -> None:
    doc = json.loads(docs_example())
    doc["households"][0]["masked"] = True
    doc["people"][1]["phone_masked"] = True
    networks = load(json.dumps(doc))
    withheld = json.loads(family_file_export(networks).text)
    assert withheld["masked_details"] == "withheld"
    assert withheld["households"][0] == {
        "id": "h1",
        "address_line_1": "",
        "address_line_2": "",
        "town": "",
        "postcode": "",
        "masked": True,
        "provenance": None,
    }
    assert (withheld["people"][1]["phone"], withheld["people"][1]["phone_masked"]) == ("", True)
    with pytest.raises(FamilyFileError):
        family_file_read(json.dumps(withheld))
    included = json.loads(family_file_export(networks, include_masked=True).text)
    assert included["masked_details"] == "included"
    assert included["households"][0]["address_line_1"] == "Flat 2, 14 Larch Road"
    assert included["people"][1]["phone"] == "07700 900321"
    # nothing masked: nothing withheld, and the file says so (on an empty record:
    # loaded again, the same people would be linked, and their details stay masked)
    wipe_family_records()
    plain = load(docs_example())
    assert json.loads(family_file_export(plain).text)["masked_details"] == "included"


def test_demo_files_are_valid_family_files(accounts: None) -> None:
    files = sorted(DEMO_DIR.glob("*.json"))
    assert len(files) >= 5
    for path in files:
        family_file_read(path.read_bytes(), shift_to=timezone.localdate())
