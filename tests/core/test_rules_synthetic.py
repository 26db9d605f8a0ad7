"""Synthetic families for benchmarks, and the engine's speed over many of them."""

from __future__ import annotations

import pytest

from kinmap.core.rules import evaluate
from kinmap.core.rules.remedies import is_process_gap, supply_fact
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network
from kinmap.core.validation import network_problems


def test_the_same_seed_gives_the_same_family_and_seeds_differ() -> None:
    assert synthetic_network(7, 10) == synthetic_network(7, 10)
    assert synthetic_network(7, 10) != synthetic_network(8, 10)


@pytest.mark.parametrize("size", [1, 3, 8, 25])
def test_families_are_valid_and_about_the_size_asked(size: int) -> None:
    for seed in range(60):
        network = synthetic_network(seed, size)
        assert network_problems(network, SYNTHETIC_TODAY) == [], seed
        members = [p for p in network.people if network.is_member(p)]
        assert max(size, 3) <= len(members) <= max(size, 3) + 1
        assert network.index_child_ids and all(network.is_member(c) for c in network.index_child_ids)


def test_every_network_gap_can_be_filled_until_none_is_left() -> None:
    """Prompting again and again ends: answering each gap in turn empties the list."""
    for seed in range(25):
        network = synthetic_network(seed, 10)
        for _ in range(200):
            gaps = [u for u in evaluate(network, SYNTHETIC_TODAY) if not is_process_gap(u)]
            if not gaps:
                break
            network = supply_fact(network, gaps[0], SYNTHETIC_TODAY)
        assert gaps == [], seed
        assert network_problems(network, SYNTHETIC_TODAY) == []
