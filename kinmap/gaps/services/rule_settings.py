"""A partnership's rule settings: switch a rule on or off, change its
thresholds, its severity and its words, saying why; every family's gaps are
then recomputed in the background (``kinmap.jobs``).
"""

from __future__ import annotations

from django.db import transaction

from kinmap.accounts.models import Role, User
from kinmap.audit.services import audit_record
from kinmap.core.escalation import EscalationSettings, EscalationSettingsError
from kinmap.core.rules import RuleSettings
from kinmap.core.text import text_error
from kinmap.records import advisory
from kinmap.records.advisory import advisory_xact_lock
from kinmap.records.errors import RecordError, check_version, refuse_hidden_characters

from .. import engine
from .. import models as gm
from ..models import Severity
from .common import _now


def _setting_locked(rule_id: str) -> gm.RuleSetting | None:
    """The setting row of ``rule_id`` locked for this transaction (None: the
    rule has no row yet, its defaults apply). On PostgreSQL a
    transaction-scoped advisory lock on the rule is taken first, so that two
    first changes of a rule (no row to lock) are put one after the other: the
    second then finds the first's row, and is refused as stale instead of
    failing on the unique ``rule_id`` (an IntegrityError). SQLite lets one
    transaction write at a time."""
    advisory_xact_lock(advisory.RULE_SETTING, rule_id)
    return gm.RuleSetting.objects.select_for_update().filter(rule_id=rule_id).first()


def _validate_setting(rule_id: str, enabled: bool, params: dict[str, object]) -> dict[str, object]:
    if rule_id == engine.ESCALATION:
        if not enabled:
            raise RecordError("Escalation to supervisors cannot be switched off", field="enabled")
        try:
            return dict(EscalationSettings.from_params(params).as_params())
        except EscalationSettingsError as err:
            raise RecordError(str(err), field=err.field) from None
    rule = engine.rule(rule_id)
    if rule is None:
        raise RecordError(f"There is no rule {rule_id}", field="rule_id")
    try:
        RuleSettings(params={rule_id: params}).validate(engine.rules())  # type: ignore[dict-item]
    except ValueError as err:
        bad = next((name for name in params if f"'{name}'" in str(err)), "params")
        raise RecordError(str(err), field=bad) from None
    # keep only values that differ from the rule's defaults
    return {k: v for k, v in params.items() if rule.params.get(k) != v}


WORDS_MAX = 2000  # characters of a partnership's own why-we-ask or you-could-say


def _words_of(row: gm.RuleSetting | None) -> dict[str, str]:
    if row is None:
        return {"severity": "", "why_we_ask": "", "suggested_wording": ""}
    return {
        "severity": row.severity,
        "why_we_ask": row.why_we_ask,
        "suggested_wording": row.suggested_wording,
    }


def _validate_words(rule_id: str, before: dict[str, str], given: dict[str, str | None]) -> dict[str, str]:
    """The partnership's severity and words after the change: each None keeps
    ``before``; a value equal to kinmap's default is stored as "" (the default)."""
    rule = engine.rule(rule_id)
    if rule is None:
        if any(v for v in given.values()):
            raise RecordError("Only a requirement has a severity and words to change", field="severity")
        return dict(before)
    defaults = {
        "severity": rule.severity.value,
        "why_we_ask": rule.why_we_ask,
        "suggested_wording": rule.suggested_wording,
    }
    labels = {"why_we_ask": "Why we ask", "suggested_wording": "You could say"}
    out = dict(before)
    for name, value in given.items():
        if value is None:
            continue
        value = (
            value.strip()
            if name == "severity"
            else "\n".join(line.rstrip() for line in value.strip().splitlines())
        )
        if name == "severity" and value and value not in Severity.values:
            raise RecordError("Choose critical, important or routine", field="severity")
        if name in labels:
            problem = text_error(value, what=labels[name], multiline=True)
            if len(value) > WORDS_MAX:
                problem = f"{labels[name]} must be {WORDS_MAX} characters or fewer"
            if problem:
                raise RecordError(problem, field=name)
        out[name] = "" if value == defaults[name] else value
    return out


@transaction.atomic
def rule_setting_change(
    *,
    actor: User,
    rule_id: str,
    enabled: bool,
    params: dict[str, object],
    reason: str,
    expected_version: int | None = None,
    severity: str | None = None,
    why_we_ask: str | None = None,
    suggested_wording: str | None = None,
) -> gm.RuleSetting:
    """Switch a rule on or off, or change its thresholds, saying why. Every
    family's gaps are then recomputed in the background (``kinmap worker``),
    in short batches that hold no lock a page waits on: this enqueues that
    recompute (``kinmap.jobs.services.family_recompute_start``) in the same
    transaction, so it runs only if the change is saved. The escalation
    thresholds are not rules and need no recompute.

    ``severity`` (critical, important, routine), ``why_we_ask`` and
    ``suggested_wording`` are the partnership's own for the rule: None leaves
    them as they are, an empty string (or kinmap's own value) goes back to
    kinmap's (:func:`_validate_words`). Each change is kept, before and after,
    in ``RuleSettingChange``."""
    if actor.role != Role.ADMINISTRATOR:
        raise RecordError("Only a partnership administrator can change the rule settings")
    reason = (reason or "").strip()
    if not reason:
        raise RecordError("Say why you are making this change", field="reason")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    clean = _validate_setting(rule_id, enabled, dict(params))
    row = _setting_locked(rule_id)
    if row is not None:
        check_version(row.version, expected_version, "rule setting")
    before_enabled = row.enabled if row else True
    before_params = dict(row.params) if row else {}
    before_words = _words_of(row)
    words = _validate_words(
        rule_id,
        before_words,
        {"severity": severity, "why_we_ask": why_we_ask, "suggested_wording": suggested_wording},
    )
    if (before_enabled, before_params, before_words) == (enabled, clean, words):
        raise RecordError("This makes no change to the rule", field="__all__")
    if row is None:
        row = gm.RuleSetting(rule_id=rule_id)
    else:
        row.version += 1
    row.enabled, row.params, row.updated_by, row.updated_at = enabled, clean, actor, _now()
    row.severity, row.why_we_ask, row.suggested_wording = (
        words["severity"],
        words["why_we_ask"],
        words["suggested_wording"],
    )
    row.save()
    change = gm.RuleSettingChange.objects.create(
        rule_id=rule_id,
        enabled_before=before_enabled,
        enabled_after=enabled,
        params_before=before_params,
        params_after=clean,
        wording_before=before_words,
        wording_after=words,
        by=actor,
        at=row.updated_at,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="rule_setting",
        object_id=rule_id,
        changes={
            "enabled": [before_enabled, enabled],
            "params": [before_params, clean],
            **{k: [before_words[k], v] for k, v in words.items() if before_words[k] != v},
        },
        reason=reason,
    )
    if rule_id != engine.ESCALATION:
        from kinmap.jobs.services import family_recompute_start  # the jobs app builds on this one

        family_recompute_start(actor=actor, reason=reason, rule_change=change)
    return row
