"""Each requirement asked exactly as the catalogue says: the findings of
re-reading the rules against PRODUCT.md, each with satisfied, unsatisfied and
not applicable cases.

* Requirement 3 cannot apply before the birth (a baby not born lives nowhere
  and has no contact or care).
* Requirement 4 is for every adult with a parental role: an adult who lives
  with the child and cares for them, and anyone with a record running today,
  are in scope as well as parents and parents' partners.
* Requirement 7 is not met by a social relationship inside the household (it
  does not say who visits, nor that the family was asked).
* The adult questions reach someone of unknown age who lives where an unborn
  baby will live (its birth mother's home) when the baby has no address yet.
"""

from __future__ import annotations

from datetime import timedelta

from kinmap.core.rules import evaluate
from kinmap.core.rules.facts import FACT_CONTACT_ARRANGEMENT, FACT_VISITORS
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, PRBasis
from tests.core.builders import Family, FamilyBuilder, complete_family


def keys(f: Family, rule_id: str) -> list[str]:
    return [u.key for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == rule_id]


R3, R4, R7, R9 = "R03-living-arrangements", "R04-parental-responsibility", "R07-visitors", "R09-other-names"


# -- 3: not before the birth ----------------------------------------------------------


def _unborn_with_parents(f: Family) -> int:
    baby = f.b.unborn()
    f.b.relate(f.sarah, BIRTH_MOTHER, baby)
    f.b.relate(f.daniel, BIRTH_FATHER, baby)
    return baby


def test_r03_not_applicable_before_the_birth() -> None:
    f = complete_family()
    _unborn_with_parents(f)  # no address for the baby yet; the father lives elsewhere
    assert keys(f, R3) == []


def test_r03_still_asked_for_a_born_child_and_satisfied_by_the_contact_arrangement() -> None:
    f = complete_family()
    _unborn_with_parents(f)
    f.b.care_arrangements = [c for c in f.b.care_arrangements if c.id != f.daniel_care]
    assert keys(f, R3) == [f"{R3}:person:{f.daniel}"]  # about Amy, who is born
    f.b.fact(f.daniel, FACT_CONTACT_ARRANGEMENT, "sees Amy at his mother's on Sundays")
    assert keys(f, R3) == []


# -- 4: every adult with a parental role -------------------------------------------------


def _resident_grandmother(f: Family) -> int:
    jean = f.b.adult("Jean", "Brook", age=58)
    f.b.relate(jean, "GRPRN", f.amy)
    f.b.lives_at(jean, f.home)
    return jean


def test_r04_asks_an_adult_who_lives_with_the_child_and_cares_for_them() -> None:
    f = complete_family()
    jean = _resident_grandmother(f)
    f.b.care(jean, f.amy, overnight=True)
    assert keys(f, R4) == [f"{R4}:person:{jean}:{f.amy}"]
    f.b.pr(jean, f.amy, PRBasis.NONE)
    assert keys(f, R4) == []


def test_r04_not_applicable_to_a_carer_who_lives_elsewhere_or_a_resident_who_does_not_care() -> None:
    f = complete_family()
    jean = _resident_grandmother(f)  # lives there, no care arrangement
    pat = f.b.adult("Pat", "Ogun", age=60)
    f.b.relate(pat, "FRND", f.sarah)
    f.b.care(pat, f.amy, place="child-home")  # type: ignore[arg-type]  # cares by day, lives elsewhere
    assert keys(f, R4) == []
    assert jean and pat


def test_r04_asks_anyone_whose_record_running_today_has_no_basis() -> None:
    f = complete_family()
    guardian = f.b.adult("Rae", "Holt", age=45)  # recorded with no relationship to the child
    f.b.pr(guardian, f.amy, PRBasis.UNKNOWN)
    assert keys(f, R4) == [f"{R4}:person:{guardian}:{f.amy}"]
    f.b.responsibilities = [r for r in f.b.responsibilities if r.person_id != guardian]
    f.b.pr(guardian, f.amy, PRBasis.SPECIAL_GUARDIANSHIP)
    assert keys(f, R4) == []


def test_r04_not_applicable_to_someone_whose_records_have_ended_or_who_died() -> None:
    f = complete_family()
    holder = f.b.adult("Rae", "Holt", age=45)
    f.b.pr(holder, f.amy, PRBasis.UNKNOWN)
    f.b.update(holder, death_date=f.b.today - timedelta(days=2))
    assert keys(f, R4) == []


# -- 7: a visitor comes from elsewhere ----------------------------------------------------


def _no_visitors_answer(f: Family) -> None:
    f.b.forget_fact(f.amy, FACT_VISITORS)


def test_r07_not_satisfied_by_a_social_relationship_inside_the_household() -> None:
    f = complete_family()
    _no_visitors_answer(f)
    lodger = f.b.adult("Lou", "Kerr", age=33)
    f.b.lives_at(lodger, f.home)
    f.b.relate(lodger, "FRND", f.sarah)
    assert keys(f, R7) == [f"{R7}:child:{f.amy}"]


def test_r07_satisfied_by_a_visitor_from_elsewhere_or_the_answer() -> None:
    f = complete_family()
    _no_visitors_answer(f)
    assert keys(f, R7) == [f"{R7}:child:{f.amy}"]
    friend = f.b.adult("Pat", "Ogun", age=60)
    f.b.relate(friend, "x-regular-visitor", f.amy)
    assert keys(f, R7) == []
    g = complete_family()
    _no_visitors_answer(g)
    g.b.fact(g.amy, FACT_VISITORS, "none")
    assert keys(g, R7) == []


def test_r07_not_applicable_to_a_child_who_died() -> None:
    f = complete_family()
    _no_visitors_answer(f)
    f.b.update(f.amy, death_date=f.b.today - timedelta(days=1))
    assert keys(f, R7) == []


# -- adults around an unborn baby -------------------------------------------------------


def _expecting() -> tuple[FamilyBuilder, int, int, int]:
    """A mother expecting her first baby, which has no address yet."""
    b = FamilyBuilder()
    home, elsewhere = (
        b.household("4 Willow Close, Testham TE1 1AA"),
        b.household("9 Mill Lane, Testham TE2 2BB"),
    )
    mum = b.adult("Nia", "Wells", age=24)
    b.lives_at(mum, home)
    baby = b.unborn()
    b.relate(mum, BIRTH_MOTHER, baby)
    return b, home, elsewhere, baby


def _r09(b: FamilyBuilder) -> list[str]:
    return [u.key for u in evaluate(b.build(), b.today) if u.rule_id == R9]


def test_adult_questions_reach_someone_of_unknown_age_at_the_home_an_unborn_baby_will_live_in() -> None:
    b, home, _elsewhere, _baby = _expecting()
    lodger = b.person("Lou", "Kerr")  # no date of birth, no family role
    b.lives_at(lodger, home)
    assert f"{R9}:person:{lodger}" in _r09(b)


def test_adult_questions_not_for_someone_of_unknown_age_with_no_role_living_elsewhere() -> None:
    b, _home, elsewhere, _baby = _expecting()
    stranger = b.person("Lou", "Kerr")
    b.lives_at(stranger, elsewhere)
    assert f"{R9}:person:{stranger}" not in _r09(b)


def test_adult_questions_follow_the_babys_own_address_once_it_has_one() -> None:
    b, home, elsewhere, baby = _expecting()
    lodger = b.person("Lou", "Kerr")
    b.lives_at(lodger, home)
    b.lives_at(baby, elsewhere)  # the baby will live elsewhere: the mother's lodger is not asked
    assert f"{R9}:person:{lodger}" not in _r09(b)
