"""The rules' words are worked out once in the process for the same settings
(kinmap.gaps.engine.words_by_rule): a change of a setting's wording or
values gives the new words at once, never the ones kept."""

from __future__ import annotations

from kinmap.gaps import engine
from kinmap.gaps import models as gm


def _fresh(rows: list[gm.RuleSetting]) -> dict[str, engine.RuleWords]:
    by_id = {r.rule_id: r for r in rows}
    return {r.id: engine.rule_words(r, by_id.get(r.id)) for r in engine.rules()}


def test_the_words_follow_every_change_of_the_settings() -> None:
    rule = next(r for r in engine.rules() if r.params)
    name, value = next(iter(rule.params.items()))
    changed = value + 7 if isinstance(value, int) and not isinstance(value, bool) else value
    settings = [
        [],
        [gm.RuleSetting(rule_id=rule.id, why_we_ask="Our own reason")],
        [gm.RuleSetting(rule_id=rule.id, why_we_ask="Another reason")],
        [gm.RuleSetting(rule_id=rule.id, severity="low", suggested_wording="Ask gently")],
        [gm.RuleSetting(rule_id=rule.id, params={name: changed})],
        [],
    ]
    for rows in settings + settings:  # the second time round from what was kept
        assert engine.words_by_rule(rows) == _fresh(rows)
    assert engine.words_by_rule(settings[1])[rule.id].why_we_ask == "Our own reason"
    assert engine.words_by_rule(settings[2])[rule.id].why_we_ask == "Another reason"


def test_a_caller_changing_its_words_leaves_the_kept_ones_alone() -> None:
    words = engine.words_by_rule([])
    some_id = next(iter(words))
    del words[some_id]
    assert some_id in engine.words_by_rule([])
