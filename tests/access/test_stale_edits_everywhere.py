"""Every page that changes a row which already exists (beyond the family record's
own forms, in tests/records/test_stale_edits.py) needs the version the change
was based on: sent without it, or with an old one, the change is refused with
the same "has changed since this page loaded" message and nothing is saved.

(The JSON API has no operation that changes anything: only GETs.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.carers.forms import MaterialForm
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m

from .world import World, build_world

STALE = "has changed since this page loaded. Your changes have not been saved"


def everything() -> dict[str, Any]:
    """Every row kinmap keeps about families, carers, gaps and sharing, and how
    many changes the audit trail holds (reading a page is audited too)."""
    out: dict[str, Any] = {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for label in ("records", "carers", "gaps", "sharing")
        for model in apps.get_app_config(label).get_models()
    }
    out["audited changes"] = AuditEvent.objects.exclude(action__in=("view", "list")).count()
    return out


@dataclass
class Edit:
    who: Callable[[World], User]
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]  # what the user sends, but the version
    version_field: str
    version: Callable[[World], int]  # the version of the row as saved now


def _gap(w: World, rule: str) -> gm.Gap:
    return gm.Gap.objects.get(network=w.network, key=f"{rule}:person:{w.father.pk}")


def _dob_gap(w: World) -> gm.Gap:
    return next(
        g
        for g in gm.Gap.objects.filter(network=w.network, subject_id=str(w.father.pk))
        if "birth_date" in g.missing
    )


def _material(code: str = "coping-plan") -> cm.Material:
    return cm.Material.objects.get(code=code)


def _material_post(w: World) -> dict[str, Any]:
    values = MaterialForm.initial_for(_material())
    del values["version"]
    return {k: "" if v is None else v for k, v in values.items()} | {"title": "A changed title"}


def _na_pending(w: World) -> gm.Gap:
    gap = _gap(w, "R11-seen-directly")
    if gap.na_status != gm.NotApplicable.PENDING:
        gs.gap_answer(
            actor=w.lead,
            gap=gap,
            answer=gs.Answer(state="not-applicable", reason="he works abroad all year"),
            expected_version=gap.version,
        )
    return gm.Gap.objects.get(pk=gap.pk)


def _withdrawn(w: World) -> cm.Material:
    row = _material()
    if row.active:
        admin = w.user(Role.ADMINISTRATOR, "health-allocated")
        row = cs.material_deactivate(
            actor=admin, material=row, reason="Rewriting", expected_version=row.version
        )
    return row


def _rule_row(w: World) -> gm.RuleSetting:
    row = gm.RuleSetting.objects.filter(rule_id="R14-agency-request").first()
    if row is None:
        row = gs.rule_setting_change(
            actor=w.user(Role.ADMINISTRATOR, "health-allocated"),
            rule_id="R14-agency-request",
            enabled=True,
            params={"min_times_prompted": 2},
            reason="local policy",
        )
    return row


def _officer(w: World) -> User:
    return w.user(Role.INFORMATION_OFFICER, "social-allocated")


def _admin(w: World) -> User:
    return w.user(Role.ADMINISTRATOR, "health-allocated")


def _contact(w: World) -> gm.Contact:
    contact = w.extra["contact"]
    assert isinstance(contact, gm.Contact)
    return contact


EDITS = {
    "gap outcome at a contact": Edit(
        who=lambda w: w.lead,
        url=lambda w: reverse(
            "contact-gap-outcome", args=[w.network.pk, _contact(w).pk, _gap(w, "R02-birth-father").pk]
        ),
        data=lambda w: {f"g{_gap(w, 'R02-birth-father').pk}-outcome": "asked-unknown"},
        version_field="g{gap}-version",
        version=lambda w: _gap(w, "R02-birth-father").version,
    ),
    "date of birth answered at a contact": Edit(
        who=lambda w: w.lead,
        url=lambda w: reverse(
            "contact-gap-answer", args=[w.network.pk, _contact(w).pk, _dob_gap(w).pk, "birth-date"]
        ),
        data=lambda w: {
            f"g{_dob_gap(w).pk}-birth-date-birth_date_0": "3",
            f"g{_dob_gap(w).pk}-birth-date-birth_date_1": "5",
            f"g{_dob_gap(w).pk}-birth-date-birth_date_2": "1994",
            f"g{_dob_gap(w).pk}-birth-date-source": "said-by",
            f"g{_dob_gap(w).pk}-birth-date-source_detail": "the mother",
        },
        version_field="g{dob}-birth-date-version",
        version=lambda w: m.Person.objects.get(pk=w.father.pk).version,
    ),
    "supervisor agrees a gap does not apply": Edit(
        who=lambda w: w.user(Role.SUPERVISOR, "health-allocated"),
        url=lambda w: reverse("gap-not-applicable", args=[w.network.pk, _na_pending(w).pk]),
        data=lambda w: {f"na{_na_pending(w).pk}-agree": "yes"},
        version_field="na{na}-version",
        version=lambda w: _na_pending(w).version,
    ),
    "rule setting": Edit(
        who=_admin,
        url=lambda w: reverse("gaps-rule-setting-edit", args=[_rule_row(w).rule_id]),
        data=lambda w: {"enabled": "on", "param_min_times_prompted": "5", "reason": "agreed at the board"},
        version_field="version",
        version=lambda w: _rule_row(w).version,
    ),
    "material": Edit(
        who=_admin,
        url=lambda w: reverse("material-edit", args=[_material().pk]),
        data=_material_post,
        version_field="version",
        version=lambda w: _material().version,
    ),
    "material withdrawn": Edit(
        who=_admin,
        url=lambda w: reverse("material-withdraw", args=[_material().pk]),
        data=lambda w: {"reason": "Being rewritten"},
        version_field="version",
        version=lambda w: _material().version,
    ),
    "material offered again": Edit(
        who=_admin,
        url=lambda w: reverse("material-restore", args=[_withdrawn(w).pk]),
        data=lambda w: {},
        version_field="version",
        version=lambda w: _withdrawn(w).version,
    ),
    "joint appointment outcome": Edit(
        who=lambda w: w.lead,
        url=lambda w: reverse("appointment-outcome", args=[w.network.pk, w.kwargs()["appointment_id"]]),
        data=lambda w: {"outcome": "declined", "note": "he works on Fridays"},
        version_field="version",
        version=lambda w: cm.JointAppointment.objects.get(pk=w.kwargs()["appointment_id"]).version,
    ),
    "information request answered": Edit(
        who=_officer,
        url=lambda w: reverse("request-answer", args=[w.request.pk]),
        data=lambda w: {
            "on_0": "3",
            "on_1": "5",
            "on_2": "1994",
            "rationale": "Needed to keep the baby safe",
            "family_told": "yes",
        },
        version_field="version",
        version=lambda w: type(w.request).objects.get(pk=w.request.pk).version,
    ),
    "information request declined": Edit(
        who=_officer,
        url=lambda w: reverse("request-decline", args=[w.request.pk]),
        data=lambda w: {"decline-reason": "Not ours to share", "decline-family_told": "yes"},
        version_field="decline-version",
        version=lambda w: type(w.request).objects.get(pk=w.request.pk).version,
    ),
}


def _field(edit: Edit, w: World) -> str:
    return edit.version_field.format(
        gap=_gap(w, "R02-birth-father").pk if "{gap}" in edit.version_field else "",
        dob=_dob_gap(w).pk if "{dob}" in edit.version_field else "",
        na=_na_pending(w).pk if "{na}" in edit.version_field else "",
    )


def _summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_change_without_its_version_or_with_an_old_one_is_refused_alike(edit: Edit, client: Client) -> None:
    w = build_world()
    client.force_login(edit.who(w))
    url, data, field = edit.url(w), edit.data(w), _field(edit, w)
    saved = edit.version(w)
    before = everything()
    summaries = []
    for version in ({}, {field: ""}, {field: str(saved - 1)}, {field: str(saved + 1)}, {field: "1.5"}):
        response = client.post(url, {**data, **version})
        assert response.status_code == 200, f"{version}: {response.status_code}"
        summaries.append(_summary(response.content.decode()))
        assert everything() == before, f"something was saved with {version or 'no version'}"
    assert STALE in summaries[0]
    assert len(set(summaries)) == 1  # the same message, however the version was wrong

    # with the version saved now, the same change goes through
    response = client.post(url, {**data, field: str(saved)})
    assert response.status_code == 302
    assert everything() != before
