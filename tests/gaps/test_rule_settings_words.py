"""Rule settings a partnership can own: every setting in words, the
requirement's text following its settings, severity and wording overrides
with a reason, their history in words, and the reset to kinmap's own."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.gaps.presenters import short_date
from kinmap.records.errors import RecordError
from tests.conftest import make_user
from tests.gaps.family import SeedFamily
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db

RAW_NAMES = ("critical_under_days", "baby_under_days", "icon_by_days", "min_times_prompted", "after_days")


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and attributes."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _change_icon_to_ten_days(client: Client) -> None:
    url = reverse("gaps-rule-setting-edit", args=["R17-icon"])
    response = client.post(
        url,
        {"enabled": "on", "param_icon_by_days": 10, "param_baby_under_days": 365, "reason": "Local pathway"},
    )
    assert response.status_code == 302, _text(response.content.decode())


def test_every_setting_is_shown_in_words_never_by_its_name(admin: User, client: Client) -> None:
    client.force_login(admin)
    pages = [reverse("gaps-rule-settings")] + [
        reverse("gaps-rule-setting-edit", args=[rule_id])
        for rule_id in ("R17-icon", "R01-birth-mother", "R14-agency-request", engine.ESCALATION)
    ]
    for url in pages:
        text = _text(client.get(url).content.decode())
        assert not [name for name in RAW_NAMES if name in text], url
        assert "{" not in text
    edit = _text(client.get(reverse("gaps-rule-setting-edit", args=["R17-icon"])).content.decode())
    assert "ICON due by" in edit and "kinmap\u2019s default: 14 days" in edit
    assert "Applies while the baby is younger than" in edit and "kinmap\u2019s default: 1 year" in edit


def test_the_requirement_says_the_changed_icon_age_everywhere_it_is_shown(
    admin: User, client: Client
) -> None:
    client.force_login(admin)
    before = _text(client.get(reverse("gaps-rule-settings")).content.decode())
    assert "from the time the baby is 14 days old" in before
    _change_icon_to_ten_days(client)
    for url in (reverse("gaps-rule-settings"), reverse("gaps-rule-setting-edit", args=["R17-icon"])):
        text = _text(client.get(url).content.decode())
        assert "from the time the baby is 10 days old" in text, url
        assert "14 days old" not in text, url
    listing = _text(client.get(reverse("gaps-rule-settings")).content.decode())
    assert "ICON due by: 10 days" in listing


def test_the_history_says_each_change_in_words(admin: User, client: Client) -> None:
    client.force_login(admin)
    _change_icon_to_ten_days(client)
    today = short_date(date.today(), date.today())
    line = f"ICON due by: 14 days → 10 days, by partnership.admin on {today}: \u2018Local pathway\u2019"
    edit = _text(client.get(reverse("gaps-rule-setting-edit", args=["R17-icon"])).content.decode())
    assert line in edit
    assert f"17. ICON given to every carer of the baby: {line}" in _text(
        client.get(reverse("gaps-rule-settings")).content.decode()
    )
    assert "{'" not in edit and "icon_by_days" not in edit


def _usual_gap(fam: SeedFamily) -> gm.Gap:
    """An open gap of the family at its rule's own (not raised) severity."""
    for gap in gm.Gap.objects.filter(network=fam.network, resolved_at__isnull=True).order_by("pk"):
        rule = engine.rule(gap.rule_id)
        if rule and gap.severity == rule.severity.value and gap.severity != "critical":
            return gap
    raise AssertionError("the seed family has no gap at its rule's usual severity")


def test_severity_and_wording_are_the_partnerships_own_until_reset(
    admin: User, owner: User, fam: SeedFamily, client: Client
) -> None:
    gap = _usual_gap(fam)
    rule = engine.rule(gap.rule_id)
    assert rule is not None
    words = "We ask every family this, so that nobody who cares for the baby is missed."
    client.force_login(admin)
    url = reverse("gaps-rule-setting-edit", args=[rule.id])
    params = {f"param_{k}": v for k, v in rule.params.items()}
    response = client.post(
        url,
        {
            "enabled": "on",
            **params,
            "severity": "critical",
            "why_we_ask": words,
            "suggested_wording": rule.suggested_wording,
            "reason": "Agreed at the partnership board",
        },
    )
    assert response.status_code == 302
    row = gm.RuleSetting.objects.get(rule_id=rule.id)
    assert (row.severity, row.why_we_ask, row.suggested_wording) == ("critical", words, "")
    run_worker()  # every family's gaps are checked again in the background
    gap.refresh_from_db()
    assert gap.severity == "critical"
    event = AuditEvent.objects.filter(object_type="rule_setting").latest("id")
    assert event.changes["severity"] == ["", "critical"] and event.reason == "Agreed at the partnership board"
    # the practitioner sees the partnership's words
    client.force_login(owner)
    family = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    assert "We ask every family this, so that nobody who cares for the baby is missed." in family
    contact = gs.contact_open(actor=owner, network=fam.network, type="home-visit", date=date.today())
    page = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    assert words in page
    # the history, in words
    client.force_login(admin)
    edit = _text(client.get(url).content.decode())
    assert "Severity: Important → Critical; Why we ask: \u2018We ask every family this" in edit
    assert "Your partnership\u2019s own severity and words" in _text(
        client.get(reverse("gaps-rule-settings")).content.decode()
    )
    # reset: a reason is needed, then kinmap's own again
    reset = reverse("gaps-rule-setting-reset", args=[rule.id])
    empty = client.post(reset, {"reset-version": row.version, "reset-reason": ""})
    assert empty.status_code == 200 and "Say why you are going back to kinmap\u2019s settings" in _text(
        empty.content.decode()
    )
    done = client.post(reset, {"reset-version": row.version, "reset-reason": "Board reversed it"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.severity, row.why_we_ask, row.suggested_wording, row.params, row.enabled) == (
        "",
        "",
        "",
        {},
        True,
    )
    run_worker()
    gap.refresh_from_db()
    assert gap.severity == rule.severity.value
    edit = _text(client.get(url).content.decode())
    assert "Severity: Critical → Important; Why we ask: back to kinmap\u2019s words" in edit
    client.force_login(owner)
    assert rule.why_we_ask in _text(client.get(reverse("family", args=[fam.network.pk])).content.decode())


def test_bad_severity_and_words_are_refused(admin: User) -> None:
    with pytest.raises(RecordError, match="Choose critical, important or routine"):
        gs.rule_setting_change(
            actor=admin, rule_id="R09-other-names", enabled=True, params={}, reason="x", severity="urgent"
        )
    with pytest.raises(RecordError, match="Why we ask must not include"):
        gs.rule_setting_change(
            actor=admin, rule_id="R09-other-names", enabled=True, params={}, reason="x", why_we_ask="a\u202eb"
        )
    with pytest.raises(RecordError, match="This makes no change"):
        gs.rule_setting_change(
            actor=admin,
            rule_id="R09-other-names",
            enabled=True,
            params={},
            reason="x",
            why_we_ask=engine.rule("R09-other-names").why_we_ask,  # type: ignore[union-attr]
        )
    assert not gm.RuleSetting.objects.exists()


def _param_fields(client: Client, rule_id: str) -> dict[str, str]:
    """The rule's number settings on its edit form: field name -> label."""
    html = client.get(reverse("gaps-rule-setting-edit", args=[rule_id])).content.decode()
    return {
        name: unescape(label).strip()
        for name, label in re.findall(
            r'<label class="govuk-label[^"]*" for="id_(param_\w+)">\s*([^<]+?)\s*</label>', html
        )
    }


@pytest.mark.parametrize(
    ("value", "says"), [("-1", "must be 0 or more"), ("3650000", "must be at most 3650")]
)
def test_a_setting_out_of_range_is_refused_by_its_label_never_its_name(
    admin: User, client: Client, value: str, says: str
) -> None:
    client.force_login(admin)
    checked = 0
    for rule in engine.rules():
        fields = _param_fields(client, rule.id)
        numbers = {n: label for n, label in fields.items() if not isinstance(rule.params[n[6:]], bool)}
        for name, label in numbers.items():
            data = {n: rule.params[n[6:]] for n in numbers} | {
                name: value,
                "enabled": "on",
                "reason": "Trying",
            }
            url = reverse("gaps-rule-setting-edit", args=[rule.id])
            response = client.post(url, data)
            assert response.status_code == 200, (rule.id, name)
            text = _text(response.content.decode())
            assert "There is a problem" in text and f"{label} {says}" in text, (rule.id, name, text[:300])
            assert name[6:] not in text and "of rule" not in text, (rule.id, name)
            checked += 1
    # every number setting of every rule (a field the form did not show would be missed)
    assert checked == sum(1 for r in engine.rules() for v in r.params.values() if not isinstance(v, bool))
    assert not gm.RuleSetting.objects.exists()


def test_an_empty_setting_asks_for_it_by_its_label_keeping_an_abbreviation(
    admin: User, client: Client
) -> None:
    client.force_login(admin)
    url = reverse("gaps-rule-setting-edit", args=["R17-icon"])
    response = client.post(
        url, {"enabled": "on", "param_icon_by_days": "", "param_baby_under_days": 365, "reason": "x"}
    )
    text = _text(response.content.decode())
    assert "Enter ICON due by" in text and "Enter icon due by" not in text
