"""The rules' settings in words, the requirement's text following its settings,
and a partnership's usual severity for a rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinmap.core.escalation import EscalationSettings
from kinmap.core.rules import CATALOGUE, Rule, RuleSettings, Severity, evaluate, explain, rules
from kinmap.core.rules.facts import FACT_OTHER_NAMES
from kinmap.core.rules.wording import PARAMS, applies_text, placeholders, settings_words, value_words
from tests.core.builders import complete_family


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.id)
def test_every_setting_has_words_and_every_placeholder_names_a_setting(rule: Rule) -> None:
    assert placeholders(rule.applies_when) <= set(rule.params)
    for name in rule.params:
        assert name in PARAMS and PARAMS[name].label and PARAMS[name].hint
    text = applies_text(rule)
    assert "{" not in text and "_" not in text


def test_the_escalation_thresholds_have_words_too() -> None:
    assert set(EscalationSettings().as_params()) <= set(PARAMS)


def test_values_are_said_in_words() -> None:
    assert value_words("icon_by_days", 14) == "14 days"
    assert value_words("icon_by_days", 1) == "1 day"
    assert value_words("critical_under_days", 365) == "1 year"
    assert value_words("critical_under_days", 730) == "2 years"
    assert value_words("critical_under_days", 180) == "180 days"
    assert value_words("min_times_prompted", 3) == "3 times"
    assert value_words("min_times_prompted", 1) == "1 time"
    assert value_words("critical_under_years", 16) == "16 years"


def test_the_icon_requirement_says_the_age_in_force() -> None:
    icon = CATALOGUE.get("R17-icon")
    assert "from the time the baby is 14 days old" in applies_text(icon)
    ten = applies_text(icon, {"icon_by_days": 10})
    assert "from the time the baby is 10 days old" in ten and "14 days" not in ten
    assert "under 1 year old" in ten
    tuned = RuleSettings(params={"R17-icon": {"icon_by_days": 10}})
    assert "10 days old" in explain("R17-icon", tuned).applies_when
    assert "Settings: Applies while the baby is younger than: 1 year; ICON due by: 10 days" in (
        explain("R17-icon", tuned).as_text()
    )


@given(st.integers(min_value=0, max_value=5000))
def test_any_age_is_filled_in_and_no_setting_name_shows(days: int) -> None:
    for rule in rules():
        params = dict.fromkeys(rule.params, days)
        text = applies_text(rule, params)
        assert "{" not in text and not any(name in text for name in rule.params)
    assert [label for label, _ in settings_words({"icon_by_days": days})] == ["ICON due by"]


def test_a_partnerships_usual_severity_replaces_the_rules_own_but_not_a_raised_one() -> None:
    f = complete_family()
    f.b.forget_fact(f.sarah, FACT_OTHER_NAMES)
    rule = CATALOGUE.get("R09-other-names")
    before = [u for u in evaluate(f.network(), f.b.today) if u.rule_id == rule.id]
    assert before and all(u.severity is rule.severity for u in before)
    tuned = RuleSettings(severity={rule.id: Severity.CRITICAL})
    after = [u for u in evaluate(f.network(), f.b.today, tuned) if u.rule_id == rule.id]
    assert [u.key for u in after] == [u.key for u in before]
    assert all(u.severity is Severity.CRITICAL for u in after)
    assert explain(rule.id, tuned).severity is Severity.CRITICAL
    # a gap the rule raised to critical (a baby's birth father) stays critical when the usual is lowered
    f.b.update(f.daniel, birth_date=None)
    lowered = RuleSettings(severity={"R02-birth-father": Severity.ROUTINE})
    father = [u for u in evaluate(f.network(), f.b.today, lowered) if u.rule_id == "R02-birth-father"]
    assert father and all(u.severity is Severity.CRITICAL for u in father)


def test_an_unknown_severity_or_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown rule 'R99'"):
        RuleSettings(severity={"R99": Severity.ROUTINE}).validate(rules())
    with pytest.raises(ValueError, match="must be one of critical, important, routine"):
        RuleSettings(severity={"R09-other-names": "urgent"}).validate(rules())  # type: ignore[dict-item]
