"""Reads compiled once and run with new values (kinmap.web.kept_queries): the
same instances as the querysets they were built from, and every run a
statement of its own through Django's cursor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import CharField, Exists, IntegerField, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.records import access
from kinmap.records import models as m
from kinmap.web.kept_queries import KeptQuery, Param, first_of

pytestmark = pytest.mark.django_db

_USER = KeptQuery(
    lambda: first_of(User.objects.select_related("team__agency").filter(username=Param("name", CharField())))
)


def test_a_kept_query_makes_the_instances_the_queryset_makes(owner: User, outsider: User) -> None:
    for user in (owner, outsider):
        with CaptureQueriesContext(connection) as ctx:
            found = _USER.first(name=user.username)
            assert found is not None
            # the team and its agency came with the user (select_related), as the queryset's do
            agency_name = found.team.agency.name  # type: ignore[union-attr]
        assert len(ctx.captured_queries) == 1
        plain = User.objects.select_related("team__agency").filter(username=user.username).first()
        assert plain is not None and plain.team is not None
        assert (found.pk, found.username, found.team_id, found.role) == (
            plain.pk,
            plain.username,
            plain.team_id,
            plain.role,
        )
        assert agency_name == plain.team.agency.name
        assert found._state.db == "default" and not found._state.adding
    assert _USER.first(name="nobody such") is None


def test_each_run_is_sent_with_its_own_values(owner: User, teammate: User) -> None:
    with CaptureQueriesContext(connection) as ctx:
        first = _USER.first(name=owner.username)
        second = _USER.first(name=teammate.username)
    assert first is not None and second is not None
    assert (first.pk, second.pk) == (owner.pk, teammate.pk)
    assert len(ctx.captured_queries) == 2
    assert owner.username in ctx.captured_queries[0]["sql"]
    assert teammate.username in ctx.captured_queries[1]["sql"]


def test_a_run_without_a_value_is_refused(owner: User) -> None:
    with pytest.raises(KeyError):
        _USER.first()


def test_annotations_are_set_as_the_queryset_sets_them(
    owner: User, outsider: User, baby_network: m.FamilyNetwork
) -> None:
    kept = KeptQuery(
        lambda: m.FamilyNetwork.objects.filter(pk=Param("pk", IntegerField())).annotate(
            mine=Exists(
                m.Allocation.objects.filter(network_id=OuterRef("pk"), team_id=Param("team", IntegerField()))
            )
        )
    )
    for user in (owner, outsider):
        (found,) = kept.all(pk=baby_network.pk, team=user.team_id)
        plain = (
            m.FamilyNetwork.objects.filter(pk=baby_network.pk)
            .annotate(
                mine=Exists(m.Allocation.objects.filter(network_id=OuterRef("pk"), team_id=user.team_id))
            )
            .get()
        )
        assert (found.pk, found.name, found.mine) == (plain.pk, plain.name, plain.mine)  # type: ignore[attr-defined]
    assert [n.mine for n in kept.all(pk=baby_network.pk, team=owner.team_id)] == [True]  # type: ignore[attr-defined]
    assert [n.mine for n in kept.all(pk=baby_network.pk, team=outsider.team_id)] == [False]  # type: ignore[attr-defined]


def test_the_access_rule_reads_allocations_running_today(owner: User, baby_network: m.FamilyNetwork) -> None:
    allocation = m.Allocation.objects.get(network=baby_network, team_id=owner.team_id)
    assert allocation.start <= date.today() and allocation.end is None
    assert access.network_for_user(owner, baby_network.pk) == baby_network
    tomorrow = date.today() + timedelta(days=1)
    m.Allocation.objects.filter(pk=allocation.pk).update(start=tomorrow)
    with pytest.raises(access.Http404):
        access.network_for_user(owner, baby_network.pk)
    m.Allocation.objects.filter(pk=allocation.pk).update(start=date.today(), end=date.today())
    with pytest.raises(access.Http404):
        access.network_for_user(owner, baby_network.pk)
    m.Allocation.objects.filter(pk=allocation.pk).update(end=tomorrow)
    assert access.network_for_user(owner, baby_network.pk) == baby_network
    other = Team.objects.create(agency=owner.team.agency, name="Another team")  # type: ignore[union-attr]
    owner.team = other
    with pytest.raises(access.Http404):
        access.network_for_user(owner, baby_network.pk)


def test_an_expired_session_signs_the_user_out(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("my-families")).status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("my-families"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
