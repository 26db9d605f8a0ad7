"""The recompute's lean loader gives exactly the pure networks of the full one."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinmap.accounts.models import User
from kinmap.core.vocab import DateAccuracy, Sex
from kinmap.records import models as m
from kinmap.records.graph_load import _Members, family_networks_load
from kinmap.records.selectors import family_records_load
from kinmap.records.synth import synth_load

TODAY = date(2026, 6, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 17])
def test_the_lean_load_gives_the_same_networks_as_the_full_load(seed: int) -> None:
    synth_load(families=20, teams=2, seed=seed, today=TODAY)
    # provenance with a user who recorded it, and a stay with a start, too
    user = User.objects.create(username="recorder")
    m.PersonFact.objects.update(recorded_by=user)
    m.Residence.objects.filter(pk__in=m.Residence.objects.order_by("pk").values("pk")[:5]).update(
        start=date(2024, 1, 1)
    )
    # dates known only roughly: a year, a range, about
    for model in (m.Relationship, m.Residence, m.CareArrangement, m.ParentalResponsibility):
        first = model.objects.exclude(start=None).order_by("pk").values_list("pk", flat=True)[:3]
        model.objects.filter(pk__in=list(first)).update(
            start_accuracy="between", start_latest=date(2024, 12, 31), end_accuracy="year"
        )
    m.Person.objects.filter(pk__in=m.Person.objects.order_by("pk").values("pk")[:4]).update(
        birth_date_latest=date(2000, 1, 1), death_date_accuracy="estimated"
    )
    # a care order: the local authority holds parental responsibility, no person
    child = m.NetworkMember.objects.filter(is_index=True).order_by("pk").first()
    assert child is not None
    m.ParentalResponsibility.objects.create(
        person=None,
        local_authority="Testham City Council",
        basis="court-order",
        child_id=child.person_id,
        start=TODAY,
        start_accuracy="between",
        start_latest=date(2026, 7, 1),
        end=date(2027, 1, 1),
        end_accuracy="year",
    )
    networks = list(m.FamilyNetwork.objects.order_by("pk"))
    full = family_records_load(networks)
    lean = family_networks_load(networks)
    assert [r.graph_network for r in lean] == [r.graph_network for r in full]
    # the same types too (an enum's member equals its value): the reprs name them
    assert [repr(r.graph_network) for r in lean] == [repr(r.graph_network) for r in full]
    assert any(r.graph_network.outside_ids for r in lean)
    assert any(r.graph_network.care_orders for r in lean)
    rough = [
        (o.start_accuracy, o.start_latest, o.end_accuracy) for r in lean for o in r.graph_network.care_orders
    ]
    assert ("between", date(2026, 7, 1), "year") in rough  # the care order's accuracy is carried
    assert [(r.member_ids, r.index_child_ids) for r in lean] == [
        (r.member_ids, r.index_child_ids) for r in full
    ]
    # one at a time, too, and in the same number of queries for one as for all
    with CaptureQueriesContext(connection) as one:
        alone = family_networks_load(networks[:1])
    with CaptureQueriesContext(connection) as every:
        family_networks_load(networks)
    assert alone[0].graph_network == full[0].graph_network
    assert len(one.captured_queries) == len(every.captured_queries)


def test_the_members_looked_up_once_are_those_the_enum_gives_and_it_refuses_the_same_values() -> None:
    accuracy = _Members(DateAccuracy)
    assert accuracy["accurate"] is DateAccuracy("accurate") is DateAccuracy.EXACT
    assert accuracy["estimated"] is DateAccuracy.ABOUT
    assert accuracy[DateAccuracy.MONTH] is DateAccuracy.MONTH  # a member as well as its value
    assert all(_Members(Sex)[s.value] is s for s in Sex)
    with pytest.raises(ValueError, match="'exactly' is not a valid DateAccuracy"):
        accuracy["exactly"]
