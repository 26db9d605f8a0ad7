"""The family page's one-round-trip loader gives exactly the record and the
"recorded elsewhere" of the loaders it stands in for."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinmap.accounts.models import Role, User
from kinmap.records import models as m
from kinmap.records.page_load import family_page_load
from kinmap.records.selectors import elsewhere_load, family_record_load
from kinmap.records.synth import synth_load

TODAY = date(2026, 6, 1)


def _rows(value: Any) -> Any:
    """Model instances as their column values and the related rows they
    hold (``select_related``'s), to compare instances made two ways."""
    if isinstance(value, dict):
        return {k: _rows(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rows(v) for v in value]
    if hasattr(value, "_meta"):
        fields = value._meta.concrete_fields
        out = {f.attname: getattr(value, f.attname) for f in fields}
        out.update(
            {f.name: _rows(getattr(value, f.name)) for f in fields if f.is_relation and f.is_cached(value)}
        )
        return (type(value).__name__, out)
    return value


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 17])
def test_the_page_load_gives_the_record_and_elsewhere_of_the_full_loaders(seed: int) -> None:
    synth_load(families=20, teams=2, seed=seed, today=TODAY)
    recorder = User.objects.create(username="recorder")
    for model in (m.PersonFact, m.Relationship, m.Residence, m.CareArrangement, m.ParentalResponsibility):
        model.objects.filter(pk__in=model.objects.order_by("pk").values("pk")[:40]).update(
            recorded_by=recorder
        )
    child = m.NetworkMember.objects.filter(is_index=True).order_by("pk").first()
    assert child is not None
    m.ParentalResponsibility.objects.create(
        person=None, local_authority="Testham City Council", basis="court-order", child_id=child.person_id
    )
    viewer = User.objects.filter(team__isnull=False).order_by("pk").first() or User.objects.create(
        username="viewer", role=Role.PRACTITIONER
    )
    seen = {"outside": 0, "elsewhere": 0, "households": 0, "recorded_by": 0, "care_orders": 0}
    for network in m.FamilyNetwork.objects.order_by("pk"):
        full = family_record_load(network)
        page, elsewhere, also = family_page_load(network, viewer)
        assert also == []
        for f in dataclasses.fields(full):
            if f.name == "graph_network":
                assert page.graph_network == full.graph_network
            else:
                assert _rows(getattr(page, f.name)) == _rows(getattr(full, f.name)), f.name
        assert elsewhere == elsewhere_load(full, viewer)
        seen["outside"] += bool(page.graph_network.outside_ids)
        seen["elsewhere"] += bool(elsewhere.networks)
        seen["households"] += bool(elsewhere.households)
        seen["recorded_by"] += any(r.recorded_by_id for r in page.relationships)
        seen["care_orders"] += bool(page.care_orders)
    assert all(seen.values()), seen  # every kind of row was compared


@pytest.mark.django_db
def test_the_page_load_is_one_text_on_postgresql(owner: User, baby_network: m.FamilyNetwork) -> None:
    with CaptureQueriesContext(connection) as ctx:
        family_page_load(baby_network, owner)
    # twelve statements (two of them what carers were given), whatever the family
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 12)
