"""Rule settings in words for the partnership's administrator: each rule as it
stands (its text with the settings in force, its severity, its settings by
label), the edit form's fields with labels and hints, and every change said
in words ("ICON due by: 14 days → 10 days, by partnership.admin on 3 Nov:
reason"), never a setting's name or a stored dictionary. No queries: the
views load, these describe."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kinmap.core.rules import Rule, Severity
from kinmap.core.rules.base import SEVERITY_LABELS, ParamValue
from kinmap.core.rules.wording import param_text, settings_words, value_words

from . import engine
from . import models as gm
from .presenters import short_date

ESCALATION_TITLE = "When gaps are flagged for supervisors"
WORD_LABELS = {"why_we_ask": "Why we ask", "suggested_wording": "You could say"}


def severity_label(value: str) -> str:
    """ "Critical", "Important" or "Routine"."""
    return SEVERITY_LABELS[Severity(value)] if value in set(Severity) else value


@dataclass
class RuleItem:
    """One requirement on the settings page."""

    rule: Rule
    enabled: bool
    words: engine.RuleWords
    settings: list[tuple[str, str]]  # (label, value in words)

    @property
    def changed(self) -> bool:
        return bool(self.words.own)


def rule_items(rows: Iterable[gm.RuleSetting]) -> list[RuleItem]:
    """Every requirement of the catalogue with the partnership's settings."""
    rows = list(rows)
    core = engine.rule_settings(rows)
    words = engine.words_by_rule(rows)
    return [
        RuleItem(r, core.is_enabled(r.id), words[r.id], settings_words(core.effective_params(r)))
        for r in engine.rules()
    ]


def title_of(rule_id: str) -> str:
    rule = engine.rule(rule_id)
    return f"{rule.number}. {rule.title}" if rule else ESCALATION_TITLE


def _defaults(rule_id: str) -> dict[str, ParamValue]:
    rule = engine.rule(rule_id)
    if rule is not None:
        return dict(rule.params)
    return dict(engine.escalation_settings([]).as_params())


def change_parts(c: gm.RuleSettingChange) -> list[str]:
    """What one change did, each part in words."""
    rule = engine.rule(c.rule_id)
    defaults = _defaults(c.rule_id)
    before: dict[str, Any] = {**defaults, **(c.params_before or {})}
    after: dict[str, Any] = {**defaults, **(c.params_after or {})}
    parts: list[str] = []
    if c.enabled_before != c.enabled_after:
        parts.append(
            f"Checked: {'yes' if c.enabled_before else 'no'} \u2192 {'yes' if c.enabled_after else 'no'}"
        )
    for name in after:
        if before.get(name) != after[name]:
            was = value_words(name, before[name]) if name in before else "not set"
            parts.append(f"{param_text(name).label}: {was} \u2192 {value_words(name, after[name])}")
    wb, wa = c.wording_before or {}, c.wording_after or {}
    if rule is not None and wb.get("severity", "") != wa.get("severity", ""):
        was = severity_label(wb.get("severity") or rule.severity.value)
        now = severity_label(wa.get("severity") or rule.severity.value)
        parts.append(f"Severity: {was} \u2192 {now}")
    for name, label in WORD_LABELS.items():
        if wb.get(name, "") != wa.get(name, ""):
            now = wa.get(name, "")
            parts.append(f"{label}: \u2018{now}\u2019" if now else f"{label}: back to kinmap\u2019s words")
    return parts


def change_words(c: gm.RuleSettingChange, *, with_title: bool = True) -> str:
    """One change as a line: "14. Request to another agency…: Times asked …: 3
    times → 2 times, by partnership.admin on 3 Nov: 'reason'"."""
    today = timezone.localdate()
    parts = "; ".join(change_parts(c)) or "no change"
    head = f"{title_of(c.rule_id)}: " if with_title else ""
    return f"{head}{parts}, by {c.by.username} on {short_date(c.at, today)}: \u2018{c.reason}\u2019"


def form_defaults(rule_id: str, row: gm.RuleSetting | None) -> dict[str, ParamValue]:
    """The settings in force for the edit form, by name (kinmap's defaults
    under the partnership's own)."""
    if engine.rule(rule_id) is None:
        return dict(engine.escalation_settings([row] if row else []).as_params())
    return {**_defaults(rule_id), **(row.params if row else {})}


def field_text(name: str, default: ParamValue) -> tuple[str, str]:
    """(label, hint) for a setting's field on the edit form."""
    words = param_text(name)
    hint = f"{words.hint}. kinmap\u2019s default: {value_words(name, default)}" if words.hint else ""
    return words.label, hint or f"kinmap\u2019s default: {value_words(name, default)}"
