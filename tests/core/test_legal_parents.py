"""Two legal parents of the same sex: the birth mother stays the person who
gave birth; a legal parent (PRN) carries how they are one, shown in words."""

from __future__ import annotations

from datetime import date

from kinmap.core.genogram.layout import genogram_layout
from kinmap.core.genogram.scene import Descent
from kinmap.core.graph import FamilyGraph
from kinmap.core.hl7 import coding_for
from kinmap.core.model import Network, Person, Relationship
from kinmap.core.validation import Problem, network_problems
from kinmap.core.vocab import Sex, relation_sentence

TODAY = date(2026, 3, 1)


def _family(*rels: Relationship) -> Network:
    people = {
        1: Person(id=1, given_name="Ivy", family_name="Rowe", sex=Sex.FEMALE),
        2: Person(id=2, given_name="Cass", family_name="Rowe", sex=Sex.FEMALE),
        3: Person(id=3, given_name="Jo", family_name="Rowe", sex=Sex.FEMALE),
        4: Person(id=4, given_name="Tom", family_name="Hale", sex=Sex.MALE),
        5: Person(id=5, given_name="Raj", family_name="Hale", sex=Sex.MALE),
    }
    return Network(id=1, name="Rowe family", index_child_ids=(1,), people=people, relationships=rels)


def test_a_birth_mother_and_a_second_mother_by_marriage_are_both_parents() -> None:
    net = _family(
        Relationship(10, 2, 1, "NMTH"),
        Relationship(11, 3, 1, "PRN", legal_basis="marriage"),
        Relationship(12, 2, 3, "SPS"),
    )
    assert network_problems(net, TODAY) == []
    graph = FamilyGraph(net, TODAY)
    assert graph.birth_mother(1) == 2
    assert sorted(graph.parents(1)) == [2, 3]


def test_two_fathers_by_a_parental_order_are_recordable() -> None:
    net = _family(
        Relationship(10, 4, 1, "PRN", legal_basis="parental-order"),
        Relationship(11, 5, 1, "PRN", legal_basis="parental-order"),
    )
    assert network_problems(net, TODAY) == []
    assert sorted(FamilyGraph(net, TODAY).parents(1)) == [4, 5]


def test_a_legal_parent_needs_a_basis_and_nobody_else_has_one() -> None:
    problems = network_problems(_family(Relationship(10, 3, 1, "PRN")), TODAY)
    assert [(p.record_id, p.field) for p in problems] == [(10, "legal_basis")]
    assert problems[0].message.startswith("Choose how they are the child's legal parent")
    assert network_problems(_family(Relationship(10, 3, 1, "PRN", legal_basis="guess")), TODAY)[0].field == (
        "legal_basis"
    )
    assert network_problems(_family(Relationship(10, 3, 1, "STPMTH", legal_basis="marriage")), TODAY) == [
        Problem(
            "relationship",
            10,
            "legal_basis",
            "Only a legal parent has a basis of legal parenthood: choose 'legal parent of'",
        )
    ]


def test_legal_parenthood_is_shown_in_words_and_coded_with_hl7() -> None:
    assert relation_sentence("PRN", "Jo Rowe", "Ivy Rowe", "marriage") == (
        "Jo Rowe is a legal parent of Ivy Rowe (married to or in a civil partnership with the birth "
        "mother when the child was conceived)"
    )
    assert relation_sentence("PRN", "Tom Hale", "Ivy Rowe", "parental-order") == (
        "Tom Hale is a legal parent of Ivy Rowe (by a parental order after surrogacy)"
    )
    assert relation_sentence("NMTH", "Cass Rowe", "Ivy Rowe") == "Cass Rowe is the birth mother of Ivy Rowe"
    # HL7 v3 RoleCode PRN "parent"; the child's side is CHILD "child"
    assert coding_for("PRN")["code"] == "PRN" and coding_for("PRN")["display"] == "parent"
    assert coding_for("PRN", reverse=True)["code"] == "CHILD"


def test_the_genogram_draws_a_legal_parent_link_marked_l() -> None:
    net = _family(Relationship(10, 2, 1, "NMTH"), Relationship(11, 3, 1, "PRN", legal_basis="agreement"))
    scene = genogram_layout(net, TODAY)
    kinds = {(c.parent_ids, c.descent) for c in scene.children}
    assert kinds == {((2,), Descent.BIRTH), ((3,), Descent.LEGAL)}
