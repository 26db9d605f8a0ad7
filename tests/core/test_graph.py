"""Derivations over the family network (kinmap.core.graph)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kinmap.core.graph import FamilyGraph, Group, Sibling, SiblingKind
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, CarePlace
from tests.core.builders import TODAY, FamilyBuilder, complete_family


def graph(b: FamilyBuilder) -> FamilyGraph:
    return FamilyGraph(b.build(), b.today)


@pytest.fixture
def blended() -> tuple[FamilyBuilder, dict[str, int]]:
    """Amy's parents are Sarah and Daniel. Ben is her full brother. Daniel has
    Kai with Lucy (Amy's half-brother). Sarah's partner Tom has Ella (Amy's
    stepsister). Mia is Sarah's daughter whose father is not recorded."""
    b = FamilyBuilder()
    ids = {
        name: (
            b.adult(name, "X")
            if name in {"sarah", "daniel", "lucy", "tom"}
            else b.baby(name, "X", index=False)
        )
        for name in ("sarah", "daniel", "lucy", "tom", "amy", "ben", "kai", "ella", "mia")
    }
    b.index.append(ids["amy"])
    for child in ("amy", "ben", "mia"):
        b.relate(ids["sarah"], BIRTH_MOTHER, ids[child])
    for child in ("amy", "ben", "kai"):
        b.relate(ids["daniel"], BIRTH_FATHER, ids[child])
    b.relate(ids["lucy"], BIRTH_MOTHER, ids["kai"])
    b.relate(ids["tom"], BIRTH_FATHER, ids["ella"])
    b.relate(ids["sarah"], "DOMPART", ids["tom"])
    b.relate(ids["sarah"], "x-former-partner", ids["daniel"])
    return b, ids


def test_birth_parents_and_parents(blended: tuple[FamilyBuilder, dict[str, int]]) -> None:
    b, ids = blended
    g = graph(b)
    assert g.birth_mother(ids["amy"]) == ids["sarah"]
    assert g.birth_father(ids["amy"]) == ids["daniel"]
    assert g.birth_father(ids["mia"]) is None
    assert g.birth_parents(ids["amy"]) == {ids["sarah"], ids["daniel"]}
    assert g.children(ids["daniel"]) == [ids["amy"], ids["ben"], ids["kai"]]


def test_ended_step_parent_is_not_a_current_parent() -> None:
    b = FamilyBuilder()
    amy, tom = b.baby("Amy", "X"), b.adult("Tom", "Y")
    b.relate(tom, "STPFTH", amy, end=TODAY - timedelta(days=1))
    g = graph(b)
    assert g.parents(amy) == []
    assert g.parents(amy, current=False) == [tom]


def test_full_half_and_step_siblings(blended: tuple[FamilyBuilder, dict[str, int]]) -> None:
    b, ids = blended
    assert graph(b).siblings(ids["amy"]) == sorted(
        [
            Sibling(ids["ben"], SiblingKind.FULL),  # both birth parents shared
            Sibling(ids["kai"], SiblingKind.HALF),  # shares the father only
            Sibling(ids["ella"], SiblingKind.STEP),  # child of the mother's partner
            Sibling(ids["mia"], SiblingKind.HALF),  # shares the mother; her father is not recorded
        ],
        key=lambda s: s.person_id,
    )


def test_step_sibling_through_a_step_parent_and_recorded_siblings() -> None:
    b = FamilyBuilder()
    amy, tom, ella, zac = b.baby("Amy", "X"), b.adult("Tom", "Y"), b.baby("Ella", "Y"), b.baby("Zac", "Q")
    b.relate(tom, "STPFTH", amy)
    b.relate(tom, BIRTH_FATHER, ella)
    b.relate(zac, "HSIB", amy)  # recorded directly, no parents on the record
    assert graph(b).siblings(amy) == [Sibling(ella, SiblingKind.STEP), Sibling(zac, SiblingKind.HALF)]


def test_children_from_other_relationships(blended: tuple[FamilyBuilder, dict[str, int]]) -> None:
    b, ids = blended
    g = graph(b)
    assert g.children_from_other_relationships(ids["daniel"], ids["amy"]) == [ids["kai"]]
    assert g.children_from_other_relationships(ids["sarah"], ids["amy"]) == [ids["mia"]]
    # Mia's father is not recorded, so Ben and Amy both count as from another relationship
    assert g.children_from_other_relationships(ids["sarah"], ids["mia"]) == [ids["amy"], ids["ben"]]


def test_partners_current_and_former(blended: tuple[FamilyBuilder, dict[str, int]]) -> None:
    b, ids = blended
    g = graph(b)
    assert g.partners(ids["sarah"]) == [ids["tom"]]
    assert g.partners(ids["sarah"], current=False) == [ids["tom"], ids["daniel"]]


def test_households_lives_with_and_lives_elsewhere() -> None:
    f = complete_family()
    nomad = f.b.adult("Rob", "Ness")
    moved = f.b.adult("Kim", "Lowe")
    f.b.lives_at(moved, f.home, end=TODAY - timedelta(days=10))
    g = FamilyGraph(f.network(), TODAY)
    assert g.households_of(f.sarah) == {f.home}
    assert g.lives_with(f.sarah, f.amy) and not g.lives_with(f.daniel, f.amy)
    assert g.lives_elsewhere(f.daniel, f.amy)
    assert not g.lives_elsewhere(f.sarah, f.amy)
    assert not g.lives_elsewhere(nomad, f.amy), "no address: not known to live elsewhere"
    assert g.households_of(moved) == set() and g.households_of(moved, TODAY - timedelta(days=20)) == {f.home}
    assert g.household_roster(f.home) == [f.amy, f.sarah]


def test_lives_elsewhere_needs_the_childs_address_too() -> None:
    f = complete_family()
    f.b.residences = [r for r in f.b.residences if r.person_id != f.amy]
    assert not FamilyGraph(f.network(), TODAY).lives_elsewhere(f.daniel, f.amy)


def test_care_away_from_home_and_overnight_carers() -> None:
    f = complete_family()
    jean = f.b.adult("Jean", "Brook", age=58)
    f.b.care(jean, f.amy, place=CarePlace.CHILD_HOME, frequency="on Tuesdays")
    ended = f.b.adult("Old", "Carer")
    f.b.care(ended, f.amy, overnight=True, end=TODAY - timedelta(days=1))
    g = FamilyGraph(f.network(), TODAY)
    assert g.carers(f.amy) == [f.daniel, jean]
    assert [c.carer_id for c in g.care_away_from_home(f.amy)] == [f.daniel]
    assert g.overnight_carers(f.amy) == [f.daniel]
    assert g.gives_overnight_care(f.daniel) and g.gives_overnight_care(f.daniel, f.amy)
    assert not g.gives_overnight_care(jean) and not g.gives_overnight_care(ended)
    assert len(g.care_of(f.amy, current=False)) == 3


def test_groups_on_the_family_page() -> None:
    f = complete_family()
    friend = f.b.person("Priya", "Shah")
    f.b.relate(friend, "FRND", f.sarah)
    uncle = f.b.adult("Uncle", "Brook")  # family by care, no address recorded
    f.b.care(uncle, f.amy, supervised=True, place=CarePlace.CHILD_HOME)
    g = FamilyGraph(f.network(), TODAY)
    assert g.group_for(f.sarah, f.amy) is Group.LIVES_WITH
    assert g.group_for(f.daniel, f.amy) is Group.LIVES_ELSEWHERE
    assert g.group_for(uncle, f.amy) is Group.LIVES_ELSEWHERE
    assert g.group_for(friend, f.amy) is Group.SIGNIFICANT
    assert g.groups(f.amy) == {
        Group.LIVES_WITH: [f.sarah],
        Group.LIVES_ELSEWHERE: [f.daniel, uncle],
        Group.SIGNIFICANT: [friend],
    }


def test_relation_to_child_in_words(blended: tuple[FamilyBuilder, dict[str, int]]) -> None:
    b, ids = blended
    gran = b.adult("Jean", "X", age=60)
    b.relate(gran, BIRTH_MOTHER, ids["sarah"])
    stranger = b.adult("Rob", "Ness")
    g = graph(b)
    amy = ids["amy"]
    assert g.relation_to_child(ids["daniel"], amy) == "birth father"
    assert g.relation_to_child(amy, ids["daniel"]) == "child"
    assert g.relation_to_child(ids["kai"], amy) == "half-sibling"
    assert g.relation_to_child(ids["ella"], amy) == "stepsibling"
    assert g.relation_to_child(ids["tom"], amy) == "partner of the child's birth mother"
    assert g.relation_to_child(gran, amy) == "grandparent"
    assert g.relation_to_child(stranger, amy) == "significant person"
    assert g.relation_to_child(amy, amy) == "the child"


def test_describe_the_father_who_has_the_baby_overnight() -> None:
    f = complete_family()
    f.b.care_arrangements = [
        c.__class__(**{**c.__dict__, "frequency": "on Fridays"}) for c in f.b.care_arrangements
    ]
    g = FamilyGraph(f.network(), TODAY)
    assert g.describe(f.daniel, f.amy) == (
        "Birth father · lives elsewhere · has the baby overnight (on Fridays) at the carer's home"
    )
    assert g.describe(f.sarah, f.amy) == "Birth mother · lives with the child"


def test_describe_day_care_an_older_child_no_address_and_a_death() -> None:
    f = complete_family()
    f.b.update(f.amy, birth_date=TODAY - timedelta(days=800))
    jean = f.b.adult("Jean", "Brook", age=60)
    f.b.relate(jean, "GRPRN", f.amy)
    f.b.care(jean, f.amy, frequency="on Tuesdays", place=CarePlace.CHILD_HOME)
    late = f.b.adult("Ada", "Brook", age=80, death_date=date(2025, 3, 3))
    f.b.relate(late, "GRPRN", f.amy)
    g = FamilyGraph(f.network(), TODAY)
    assert g.describe(jean, f.amy) == (
        "Grandparent · address not recorded · looks after the child (on Tuesdays), unsupervised"
    )
    assert g.describe(late, f.amy) == "Grandparent · address not recorded · died 3 March 2025"


def test_twins_are_born_to_the_same_mother_on_the_same_day_and_described_so() -> None:
    f = complete_family()
    twin = f.b.baby("Ava", "Brook")  # born the same day as Amy
    f.b.relate(f.sarah, BIRTH_MOTHER, twin)
    f.b.relate(f.daniel, BIRTH_FATHER, twin)
    older = f.b.baby("Bea", "Brook", age_days=900, index=False)
    f.b.relate(f.sarah, BIRTH_MOTHER, older)
    graph = FamilyGraph(f.network(), f.b.today)
    assert graph.is_twin(f.amy, twin) and not graph.is_twin(f.amy, older)
    assert graph.relation_to_child(twin, f.amy) == "twin"
    assert graph.relation_to_child(older, f.amy) == "half-sibling"
    # another mother's baby born the same day is not a twin
    other = f.b.baby("Cal", "Dove")
    f.b.relate(f.b.adult("Dee", "Dove"), BIRTH_MOTHER, other)
    assert not FamilyGraph(f.network(), f.b.today).is_twin(f.amy, other)
