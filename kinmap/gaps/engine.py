"""The one place the Django shell meets the rules engine of the core.

Turns the partnership's rule settings (``RuleSetting`` rows) into the core's
``RuleSettings``, and runs ``evaluate`` over one family network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings as django_settings

from kinmap.core.escalation import EscalationSettings
from kinmap.core.model import Network
from kinmap.core.rules import CATALOGUE, Engine, ProcessInputs, Rule, RuleSettings, Unmet

from . import models as gm

ESCALATION = "escalation"  # the RuleSetting that holds the escalation thresholds


def rules() -> tuple[Rule, ...]:
    return CATALOGUE.rules()


def rule(rule_id: str) -> Rule | None:
    return CATALOGUE.get(rule_id) if rule_id in CATALOGUE else None


def rule_settings(rows: Iterable[gm.RuleSetting]) -> RuleSettings:
    """The core's settings from the stored rows (escalation is not a rule)."""
    disabled = set()
    params: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        if row.rule_id not in CATALOGUE:
            continue
        if not row.enabled:
            disabled.add(row.rule_id)
        if row.params:
            params[row.rule_id] = dict(row.params)
    return RuleSettings(disabled=frozenset(disabled), params=params)


def escalation_settings(rows: Iterable[gm.RuleSetting]) -> EscalationSettings:
    defaults = EscalationSettings.from_params(getattr(django_settings, "KINMAP_GAP_ESCALATION", {}))
    for row in rows:
        if row.rule_id == ESCALATION:
            return EscalationSettings.from_params({**defaults.as_params(), **(row.params or {})})
    return defaults


_engines: dict[tuple[int, str], Engine] = {}


def engine_for(settings: RuleSettings) -> Engine:
    """One engine per catalogue version and settings (settings are checked once,
    when the engine is built)."""
    key = (CATALOGUE.version, repr((sorted(settings.disabled), sorted(settings.params.items()))))
    found = _engines.get(key)
    if found is None:
        if len(_engines) > 32:
            _engines.clear()
        found = _engines[key] = Engine(settings)
    return found


def run(network: Network, today: date, settings: RuleSettings, process: ProcessInputs) -> list[Unmet]:
    return engine_for(settings).evaluate(network, today, process)
