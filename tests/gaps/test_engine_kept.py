"""One engine per catalogue version and settings (kinmap.gaps.engine.engine_for):
the settings last asked about are answered without making their key again,
but a change of their values, made in place, or of the catalogue gives the
engine of the new values at once, never the one kept."""

from __future__ import annotations

import pytest

from kinmap.core.rules import CATALOGUE, RuleSettings, Severity
from kinmap.gaps import engine

RULE = "R14-agency-request"


def test_the_same_settings_asked_again_get_the_same_engine() -> None:
    settings = RuleSettings(params={RULE: {"min_times_prompted": 2}})
    first = engine.engine_for(settings)
    assert engine.engine_for(settings) is first
    # equal settings in another object: the engine kept by their key
    assert engine.engine_for(RuleSettings(params={RULE: {"min_times_prompted": 2}})) is first
    assert engine.engine_for(settings) is first


def test_the_last_settings_are_answered_without_their_key(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = RuleSettings(disabled=frozenset({RULE}))
    first = engine.engine_for(settings)
    # the engines kept by key, forgotten: the last settings still find theirs
    monkeypatch.setattr(engine, "_engines", {})
    assert engine.engine_for(settings) is first
    assert engine.engine_for(RuleSettings(disabled=frozenset({RULE}))) is not first


def test_settings_changed_in_place_get_the_engine_of_their_new_values() -> None:
    params = {"min_times_prompted": 2}
    severity: dict[str, Severity] = {}
    disabled_params = {RULE: params}
    settings = RuleSettings(params=disabled_params, severity=severity)
    first = engine.engine_for(settings)
    params["min_times_prompted"] = 5
    changed = engine.engine_for(settings)
    assert changed is not first
    assert changed is engine.engine_for(RuleSettings(params={RULE: {"min_times_prompted": 5}}))
    assert dict(changed._after[0][1]) == {"min_times_prompted": 5}
    severity["R05-current-partner"] = Severity.CRITICAL
    assert engine.engine_for(settings) is not changed
    assert engine.engine_for(settings)._usual == {
        "R05-current-partner": (Severity.IMPORTANT, Severity.CRITICAL)
    }
    disabled_params.clear()
    assert engine.engine_for(settings) is engine.engine_for(
        RuleSettings(severity={"R05-current-partner": Severity.CRITICAL})
    )


def test_a_change_of_the_catalogue_gives_a_new_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = RuleSettings()
    first = engine.engine_for(settings)
    monkeypatch.setattr(CATALOGUE, "version", CATALOGUE.version + 1)
    assert engine.engine_for(settings) is not first
