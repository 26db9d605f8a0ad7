"""The genogram's rows stop being swept once a sweep down and up moves
nothing (kinmap.core.genogram.order): the drawing is the one every sweep
would have given."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinmap.core.genogram import genogram_layout, order
from kinmap.core.genogram.synthetic import extended_family
from kinmap.core.model import Network
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network
from tests.core.builders import TODAY, complete_family
from tests.core.strategies import networks


class _Never:
    """A placing equal to nothing: every sweep is made, as before the rows settled."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def _every_sweep(monkeypatch: pytest.MonkeyPatch, net: Network, on: Any) -> Any:
    with monkeypatch.context() as m:
        m.setattr(order, "_placing", lambda row_units: _Never())
        return genogram_layout(net, on)


def _sweeps(monkeypatch: pytest.MonkeyPatch, net: Network, on: Any) -> tuple[Any, int]:
    made = [0]
    sweep = order._sweep

    def counting(*args: Any) -> None:
        made[0] += 1
        sweep(*args)

    with monkeypatch.context() as m:
        m.setattr(order, "_sweep", counting)
        return genogram_layout(net, on), made[0]


def test_a_family_that_settles_is_swept_less_and_drawn_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    settled = drifting = 0
    for seed in range(40):
        net = synthetic_network(seed, 12)
        full, full_sweeps = _sweeps(monkeypatch, net, SYNTHETIC_TODAY)
        with monkeypatch.context() as m:
            m.setattr(order, "_placing", lambda row_units: _Never())
            _, every = _sweeps(monkeypatch, net, SYNTHETIC_TODAY)
        assert full == _every_sweep(monkeypatch, net, SYNTHETIC_TODAY)
        if full_sweeps < every:
            settled += 1
        else:
            drifting += 1
    # both kinds are among them: the check above is not of one kind only
    assert settled and drifting


def test_a_unit_moved_without_a_change_of_order_is_not_settled() -> None:
    a, b = order.Unit([1]), order.Unit([2, 3])
    before = order._placing({0: [a], 1: [b]})
    b.left += 2.5
    assert order._placing({0: [a], 1: [b]}) != before
    b.left -= 2.5
    assert order._placing({0: [a], 1: [b]}) == before
    assert order._placing({0: [a], 1: [order.Unit([2, 3], b.left)]}) == before
    assert order._placing({0: [b], 1: [a]}) != before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_generated_families_are_drawn_as_with_every_sweep(net: Network) -> None:
    with pytest.MonkeyPatch.context() as mp:
        assert genogram_layout(net, TODAY) == _every_sweep(mp, net, TODAY)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=5))
def test_extended_families_are_drawn_as_with_every_sweep(seeds: list[int]) -> None:
    net = extended_family([synthetic_network(seed, 8) for seed in seeds])
    with pytest.MonkeyPatch.context() as mp:
        assert genogram_layout(net, SYNTHETIC_TODAY) == _every_sweep(mp, net, SYNTHETIC_TODAY)


def test_the_complete_family_is_drawn_as_with_every_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    net = complete_family().network()
    assert genogram_layout(net, TODAY) == _every_sweep(monkeypatch, net, TODAY)
