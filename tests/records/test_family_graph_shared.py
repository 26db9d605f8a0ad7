"""The family page works out its family graph once: the page's presenter, its
genogram and its carers' section use the same
:class:`~kinmap.core.graph.FamilyGraph` (of the network on the page's day),
and each refuses a graph of another network or day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.carers import presenters as carers
from kinmap.carers.selectors import carer_config
from kinmap.core import graph as graph_module
from kinmap.core.genogram import genogram_layout
from kinmap.core.genogram.synthetic import extended_family
from kinmap.core.graph import FamilyGraph
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network
from kinmap.genogram.templatetags.genogram import genogram
from kinmap.records.selectors import family_record_load
from tests.carers.family import Family, seed_like_family
from tests.conftest import PASSWORD


@pytest.fixture
def graphs_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FamilyGraph]]:
    """Every FamilyGraph made while the test runs, in order."""
    made: list[FamilyGraph] = []
    init = graph_module.FamilyGraph.__init__

    def counting(self: FamilyGraph, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(graph_module.FamilyGraph, "__init__", counting)
    yield made


@pytest.fixture
def fam(owner: User) -> Family:
    return seed_like_family(owner)


@pytest.mark.django_db
def test_the_family_page_makes_one_graph(client: Client, owner: User, fam: Family, graphs_made: list) -> None:
    client.login(username=owner.username, password=PASSWORD)
    response = client.get(reverse("family", args=[fam.network.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # the parts that use it are on the page: the genogram and the carers
    assert 'id="genogram"' in html and "data-carers" in html and "Dale Testcroft" in html
    assert len(graphs_made) == 1
    assert graphs_made[0].today == timezone.localdate()


@pytest.mark.django_db
def test_the_family_page_as_at_a_day_makes_one_graph_of_that_day(
    client: Client, owner: User, fam: Family, graphs_made: list
) -> None:
    client.login(username=owner.username, password=PASSWORD)
    day = timezone.localdate()
    response = client.get(reverse("family", args=[fam.network.pk]) + f"?as_at={day:%Y-%m-%d}")
    assert response.status_code == 200
    assert 'id="genogram"' in response.content.decode()
    assert [g.today for g in graphs_made] == [day]


def test_a_layout_with_the_callers_graph_is_the_layout_without_it() -> None:
    net = extended_family([synthetic_network(seed) for seed in range(3)])
    graph = FamilyGraph(net, SYNTHETIC_TODAY)
    assert genogram_layout(net, SYNTHETIC_TODAY, graph=graph) == genogram_layout(net, SYNTHETIC_TODAY)


def test_a_layout_refuses_a_graph_of_another_day_or_network() -> None:
    net = synthetic_network(1)
    other = synthetic_network(2)
    with pytest.raises(ValueError, match="not of this network on this day"):
        genogram_layout(net, SYNTHETIC_TODAY, graph=FamilyGraph(net, SYNTHETIC_TODAY - timedelta(days=1)))
    with pytest.raises(ValueError, match="not of this network on this day"):
        genogram_layout(net, SYNTHETIC_TODAY, graph=FamilyGraph(other, SYNTHETIC_TODAY))


@pytest.mark.django_db
def test_the_carers_with_the_callers_graph_are_the_carers_without_it(fam: Family) -> None:
    net = family_record_load(fam.network).graph_network
    today = timezone.localdate()
    config, titles = carer_config(), {"ICON": "ICON"}
    graph = FamilyGraph(net, today)
    shared = carers.carer_lines(net, today, titles, config, graph=graph)
    assert shared == carers.carer_lines(net, today, titles, config)
    assert [line.name for line in shared] == ["Mara Testwood", "Dale Testcroft"]
    assert carers.carers_elsewhere(net, today, graph=graph) == carers.carers_elsewhere(net, today)
    yesterday = FamilyGraph(net, today - timedelta(days=1))
    with pytest.raises(ValueError, match="not of this network on this day"):
        carers.carer_lines(net, today, titles, config, graph=yesterday)
    with pytest.raises(ValueError, match="not of this network on this day"):
        carers.carers_elsewhere(net, today, graph=yesterday)


@pytest.mark.django_db
def test_the_genogram_tag_makes_its_own_graph_for_a_graph_of_another_day(
    owner: User, fam: Family, graphs_made: list
) -> None:
    net = family_record_load(fam.network).graph_network
    today = timezone.localdate()
    yesterday = FamilyGraph(net, today - timedelta(days=1))
    todays = FamilyGraph(net, today)
    drawn = genogram(fam.network, net, owner, None, yesterday)["picture_inline"]
    assert len(graphs_made) == 3  # the two above, and the tag's own of today
    assert graphs_made[2].today == today
    assert genogram(fam.network, net, owner, None, todays)["picture_inline"] == drawn
    assert len(graphs_made) == 3  # today's is used
