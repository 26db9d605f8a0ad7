"""Gaps in words: what was said last time, a gap's history as one line, the
reasons a gap is flagged. No queries: selectors load, these describe."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kinmap.core.dates import day_month_year, short_month
from kinmap.core.escalation import EscalationSettings, GapStatus, escalation_reasons
from kinmap.core.rules import Rule
from kinmap.core.rules.facts import describe_missing
from kinmap.core.rules.open_since import OpenSinceBasis
from kinmap.core.vocab import Source
from kinmap.records.members import member
from kinmap.web.html_text import esc

from . import engine
from . import models as gm
from .models import EventKind, GapState


def short_date(value: datetime | date, today: date) -> str:
    d = timezone.localdate(value) if isinstance(value, datetime) else value
    return f"{d.day} {short_month(d)}" if d.year == today.year else f"{d.day} {short_month(d)} {d.year}"


def _quote(text: str) -> str:
    return f"\u2018{text}\u2019"


def source_words(source: str, detail: str) -> str:
    if source == Source.SAID_BY:
        return f"given by {detail}" if detail else "said by someone"
    if source == Source.SEEN:
        return "seen directly"
    if source == Source.BIRTH_REGISTRATION:
        return "from the birth registration"
    if source == Source.NATIONAL_DEMOGRAPHICS:
        return "from national demographics"
    if source == Source.OTHER_AGENCY:
        return f"from {detail}" if detail else "from another agency"
    return ""


def event_day(e: gm.GapEvent) -> date:
    """When it happened: the day recorded for it (an answer recorded after the
    event), else the date of the contact it happened at, else the day typed."""
    if e.occurred_on is not None:
        return e.occurred_on
    return e.contact.date if e.contact_id and e.contact else timezone.localdate(e.at)


def answer_words(e: gm.GapEvent) -> str:
    """What was said, without the date: "declined: 'he doesn't want ...'"."""
    if e.kind == EventKind.NOT_ASKED_THIS_TIME:
        return f"not asked this time: {_quote(e.reason)}"
    who = f" ({e.declined_by})" if e.state == GapState.ASKED_DECLINED and e.declined_by else ""
    if e.state == GapState.ASKED_DECLINED:
        return f"declined{who}: {_quote(e.reason)}"
    if e.state == GapState.ASKED_UNKNOWN:
        return "not known" + (f": {_quote(e.reason)}" if e.reason else "")
    if e.state == GapState.TEMP_UNKNOWN:
        return f"not known yet: {e.from_whom} will find out"
    if e.state == GapState.MASKED:
        return "known but protected (masked)" + (f": {_quote(e.reason)}" if e.reason else "")
    if e.state == GapState.NOT_APPLICABLE:
        return f"does not apply: {_quote(e.reason)}"
    return gm.GapState(e.state).label.lower() if e.state else ""


def history_text(gap: gm.Gap, events: Sequence[gm.GapEvent], today: date) -> str:
    """The gap's story on one line, e.g. "not asked (12 Jan) → asked, declined:
    'he doesn't want services involved' (3 Feb) → asked again, date of birth
    given by the mother (17 Mar)"."""
    parts: list[str] = []
    asked = False
    what = describe_missing(tuple(gap.missing)).lower() or "the answer"
    for e in events:
        when = f"({short_date(event_day(e), today)})"
        if e.kind == EventKind.OPENED:
            parts.append(f"not asked {when}")
        elif e.kind == EventKind.ANSWERED:
            parts.append(f"{'asked again' if asked else 'asked'}, {answer_words(e)} {when}")
            asked = True
        elif e.kind == EventKind.NOT_ASKED_THIS_TIME:
            parts.append(f"{answer_words(e)} {when}")
        elif e.kind == EventKind.RESOLVED:
            src = source_words(e.source, e.source_detail)
            lead = "asked again, " if asked else ""
            parts.append(f"{lead}{what} recorded{', ' + src if src else ''} {when}")
            asked = False
        elif e.kind == EventKind.REOPENED:
            parts.append(f"reopened: no longer recorded {when}")
        elif e.kind == EventKind.NA_AGREED:
            parts.append(f"a supervisor agreed it does not apply {when}")
        elif e.kind == EventKind.NA_REFUSED:
            parts.append(f"a supervisor did not agree it does not apply: {_quote(e.reason)} {when}")
    return " \u2192 ".join(parts)


def last_said(events: Sequence[gm.GapEvent], today: date) -> str:
    """What was said the last time the gap was raised, or an empty string."""
    for e in reversed(events):
        if e.kind in (EventKind.ANSWERED, EventKind.NOT_ASKED_THIS_TIME):
            text = f"{short_date(event_day(e), today)}: {answer_words(e)}"
            if e.practitioner_view:
                text += f". Practitioner\u2019s view: {_quote(e.practitioner_view)}"
            return text
    return ""


def gap_status(gap: gm.Gap) -> GapStatus:
    return GapStatus(
        severity=gap.severity,
        opened_on=gap.open_since,
        times_prompted=gap.times_prompted,
        times_declined=gap.times_declined,
        overnight_infant_until=gap.overnight_infant_until,
    )


def flags(gap: gm.Gap, today: date, settings: EscalationSettings) -> list[str]:
    return escalation_reasons(gap_status(gap), today, settings) if gap.is_open else []


def state_words(gap: gm.Gap) -> str:
    if gap.state == GapState.NOT_APPLICABLE and gap.na_status == gm.NotApplicable.PENDING:
        return "Not applicable: waiting for a supervisor to agree"
    if gap.state == GapState.NOT_APPLICABLE and gap.na_status == gm.NotApplicable.REFUSED:
        return "Not applicable: a supervisor did not agree"
    return member(gm.GapState, gap.state).label


@dataclass
class GapView:
    gap: gm.Gap
    rule: Rule | None
    title: str
    why_we_ask: str
    suggested_wording: str
    what_is_missing: str
    state: str
    age_days: int
    last_said: str = ""
    history: str = ""
    flags: list[str] = field(default_factory=list)
    events: list[gm.GapEvent] = field(default_factory=list)

    @property
    def severity_label(self) -> str:
        return member(gm.Severity, self.gap.severity).label

    @property
    def open_since_note(self) -> str:
        """Where the family's dates do not say when the requirement first
        applied, what the "open since" date is instead, in words; else ""."""
        return OPEN_SINCE_NOTES.get(self.gap.open_since_basis, "")

    @property
    def open_since_words(self) -> str:
        """The day the gap has been open since: "4 March 2026"."""
        return day_month_year(self.gap.open_since)


#: What "open since" is when it is not from the family's own dates
#: (``kinmap.core.rules.open_since.OpenSinceBasis`` codes).
OPEN_SINCE_NOTES = {
    OpenSinceBasis.RECORDED.value: "when it was recorded: the family's dates do not say",
    OpenSinceBasis.NOT_KNOWN.value: "when kinmap found it: the family's dates do not say",
}


def gap_view(
    gap: gm.Gap,
    events: Sequence[gm.GapEvent],
    today: date,
    settings: EscalationSettings,
    words: Mapping[str, engine.RuleWords] | None = None,
    *,
    with_history: bool = True,
) -> GapView:
    """The gap as pages show it. ``words`` (by rule id, ``engine.words_by_rule``)
    carries the partnership's own *why we ask* and *you could say*; without it,
    kinmap's. ``with_history=False`` leaves out the gap's story in one line
    (``history``, empty), for a page that does not show it (the family page)."""
    r = engine.rule(gap.rule_id)
    own = (words or {}).get(gap.rule_id)
    return GapView(
        gap=gap,
        rule=r,
        title=r.title if r else gap.rule_id,
        why_we_ask=own.why_we_ask if own else (r.why_we_ask if r else ""),
        suggested_wording=own.suggested_wording if own else (r.suggested_wording if r else ""),
        what_is_missing=describe_missing(tuple(gap.missing)),
        state=state_words(gap),
        age_days=(today - gap.open_since).days,
        last_said=last_said(events, today),
        history=history_text(gap, events, today) if with_history else "",
        flags=flags(gap, today, settings),
        events=list(events),
    )


def severity_order(gap: gm.Gap) -> tuple[int, date, datetime, int]:
    """Most severe first, then the oldest (open the longest: ``open_since``)."""
    return (gm.SEVERITY_RANK.get(member(gm.Severity, gap.severity), 9), gap.open_since, gap.opened_at, gap.pk)


# The tag of each severity: (its colour class, its words); anything else is routine.
SEVERITY_TAGS = {
    "critical": ("govuk-tag--red", "Critical"),
    "important": ("govuk-tag--orange", "Important"),
}
ROUTINE_TAG = ("govuk-tag--grey", "Routine")


def severity_tag_html(severity: str) -> SafeString:
    """A gap's severity (a ``gm.Severity`` value) as a GOV.UK tag:
    ``<strong class="govuk-tag govuk-tag--red">Critical</strong>``, orange for
    important, grey "Routine" for anything else."""
    colour, words = SEVERITY_TAGS.get(severity, ROUTINE_TAG)
    return mark_safe(f'<strong class="govuk-tag {colour}">{words}</strong>')  # noqa: S308 - kinmap's own words


def family_gap_line(v: GapView) -> SafeString:
    """One line of the family page's "What we still need to know" list, as
    HTML (the text escaped): its severity tag, what is missing, why we ask,
    its state, since when it is open, what was said last time and why it is
    flagged. Written here once instead of by some twenty template nodes a gap
    (``gaps/_family_gaps.html`` lists them)."""
    note = f" ({esc(v.open_since_note)})" if v.open_since_note else ""
    last = f" &middot; last time {esc(v.last_said)}" if v.last_said else ""
    flagged = f" &middot; <strong>flagged: {esc('; '.join(v.flags))}</strong>" if v.flags else ""
    # SafeString as mark_safe makes it from a plain str, without its lazy-text wrapper
    return SafeString(  # every value below is escaped (esc)
        f'\n    <li class="kinmap-gap-line" id="gap-{int(v.gap.pk)}" data-gap-key="{esc(v.gap.key)}">\n'
        f"      {_severity_tag(v.gap.severity)} <strong>{esc(v.gap.detail)}</strong><br>\n"
        f'      <span class="govuk-body-s">Why we ask: {esc(v.why_we_ask)}</span><br>\n'
        f'      <span class="govuk-body-s govuk-hint">{esc(v.state)} &middot; open since '
        f"{v.open_since_words}{note}{last}{flagged}</span>\n"  # a day, a month's name and a year
        "    </li>\n    "
    )


def flagged_gap_line(v: GapView) -> SafeString:
    """One flagged gap of a family on the supervision page, as HTML (the text
    escaped): ``<li data-gap-key="...">``, its severity tag, what is missing,
    and why it is flagged (the reasons joined by "; "). Written here once
    instead of by template nodes for each gap (``gaps/dashboard.html``); the
    same text ``format_html`` would make, each value escaped by
    :func:`kinmap.web.html_text.esc` (as the family page's gap lines are),
    without its per-argument overhead (a page lists a hundred or more)."""
    return mark_safe(  # noqa: S308 (every value escaped)
        f'<li data-gap-key="{esc(v.gap.key)}">{_severity_tag(v.gap.severity)} '
        f"{esc(v.gap.detail)}<br>"
        f'<span class="govuk-body-s">{esc("; ".join(v.flags))}</span></li>'
    )


@functools.lru_cache(maxsize=16)
def _severity_tag(severity: str) -> str:
    """:func:`severity_tag_html`, made once for each severity."""
    return str(severity_tag_html(severity))
