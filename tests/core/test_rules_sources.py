"""Requirement 12 asks the source of every key fact: every contact detail and
every detail or answer another requirement reads.

The list of key details is checked against what the rules really read: every
other rule runs over families whose people record each field and answer read
from them, and any field or answer a rule reads must be one requirement 12
asks the source of (or be explained in ``UNSOURCED_PERSON_FIELDS``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from kinmap.core.model import Fact, Network, Person
from kinmap.core.rules import RuleSettings, Severity, evaluate
from kinmap.core.rules.base import Context, Rule, Subject, SubjectKind, Unmet
from kinmap.core.rules.catalogue import CATALOGUE
from kinmap.core.rules.engine import Engine
from kinmap.core.rules.facts import (
    FACT_ADULT_SERVICES,
    FACT_AGENCY_INVOLVEMENT,
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_CONTACT_ARRANGEMENT,
    FACT_KEYS,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_SAFEGUARDING_REFERRAL,
    FACT_YOUNG_PARENT_CARER,
)
from kinmap.core.rules.sources import (
    SOURCED_FACT_KEYS,
    SOURCED_PERSON_FIELDS,
    UNSOURCED_PERSON_FIELDS,
    fact_source_key,
)
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, PRBasis
from tests.core.builders import Family, complete_family, years_ago

R12 = "R12-sources"


def found(f: Family) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (u.key, u.missing) for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == R12
    ]


# -- what the rules read -----------------------------------------------------------


class _Reads:
    def __init__(self) -> None:
        self.fields: set[str] = set()
        self.facts: set[str] = set()


class _TracedFacts(dict[str, Fact]):
    """Answers that note each key a rule asks for."""

    reads: _Reads

    def get(self, key: Any, default: Any = None) -> Any:
        self.reads.facts.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Fact:
        self.reads.facts.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.reads.facts.add(str(key))
        return super().__contains__(key)


_PERSON_FIELDS = frozenset(f.name for f in dataclasses.fields(Person))


def _traced(network: Network, reads: _Reads) -> Network:
    class Traced(Person):
        def __getattribute__(self, name: str) -> Any:
            if name in _PERSON_FIELDS:
                reads.fields.add(name)
            return object.__getattribute__(self, name)

    people = {}
    for pid, p in network.people.items():
        facts = _TracedFacts(p.facts)
        facts.reads = reads
        people[pid] = Traced(**{**{f: getattr(p, f) for f in _PERSON_FIELDS}, "facts": facts})
    return dataclasses.replace(network, people=people)


def _rich_families() -> Iterator[Family]:
    """Families that take every rule down its branches: carers, partners,
    young parents, unborn babies, absent fathers, answers in words."""
    f = complete_family()
    yield f
    g = complete_family()
    jean = g.b.adult("Jean", "Brook", age=56, phone="", email="jean@example.invalid")
    g.b.relate(jean, BIRTH_MOTHER, g.sarah)
    g.b.care(jean, g.amy, overnight=True)
    partner = g.b.person("Lee", "Ward", email="lee@example.invalid")  # age not known, lives with the baby
    g.b.lives_at(partner, g.home)
    g.b.relate(partner, "x-partner-cohabiting", g.sarah)
    g.b.update(g.daniel, seen_directly_on=None, facts={})
    g.b.fact(g.daniel, FACT_CONTACT_ARRANGEMENT, "Fridays")
    g.b.fact(g.daniel, FACT_OTHER_CHILDREN, "a son, 6, lives with his mother")
    g.b.update(g.sarah, phone="", email="", phone_masked=True)
    g.b.care_order(g.amy)
    yield g
    h = complete_family()
    teen = h.b.adult("Kayla", "Ross", age=16, facts={FACT_YOUNG_PARENT_CARER: "her mother"})
    h.b.fact(teen, FACT_SAFEGUARDING_REFERRAL, "considered")
    baby = h.b.baby("Mia", "Ross", age_days=20)
    h.b.relate(teen, BIRTH_MOTHER, baby)
    h.b.pr(teen, baby, PRBasis.BIRTH_MOTHER)
    h.b.unborn()
    h.b.fact(h.amy, FACT_BIRTH_FATHER_ABSENT, "not known")
    h.b.fact(h.amy, FACT_BIRTH_MOTHER_ABSENT, "not known")
    yield h


def rule_reads(settings: RuleSettings) -> _Reads:
    """The person fields and answers the rules of ``settings`` read over the rich families."""
    reads = _Reads()
    engine = Engine(settings)
    for f in _rich_families():
        network = _traced(f.network(), reads)
        engine.evaluate(network, f.b.today, f.process())
    return reads


def _uncovered(reads: _Reads) -> tuple[set[str], set[str]]:
    sourced = {f for _key, fields in SOURCED_PERSON_FIELDS for f in fields}
    fields = reads.fields - sourced - set(UNSOURCED_PERSON_FIELDS)
    facts = reads.facts - SOURCED_FACT_KEYS - {FACT_BIRTH_MOTHER_ABSENT, FACT_BIRTH_FATHER_ABSENT}
    return fields, facts


OTHER_RULES = RuleSettings(disabled=frozenset({R12}))


def test_every_detail_and_answer_another_rule_reads_has_its_source_asked() -> None:
    reads = rule_reads(OTHER_RULES)
    # the tracing sees the reads (so the check below is about something)
    assert {"given_name", "birth_date", "phone", "email", "seen_directly_on"} <= reads.fields
    assert {FACT_OTHER_NAMES, FACT_AGENCY_INVOLVEMENT, FACT_YOUNG_PARENT_CARER} <= reads.facts
    assert _uncovered(reads) == (set(), set())
    # and every detail left unsourced is one a rule reads (the list holds nothing stale)
    assert set(UNSOURCED_PERSON_FIELDS) <= reads.fields


def test_a_new_detail_read_by_a_rule_is_caught() -> None:
    """A rule reading a detail requirement 12 does not cover fails the check above."""

    def reads_sex_and_a_new_answer(ctx: Context) -> Iterator[Unmet]:
        for child in ctx.scope.children:
            if child.sex and "new-question" not in child.facts:
                yield ctx.unmet(Subject(SubjectKind.CHILD, child.id), "new", ("new",))

    extra = Rule(
        id="R99-test",
        number=99,
        title="t",
        severity=Severity.ROUTINE,
        applies_when="",
        why_we_ask="",
        suggested_wording="",
        fact="",
        check=reads_sex_and_a_new_answer,
    )
    reads = _Reads()
    engine = Engine(OTHER_RULES, rules=(*CATALOGUE.rules(), extra))
    f = complete_family()
    engine.evaluate(_traced(f.network(), reads), f.b.today, f.process())
    assert _uncovered(reads) == ({"sex"}, {"new-question"})


def test_every_answer_key_is_sourced_or_has_its_recorder_asked() -> None:
    assert SOURCED_FACT_KEYS | {FACT_BIRTH_MOTHER_ABSENT, FACT_BIRTH_FATHER_ABSENT} == FACT_KEYS


# -- satisfied, unsatisfied, not applicable -----------------------------------------


def test_satisfied_when_contact_details_and_answers_have_sources() -> None:
    f = complete_family()
    assert f.b.people[f.sarah].email and f.b.people[f.sarah].phone
    assert found(f) == []


Change = Callable[[Family], object]


def _unsource_fields(f: Family, pid: int, *fields: str) -> None:
    p = f.b.people[pid]
    f.b.update(pid, provenance={k: v for k, v in p.provenance.items() if k not in fields})


def _unsource_fact(f: Family, pid: int, key: str) -> None:
    fact = f.b.people[pid].facts[key]
    f.b.fact(pid, key, fact.value, provenance=None)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        pytest.param(lambda f: _unsource_fields(f, f.sarah, "phone"), ("phone_source",), id="phone"),
        pytest.param(lambda f: _unsource_fields(f, f.sarah, "email"), ("email_source",), id="email"),
        pytest.param(lambda f: _unsource_fields(f, f.sarah, "family_name"), ("name_source",), id="name"),
        pytest.param(
            lambda f: _unsource_fact(f, f.sarah, FACT_OTHER_NAMES),
            (fact_source_key(FACT_OTHER_NAMES),),
            id="answer-other-names",
        ),
        pytest.param(
            lambda f: _unsource_fact(f, f.sarah, FACT_OTHER_CHILDREN),
            (fact_source_key(FACT_OTHER_CHILDREN),),
            id="answer-none",
        ),
    ],
)
def test_unsatisfied_for_a_contact_detail_or_answer_without_a_source(
    change: Change, missing: tuple[str, ...]
) -> None:
    f = complete_family()
    change(f)
    assert found(f) == [(f"{R12}:person:{f.sarah}", missing)]


def test_every_missing_source_is_named_in_one_gap() -> None:
    f = complete_family()
    _unsource_fields(f, f.daniel, "phone", "given_name")
    _unsource_fact(f, f.daniel, FACT_ADULT_SERVICES)
    assert found(f) == [
        (f"{R12}:person:{f.daniel}", ("name_source", "phone_source", fact_source_key(FACT_ADULT_SERVICES)))
    ]


def test_not_applicable_to_details_not_recorded_or_people_who_died() -> None:
    f = complete_family()
    f.b.update(
        f.sarah,
        email="",
        provenance={k: v for k, v in f.b.people[f.sarah].provenance.items() if k != "email"},
    )
    late = f.b.person("Ada", "Brook", phone="01632 960000", provenance={})  # unsourced, but has died
    f.b.update(late, birth_date=years_ago(90), death_date=f.b.today - timedelta(days=5))
    assert found(f) == []


def test_the_absent_parent_reasons_are_left_to_requirements_1_and_2() -> None:
    f = complete_family()
    f.b.fact(f.amy, FACT_BIRTH_FATHER_ABSENT, "not known", provenance=None)
    assert found(f) == []


# -- care orders ----------------------------------------------------------------------


def test_a_care_order_needs_its_source() -> None:
    f = complete_family()
    f.b.care_order(f.amy)
    assert found(f) == []
    g = complete_family()
    order = g.b.care_order(g.amy, sourced=False)
    assert found(g) == [(f"{R12}:care-order:{order}:{g.amy}", ("source",))]


def test_a_care_order_for_a_child_who_died_is_not_asked() -> None:
    f = complete_family()
    f.b.care_order(f.amy, sourced=False, end=f.b.today - timedelta(days=1))
    f.b.update(f.amy, death_date=f.b.today - timedelta(days=1))
    assert [k for k, _ in found(f) if "care-order" in k] == []


def test_a_relationship_recorded_in_another_network_is_not_asked() -> None:
    """A father recorded only in another family network (his relationship to
    the child recorded there, without a source): that network's to source,
    and this one's gaps never name him."""
    f = complete_family()
    jay = f.b.adult("Jay", "Stone")
    f.b.outside(jay)
    f.b.relate(jay, BIRTH_FATHER, f.amy, sourced=False)
    assert found(f) == []
    g = complete_family()
    kai = g.b.adult("Kai", "Stone")
    rel = g.b.relate(kai, BIRTH_FATHER, g.amy, sourced=False)  # a member: asked
    assert found(g) == [(f"{R12}:relationship:{rel}", ("source",))]


def test_sources_are_asked_in_the_catalogue_words() -> None:
    explained = CATALOGUE.get(R12)
    assert "telephone number, email address" in explained.applies_when
    assert "care order" in explained.applies_when
