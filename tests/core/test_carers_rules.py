"""Rules 17 to 20: safety information for every carer of a baby. Pure: no database."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from kinmap.core import model as core
from kinmap.core.carers import (
    CRITICAL,
    IMPORTANT,
    R17_ICON,
    R18_SAFER_SLEEP,
    R18_SLEEP_PLACE,
    R19_REOFFER,
    R20_ROUTE,
    CarerCheck,
    CarerSettings,
    all_checks,
    carer_summaries,
)
from kinmap.core.vocab import CarePlace, DateAccuracy, InfoHow, InvitationOutcome, Sex

TODAY = date(2026, 3, 2)
BABY, MOTHER, FATHER, GRAN = 1, 2, 3, 4
HOME, AWAY = 10, 20


def family(
    *,
    baby_days: int = 42,
    info: tuple[core.InformationGiven, ...] = (),
    invitations: tuple[core.Invitation, ...] = (),
    father_care: core.CareArrangement | None = None,
    extra_care: tuple[core.CareArrangement, ...] = (),
    father_moved: date | None = None,
    unborn: bool = False,
) -> core.Network:
    """A baby living with the mother; the father lives elsewhere and has the baby overnight."""
    birth = TODAY - timedelta(days=baby_days)
    people = {
        BABY: core.Person(
            BABY,
            "Rowan",
            "Testbaby",
            sex=Sex.MALE,
            birth_date=birth,
            birth_date_accuracy=DateAccuracy.EXPECTED if unborn else DateAccuracy.ACCURATE,
        ),
        MOTHER: core.Person(MOTHER, "Mara", "Testmother", sex=Sex.FEMALE, birth_date=date(1998, 5, 1)),
        FATHER: core.Person(FATHER, "Dan", "Testfather", sex=Sex.MALE, birth_date=date(1996, 7, 9)),
        GRAN: core.Person(GRAN, "Gwen", "Testgran", sex=Sex.FEMALE, birth_date=date(1970, 1, 1)),
    }
    care = (
        father_care
        if father_care is not None
        else core.CareArrangement(
            100, FATHER, BABY, CarePlace.CARER_HOME, "on Fridays", overnight=True, sleep_place=""
        )
    )
    return core.Network(
        id=1,
        name="Testbaby family",
        index_child_ids=(BABY,),
        people=people,
        relationships=(
            core.Relationship(1, MOTHER, BABY, "NMTH"),
            core.Relationship(2, FATHER, BABY, "NFTH"),
            core.Relationship(3, GRAN, BABY, "GRPRN"),
        ),
        households={HOME: core.Household(HOME, "1 Home Road"), AWAY: core.Household(AWAY, "9 Away Lane")},
        residences=(
            core.Residence(1, MOTHER, HOME),
            core.Residence(2, BABY, HOME),
            core.Residence(3, FATHER, AWAY, start=father_moved),
        ),
        care=(care, *extra_care),
        information_given=info,
        invitations=invitations,
    )


def given(
    n: int, who: int, material: str, on: date, how: InfoHow = InfoHow.IN_PERSON, **kw: object
) -> core.InformationGiven:
    return core.InformationGiven(n, who, material, on, how, **kw)  # type: ignore[arg-type]


def checks(net: core.Network, rule: str, who: int | None = None) -> list[CarerCheck]:
    return [c for c in all_checks(net, TODAY) if c.rule == rule and (who is None or c.person_id == who)]


def one(net: core.Network, rule: str, who: int) -> CarerCheck:
    found = checks(net, rule, who)
    assert len(found) == 1, found
    return found[0]


# -- who is a carer ----------------------------------------------------------------


def test_carers_are_those_with_care_and_parents_who_live_with_the_baby() -> None:
    summaries = carer_summaries(family(), TODAY)[BABY]
    assert [s.carer.person_id for s in summaries] == [MOTHER, FATHER]
    mother, father = summaries
    assert mother.carer.lives_with and not mother.carer.overnight
    assert father.carer.lives_elsewhere and father.carer.overnight
    # the grandparent does not live with the baby and gives no care: not a carer
    assert GRAN not in {s.carer.person_id for s in summaries}


# -- rule 17: ICON -----------------------------------------------------------------


def test_r17_satisfied_when_icon_given() -> None:
    net = family(info=(given(1, FATHER, "icon", TODAY - timedelta(days=30), InfoHow.TELEPHONE),))
    c = one(net, R17_ICON, FATHER)
    assert c.met
    assert c.detail == "ICON given on 31 January 2026"


def test_r17_unsatisfied_for_the_father_by_two_weeks_and_critical_for_overnight_care() -> None:
    net = family(info=(given(1, MOTHER, "icon", TODAY - timedelta(days=32)),))
    assert one(net, R17_ICON, MOTHER).met
    c = one(net, R17_ICON, FATHER)
    assert not c.met
    assert c.severity == CRITICAL
    assert c.materials == ("icon",)
    assert c.detail == "ICON not given (due by 2 February 2026)."


def test_r17_a_decline_keeps_it_open_and_says_so() -> None:
    net = family(
        info=(
            given(
                1,
                FATHER,
                "icon",
                TODAY - timedelta(days=3),
                declined=True,
                declined_reason="he says he knows it all",
            ),
        )
    )
    c = one(net, R17_ICON, FATHER)
    assert not c.met
    assert c.detail.endswith('Offered and declined on 27 February 2026: "he says he knows it all".')


def test_r17_not_applicable_before_two_weeks_after_one_year_and_for_unborn() -> None:
    assert checks(family(baby_days=10), R17_ICON) == []
    assert checks(family(baby_days=400), R17_ICON) == []
    assert checks(family(baby_days=-30, unborn=True), R17_ICON) == []


def test_r17_threshold_is_configurable() -> None:
    net = family(baby_days=10)
    found = [c for c in all_checks(net, TODAY, CarerSettings(icon_by_days=7)) if c.rule == R17_ICON]
    assert {c.person_id for c in found if not c.met} == {MOTHER, FATHER}


def test_r17_is_due_from_the_day_a_new_carer_starts() -> None:
    start = TODAY - timedelta(days=5)
    gran_care = core.CareArrangement(101, GRAN, BABY, CarePlace.CHILD_HOME, "Tuesdays", start=start)
    c = one(family(extra_care=(gran_care,)), R17_ICON, GRAN)
    assert not c.met
    assert c.detail == "ICON not given (due by 25 February 2026)."
    # a carer who starts today is due today; one who starts tomorrow is not yet a carer
    today_care = dataclasses.replace(gran_care, start=TODAY)
    assert not one(family(extra_care=(today_care,)), R17_ICON, GRAN).met


def test_a_new_carer_who_had_icon_before_is_offered_it_again_under_r19() -> None:
    start = TODAY - timedelta(days=5)
    gran_care = core.CareArrangement(101, GRAN, BABY, CarePlace.CHILD_HOME, "Tuesdays", start=start)
    before = given(1, GRAN, "icon", start - timedelta(days=20))
    net = family(extra_care=(gran_care,), info=(before,))
    assert one(net, R17_ICON, GRAN).met
    again = one(net, R19_REOFFER, GRAN)
    assert not again.met
    assert again.materials == ("icon",)
    assert again.detail == (
        "ICON (babies cry, you can cope) not offered again since they became a carer on 25 February 2026."
    )
    net = family(extra_care=(gran_care,), info=(before, given(2, GRAN, "icon", start)))
    assert one(net, R19_REOFFER, GRAN).met


# -- rule 18: safer sleep and sleep places ------------------------------------------


def test_r18_satisfied_when_safer_sleep_given_and_sleep_place_recorded() -> None:
    care = core.CareArrangement(
        100, FATHER, BABY, CarePlace.CARER_HOME, overnight=True, sleep_place="Own cot in his bedroom"
    )
    net = family(father_care=care, info=(given(1, FATHER, "safer-sleep", TODAY - timedelta(days=1)),))
    assert one(net, R18_SAFER_SLEEP, FATHER).met
    place = one(net, R18_SLEEP_PLACE, FATHER)
    assert place.met and place.care_id == 100
    assert place.detail == "Sleeps: Own cot in his bedroom"


def test_r18_unsatisfied_for_an_overnight_carer_with_no_advice_and_no_sleep_place() -> None:
    net = family()
    advice = one(net, R18_SAFER_SLEEP, FATHER)
    assert not advice.met and advice.severity == CRITICAL
    assert advice.materials == ("safer-sleep",)
    place = one(net, R18_SLEEP_PLACE, FATHER)
    assert not place.met and place.severity == CRITICAL
    assert place.detail == "Where the baby sleeps during care overnight is not recorded."
    # the mother, at home without a care arrangement, needs the advice too (important)
    assert one(net, R18_SAFER_SLEEP, MOTHER).severity == IMPORTANT
    assert checks(net, R18_SLEEP_PLACE, MOTHER) == []


def test_r18_not_applicable_after_one_year_or_for_daytime_care_at_home() -> None:
    assert checks(family(baby_days=366), R18_SAFER_SLEEP) == []
    assert checks(family(baby_days=366), R18_SLEEP_PLACE) == []
    at_home = core.CareArrangement(100, FATHER, BABY, CarePlace.CHILD_HOME, "Saturday mornings")
    assert checks(family(father_care=at_home), R18_SLEEP_PLACE) == []


# -- rule 19: core information again after a change ------------------------------


def test_r19_not_applicable_when_nothing_changed_or_nothing_was_had_before() -> None:
    assert checks(family(), R19_REOFFER) == []
    assert checks(family(baby_days=400, father_moved=TODAY - timedelta(days=3)), R19_REOFFER) == []
    # a move, but he had nothing before it: giving it the first time is rules 17 and 18
    assert checks(family(father_moved=TODAY - timedelta(days=3)), R19_REOFFER) == []
    declined_only = given(1, FATHER, "icon", TODAY - timedelta(days=20), declined=True, declined_reason="no")
    assert checks(family(father_moved=TODAY - timedelta(days=3), info=(declined_only,)), R19_REOFFER) == []


def test_r19_unsatisfied_after_a_move_until_both_are_offered_again() -> None:
    moved = TODAY - timedelta(days=7)
    old = (
        given(1, FATHER, "icon", moved - timedelta(days=20)),
        given(2, FATHER, "safer-sleep", moved - timedelta(days=20)),
    )
    c = one(family(father_moved=moved, info=old), R19_REOFFER, FATHER)
    assert not c.met
    assert c.materials == ("icon", "safer-sleep")
    assert c.detail == (
        "ICON (babies cry, you can cope) and Safer sleep not offered again since they "
        "moved to a new address on 23 February 2026."
    )
    again = (
        *old,
        given(3, FATHER, "icon", moved, InfoHow.TELEPHONE),
        # an offer that was declined still counts as re-offered
        given(4, FATHER, "safer-sleep", moved, InfoHow.TELEPHONE, declined=True, declined_reason="later"),
    )
    assert one(family(father_moved=moved, info=again), R19_REOFFER, FATHER).met


def test_r19_overnight_stays_beginning_call_for_it_again() -> None:
    began = TODAY - timedelta(days=2)
    days = core.CareArrangement(
        100, FATHER, BABY, CarePlace.CARER_HOME, "Saturdays", start=TODAY - timedelta(days=40)
    )
    nights = core.CareArrangement(101, FATHER, BABY, CarePlace.CARER_HOME, overnight=True, start=began)
    had = (
        given(1, FATHER, "icon", TODAY - timedelta(days=30)),
        given(2, FATHER, "safer-sleep", TODAY - timedelta(days=30)),
    )
    c = one(family(father_care=days, extra_care=(nights,), info=had), R19_REOFFER, FATHER)
    assert not c.met and c.severity == CRITICAL
    assert c.detail == (
        "ICON (babies cry, you can cope) and Safer sleep not offered again since "
        "overnight stays began on 28 February 2026."
    )


# -- rule 20: a route to the information for carers who live elsewhere ------------


def test_r20_not_applicable_to_carers_who_live_with_the_baby() -> None:
    assert checks(family(), R20_ROUTE, MOTHER) == []
    assert checks(family(baby_days=400), R20_ROUTE) == []


def test_r20_unsatisfied_until_a_route_is_offered() -> None:
    c = one(family(), R20_ROUTE, FATHER)
    assert not c.met and c.severity == CRITICAL
    assert c.detail == (
        "Not yet offered a joint appointment, copies of the materials or a telephone conversation."
    )


def test_r20_a_joint_appointment_closes_it_only_when_attended() -> None:
    def invited(outcome: InvitationOutcome) -> core.Network:
        inv = core.Invitation(1, FATHER, TODAY + timedelta(days=5), "6-8-weeks", outcome)
        return family(invitations=(inv,))

    pending = one(invited(InvitationOutcome.PENDING), R20_ROUTE, FATHER)
    assert not pending.met
    assert pending.detail == "Invited to the 6 to 8 week review on 7 March 2026: waiting for the appointment."
    declined = one(invited(InvitationOutcome.DECLINED), R20_ROUTE, FATHER)
    assert not declined.met and "offer copies or a telephone call instead" in declined.detail
    assert not one(invited(InvitationOutcome.NO_REPLY), R20_ROUTE, FATHER).met
    attended = one(invited(InvitationOutcome.ATTENDED), R20_ROUTE, FATHER)
    assert attended.met
    assert attended.detail == "Came to the 6 to 8 week review on 7 March 2026"


def test_r20_satisfied_by_a_telephone_conversation_or_copies() -> None:
    for how in (InfoHow.TELEPHONE, InfoHow.POST, InfoHow.EMAIL, InfoHow.JOINT_APPOINTMENT):
        net = family(info=(given(1, FATHER, "icon", TODAY, how),))
        assert one(net, R20_ROUTE, FATHER).met
    phoned = family(info=(given(1, FATHER, "icon", TODAY, InfoHow.TELEPHONE),))
    assert one(phoned, R20_ROUTE, FATHER).detail == (
        "Given directly: talked through by telephone, 2 March 2026"
    )
    # handed over at a contact at the baby's home is not one of the routes the rule asks about
    assert not one(family(info=(given(1, FATHER, "icon", TODAY),)), R20_ROUTE, FATHER).met


# -- the summary the pages show ------------------------------------------------------


def test_summary_lists_what_each_carer_still_needs() -> None:
    net = family(info=(given(1, FATHER, "icon", TODAY, InfoHow.TELEPHONE),))
    rows = {s.carer.person_id: s for s in carer_summaries(net, TODAY)[BABY]}
    assert rows[FATHER].missing == ("safer-sleep",)
    assert rows[MOTHER].missing == ("icon", "safer-sleep")
    assert [i.material for i in rows[FATHER].given] == ["icon"]
    assert {c.rule for c in rows[FATHER].unmet} == {R18_SAFER_SLEEP, R18_SLEEP_PLACE}


def test_a_deceased_carer_is_not_checked() -> None:
    net = family()
    dead = dataclasses.replace(net.people[FATHER], death_date=TODAY - timedelta(days=1))
    net = dataclasses.replace(net, people={**net.people, FATHER: dead})
    assert checks(net, R17_ICON, FATHER) == []


# -- through the rules engine, like any other requirement -------------------------


def test_rules_17_to_20_are_in_the_catalogue_and_the_engine_reports_them() -> None:
    from kinmap.core.rules import Severity, SubjectKind, evaluate, explain, rules

    ids = [r.id for r in rules() if 17 <= r.number <= 21]
    assert ids == [
        "R17-icon",
        "R18-safer-sleep",
        "R19-core-information-again",
        "R20-carers-elsewhere",
        "R18-sleep-place",
    ]
    assert "walk away" in explain("R17-icon").why_we_ask
    gaps = [g for g in evaluate(family(), TODAY) if g.rule_id in ids]
    father = {g.rule_id: g for g in gaps if g.subject.id == FATHER or g.subject.kind is SubjectKind.CARE}
    assert father["R17-icon"].severity is Severity.CRITICAL
    assert father["R17-icon"].detail == "Dan Testfather: ICON not given (due by 2 February 2026)."
    assert father["R17-icon"].key == f"R17-icon:person:{FATHER}"
    assert father["R17-icon"].missing == ("icon",)
    assert father["R18-safer-sleep"].missing == ("safer_sleep",)
    assert father["R18-sleep-place"].key == f"R18-sleep-place:care:100:{BABY}"
    assert father["R20-carers-elsewhere"].missing == ("carer_route",)
    assert "R19-core-information-again" not in father


def test_engine_gaps_close_when_the_information_is_given_and_settings_tune_them() -> None:
    from kinmap.core.rules import RuleSettings, evaluate

    net = family(info=(given(1, FATHER, "icon", TODAY, InfoHow.TELEPHONE),))
    keys = {g.key for g in evaluate(net, TODAY)}
    assert f"R17-icon:person:{FATHER}" not in keys
    assert f"R20-carers-elsewhere:person:{FATHER}" not in keys
    assert f"R18-safer-sleep:person:{FATHER}" in keys
    young = family(baby_days=10)
    assert not any(g.rule_id == "R17-icon" for g in evaluate(young, TODAY))
    tuned = RuleSettings(params={"R17-icon": {"icon_by_days": 7}})
    assert any(g.rule_id == "R17-icon" for g in evaluate(young, TODAY, tuned))
    off = RuleSettings(disabled=frozenset({"R20-carers-elsewhere"}))
    assert not any(g.rule_id == "R20-carers-elsewhere" for g in evaluate(family(), TODAY, off))
