"""Objects of another family network, reached through this network's URLs.

A person can be in several family networks, so a relationship, a stay, a
household, a care arrangement or parental responsibility can involve people of
two networks. Through network A's URLs only A's own records are found, and a
record that belongs to A and B only by someone who may see both; a change to it
is audited against, and recomputed in, both (see kinmap.records.membership).

The walks here take every URL of the authorization matrix that names an object
as well as the family, put in the id of another network's object (or of a
shared one), and ask as every role in every team.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s

from .conftest import WALKS
from .shared_world import SharedWorld, build_shared_world
from .snapshot import fingerprint
from .test_authorization_matrix import MATRIX, ROLE_COLUMNS, url_params
from .world import CELLS

# URL keywords that name a record reached through a family network
OBJECT_PARAMS = frozenset(
    {
        "person_id",
        "rel_id",
        "residence_id",
        "household_id",
        "care_id",
        "pr_id",
        "contact_id",
        "gap_id",
        "appointment_id",
    }
)
OBJECT_ROWS = [r for r in MATRIX if "network_id" in url_params(r[0]) and url_params(r[0]) & OBJECT_PARAMS]


def _clients(sw: SharedWorld) -> dict[tuple[str, str], Client]:
    out = {}
    for role in ROLE_COLUMNS:
        for cell in CELLS:
            client = Client()
            client.force_login(sw.world.user(role, cell))
            out[(role, cell)] = client
    return out


def _walk(sw: SharedWorld, ids: dict[str, int], allowed: object) -> tuple[int, list[str], list[str]]:
    """Ask every object URL of network A with one of its object ids replaced by
    one from ``ids``, as every user. ``allowed(row, role, cell)`` says whether
    the request should succeed. Returns the number of URL/user pairs asked and
    the unexpected allows and refusals; a refusal must leave nothing behind."""
    own = sw.world.kwargs()
    clients = _clients(sw)
    pairs, unexpected_allow, unexpected_deny = 0, [], []
    before = fingerprint()  # the database as it is before each request
    for row in OBJECT_ROWS:
        name, method = row[0], row[1]
        params = url_params(name)
        for param in sorted(params & ids.keys()):
            url = reverse(name, kwargs={k: ids[k] if k == param else own[k] for k in params})
            for role in ROLE_COLUMNS:
                for cell in CELLS:
                    client = clients[(role, cell)]
                    response = client.post(url, {}) if method == "POST" else client.get(url)
                    pairs += 1
                    assert response.status_code < 500, (method, url, role, cell)
                    expected = allowed(row, role, cell)
                    if response.status_code < 400:
                        if not expected:
                            unexpected_allow.append(f"{method} {url} {role}/{cell}: {response.status_code}")
                        before = fingerprint()  # an allowed request may record a read or save
                        continue
                    # refused: not found, exactly like a missing record (or, for a page of
                    # another role, "you cannot do this" whatever the id), and nothing saved or read
                    role_page = row[2 + ROLE_COLUMNS.index(role)] == "NNNN"
                    refused = (404, 403) if role_page else (404,)
                    assert response.status_code in refused, (method, url, role, cell, response.status_code)
                    assert fingerprint() == before, (method, url, role, cell)
                    if expected:
                        unexpected_deny.append(f"{method} {url} {role}/{cell}: {response.status_code}")
    return pairs, unexpected_allow, unexpected_deny


def test_every_object_url_is_walked() -> None:
    names = {r[0] for r in OBJECT_ROWS}
    assert {
        "relationship-edit",
        "relationship-remove",
        "residence-edit",
        "household-edit",
        "care-edit",
        "pr-edit",
        "person-edit",
        "contact-gap-answer",
        "appointment-outcome",
        "carer",
    } <= names


@pytest.mark.django_db
def test_another_networks_objects_are_not_found_through_this_networks_urls() -> None:
    sw = build_shared_world()
    assert set(sw.other_ids) == OBJECT_PARAMS
    pairs, unexpected_allow, _ = _walk(sw, sw.other_ids, lambda row, role, cell: False)
    WALKS["other networks' objects through this network's URLs"] = (pairs, len(unexpected_allow))
    assert pairs == sum(len(url_params(r[0]) & OBJECT_PARAMS) for r in OBJECT_ROWS) * 20
    assert unexpected_allow == [], f"{pairs} URL/role pairs checked; allowed: {unexpected_allow}"


@pytest.mark.django_db
def test_shared_objects_need_every_network_they_belong_to() -> None:
    """Records of both A and B, through A's URLs: only a user of the assessment
    team (allocated to both) may open them, and then only where the matrix lets
    that role use the page at all."""
    sw = build_shared_world()

    def allowed(row: tuple[str, ...], role: str, cell: str) -> bool:
        matrix_cell = row[2 + ROLE_COLUMNS.index(role)][CELLS.index(cell)]
        if row[0] == "contact-household":
            # confirming at A's contact who lives at an address of A changes A's
            # contact, not the address: as for any household of A
            return matrix_cell == "Y"
        return matrix_cell == "Y" and cell == "social-allocated"

    pairs, unexpected_allow, unexpected_deny = _walk(sw, sw.shared_ids, allowed)
    WALKS["objects shared with another network"] = (pairs, len(unexpected_allow))
    assert pairs > 0
    assert unexpected_allow == [], f"{pairs} URL/role pairs checked; allowed: {unexpected_allow}"
    assert unexpected_deny == [], f"{pairs} URL/role pairs checked; refused: {unexpected_deny}"


@pytest.mark.django_db
def test_own_objects_are_found_as_the_matrix_says() -> None:
    """The same walk with the network's own records, in the world that shares
    people with another network: allowed exactly where the matrix allows."""
    sw = build_shared_world()
    own = {k: v for k, v in sw.world.kwargs().items() if k in OBJECT_PARAMS}

    def allowed(row: tuple[str, ...], role: str, cell: str) -> bool:
        return row[2 + ROLE_COLUMNS.index(role)][CELLS.index(cell)] == "Y"

    pairs, unexpected_allow, unexpected_deny = _walk(sw, own, allowed)
    WALKS["this network's own objects"] = (pairs, len(unexpected_allow))
    assert unexpected_allow == [], f"{pairs} URL/role pairs checked; allowed: {unexpected_allow}"
    assert unexpected_deny == [], f"{pairs} URL/role pairs checked; refused: {unexpected_deny}"


# -- the fault as reported --------------------------------------------------------


@pytest.mark.django_db
def test_a_practitioner_of_one_network_cannot_open_change_or_remove_anothers_relationship() -> None:
    """Dan is in both networks; Mia only in B. Their relationship is B's: the
    health visitor (allocated to A only) cannot reach it through A's URLs."""
    sw = build_shared_world()
    a, rel = sw.world.network, sw.dan_to_mia
    client = Client()
    client.force_login(sw.world.lead)
    before = fingerprint()
    edit = reverse("relationship-edit", args=[a.pk, rel.pk])
    remove = reverse("relationship-remove", args=[a.pk, rel.pk])
    assert client.get(edit).status_code == 404
    changed = client.post(edit, {"type": "x-stepparent", "version": rel.version})
    removed = client.post(remove, {"reason": "Entered on the wrong family", "version": rel.version})
    assert (changed.status_code, removed.status_code) == (404, 404)
    assert b"Page not found" in removed.content
    rel.refresh_from_db()
    assert (rel.type, rel.version) == ("NFTH", 1)
    assert fingerprint() == before  # nothing saved, and no read of either family recorded


@pytest.mark.django_db
def test_the_services_refuse_a_change_to_a_record_of_a_network_the_actor_cannot_see() -> None:
    sw = build_shared_world()
    before = fingerprint()
    with pytest.raises(Http404, match="No household found"):
        s.residence_update(
            actor=sw.world.lead,
            network=sw.world.network,
            residence=sw.dan_stay,
            start=None,
            end=sw.dan_stay.start,
            expected_version=sw.dan_stay.version,
        )
    with pytest.raises(Http404, match="No relationship found"):
        s.relationship_delete(
            actor=sw.world.lead,
            network=sw.world.network,
            relationship=sw.dan_to_mia,
            reason="wrong family",
            expected_version=sw.dan_to_mia.version,
        )
    assert fingerprint() == before


@pytest.mark.django_db
def test_a_change_to_a_shared_record_is_audited_and_recomputed_in_every_network() -> None:
    """The assessment team sees both networks, so may end Dan's stay at his flat
    through A's URL; B's trail shows it, and B's gaps were worked out again."""
    sw = build_shared_world()
    a, b = sw.world.network, sw.other
    a.refresh_from_db()
    b.refresh_from_db()
    versions = (a.version, b.version)
    client = Client()
    client.force_login(sw.world.user(Role.PRACTITIONER, "social-allocated"))
    url = reverse("residence-edit", args=[a.pk, sw.dan_stay.pk])
    response = client.post(url, {"end_0": "1", "end_1": "1", "end_2": "2020", "version": sw.dan_stay.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    events = AuditEvent.objects.filter(
        object_type="residence", object_id=str(sw.dan_stay.pk), action="update"
    )
    assert sorted(events.values_list("network_id", flat=True)) == sorted([a.pk, b.pk])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.version, b.version) == (versions[0] + 1, versions[1] + 1)


@pytest.mark.django_db
def test_a_change_to_a_person_of_two_networks_is_audited_in_both() -> None:
    sw = build_shared_world()
    dan = sw.world.father
    s.person_update(
        actor=sw.world.lead,
        network=sw.world.network,
        person=dan,
        data=dataclasses.replace(s.PersonData.of(dan), phone="07700 900 123"),
        expected_version=dan.version,
    )
    events = AuditEvent.objects.filter(object_type="person", object_id=str(dan.pk), action="update")
    assert sorted(events.values_list("network_id", flat=True)) == sorted([sw.world.network.pk, sw.other.pk])
    assert m.Person.objects.get(pk=dan.pk).phone == "07700 900 123"
