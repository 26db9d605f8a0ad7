"""The chronology: record time kept for every change, corrections shown with
both values, "as at" a day on the family page and the genogram, the CSV and
PDF exports (formula injection neutralised, audited), and the page's access,
audit and fixed number of queries."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.chronology.exports import chronology_csv, neutralise
from kinmap.chronology.kinds import BIRTHS_DEATHS, CARE, RELATIONSHIPS, SUPERVISION
from kinmap.chronology.selectors import chronology_load
from kinmap.core.chronology import Line
from kinmap.gaps.actions import supervisor_action_complete
from kinmap.gaps.models import SupervisorAction
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.demo_setup import demo_load
from kinmap.records.selectors import family_record_load
from tests.access.world import build_world
from tests.conftest import index_child, make_user


def _lines(network: m.FamilyNetwork, user: User) -> list[Line]:
    return chronology_load(family_record_load(network), user)


def _backdate(model: type, days: int, **filters: object) -> None:
    """Move the record time of the history rows matching ``filters`` to
    ``days`` ago (as if recorded then)."""
    model.history.filter(**filters).update(history_date=timezone.now() - timedelta(days=days))  # type: ignore[attr-defined]


def _correct_birth_date(client: Client, network: m.FamilyNetwork, person: m.Person, to: date) -> None:
    """Change the date of birth through the person page's form, as a user would."""
    person.refresh_from_db()
    response = client.post(
        reverse("person-edit", args=[network.pk, person.pk]),
        {
            "version": person.version,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "sex": person.sex,
            "birth_date_0": to.day,
            "birth_date_1": to.month,
            "birth_date_2": to.year,
            "birth_date_accuracy": "accurate",
            "source": "birth-registration",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_a_fact_corrected_later_shows_both_values_with_their_times(
    owner: User, teammate: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    first_birth = baby.birth_date
    assert first_birth is not None
    _backdate(m.Person, 10, id=baby.pk)
    corrected = first_birth - timedelta(days=2)
    client = Client()
    client.force_login(teammate)
    _correct_birth_date(client, baby_network, baby, corrected)
    # every change keeps its record time and who made it
    versions = list(m.Person.history.filter(id=baby.pk).order_by("history_date"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert [v.history_user for v in versions] == [None, teammate]  # the first made outside a request
    assert [v.birth_date for v in versions] == [first_birth, corrected]
    births = [x for x in _lines(baby_network, owner) if x.kind == BIRTHS_DEATHS]
    assert [(x.on, x.recorded_by) for x in births] == [(corrected, teammate.username), (first_birth, "")]
    new, old = births
    assert old.later.startswith(f"corrected on {timezone.localdate():%-d %B %Y} by {teammate.username}")
    ten_days_ago = timezone.localdate() - timedelta(days=10)
    assert f"{first_birth.day} {first_birth:%B %Y}" in new.corrects
    assert f"recorded {ten_days_ago.day} {ten_days_ago:%B %Y}" in new.corrects
    # the page shows both, each with who recorded it and when
    client.force_login(owner)
    html = client.get(reverse("chronology", args=[baby_network.pk]), {"kind": BIRTHS_DEATHS}).content.decode()
    assert html.count("kinmap-chronology-line") == 2
    assert html.count('<p class="govuk-body govuk-!-margin-bottom-1">Rowan Testbaby was born</p>') == 2
    assert f"{first_birth.day} {first_birth:%B %Y}" in html and f"{corrected.day} {corrected:%B %Y}" in html
    assert f"Recorded by {teammate.username} on {timezone.localdate():%-d %B %Y}" in html
    assert f"Recorded by the system on {ten_days_ago:%-d %B %Y}" in html
    assert "Changed later" in html and "Correction; before, it was:" in html


@pytest.mark.django_db
def test_a_removed_relationship_keeps_its_line_and_says_who_removed_it_and_why(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    father = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    rel = m.Relationship.objects.get(from_person=father)
    s.relationship_delete(
        actor=owner,
        network=baby_network,
        relationship=rel,
        reason="Recorded on the wrong baby",
        expected_version=rel.version,
    )
    rels = [x for x in _lines(baby_network, owner) if x.kind == RELATIONSHIPS]
    assert len(rels) == 2
    recorded, removed = rels
    assert "Dan Testfather is the birth father of Rowan Testbaby" in recorded.words
    assert recorded.later.startswith("removed on") and "Recorded on the wrong baby" in recorded.later
    assert removed.words.startswith("Relationship removed") and removed.words.endswith(
        "Recorded on the wrong baby"
    )


def _family_with_a_late_father(owner: User, network: m.FamilyNetwork) -> tuple[m.Person, m.Person]:
    """The baby and mother recorded 20 days ago; the father, his relationship
    and his overnight care 3 days ago."""
    baby = index_child(network)
    s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Mara", family_name="Testmother", sex="female"),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    father = s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Zebedee", family_name="Latefather", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    s.care_create(
        actor=owner,
        network=network,
        carer=father,
        child=baby,
        data=s.CareData(place="carer-home", frequency="on Fridays", overnight=True),
    )
    for model in (m.Person, m.NetworkMember, m.Relationship, m.CareArrangement):
        _backdate(model, 20)
    _backdate(m.Person, 3, id=father.pk)
    _backdate(m.NetworkMember, 3, person_id=father.pk)
    _backdate(m.Relationship, 3, from_person_id=father.pk)
    _backdate(m.CareArrangement, 3, carer_id=father.pk)
    return baby, father


@pytest.mark.django_db
def test_as_at_a_day_before_a_person_was_recorded_the_family_page_and_genogram_leave_them_out(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    _family_with_a_late_father(owner, baby_network)
    client = Client()
    client.force_login(owner)
    now = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    assert "Zebedee Latefather" in now and "Add a person" in now
    day = timezone.localdate() - timedelta(days=5)
    before = client.get(reverse("family", args=[baby_network.pk]), {"as_at": day.isoformat()})
    assert before.status_code == 200
    html = before.content.decode()
    assert "Zebedee Latefather" not in html and "Latefather" not in html
    assert "Mara Testmother" in html
    assert f"You are looking at this family as it was recorded at the end of {day.day} {day:%B %Y}" in html
    assert "govuk-notification-banner" in html
    # read-only: no buttons or links to change anything
    assert "Add a person" not in html and "/change/" not in html and ">Change<" not in html
    # the genogram on the page and its downloads as at the same day
    svg = re.search(r"<svg .*?</svg>", html, re.S)
    assert svg is not None and "Mara" in svg.group(0) and "Zebedee" not in svg.group(0)
    assert f"genogram.svg?as_at={day.isoformat()}" in html
    download = client.get(reverse("genogram-svg", args=[baby_network.pk]), {"as_at": day.isoformat()})
    assert download.status_code == 200 and b"Mara" in download.content and b"Zebedee" not in download.content
    pdf = client.get(reverse("genogram-pdf", args=[baby_network.pk]), {"as_at": day.isoformat()})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Mara" in text and "Zebedee" not in text
    # and the day after he was recorded, he is there
    after = client.get(reverse("family", args=[baby_network.pk]), {"as_at": timezone.localdate().isoformat()})
    assert "Zebedee Latefather" in after.content.decode()
    events = AuditEvent.objects.filter(object_type="network-as-at", network_id=baby_network.pk)
    assert [e.changes["as_at"] for e in events.order_by("id")] == [
        [None, day.isoformat()],
        [None, timezone.localdate().isoformat()],
    ]
    export = AuditEvent.objects.filter(action="export", object_type="genogram").order_by("-id").first()
    assert export is not None and export.changes["as_at"] == [None, day.isoformat()]


@pytest.mark.django_db
def test_as_at_leaves_out_what_was_recorded_later_but_keeps_what_was_known(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby, father = _family_with_a_late_father(owner, baby_network)
    then = timezone.now() - timedelta(days=10)
    record = family_record_load(baby_network, as_at=then)
    assert set(record.people) == {baby.pk, m.Person.objects.get(given_name="Mara").pk}
    assert record.care == [] and len(record.relationships) == 1
    # the overnight care, recorded after the father, is not there as at the day before it
    _backdate(m.CareArrangement, 1, carer_id=father.pk)
    two_days_ago = timezone.now() - timedelta(days=2)
    record = family_record_load(baby_network, as_at=two_days_ago)
    assert father.pk in record.people and record.care == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("2026-02-30", "Enter a real date"),
        ("yesterday", "Enter a real date"),
        ("20260101", "Enter a real date"),
        ((date.today() + timedelta(days=2)).isoformat(), "The date must be today or in the past"),
    ],
)
def test_a_bad_or_future_as_at_date_is_refused_with_a_govuk_error(
    owner: User, baby_network: m.FamilyNetwork, given: str, error: str
) -> None:
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("family", args=[baby_network.pk]), {"as_at": given})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and error in html and "Rowan Testbaby" in html
    assert "govuk-notification-banner" not in html
    download = client.get(reverse("genogram-png", args=[baby_network.pk]), {"as_at": given})
    assert download.status_code == 400 and error in download.content.decode()


def test_csv_cells_that_could_start_a_formula_are_neutralised() -> None:
    for bad in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(bad) == "'" + bad
    for fine in ("Alfie", "", "1 March", "a=b"):
        assert neutralise(fine) == fine
    at = timezone.now()
    line = Line(date(2026, 1, 4), True, CARE, "=cmd|' /C calc'!A0", frozenset({1}), at, "@evil")
    rows = list(csv.reader(io.StringIO(chronology_csv([line], {1: "-Minus Name"}))))
    assert rows[1][3] == "'=cmd|' /C calc'!A0" and rows[1][4] == "'-Minus Name" and rows[1][5] == "'@evil"


@pytest.mark.django_db
def test_the_csv_download_neutralises_formulas_a_user_typed(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    evil = make_user("+formula.user", owner.team)
    s.fact_set(
        actor=evil,
        network=baby_network,
        person=baby,
        key="adult-services",
        value="None known",
        expected_version=None,
        source=s.Source_("said-by", '=HYPERLINK("http://example.invalid")'),
    )
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("chronology-csv", args=[baby_network.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by = [r[5] for r in rows[1:]]
    assert "'+formula.user" in by and "+formula.user" not in by
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "magic"), [("chronology-csv", b"date,"), ("chronology-pdf", b"%PDF")])
def test_chronology_downloads_are_audited_as_exports_with_their_filters(name: str, magic: bytes) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(reverse(name, args=[world.network.pk]), {"kind": CARE})
    assert response.status_code == 200 and response.content.startswith(magic)
    assert response["Content-Disposition"].startswith('attachment; filename="chronology-')
    events = list(AuditEvent.objects.filter(id__gt=last, network_id=world.network.pk).order_by("id"))
    assert [(e.action, e.object_type) for e in events] == [("view", "network"), ("export", "chronology")]
    assert events[1].changes["filters"] == [None, {"person": None, "kind": CARE}]
    assert events[1].changes["format"] == [None, name.removeprefix("chronology-")]
    if name == "chronology-pdf":
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Care arrangement recorded: Dan Testfather cares for Rowan Testbaby" in text, text
        assert "Lines about everyone, of care arrangements: 1 of" in text


@pytest.mark.django_db
def test_the_chronology_page_is_refused_alike_and_leaves_nothing_behind() -> None:
    world = build_world()
    client = Client()
    outsider = world.user(Role.PRACTITIONER, "health-unallocated")
    client.force_login(outsider)
    for name in ("chronology", "chronology-csv", "chronology-pdf"):
        assert client.get(reverse(name, args=[world.network.pk])).status_code == 404
        assert client.get(reverse(name, args=[999_999_999])).status_code == 404
    assert client.get(f"/families/{2**63}/chronology/").status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exists()


@pytest.mark.django_db
def test_the_chronology_page_filters_by_person_and_kind_and_records_the_read() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    url = reverse("chronology", args=[world.network.pk])
    everything = client.get(url).content.decode()
    assert "Care arrangement recorded: Dan Testfather cares for Rowan Testbaby" in everything
    assert "Relationship recorded: Mara Testmother is the birth mother of Rowan Testbaby" in everything
    assert "Rowan Testbaby was born" in everything
    assert "Recorded by " + world.lead.username in everything
    about_dan = client.get(url, {"person": world.father.pk}).content.decode()
    assert "Care arrangement recorded: Dan Testfather" in about_dan
    assert "Mara Testmother is the birth mother" not in about_dan
    only_care = client.get(url, {"kind": CARE}).content.decode()
    assert "Care arrangement recorded" in only_care and "Relationship recorded" not in only_care
    supervision = client.get(url, {"kind": "supervision"}).content.decode()
    assert "Supervisor decision: Seek the father&#x27;s details" in supervision
    by = f"{world.lead.username}, by {date.today():%-d %B %Y}"
    agreed = f"Action agreed at supervision: Ask the GP practice ({by})"
    assert agreed in supervision and "Care arrangement recorded" not in supervision
    # the decision and its actions are about the family, not one person
    nothing = client.get(url, {"kind": "supervision", "person": world.father.pk}).content.decode()
    assert "No lines match these filters" in nothing
    bad = client.get(url, {"kind": "nonsense", "person": "abc"})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    reads = AuditEvent.objects.filter(object_type="network", action="view", actor=world.lead)
    assert reads.count() == 6  # one read of the family per page


@pytest.mark.django_db
def test_the_chronology_page_runs_the_same_queries_whatever_the_size_of_the_family(owner: User) -> None:
    from tests.records.test_family_page import _grow

    def network(given: str, size: int) -> m.FamilyNetwork:
        net = s.network_create(
            actor=owner,
            child=s.PersonData(given_name=given, family_name="Testbaby", birth_date=date(2026, 1, 1)),
        )
        _grow(net, owner, size)
        return net

    small, big = network("Small", 2), network("Big", 20)
    client = Client()
    client.force_login(owner)
    counts = []
    for net in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("chronology", args=[net.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_an_import_dates_the_history_as_the_file_records_it() -> None:
    """The demo's seed family: the father's overnight care has the record time
    the family file gives it, so "as at" the day before shows the father but
    not the care."""
    demo_load(today=timezone.localdate())
    care = m.CareArrangement.objects.get(overnight=True, carer__given_name="Jordan")
    (version,) = care.history.all()
    assert care.recorded_at is not None and version.history_date == care.recorded_at
    assert care.recorded_by is not None and version.history_user == care.recorded_by
    network = m.FamilyNetwork.objects.get(name="Family of Alfie Renshaw")
    day_before = timezone.localdate(care.recorded_at) - timedelta(days=1)
    end_of_day = timezone.make_aware(datetime.combine(day_before, datetime.max.time()))
    record = family_record_load(network, as_at=end_of_day)
    assert "Jordan" in {p.given_name for p in record.people.values()}
    assert [c for c in record.care if c.overnight] == []
    assert [c for c in family_record_load(network).care if c.overnight] != []


@pytest.mark.django_db
def test_masked_details_never_reach_the_as_at_pages_or_the_chronology_of_a_user_not_entitled() -> None:
    from tests.access.test_masked_canary import _leaks, _text
    from tests.access.world import CANARY_ADDRESS

    world = build_world(masked=True)
    today = timezone.localdate().isoformat()
    pages = [
        (reverse("family", args=[world.network.pk]), {"as_at": today}),
        *(
            (reverse(f"genogram-{f}", args=[world.network.pk]), {"as_at": today})
            for f in ("svg", "png", "pdf")
        ),
        *(
            (reverse(n, args=[world.network.pk]), {})
            for n in ("chronology", "chronology-csv", "chronology-pdf")
        ),
        (reverse("chronology", args=[world.network.pk]), {"person": world.mother.pk}),
    ]
    client = Client()
    client.force_login(world.lead)
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200, url
        assert _leaks(_text(response)) == [], url
    # the canary is live: an entitled user sees the address in the same places
    client.force_login(world.user(Role.SUPERVISOR, "social-allocated"))
    for url, params in (pages[0], pages[1], pages[5]):
        assert CANARY_ADDRESS in _text(client.get(url, params)), url


@pytest.mark.django_db
def test_the_family_file_carries_the_chronology_read_only_and_still_round_trips() -> None:
    from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
    from tests.access.test_masked_canary import _leaks

    world = build_world(masked=True)
    plain = family_file_export([world.network], include_masked=True).text
    withheld = family_file_export([world.network], chronology=True)
    assert _leaks(withheld.text) == []  # masked addresses withheld in the chronology too
    assert "an address (withheld)" in withheld.text
    full = family_file_export([world.network], include_masked=True, chronology=True)
    lines = json.loads(full.text)["chronology"]
    assert full.counts["chronology"] == len(lines) > 0
    care = [x for x in lines if x["kind"] == CARE]
    assert care[0]["words"].startswith("Care arrangement recorded: Dan Testfather cares for Rowan Testbaby")
    assert care[0]["recorded_by"] == world.lead.username and care[0]["people"] == [
        "p1",
        "p3",
    ]  # the baby and the father
    # importing the file ignores the chronology; the new family's file is the same without it
    m.FamilyNetwork.objects.filter(pk=world.network.pk).update(name="Old copy")
    result = family_file_import(family_file=family_file_read(full.text), actor=None, file_name="f.json")
    again = family_file_export(result.networks, include_masked=True).text
    assert again == plain.replace("Old copy", world.network.name)


@pytest.mark.django_db
def test_a_caseload_loaded_in_bulk_has_its_history_so_as_at_now_is_the_family_as_it_is() -> None:
    from kinmap.records.synth import synth_load

    synth_load(families=3, teams=1, seed=5, today=timezone.localdate())
    later = timezone.now() + timedelta(seconds=1)
    for network in m.FamilyNetwork.objects.all():
        now, then = family_record_load(network), family_record_load(network, as_at=later)
        assert set(then.people) == set(now.people) and len(now.people) >= 3
        assert {r.pk for r in then.relationships} == {r.pk for r in now.relationships}
        assert {c.pk for c in then.care} == {c.pk for c in now.care}
        assert {r.pk for r in then.residences} == {r.pk for r in now.residences}


@pytest.mark.django_db
def test_an_action_done_shows_who_recorded_it_done_and_the_note() -> None:
    world = build_world()
    action = world.extra["action"]
    assert isinstance(action, SupervisorAction)
    supervisor_action_complete(
        actor=world.lead, action=action, note="The GP gave his date of birth", expected_version=action.version
    )
    lines = [ln for ln in _lines(world.network, world.lead) if ln.kind == SUPERVISION]
    done = [ln for ln in lines if ln.words.startswith("Action done")]
    assert [(ln.words, ln.recorded_by) for ln in done] == [
        ("Action done: Ask the GP practice: The GP gave his date of birth", world.lead.username)
    ]
