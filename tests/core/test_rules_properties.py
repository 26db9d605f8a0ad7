"""Properties of the gap engine over random valid family networks.

The remedy properties compare gaps by *signature*: (key, severity, missing).
The ``detail`` words may legitimately change when an answer is recorded (a
name appears in other gaps' details), so they are left out.

"Opens none" means: after a remedy, the set of signatures is exactly the set
before minus the remedied gap. No other gap opens, closes or changes severity.
Remedies are designed to record the least (see
:mod:`kinmap.core.rules.remedies`), so this strict form holds, with two
documented exclusions:

* gaps answered by process inputs (roster confirmations, declines, requests to
  other agencies, sharing decisions) are not facts in the network; they have
  their own property below;
* a child's missing address can only be supplied by creating a household, a
  new subject whose roster has not been confirmed; for those gaps we check
  instead that every gap that opens is about the new household.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinmap.core.model import Network
from kinmap.core.rules import Decline, GapHistory, ProcessInputs, SharingDecision, Unmet, evaluate
from kinmap.core.rules.facts import MISSING_LABELS
from kinmap.core.rules.remedies import (
    creates_subject,
    is_process_gap,
    retract_fact,
    supply_fact,
    supply_process_fact,
)
from kinmap.core.validation import network_problems
from tests.core.builders import TODAY
from tests.core.strategies import networks

Signature = frozenset[tuple[str, str, tuple[str, ...]]]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def signature(gaps: list[Unmet]) -> Signature:
    return frozenset((u.key, u.severity.value, u.missing) for u in gaps)


def network_gaps(network: Network) -> list[Unmet]:
    return [u for u in evaluate(network, TODAY) if not is_process_gap(u)]


@FAST
@given(networks(), st.randoms(use_true_random=False))
def test_evaluation_is_deterministic_and_independent_of_record_order(
    network: Network, rnd: random.Random
) -> None:
    first = evaluate(network, TODAY)
    assert evaluate(network, TODAY) == first
    shuffled = dataclasses.replace(
        network,
        relationships=tuple(rnd.sample(network.relationships, len(network.relationships))),
        residences=tuple(rnd.sample(network.residences, len(network.residences))),
        care=tuple(rnd.sample(network.care, len(network.care))),
        parental_responsibility=tuple(
            rnd.sample(network.parental_responsibility, len(network.parental_responsibility))
        ),
        people=dict(rnd.sample(list(network.people.items()), len(network.people))),
    )
    assert signature(evaluate(shuffled, TODAY)) == signature(first)
    assert len({u.key for u in first}) == len(first), "one gap per rule and subject"
    assert all(m in MISSING_LABELS for u in first for m in u.missing)
    assert all(u.missing for u in first), "every gap says what would resolve it"


@FAST
@given(networks())
def test_supplying_a_fact_closes_exactly_that_gap(network: Network) -> None:
    before = network_gaps(network)
    for gap in (u for u in before if not creates_subject(u)):
        remedied = supply_fact(network, gap, TODAY)
        assert network_problems(remedied, TODAY) == [], gap.key
        after = signature(network_gaps(remedied))
        assert after == signature(before) - signature([gap]), gap.key


@FAST
@given(networks())
def test_retracting_the_fact_reopens_exactly_that_gap(network: Network) -> None:
    before = network_gaps(network)
    for gap in (u for u in before if not creates_subject(u)):
        reopened = retract_fact(supply_fact(network, gap, TODAY), gap, TODAY)
        assert signature(network_gaps(reopened)) == signature(before), gap.key


@settings(max_examples=40, deadline=None)
@given(networks())
def test_a_remedy_that_creates_a_subject_opens_gaps_only_about_it(network: Network) -> None:
    before = network_gaps(network)
    for gap in (u for u in before if creates_subject(u)):
        remedied = supply_fact(network, gap, TODAY)
        new_households = remedied.households.keys() - network.households.keys()
        after = network_gaps(remedied)
        assert gap.key not in {u.key for u in after}
        opened = signature(after) - signature(before)
        assert all(key.startswith("R06-household-roster:household:") for key, _, _ in opened)
        assert {int(key.rsplit(":", 1)[1]) for key, _, _ in opened} <= new_households
        assert signature(before) - signature([gap]) <= signature(after)


@st.composite
def process_inputs(draw: st.DrawFn, network: Network, gaps: list[Unmet]) -> ProcessInputs:
    days = [TODAY, TODAY.replace(day=1), TODAY.replace(month=1)]
    day = st.sampled_from(days)
    text = st.sampled_from(["", "worried", "anxious, revisit"])
    households = sorted(network.households)
    confirmed = {h: draw(day) for h in households if draw(st.booleans())}
    declines = tuple(
        Decline(
            i, f"gap-{i}", draw(day), draw(st.sampled_from([None, 1])), draw(text), draw(text), draw(text)
        )
        for i in range(draw(st.integers(0, 3)))
    )
    decisions = tuple(
        SharingDecision(
            i, draw(day), draw(st.booleans()), draw(text), draw(st.sampled_from(["", "Article 6(1)(e)"]))
        )
        for i in range(draw(st.integers(0, 3)))
    )
    history = {
        u.key: GapHistory(u.key, draw(st.integers(0, 5)), draw(day), draw(st.booleans()))
        for u in gaps
        if draw(st.booleans())
    }
    return ProcessInputs(draw(st.sampled_from([None, *days])), confirmed, declines, history, decisions)  # type: ignore[attr-defined]


@FAST
@given(networks(), st.data())
def test_supplying_a_process_answer_closes_exactly_that_gap(network: Network, data: st.DataObject) -> None:
    process = data.draw(process_inputs(network, evaluate(network, TODAY)), label="process")
    before = evaluate(network, TODAY, process=process)
    assert evaluate(network, TODAY, process=process) == before
    for gap in (u for u in before if is_process_gap(u)):
        after = evaluate(network, TODAY, process=supply_process_fact(process, gap, TODAY))
        assert signature(after) == signature(before) - signature([gap]), gap.key
