"""Care orders: the local authority shares parental responsibility (Children
Act 1989 s33(3)); rule 4 still asks, and is still answered by, each adult."""

from __future__ import annotations

from datetime import timedelta

from kinmap.core.model import CareOrder, ParentalResponsibility, Person
from kinmap.core.responsibility import care_order_problems, care_order_sentence, care_orders_ended_by
from kinmap.core.rules import evaluate
from kinmap.core.vocab import PRBasis
from tests.core.builders import TODAY, Family, complete_family

R4 = "R04-parental-responsibility"


def r4(f: Family) -> list[str]:
    return [u.key for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == R4]


def test_rule_4_is_satisfied_by_the_parents_records_under_a_care_order() -> None:
    f = complete_family()
    f.b.care_order(f.amy)
    assert r4(f) == []


def test_a_care_order_does_not_answer_a_parents_parental_responsibility() -> None:
    f = complete_family()
    f.b.responsibilities = [r for r in f.b.responsibilities if r.person_id != f.daniel]
    f.b.care_order(f.amy)
    assert r4(f) == [f"{R4}:person:{f.daniel}:{f.amy}"]


def test_a_care_order_ends_no_parents_parental_responsibility() -> None:
    f = complete_family()
    order = f.b.care_order(f.amy, start=TODAY - timedelta(days=30))
    assert order
    # the parents' records run on: no gap, and the local authority is asked nothing
    gaps = evaluate(f.network(), f.b.today, process=f.process())
    assert [u.key for u in gaps if u.rule_id == R4] == []
    assert not any(u.subject.kind == "care-order" for u in gaps)


def test_rule_4_not_applicable_before_the_birth_even_with_a_care_order_recorded() -> None:
    f = complete_family()
    baby = f.b.unborn()
    f.b.relate(f.sarah, "NMTH", baby)
    f.b.care_order(baby)  # cannot be made (the service refuses it); the rule still asks nothing
    assert [k for k in r4(f) if k.endswith(f":{baby}")] == []


# -- what a care order can be ---------------------------------------------------------


def _order(oid: int = 1, **kw: object) -> CareOrder:
    fields: dict[str, object] = {"child_id": 10, "local_authority": "Testham City Council", "start": TODAY}
    fields.update(kw)
    return CareOrder(oid, **fields)  # type: ignore[arg-type]


def _child(**kw: object) -> Person:
    f = complete_family()
    f.b.update(f.amy, **kw)
    return f.b.people[f.amy]


def test_a_care_order_names_its_authority_and_its_date() -> None:
    child = _child()
    assert care_order_problems(_order(start=child.birth_date), [], child) == []
    problems = care_order_problems(_order(local_authority=" ", start=None), [], child)
    assert [f for f, _ in problems] == ["local_authority", "start"]


def test_a_care_order_is_made_for_a_child_who_has_been_born() -> None:
    child = _child()
    assert child.birth_date is not None
    before = care_order_problems(_order(start=child.birth_date - timedelta(days=1)), [], child)
    assert [f for f, _ in before] == ["start"]
    f = complete_family()
    unborn = f.b.people[f.b.unborn()]
    assert care_order_problems(_order(start=TODAY), [], unborn) == [
        ("start", "A care order can only be made once the child is born")
    ]


def test_a_care_order_ends_after_it_starts_and_one_runs_at_a_time() -> None:
    child = _child()
    assert [f for f, _ in care_order_problems(_order(end=TODAY), [], child)] == ["end"]
    running = _order(2, start=TODAY - timedelta(days=10))
    assert [f for f, _ in care_order_problems(_order(), [running], child)] == ["start"]
    ended = _order(2, start=TODAY - timedelta(days=10), end=TODAY)
    assert care_order_problems(_order(), [ended], child) == []  # one ended the day the next was made


def test_an_adoption_order_ends_a_care_order_and_a_special_guardianship_order_does_not() -> None:
    running = _order(start=TODAY - timedelta(days=100))
    adoption = ParentalResponsibility(7, 3, 10, PRBasis.ADOPTION_ORDER, TODAY)
    assert care_orders_ended_by([running], adoption) == {1: TODAY}
    sgo = ParentalResponsibility(7, 3, 10, PRBasis.SPECIAL_GUARDIANSHIP, TODAY)
    assert care_orders_ended_by([running], sgo) == {}
    other_child = ParentalResponsibility(7, 3, 11, PRBasis.ADOPTION_ORDER, TODAY)
    assert care_orders_ended_by([running], other_child) == {}


def test_a_care_order_in_words() -> None:
    order = _order(start=TODAY - timedelta(days=5))
    assert care_order_sentence(order, "Amy Brook", TODAY).startswith(
        "Testham City Council shares parental responsibility for Amy Brook with the parents who have it"
    )
    ended = _order(start=TODAY - timedelta(days=50), end=TODAY)
    assert care_order_sentence(ended, "Amy Brook", TODAY).startswith("Testham City Council shared")
    later = _order(start=TODAY + timedelta(days=5))
    assert "will share" in care_order_sentence(later, "Amy Brook", TODAY)
