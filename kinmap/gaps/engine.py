"""The one place the Django shell meets the rules engine of the core.

Turns the partnership's rule settings (``RuleSetting`` rows) into the core's
``RuleSettings``, and runs ``evaluate`` over one family network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings as django_settings

from kinmap.core.escalation import EscalationSettings
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.rules import CATALOGUE, Engine, ProcessInputs, Rule, RuleSettings, Severity, Unmet
from kinmap.core.rules.wording import applies_text

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
    severity: dict[str, Severity] = {}
    for row in rows:
        if row.rule_id not in CATALOGUE:
            continue
        if not row.enabled:
            disabled.add(row.rule_id)
        if row.params:
            params[row.rule_id] = dict(row.params)
        if row.severity:
            severity[row.rule_id] = Severity(row.severity)
    return RuleSettings(disabled=frozenset(disabled), params=params, severity=severity)


@dataclass(frozen=True)
class RuleWords:
    """What pages say about a rule for this partnership: its usual severity, why
    we ask and what you could say (the partnership's own or kinmap's), and when
    it applies with the settings in force. ``own`` names what the partnership
    changed ("severity", "why_we_ask", "suggested_wording")."""

    severity: str
    why_we_ask: str
    suggested_wording: str
    applies_when: str
    own: frozenset[str]


def rule_words(rule: Rule, row: gm.RuleSetting | None) -> RuleWords:
    """The words for ``rule`` given the partnership's setting ``row`` (None: defaults)."""
    own = frozenset(k for k in ("severity", "why_we_ask", "suggested_wording") if row and getattr(row, k))
    return RuleWords(
        severity=(row.severity if row and row.severity else rule.severity.value),
        why_we_ask=(row.why_we_ask if row and row.why_we_ask else rule.why_we_ask),
        suggested_wording=(
            row.suggested_wording if row and row.suggested_wording else rule.suggested_wording
        ),
        applies_when=applies_text(rule, (row.params if row else None) or {}),
        own=own,
    )


def words_by_rule(rows: Iterable[gm.RuleSetting]) -> dict[str, RuleWords]:
    """:func:`rule_words` for every rule of the catalogue, by id (a new dict).

    Worked out once in the process for the same rules and the same values of
    the rows' wording and settings (a page asks for the gaps' words and the
    carers' section's, every request): the words are made from nothing else."""
    rows = list(rows)
    catalogue = rules()
    key = (
        tuple(map(id, catalogue)),
        # repr: the same text only for the same values (JSON's kinds of value)
        tuple((r.rule_id, r.severity, r.why_we_ask, r.suggested_wording, repr(r.params)) for r in rows),
    )
    kept = _words_kept.get(key)
    if kept is None:
        by_id = {r.rule_id: r for r in rows}
        if len(_words_kept) >= _WORDS_KEPT_MAX:
            _words_kept.clear()
        # the rules are kept with their words, so that their ids in the key stay theirs
        kept = _words_kept[key] = (catalogue, {r.id: rule_words(r, by_id.get(r.id)) for r in catalogue})
    return dict(kept[1])


# words_by_rule's answers by rules and rows, and how many are kept at most
_words_kept: dict[tuple[Any, ...], tuple[tuple[Rule, ...], dict[str, RuleWords]]] = {}
_WORDS_KEPT_MAX = 32


def escalation_settings(rows: Iterable[gm.RuleSetting]) -> EscalationSettings:
    defaults = EscalationSettings.from_params(getattr(django_settings, "KINMAP_GAP_ESCALATION", {}))
    for row in rows:
        if row.rule_id == ESCALATION:
            return EscalationSettings.from_params({**defaults.as_params(), **(row.params or {})})
    return defaults


_engines: dict[tuple[int, str], Engine] = {}


def engine_for(settings: RuleSettings) -> Engine:
    """One engine per catalogue version and settings (settings are checked once,
    when the engine is built).

    The settings last asked about are kept with a copy of their values: the
    same settings object asked again (a recompute or a bench asks for every
    family) is answered from it when its values and the catalogue's version
    are unchanged, without making the key of every engine (the settings'
    ``repr``, sorted: about 1% of the engine's instructions a family)."""
    global _last
    version = CATALOGUE.version
    last = _last
    if (
        last is not None
        and last[0] is settings
        and last[1] == version
        and last[2] == settings.params
        and last[3] == settings.severity
        and last[4] == settings.disabled
        and last[5] == settings.enabled
    ):
        return last[6]
    key = (
        version,
        repr((sorted(settings.disabled), sorted(settings.params.items()), sorted(settings.severity.items()))),
    )
    found = _engines.get(key)
    if found is None:
        if len(_engines) > 32:
            _engines.clear()
        found = _engines[key] = Engine(settings)
    _last = (
        settings,
        version,
        {rule_id: dict(values) for rule_id, values in settings.params.items()},
        dict(settings.severity),
        settings.disabled,
        settings.enabled,
        found,
    )
    return found


# the settings engine_for was last asked about, the catalogue's version then,
# copies of the settings' values (their dictionaries could be changed in
# place; the sets are frozen), and their engine
_last: (
    tuple[
        RuleSettings,
        int,
        dict[str, dict[str, Any]],
        dict[str, Severity],
        frozenset[str],
        frozenset[str] | None,
        Engine,
    ]
    | None
) = None


def run(
    network: Network,
    today: date,
    settings: RuleSettings,
    process: ProcessInputs,
    graph: FamilyGraph | None = None,
) -> list[Unmet]:
    """The unmet requirements of ``network`` on ``today`` under ``settings``
    (``graph``: its graph on ``today``, when the caller has it already)."""
    return engine_for(settings).evaluate(network, today, process, graph)
