"""Read gaps, contacts and decisions. Each selector runs a fixed number of
queries, whatever the size of the family or the caseload."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.core.escalation import EscalationSettings
from kinmap.records import models as rm
from kinmap.records.selectors import networks_for_user

from . import engine
from . import models as gm
from .presenters import GapView, flags, gap_view, severity_order


def escalation() -> EscalationSettings:
    return engine.escalation_settings(gm.RuleSetting.objects.filter(rule_id=engine.ESCALATION))


def rule_config() -> tuple[EscalationSettings, dict[str, engine.RuleWords]]:
    """The escalation thresholds and every rule's words for this partnership
    (``engine.words_by_rule``), in one query."""
    rows = list(gm.RuleSetting.objects.all())
    return engine.escalation_settings(rows), engine.words_by_rule(rows)


def open_gaps(network: rm.FamilyNetwork) -> list[gm.Gap]:
    """The gaps still to ask about, most severe first, then the oldest."""
    rows = [g for g in gm.Gap.objects.filter(network=network, resolved_at__isnull=True) if g.is_open]
    return sorted(rows, key=severity_order)


def events_by_gap(gaps: Iterable[gm.Gap]) -> dict[int, list[gm.GapEvent]]:
    out: dict[int, list[gm.GapEvent]] = defaultdict(list)
    ids = [g.pk for g in gaps]
    if not ids:
        return out
    for e in (
        gm.GapEvent.objects.filter(gap_id__in=ids)
        .select_related("by", "declined_by", "contact")
        .order_by("at", "pk")
    ):
        out[e.gap_id].append(e)
    return out


def gap_views(gaps: list[gm.Gap], today: date | None = None) -> list[GapView]:
    day = today or timezone.localdate()
    settings, words = rule_config()
    events = events_by_gap(gaps)
    return [gap_view(g, events.get(g.pk, []), day, settings, words) for g in gaps]


def family_gaps(network: rm.FamilyNetwork) -> list[GapView]:
    """What we still need to know about a family (four queries)."""
    return gap_views(open_gaps(network))


@dataclass
class FamilyHistory:
    gaps: list[GapView]
    decisions: list[gm.SupervisorDecision]
    contacts: list[gm.Contact]


def family_history(network: rm.FamilyNetwork) -> FamilyHistory:
    gaps = sorted(gm.Gap.objects.filter(network=network), key=lambda g: (not g.is_open, *severity_order(g)))
    return FamilyHistory(
        gaps=gap_views(gaps),
        decisions=list(
            gm.SupervisorDecision.objects.filter(network=network).select_related("by", "gap").order_by("-at")
        ),
        contacts=list(gm.Contact.objects.filter(network=network).select_related("practitioner")),
    )


# -- worklists -----------------------------------------------------------------


@dataclass
class WorklistRow:
    network: rm.FamilyNetwork
    children: list[rm.Person]
    worst: str = ""  # severity of the most severe open gap
    open_count: int = 0
    flagged_count: int = 0
    oldest: datetime | None = None

    @property
    def worst_label(self) -> str:
        return gm.Severity(self.worst).label if self.worst else "No open gaps"


@dataclass(frozen=True)
class WorklistFilter:
    rule: str = ""
    severity: str = ""
    state: str = ""

    @property
    def active(self) -> bool:
        return bool(self.rule or self.severity or self.state)


def _matching(qs: QuerySet[gm.Gap], f: WorklistFilter) -> QuerySet[gm.Gap]:
    if f.rule:
        qs = qs.filter(rule_id=f.rule)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.state:
        qs = qs.filter(state=f.state)
    return qs


def worklist(user: User, f: WorklistFilter, today: date | None = None) -> list[WorklistRow]:
    """The user's team's families, the one with the most severe open gap first
    (then the oldest gap). With a filter, only families with matching gaps."""
    day = today or timezone.localdate()
    networks = list(
        networks_for_user(user).filter(closed_at__isnull=True).prefetch_related("members__person")
    )
    settings = escalation()
    rows: dict[int, WorklistRow] = {}
    for n in networks:
        kids = [mem.person for mem in n.members.all() if mem.is_index]
        rows[n.pk] = WorklistRow(network=n, children=kids)
    gaps = _matching(
        gm.Gap.objects.filter(network_id__in=list(rows), resolved_at__isnull=True).exclude(
            na_status=gm.NotApplicable.AGREED
        ),
        f,
    )
    for g in gaps:
        row = rows[g.network_id]
        row.open_count += 1
        if (
            not row.worst
            or gm.SEVERITY_RANK[gm.Severity(g.severity)] < gm.SEVERITY_RANK[gm.Severity(row.worst)]
        ):
            row.worst = g.severity
        if row.oldest is None or g.opened_at < row.oldest:
            row.oldest = g.opened_at
        if flags(g, day, settings):
            row.flagged_count += 1
    out = [r for r in rows.values() if r.open_count or not f.active]

    def order(r: WorklistRow) -> tuple[int, float, str]:
        rank = gm.SEVERITY_RANK[gm.Severity(r.worst)] if r.worst else 9
        return (rank, r.oldest.timestamp() if r.oldest else float("inf"), r.network.name)

    return sorted(out, key=order)


# -- supervision -----------------------------------------------------------------


@dataclass
class FlaggedFamily:
    network: rm.FamilyNetwork
    gaps: list[GapView] = field(default_factory=list)


@dataclass
class Dashboard:
    families: list[FlaggedFamily]
    oldest: list[GapView]
    declines: list[gm.GapEvent]
    declines_by_family: list[tuple[rm.FamilyNetwork, int]]
    pending_na: list[GapView]
    networks: dict[int, rm.FamilyNetwork]


def supervisor_dashboard(user: User, today: date | None = None, oldest: int = 10) -> Dashboard:
    """The supervisor's team's families by flagged gaps, the oldest open gaps,
    and reluctance (declines) across the caseload."""
    day = today or timezone.localdate()
    networks = {n.pk: n for n in networks_for_user(user).filter(closed_at__isnull=True)}
    gaps = [
        g for g in gm.Gap.objects.filter(network_id__in=list(networks), resolved_at__isnull=True) if g.is_open
    ]
    views = gap_views(gaps, day)
    by_family: dict[int, FlaggedFamily] = {}
    for v in views:
        if v.flags:
            by_family.setdefault(v.gap.network_id, FlaggedFamily(networks[v.gap.network_id])).gaps.append(v)
    families = sorted(by_family.values(), key=lambda f: (-len(f.gaps), f.network.name))
    for fam in families:
        fam.gaps.sort(key=lambda v: severity_order(v.gap))
    declines = list(
        gm.GapEvent.objects.filter(
            gap__network_id__in=list(networks),
            kind=gm.EventKind.ANSWERED,
            state=gm.GapState.ASKED_DECLINED,
        )
        .select_related("gap", "by", "declined_by")
        .order_by("-at", "-pk")
    )
    counts: dict[int, int] = defaultdict(int)
    for e in declines:
        counts[e.gap.network_id] += 1
    return Dashboard(
        families=families,
        oldest=sorted(views, key=lambda v: (v.gap.opened_at, v.gap.pk))[:oldest],
        declines=declines[:50],
        declines_by_family=sorted(
            ((networks[k], c) for k, c in counts.items()), key=lambda x: (-x[1], x[0].name)
        ),
        pending_na=[v for v in views if v.gap.na_status == gm.NotApplicable.PENDING],
        networks=networks,
    )


def open_contact(network: rm.FamilyNetwork, user: User) -> gm.Contact | None:
    return gm.Contact.objects.filter(
        network=network, practitioner=user, status=gm.Contact.Status.OPEN
    ).first()
