# mypy: disable-error-code="func-returns-value"
# (a change is often a tuple of steps: lambda f: (step_one(f), step_two(f)))
"""Requirements 6 to 11: household, visitors, other children, names, carers
and seen directly (12 to 16, the sources and the process requirements, are in
test_rules_process.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from kinmap.core.model import OtherName
from kinmap.core.rules import ProcessInputs, Severity, evaluate
from kinmap.core.rules.facts import (
    FACT_ADULT_SERVICES,
    FACT_AGENCY_INVOLVEMENT,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_VISITORS,
)
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, CarePlace, NameKind
from tests.core.builders import TODAY, Family, complete_family

Change = Callable[[Family], object]
CRIT, IMP, ROUT = Severity.CRITICAL, Severity.IMPORTANT, Severity.ROUTINE
Found = list[tuple[str, Severity, tuple[str, ...]]]


def found(f: Family, rule_id: str, process: ProcessInputs | None = None) -> Found:
    gaps = evaluate(f.network(), f.b.today, process=process or f.process())
    return [(u.key, u.severity, u.missing) for u in gaps if u.rule_id == rule_id]


def deceased_child(f: Family) -> None:
    f.b.update(f.amy, death_date=f.b.today - timedelta(days=3))


def add_grandmother_carer(f: Family, *, complete: bool = True, related: bool = True, **care: object) -> int:
    jean = f.b.adult("Jean", "Brook", age=56, complete=complete)
    if complete:
        f.b.lives_at(jean, f.b.household("12 Orchard Way, Testham TE3 3CC"))
    if related:
        f.b.relate(jean, BIRTH_MOTHER, f.sarah)
    f.b.care(jean, f.amy, **care)  # type: ignore[arg-type]
    return jean


# -- 6: household roster ----------------------------------------------------


def test_r06_satisfied_when_confirmed_at_or_after_the_last_contact() -> None:
    f = complete_family()
    today = f.b.today
    for confirmed in (today, today + timedelta(days=1)):
        process = ProcessInputs(last_contact_on=today, last_roster_confirmed={f.home: confirmed})
        assert found(f, "R06-household-roster", process) == []


def test_r06_unsatisfied() -> None:
    f = complete_family()
    never = ProcessInputs()
    stale = ProcessInputs(last_contact_on=TODAY, last_roster_confirmed={f.home: TODAY - timedelta(days=30)})
    household_gap = (f"R06-household-roster:household:{f.home}", IMP, ("roster_confirmed",))
    assert found(f, "R06-household-roster", never) == [household_gap]
    assert found(f, "R06-household-roster", stale) == [household_gap]
    f.b.residences = [r for r in f.b.residences if r.person_id != f.amy]
    assert found(f, "R06-household-roster", never) == [
        (f"R06-household-roster:child:{f.amy}", IMP, ("address",))
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(deceased_child, id="child-has-died"),
        pytest.param(lambda f: None, id="fathers-flat-not-asked"),
    ],
)
def test_r06_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    # the father's flat is nobody's home on the record but his: never asked
    assert found(f, "R06-household-roster", ProcessInputs(last_roster_confirmed={f.home: f.b.today})) == []


def test_r06_masked_address_is_never_shown() -> None:
    f = complete_family()
    f.b.households[f.home] = f.b.households[f.home].__class__(f.home, "4 Willow Close", masked=True)
    [gap] = [u for u in evaluate(f.network(), f.b.today) if u.rule_id == "R06-household-roster"]
    assert "Willow" not in gap.detail
    assert gap.detail == "Who lives at the child's home has never been confirmed"


# -- 7: visitors ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: None, id="answered-none"),
        pytest.param(
            lambda f: (
                f.b.forget_fact(f.amy, FACT_VISITORS),
                f.b.relate(f.b.person("Priya", "Shah"), "FRND", f.sarah),
            ),
            id="friend-of-someone-at-home",
        ),
        pytest.param(
            lambda f: (
                f.b.forget_fact(f.amy, FACT_VISITORS),
                f.b.relate(f.b.person("Priya", "Shah"), "x-regular-visitor", f.amy),
            ),
            id="visitor-to-the-child",
        ),
    ],
)
def test_r07_satisfied(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R07-visitors") == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.b.forget_fact(f.amy, FACT_VISITORS), id="not-asked"),
        pytest.param(
            lambda f: (
                f.b.forget_fact(f.amy, FACT_VISITORS),
                f.b.relate(f.b.person("Lee", "Ward"), "FRND", f.daniel),
            ),
            id="friend-of-father-elsewhere-does-not-count",
        ),
    ],
)
def test_r07_unsatisfied(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R07-visitors") == [(f"R07-visitors:child:{f.amy}", ROUT, ("regular_visitors",))]


def test_r07_not_applicable_when_the_child_has_died() -> None:
    f = complete_family()
    f.b.forget_fact(f.amy, FACT_VISITORS)
    deceased_child(f)
    assert found(f, "R07-visitors") == []


# -- 8: other children ------------------------------------------------------


def add_fathers_other_child(f: Family) -> int:
    """Daniel's son by a previous partner, recorded in another family's network."""
    kai = f.b.baby("Kai", "Carter", age_days=4 * 365, index=False)
    f.b.relate(f.daniel, BIRTH_FATHER, kai)
    f.b.outside(kai)
    f.b.forget_fact(f.daniel, FACT_OTHER_CHILDREN)
    return kai


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: None, id="answered-none"),
        pytest.param(
            lambda f: (
                add_fathers_other_child(f),
                f.b.fact(f.daniel, FACT_OTHER_CHILDREN, "Kai, 4, lives with his mother"),
                f.b.fact(f.daniel, FACT_AGENCY_INVOLVEMENT, "none known"),
            ),
            id="child-elsewhere-recorded-in-words-with-agencies",
        ),
        pytest.param(
            lambda f: (
                f.b.relate(f.daniel, BIRTH_FATHER, f.b.baby("Kai", "Carter", age_days=4 * 365, index=False)),
                f.b.forget_fact(f.daniel, FACT_OTHER_CHILDREN),
                f.b.fact(f.daniel, FACT_AGENCY_INVOLVEMENT, "none known"),
            ),
            id="other-child-recorded-here-with-agencies",
        ),
    ],
)
def test_r08_satisfied(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R08-other-children") == []


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        pytest.param(
            lambda f: f.b.forget_fact(f.daniel, FACT_OTHER_CHILDREN), "other_children", id="not-asked"
        ),
        pytest.param(
            lambda f: (
                add_fathers_other_child(f),
                f.b.fact(f.daniel, FACT_OTHER_CHILDREN, "Kai, 4"),
            ),
            "agency_involvement",
            id="other-child-agencies-not-asked",
        ),
        pytest.param(
            lambda f: f.b.fact(f.daniel, FACT_OTHER_CHILDREN, "two older children in Leeds"),
            "agency_involvement",
            id="other-children-in-words",
        ),
    ],
)
def test_r08_unsatisfied(change: Change, missing: str) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R08-other-children") == [(f"R08-other-children:person:{f.daniel}", IMP, (missing,))]


def test_r08_a_child_known_only_in_another_network_is_not_recorded_here() -> None:
    """The father is the parent of a child in another family network (the
    discovery): not satisfied until the child is added here or the
    practitioner records his other children, or why not."""
    f = complete_family()
    add_fathers_other_child(f)
    assert found(f, "R08-other-children") == [
        (f"R08-other-children:person:{f.daniel}", IMP, ("other_children",))
    ]
    (gap,) = [
        u for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == "R08-other-children"
    ]
    assert gap.detail.startswith(
        "Daniel Carter is recorded as the parent of a child in another family network"
    )


def test_r08_a_carer_known_as_a_parent_in_another_network_is_asked() -> None:
    """A carer is asked about their other children only once they turn out to
    be the parent of a child in another family network (the discovery)."""
    f = complete_family()
    jean = add_grandmother_carer(f, related=False)  # a childminder, say
    assert found(f, "R08-other-children") == []  # a carer known nowhere else
    theo = f.b.baby("Theo", "Brook", age_days=6 * 365, index=False)
    f.b.relate(jean, BIRTH_MOTHER, theo)
    f.b.outside(theo)
    assert found(f, "R08-other-children") == [(f"R08-other-children:person:{jean}", IMP, ("other_children",))]
    f.b.fact(jean, FACT_OTHER_CHILDREN, "Theo, 6, lives with his father")
    f.b.fact(jean, FACT_AGENCY_INVOLVEMENT, "none known")
    assert found(f, "R08-other-children") == []


def _mothers_partner_tom(f: Family) -> int:
    """Tom, the mother's partner: asked about his other children like a
    parent (answered "none", then the answer taken away)."""
    tom = f.b.adult("Tom", "Hale")
    f.b.relate(f.sarah, "SIGOTHR", tom)
    f.b.fact(tom, FACT_OTHER_CHILDREN, "none")
    assert found(f, "R08-other-children") == []
    f.b.forget_fact(tom, FACT_OTHER_CHILDREN)
    return tom


def test_r08_a_mothers_partner_known_as_a_parent_in_another_network_is_asked() -> None:
    f = complete_family()
    tom = _mothers_partner_tom(f)
    ivy = f.b.baby("Ivy", "Hale", age_days=3 * 365, index=False)
    f.b.relate(tom, BIRTH_FATHER, ivy)
    f.b.outside(ivy)
    (gap,) = [
        u for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == "R08-other-children"
    ]
    assert gap.key == f"R08-other-children:person:{tom}"
    assert gap.detail.startswith("Tom Hale is recorded as the parent of a child in another family network")


def _r08_details(f: Family) -> list[tuple[str, str]]:
    gaps = evaluate(f.network(), f.b.today, process=f.process())
    return [(u.key, u.detail) for u in gaps if u.rule_id == "R08-other-children"]


def test_r08_a_mothers_partner_known_as_a_partner_in_another_network_is_asked() -> None:
    """Known elsewhere only as someone's partner (not a parent): asked about the
    children he has, lives with or looks after, until it is answered in words;
    a child of his recorded here does not answer it."""
    f = complete_family()
    tom = _mothers_partner_tom(f)
    kim = f.b.adult("Kim", "Vale")
    f.b.relate(tom, "DOMPART", kim)
    f.b.outside(kim)
    ivy = f.b.baby("Ivy", "Hale", age_days=9 * 365, index=False)
    f.b.relate(tom, BIRTH_FATHER, ivy)  # recorded here: not what he is asked
    assert _r08_details(f) == [
        (
            f"R08-other-children:person:{tom}",
            "Tom Hale is recorded as the partner of someone in another family network: record here the "
            "children they have, live with or look after, or why not",
        )
    ]
    f.b.fact(tom, FACT_OTHER_CHILDREN, "Ivy; lives with Kim and her two sons")
    assert found(f, "R08-other-children") == [
        (f"R08-other-children:person:{tom}", IMP, ("agency_involvement",))
    ]


def test_r08_a_carer_known_as_a_carer_in_another_network_is_asked() -> None:
    """A carer is asked once they turn out to care for a child in another
    family network (a care arrangement whose child is not a member here); a
    past arrangement there, or a partnership there that has ended, does not."""
    f = complete_family()
    jean = add_grandmother_carer(f, related=False)  # a childminder, say
    elsewhere = 9_000  # the child there: not a person of this network
    f.b.care(jean, elsewhere, end=f.b.today - timedelta(days=1))
    ex = f.b.adult("Ray", "Stone")
    f.b.relate(jean, "DOMPART", ex, end=f.b.today - timedelta(days=30))
    f.b.outside(ex)
    assert found(f, "R08-other-children") == []
    f.b.care(jean, elsewhere)
    assert _r08_details(f) == [
        (
            f"R08-other-children:person:{jean}",
            "Jean Brook is recorded as a carer of a child in another family network: record here the "
            "children they have, live with or look after, or why not",
        )
    ]
    f.b.fact(jean, FACT_OTHER_CHILDREN, "none")
    assert found(f, "R08-other-children") == []


def test_r08_not_applicable_to_a_grandparent_or_a_former_partner() -> None:
    f = complete_family()
    add_grandmother_carer(f)  # no other-children answer for Jean
    tom = f.b.adult("Tom", "Hale")
    f.b.relate(f.sarah, "x-former-partner", tom)
    assert found(f, "R08-other-children") == []


# -- 9 and 15: other names, adult services -----------------------------------


@pytest.mark.parametrize(
    ("rule_id", "fact"), [("R09-other-names", FACT_OTHER_NAMES), ("R15-adult-services", FACT_ADULT_SERVICES)]
)
def test_r09_r15_satisfied(rule_id: str, fact: str) -> None:
    f = complete_family()
    assert found(f, rule_id) == []
    if fact == FACT_OTHER_NAMES:  # names recorded structurally answer it too
        f.b.forget_fact(f.sarah, fact)
        f.b.update(f.sarah, other_names=(OtherName(NameKind.PREVIOUS, "Sarah", "Lund"),))
        assert found(f, rule_id) == []


@pytest.mark.parametrize(
    ("rule_id", "fact", "missing"),
    [
        ("R09-other-names", FACT_OTHER_NAMES, "other_names"),
        ("R15-adult-services", FACT_ADULT_SERVICES, "adult_services"),
    ],
)
def test_r09_r15_unsatisfied_for_adults_by_age_or_by_role(rule_id: str, fact: str, missing: str) -> None:
    f = complete_family()
    f.b.forget_fact(f.sarah, fact)
    # someone with no date of birth who looks after Amy is an adult by role
    nan = f.b.person("Nan", "Ives")
    f.b.relate(nan, "FAMMEMB", f.amy)
    f.b.care(nan, f.amy, supervised=True)
    # so is someone whose age is not known who lives with her, with no role and no relationship
    lodger = f.b.person("Lee", "Onslow")
    f.b.lives_at(lodger, f.home)
    expected = [(f"{rule_id}:person:{pid}", IMP, (missing,)) for pid in sorted((f.sarah, nan, lodger))]
    assert found(f, rule_id) == expected


@pytest.mark.parametrize("rule_id", ["R09-other-names", "R11-seen-directly", "R15-adult-services"])
def test_adult_questions_not_asked_of_a_parent_known_to_be_under_18(rule_id: str) -> None:
    """A 17-year-old father is a child: the young-parent requirement asks about him instead."""
    f = complete_family()
    f.b.update(f.daniel, birth_date=f.b.today - timedelta(days=17 * 365), facts={}, seen_directly_on=None)
    assert found(f, rule_id) == []
    assert [key for key, _, _ in found(f, "R22-young-parent")] == [f"R22-young-parent:person:{f.daniel}"]
    # an index child whose date of birth is not known is not an adult either
    f = complete_family()
    f.b.update(f.amy, birth_date=None)
    assert found(f, rule_id) == []


@pytest.mark.parametrize(
    ("rule_id", "fact"), [("R09-other-names", FACT_OTHER_NAMES), ("R15-adult-services", FACT_ADULT_SERVICES)]
)
def test_r09_r15_not_applicable_to_children_outsiders_or_the_dead(rule_id: str, fact: str) -> None:
    f = complete_family()
    teen = f.b.baby("Mia", "Brook", age_days=15 * 365, index=False)
    f.b.relate(f.sarah, BIRTH_MOTHER, teen)
    outsider = f.b.adult("Rob", "Ness", complete=False)
    f.b.outside(outsider)
    late = f.b.adult("Ada", "Brook", age=80, complete=False, death_date=f.b.today - timedelta(days=100))
    f.b.relate(late, BIRTH_MOTHER, f.sarah)
    assert found(f, rule_id) == []


# -- 10: carers -------------------------------------------------------------


def test_r10_satisfied_by_a_related_carer_with_every_detail() -> None:
    f = complete_family()
    add_grandmother_carer(f, frequency="on Tuesdays")
    assert found(f, "R10-carer-details") == []


@pytest.mark.parametrize(
    ("care", "severity"),
    [
        pytest.param({"overnight": True}, CRIT, id="overnight-baby"),
        pytest.param({"supervised": False}, CRIT, id="unsupervised-baby"),
        pytest.param({"supervised": True, "place": CarePlace.CHILD_HOME}, IMP, id="supervised-day-care"),
    ],
)
def test_r10_unsatisfied(care: dict[str, object], severity: Severity) -> None:
    f = complete_family()
    jean = add_grandmother_carer(f, complete=False, related=False, frequency="", **care)
    care_id = f.b.care_arrangements[-1].id
    assert found(f, "R10-carer-details") == [
        (f"R10-carer-details:care:{care_id}:{f.amy}", severity, ("relationship", "frequency")),
        (f"R10-carer-details:person:{jean}", severity, ("address", "contact")),
    ]


def test_r10_birth_parents_details_are_asked_once_under_rule_2() -> None:
    f = complete_family()
    f.b.update(f.daniel, phone="")
    f.b.care_arrangements = [c.__class__(**{**c.__dict__, "frequency": ""}) for c in f.b.care_arrangements]
    assert found(f, "R10-carer-details") == [
        (f"R10-carer-details:care:{f.daniel_care}:{f.amy}", CRIT, ("frequency",))
    ]
    assert [k for k, *_ in found(f, "R02-birth-father")] == [f"R02-birth-father:person:{f.daniel}"]


def test_r10_not_applicable_to_ended_care() -> None:
    f = complete_family()
    add_grandmother_carer(f, complete=False, related=False, frequency="", end=f.b.today - timedelta(days=1))
    assert found(f, "R10-carer-details") == []


# -- 11: seen directly ------------------------------------------------------


def test_r11_satisfied_when_seen() -> None:
    assert found(complete_family(), "R11-seen-directly") == []


@pytest.mark.parametrize(
    ("who", "severity"),
    [
        pytest.param("daniel", CRIT, id="overnight-carer-of-baby"),
        pytest.param("sarah", IMP, id="mother-not-a-carer"),
    ],
)
def test_r11_unsatisfied(who: str, severity: Severity) -> None:
    f = complete_family()
    pid = getattr(f, who)
    f.b.update(pid, seen_directly_on=None)
    assert found(f, "R11-seen-directly") == [
        (f"R11-seen-directly:person:{pid}", severity, ("seen_directly_on",))
    ]


def test_r11_not_applicable_to_children_or_outsiders() -> None:
    f = complete_family()
    outsider = f.b.adult("Rob", "Ness", seen_directly_on=None)
    f.b.outside(outsider)
    assert f.b.people[f.amy].seen_directly_on is None
    assert found(f, "R11-seen-directly") == []


def test_r08_index_children_from_another_relationship_are_not_other_children() -> None:
    """Daniel is the father of Amy and of Zac by another mother, both index
    children of this network: he is still asked about any other children."""
    f = complete_family()
    f.b.forget_fact(f.daniel, FACT_OTHER_CHILDREN)
    zac = f.b.baby("Zac", "Carter")
    f.b.relate(f.daniel, BIRTH_FATHER, zac)
    f.b.relate(f.b.adult("Lou", "Vane"), BIRTH_MOTHER, zac)
    daniel = [g for g in found(f, "R08-other-children") if g[0].endswith(f":person:{f.daniel}")]
    assert daniel == [(f"R08-other-children:person:{f.daniel}", IMP, ("other_children",))]
