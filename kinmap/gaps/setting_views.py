"""The partnership's rule settings pages: every requirement in words with the
settings in force, the page that changes one (settings with labels and hints,
severity, why we ask and what you could say) with its history in words, and
the reset to kinmap's own. Thin: the service is ``services.rule_setting_change``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kinmap.accounts.models import Role, User
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.web.forms import apply_errors, refuse_stale

from . import engine, services, setting_words
from . import forms as gf
from . import models as gm
from .views import _not_allowed, _user


def _require_admin(user: User) -> bool:
    return user.role == Role.ADMINISTRATOR


def rule_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _require_admin(user):
        return _not_allowed(request)
    rows = list(gm.RuleSetting.objects.all())
    changes = list(gm.RuleSettingChange.objects.select_related("by")[:50])
    return render(
        request,
        "gaps/rule_settings.html",
        {
            "items": setting_words.rule_items(rows),
            "changes": [setting_words.change_words(c) for c in changes],
            "escalation": engine.escalation_settings(rows),
            "escalation_id": engine.ESCALATION,
        },
    )


def _setting_page(request: HttpRequest, rule_id: str) -> tuple[Any, HttpResponse | None]:
    """The rule (None for the escalation thresholds), or a refusal page."""
    user = _user(request)
    if not _require_admin(user):
        return None, _not_allowed(request)
    if rule_id != engine.ESCALATION and engine.rule(rule_id) is None:
        raise Http404("No such rule")
    return engine.rule(rule_id), None


@require_http_methods(["GET", "POST"])
def rule_setting_edit(request: HttpRequest, rule_id: str) -> HttpResponse:
    rule, refused = _setting_page(request, rule_id)
    if refused is not None:
        return refused
    user = _user(request)
    row = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
    defaults = setting_words.form_defaults(rule_id, row)
    words = engine.rule_words(rule, row) if rule else None
    enabled = row.enabled if row else True
    initial: dict[str, Any] = {"enabled": enabled, "version": row.version if row else None}
    initial.update({f"param_{k}": v for k, v in defaults.items()})
    form = gf.RuleSettingForm(
        request.POST or None,
        defaults=defaults,
        kinmap_defaults=dict(rule.params) if rule else None,
        words=words,
        initial=initial,
    )
    if rule is None:
        del form.fields["enabled"]
    title = setting_words.title_of(rule_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.rule_setting_change(
                actor=user,
                rule_id=rule_id,
                enabled=True if rule is None else bool(d.get("enabled")),
                params=form.params(),
                reason=d["reason"],
                expected_version=d.get("version"),
                **form.words(),
            )
        except StaleEdit as err:
            fresh = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
            refuse_stale(form, err, {"version": fresh.version if fresh else ""})
        except RecordError as err:
            apply_errors(form, err, {k: f"param_{k}" for k in defaults})
        else:
            messages.success(request, f"Rule setting changed: {title}")
            return redirect("gaps-rule-settings")
    return _setting_form_page(request, rule_id, rule, row, form, words)


def _setting_form_page(
    request: HttpRequest,
    rule_id: str,
    rule: Any,
    row: gm.RuleSetting | None,
    form: gf.RuleSettingForm | None,
    words: Any,
    reset_form: gf.RuleResetForm | None = None,
) -> HttpResponse:
    history = gm.RuleSettingChange.objects.filter(rule_id=rule_id).select_related("by")
    version = {"version": row.version if row else None}
    return render(
        request,
        "gaps/rule_setting_form.html",
        {
            "form": form,
            "reset_form": reset_form or gf.RuleResetForm(prefix="reset", initial=version),
            "can_reset": row is not None
            and (bool(row.params) or not row.enabled or bool(words and words.own)),
            "rule": rule,
            "words": words,
            "title": setting_words.title_of(rule_id),
            "history": [setting_words.change_words(c, with_title=False) for c in history],
            "rule_id": rule_id,
        },
    )


@require_POST
def rule_setting_reset(request: HttpRequest, rule_id: str) -> HttpResponse:
    """Put a requirement back to kinmap's settings, severity and words, saying why."""
    rule, refused = _setting_page(request, rule_id)
    if refused is not None or rule is None:
        return refused or redirect("gaps-rule-setting-edit", rule_id=rule_id)
    user = _user(request)
    row = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
    form = gf.RuleResetForm(request.POST, prefix="reset")
    if form.is_valid():
        try:
            services.rule_setting_change(
                actor=user,
                rule_id=rule_id,
                enabled=True,
                params=dict(rule.params),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
                severity="",
                why_we_ask="",
                suggested_wording="",
            )
        except StaleEdit as err:
            refuse_stale(form, err, {"version": row.version if row else ""})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Back to kinmap\u2019s settings: {setting_words.title_of(rule_id)}")
            return redirect("gaps-rule-settings")
    words = engine.rule_words(rule, row)
    edit = gf.RuleSettingForm(
        defaults=setting_words.form_defaults(rule_id, row),
        kinmap_defaults=dict(rule.params),
        words=words,
        initial={"enabled": row.enabled if row else True, "version": row.version if row else None},
    )
    return _setting_form_page(request, rule_id, rule, row, edit, words, reset_form=form)
