"""The family page's gap lines and the supervision page's flagged gap lines,
written in Python, are the markup the templates wrote for them, text escaped
alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template

from kinmap.gaps import models as gm
from kinmap.gaps.presenters import GapView, family_gap_line, flagged_gap_line

# the loop body of gaps/_family_gaps.html before the lines were written in Python
TEMPLATE = """{% load gaps %}
    <li class="kinmap-gap-line" id="gap-{{ v.gap.pk }}" data-gap-key="{{ v.gap.key }}">
      {{ v.gap.severity|severity_tag }} <strong>{{ v.gap.detail }}</strong><br>
      <span class="govuk-body-s">Why we ask: {{ v.why_we_ask }}</span><br>
      <span class="govuk-body-s govuk-hint">{{ v.state }} &middot; open since {{ v.open_since_words }}{% if v.open_since_note %} ({{ v.open_since_note }}){% endif %}{% if v.last_said %} &middot; last time {{ v.last_said }}{% endif %}{% if v.flags %} &middot; <strong>flagged: {{ v.flags|join:"; " }}</strong>{% endif %}</span>
    </li>
    """  # noqa: E501
# the loop body of a flagged family on gaps/dashboard.html before the lines were written in Python
FLAGGED = (
    '{% load gaps %}<li data-gap-key="{{ v.gap.key }}">{{ v.gap.severity|severity_tag }} '
    '{{ v.gap.detail }}<br><span class="govuk-body-s">{{ v.flags|join:"; " }}</span></li>'
)


@pytest.mark.parametrize("severity", ["critical", "important", "routine", ""])
@pytest.mark.parametrize("basis", ["", "recorded", "not-known"])
@pytest.mark.parametrize(
    ("last_said", "flags"),
    [("", []), ("3 Feb: declined: \u2018he <won't> say\u2019", ["declined twice", "a & b"])],
)
def test_a_gap_line_is_the_templates_markup(
    severity: str, basis: str, last_said: str, flags: list[str]
) -> None:
    gap = gm.Gap(
        pk=42,
        key='r1:person:7"<x>',
        severity=severity,
        detail="Date of birth of <Sam> & Jo",
        open_since=date(2026, 3, 4),
        open_since_basis=basis,
    )
    view = GapView(
        gap=gap,
        rule=None,
        title="",
        why_we_ask='It\'s <needed> & "asked"',
        suggested_wording="",
        what_is_missing="",
        state="Not asked",
        age_days=1,
        last_said=last_said,
        flags=flags,
    )
    assert family_gap_line(view) == Template(TEMPLATE).render(Context({"v": view}))
    assert flagged_gap_line(view) == Template(FLAGGED).render(Context({"v": view}))
