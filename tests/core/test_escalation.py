"""When a gap is flagged for the supervisor (kinmap.core.escalation)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kinmap.core.escalation import (
    EscalationSettings,
    EscalationSettingsError,
    GapStatus,
    escalation_reasons,
    is_flagged,
)

TODAY = date(2026, 3, 17)
DEFAULTS = EscalationSettings()


def gap(**kw: object) -> GapStatus:
    base: dict[str, object] = {"severity": "critical", "opened_on": TODAY}
    base.update(kw)
    return GapStatus(**base)  # type: ignore[arg-type]


def test_defaults_are_two_contacts_28_days_two_declines() -> None:
    assert DEFAULTS.as_params() == {"after_contacts": 2, "after_days": 28, "after_declines": 2}


def test_a_new_critical_gap_is_not_flagged() -> None:
    assert escalation_reasons(gap(), TODAY, DEFAULTS) == []
    assert not is_flagged(gap(times_prompted=1), TODAY, DEFAULTS)


def test_critical_gap_open_after_two_contacts_is_flagged() -> None:
    assert escalation_reasons(gap(times_prompted=2), TODAY, DEFAULTS) == [
        "Critical and still open after 2 contacts"
    ]


def test_critical_gap_open_28_days_is_flagged_and_27_is_not() -> None:
    assert escalation_reasons(gap(opened_on=TODAY - timedelta(days=28)), TODAY, DEFAULTS) == [
        "Critical and open for 28 days"
    ]
    assert escalation_reasons(gap(opened_on=TODAY - timedelta(days=27)), TODAY, DEFAULTS) == []


def test_important_gap_is_not_flagged_for_age_or_contacts() -> None:
    old = gap(severity="important", times_prompted=9, opened_on=TODAY - timedelta(days=400))
    assert escalation_reasons(old, TODAY, DEFAULTS) == []


def test_any_gap_declined_twice_is_flagged() -> None:
    assert escalation_reasons(gap(severity="routine", times_declined=1), TODAY, DEFAULTS) == []
    assert escalation_reasons(gap(severity="routine", times_declined=2), TODAY, DEFAULTS) == [
        "Declined twice"
    ]
    assert escalation_reasons(gap(severity="routine", times_declined=3), TODAY, DEFAULTS) == [
        "Declined 3 times"
    ]


def test_gap_about_overnight_carer_of_a_baby_is_flagged_until_the_first_birthday() -> None:
    g = gap(severity="important", overnight_infant_until=TODAY + timedelta(days=1))
    assert escalation_reasons(g, TODAY, DEFAULTS) == ["About someone who has a baby under one overnight"]
    assert escalation_reasons(g, TODAY + timedelta(days=1), DEFAULTS) == []


def test_every_reason_is_given() -> None:
    g = gap(
        times_prompted=3,
        times_declined=2,
        opened_on=TODAY - timedelta(days=40),
        overnight_infant_until=TODAY + timedelta(days=100),
    )
    assert escalation_reasons(g, TODAY, DEFAULTS) == [
        "Critical and still open after 3 contacts",
        "Critical and open for 40 days",
        "Declined twice",
        "About someone who has a baby under one overnight",
    ]


def test_thresholds_are_tunable() -> None:
    strict = EscalationSettings.from_params({"after_contacts": 1, "after_days": "7", "after_declines": 1})
    assert strict == EscalationSettings(1, 7, 1)
    assert escalation_reasons(gap(times_prompted=1), TODAY, strict) == [
        "Critical and still open after 1 contact"
    ]
    assert escalation_reasons(gap(severity="routine", times_declined=1), TODAY, strict) == ["Declined once"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"after_weeks": 2}, "after_weeks", "'after_weeks' is not an escalation setting"),
        ({"after_days": 0}, "after_days", "Days before a critical gap is flagged must be at least 1"),
        (
            {"after_days": "soon"},
            "after_days",
            "Days before a critical gap is flagged must be a whole number",
        ),
        (
            {"after_contacts": True},
            "after_contacts",
            "Contacts before a critical gap is flagged must be a whole number",
        ),
        (
            {"after_declines": 1.5},
            "after_declines",
            "Declines before a gap is flagged must be a whole number",
        ),
        ({"after_days": 5000}, "after_days", "Days before a critical gap is flagged must be at most 3650"),
    ],
)
def test_bad_thresholds_are_refused_with_a_clear_message(params: dict, field: str, message: str) -> None:
    with pytest.raises(EscalationSettingsError) as err:
        EscalationSettings.from_params(params)
    assert err.value.field == field
    assert str(err.value) == message
