"""The gap engine's output over a few hundred made-up families, held to a
digest computed before the engine's indexes were shared (the one-pass
relationship index of :class:`~kinmap.core.graph.FamilyGraph`, the carer
checks of a baby worked out without asking again whether it is one):
a change meant to make the engine faster must find exactly the same gaps,
in the same order, with the same words."""

from __future__ import annotations

import hashlib

import pytest

from kinmap.core.rules import Engine
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network

# sha256 of every gap's rule, subject, severity, detail, missing keys and key,
# in the engine's order, over seeds 0..299 at each size (made by the engine
# before the change, with the same function as below)
GOLDEN = {
    8: "3528da93e13b0cd57be6c4bc4c28367e043225abc4497a649ab9fe96d52b9606",
    12: "935be182d3ba085e12b7e9dbe90a2b3bbd04829300121a12c09b7e9980612c93",
}


def engine_digest(size: int, seeds: int = 300) -> str:
    """The digest of the engine's gaps over ``seeds`` synthetic families of ``size`` people."""
    engine = Engine()
    h = hashlib.sha256()
    for seed in range(seeds):
        for u in engine.evaluate(synthetic_network(seed, size), SYNTHETIC_TODAY):
            h.update(repr((u.rule_id, u.subject, u.severity, u.detail, u.missing, u.key)).encode())
            h.update(b"\n")
        h.update(b"--\n")
    return h.hexdigest()


@pytest.mark.parametrize("size", sorted(GOLDEN))
def test_the_engine_finds_the_same_gaps_as_before(size: int) -> None:
    assert engine_digest(size) == GOLDEN[size]
