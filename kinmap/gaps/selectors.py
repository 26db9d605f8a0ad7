"""Read gaps, contacts and decisions. Each selector runs a fixed number of
queries, whatever the size of the family or the caseload."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.core.escalation import EscalationSettings
from kinmap.records import models as rm
from kinmap.records.pipelined import (
    FixedQueries,
    Ids,
    instances,
    model_rows,
    related_instances,
    related_rows,
    rows_of,
)
from kinmap.web.pagination import PAGE_SIZE
from kinmap.web.request_memo import memoised

from . import engine
from . import models as gm
from .presenters import GapView, gap_view, severity_order
from .team_counts import OneId, allocated_now, allocated_to, team_counts


def escalation() -> EscalationSettings:
    """The partnership's escalation thresholds (one query, read once in a
    reading request: the worklists' and supervision's counts, list and
    flagged gaps all ask; see :mod:`kinmap.web.request_memo`)."""
    return memoised(
        ("escalation",),
        lambda: engine.escalation_settings(gm.RuleSetting.objects.filter(rule_id=engine.ESCALATION)),
    )


def rule_setting_rows() -> list[gm.RuleSetting]:
    """Every rule setting of the partnership (one query, read once in a
    reading request: see :mod:`kinmap.web.request_memo`)."""
    return memoised(("rule-settings",), lambda: list(gm.RuleSetting.objects.all()))


def rule_config(
    read: list[gm.RuleSetting] | None = None,
) -> tuple[EscalationSettings, dict[str, engine.RuleWords]]:
    """The escalation thresholds and every rule's words for this partnership
    (``engine.words_by_rule``), in one query, none given the rule settings
    ``read`` already (worked out once in a reading request)."""

    def compute() -> tuple[EscalationSettings, dict[str, engine.RuleWords]]:
        rows = rule_setting_rows() if read is None else read
        return engine.escalation_settings(rows), engine.words_by_rule(rows)

    return memoised(("rule-config",), compute)


def open_gaps(network: rm.FamilyNetwork | int) -> list[gm.Gap]:
    """The gaps still to ask about of a family network (the row or its id), most
    severe first, then the oldest (one query, read once in a reading request:
    the family page's list and its genogram's markers share them)."""
    network_id = network if isinstance(network, int) else network.pk

    def compute() -> list[gm.Gap]:
        rows = gm.Gap.objects.filter(network_id=network_id, resolved_at__isnull=True)
        return sorted((g for g in rows if g.is_open), key=severity_order)

    return memoised(("open-gaps", network_id), compute)


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


def _family_gap_queries(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The reads of :func:`family_gaps_from` for the networks ``ids``: their
    gaps not resolved, those gaps' events (oldest first, with who typed them,
    who declined and the contact, as :func:`events_by_gap` reads them), every
    rule setting, and the contacts still open (newest first)."""
    return [
        model_rows(gm.Gap.objects.filter(network_id__in_ids=ids, resolved_at__isnull=True)),
        related_rows(
            gm.GapEvent.objects.filter(gap__network_id__in_ids=ids, gap__resolved_at__isnull=True).order_by(
                "at", "pk"
            ),
            "by",
            "declined_by",
            "contact",
        ),
        model_rows(gm.RuleSetting.objects.all()),
        model_rows(gm.Contact.objects.filter(network_id__in_ids=ids, status=gm.Contact.Status.OPEN)),
    ]


#: The family page's "What we still need to know", as fixed queries over the
#: network's id (:class:`kinmap.records.pipelined.FixedQueries`), for the
#: family page to send with its other reads; :func:`family_gaps_from` reads them.
FAMILY_GAPS = FixedQueries(_family_gap_queries)


@dataclass(frozen=True)
class FamilyGaps:
    """A family's open gaps as pages show them (as :func:`family_gaps` gives
    them) and the user's contact with the family still open, or None (as
    :func:`open_contact` finds it)."""

    gaps: list[GapView]
    open_contact: gm.Contact | None


def family_gaps_from(network_id: int, user: User, rows: list[list[tuple[Any, ...]]]) -> FamilyGaps:
    """:func:`family_gaps` and :func:`open_contact` from the rows of
    :data:`FAMILY_GAPS` for the network (no queries). The open gaps and the
    rule settings are kept for the rest of the reading request, as
    :func:`open_gaps` and :func:`rule_setting_rows` keep them (the genogram's
    markers and the carers' section use them). The family page does not
    show a gap's story in one line: the views are without it (``history``)."""
    gap_rows, event_rows, setting_rows, contact_rows = rows
    read = memoised(("rule-settings",), lambda: instances(gm.RuleSetting, setting_rows))
    gaps = memoised(
        ("open-gaps", network_id),
        lambda: sorted((g for g in instances(gm.Gap, gap_rows) if g.is_open), key=severity_order),
    )
    events: dict[int, list[gm.GapEvent]] = defaultdict(list)
    for e, _ in related_instances(gm.GapEvent, event_rows, "by", "declined_by", "contact"):
        events[e.gap_id].append(e)
    day = timezone.localdate()
    settings, words = rule_config(read)
    contact = next((c for c in instances(gm.Contact, contact_rows) if c.practitioner_id == user.pk), None)
    views = [gap_view(g, events.get(g.pk, []), day, settings, words, with_history=False) for g in gaps]
    return FamilyGaps(views, contact)


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
#
# The worklists and the supervision page count and order in the database: the
# open gaps are joined to the families (``FilteredRelation``) and aggregated,
# and only the page shown is read. Their queries do not grow with the number
# of families; the gaps' (network, resolved_at) index serves the join.


@dataclass
class WorklistRow:
    network: rm.FamilyNetwork
    children: list[rm.Person]
    worst: str = ""  # severity of the most severe open gap
    open_count: int = 0
    flagged_count: int = 0
    oldest: date | None = None  # the earliest "open since" of its open gaps

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

    def as_audit(self) -> dict[str, str]:
        """The filter as the audit trail records it (only what was chosen)."""
        return {
            k: v for k, v in (("rule", self.rule), ("severity", self.severity), ("state", self.state)) if v
        }


def _open(f: WorklistFilter, prefix: str) -> Q:
    """Open gaps (not resolved, not agreed not to apply) matching the filter,
    as a condition on the relation ``prefix`` ("gaps", "network__gaps")."""
    q = Q(**{f"{prefix}__resolved_at__isnull": True})
    q &= ~Q(**{f"{prefix}__na_status": gm.NotApplicable.AGREED})
    for name in ("rule", "severity", "state"):
        value = getattr(f, name)
        if value:
            q &= Q(**{f"{prefix}__{'rule_id' if name == 'rule' else name}": value})
    return q


def flagged_q(alias: str, today: date, settings: EscalationSettings) -> Q:
    """Open gaps that are flagged for the supervisor, as a condition on
    ``alias`` (a relation to open gaps; ``""``: on the gaps themselves): the
    rule of :func:`kinmap.core.escalation.escalation_reasons`, in SQL."""
    at = f"{alias}__" if alias else ""
    # open for ``after_days`` days or more (from the day the requirement first
    # applied): open since this day or before
    since = today - timedelta(days=settings.after_days)
    critical = Q(**{f"{at}severity": gm.Severity.CRITICAL}) & (
        Q(**{f"{at}times_prompted__gte": settings.after_contacts}) | Q(**{f"{at}open_since__lte": since})
    )
    return (
        critical
        | Q(**{f"{at}times_declined__gte": settings.after_declines})
        | Q(**{f"{at}overnight_infant_until__gt": today})
    )


def _rank(alias: str) -> Case:
    return Case(
        *(When(**{f"{alias}__severity": s.value}, then=Value(rank)) for s, rank in gm.SEVERITY_RANK.items()),
        output_field=IntegerField(),
    )


def team_network_ids(user: User) -> QuerySet[rm.Allocation, int]:
    """The ids of the families the user's team is allocated to now and that
    are not closed (a subquery): the families of the worklists. The same
    allocations, on the same day (the partnership's, ``timezone.localdate``),
    as the teams' kept counts (:func:`allocated_now`)."""
    return allocated_now([user.team_id or 0], timezone.localdate()).values_list("network_id", flat=True)


def worklist_networks(user: User, f: WorklistFilter, today: date | None = None) -> QuerySet[rm.FamilyNetwork]:
    """The user's team's families, each with its open gaps (matching the
    filter) counted: ``worst_rank`` (0 critical .. 2 routine, 9 none),
    ``open_count``, ``oldest``; the one with the most severe gap first, then
    the oldest gap, then by name. Without a filter the counts are the
    family's ``GapSummary`` (one row a family, whatever its gaps); with one,
    only families with matching gaps, counted from the gaps. One query to
    count, one for a page (see :func:`worklist_rows`, which counts the flagged
    gaps of the page's families)."""
    team = rm.FamilyNetwork.objects.filter(pk__in=team_network_ids(user))
    if not f.active:
        qs = team.annotate(
            worst_rank=Coalesce(F("gap_summary__worst_rank"), Value(9)),
            open_count=Coalesce(F("gap_summary__open_count"), Value(0)),
            oldest=F("gap_summary__oldest_open"),
        )
    else:
        qs = (
            team.alias(open=FilteredRelation("gaps", condition=_open(f, "gaps")))
            .annotate(
                worst_rank=Coalesce(Min(_rank("open")), Value(9)),
                open_count=Count("open"),
                oldest=Min("open__open_since"),
            )
            .filter(open_count__gt=0)
        )
    return qs.order_by("worst_rank", F("oldest").asc(nulls_last=True), "name", "pk")


@dataclass(frozen=True)
class TeamWorklist:
    """The worklist without a filter of the team ``team_id`` on ``day``, in
    the order of :func:`worklist_networks`, as a list a page is sliced from
    (``rows[start:stop]``: a list of ``FamilyNetwork`` annotated like
    :func:`worklist_networks`' rows) without joining and sorting every family
    of the team. It is two lists one after the other: the families with open
    gaps (``with_gaps``, walked in the order of their ``GapSummary``'s
    ``(worst_rank, oldest_open)`` index, then by name), then those without
    (``without_gaps``: no summary, or one counting none; their worst rank is
    9 and they have no oldest gap, so by name). How many there are of each
    is the team's kept counts (``count``, ``count_with_gaps``). A page
    reads one of the lists, or both for the page where one ends and the
    other begins (a query each); the first page of ``with_gaps`` (the one
    opened most) by a statement compiled and planned once
    (:func:`_first_with_gaps`), without building a queryset."""

    team_id: int
    day: date
    count: int  # families in all
    count_with_gaps: int

    @property
    def with_gaps(self) -> QuerySet[rm.FamilyNetwork]:
        return _with_gaps(self.team_id, self.day)

    @property
    def without_gaps(self) -> QuerySet[rm.FamilyNetwork]:
        return (
            rm.FamilyNetwork.objects.filter(allocated_to(self.team_id, self.day))
            .filter(Q(gap_summary__isnull=True) | Q(gap_summary__open_count=0))
            .annotate(worst_rank=Value(9), open_count=Value(0), oldest=Value(None, output_field=DateField()))
            .order_by("name", "pk")
        )

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, rows: slice) -> list[rm.FamilyNetwork]:
        start, stop = rows.start or 0, self.count if rows.stop is None else rows.stop
        split = self.count_with_gaps
        page: list[rm.FamilyNetwork] = []
        if start < split:
            end = min(stop, split)
            if start == 0 and end <= PAGE_SIZE:
                page += _first_with_gaps(self.team_id, self.day)[:end]
            else:
                page += self.with_gaps[start:end]
        if stop > split:
            page += self.without_gaps[max(start - split, 0) : stop - split]
        return page


_WORKLIST_EXTRA = ("worst_rank", "open_count", "oldest")


def _with_gaps(team: int | OneId, day: date) -> QuerySet[rm.FamilyNetwork]:
    """The families of :class:`TeamWorklist`'s ``with_gaps`` for the team
    ``team`` (its id, or :class:`~kinmap.gaps.team_counts.OneId`) on ``day``."""
    return (
        rm.FamilyNetwork.objects.filter(allocated_to(team, day))
        .filter(gap_summary__open_count__gt=0)
        .annotate(
            worst_rank=F("gap_summary__worst_rank"),
            open_count=F("gap_summary__open_count"),
            oldest=F("gap_summary__oldest_open"),
        )
        .order_by("gap_summary__worst_rank", F("gap_summary__oldest_open").asc(nulls_last=True), "name", "pk")
    )


@functools.lru_cache(maxsize=8)
def _first_with_gaps_reads(day: date) -> FixedQueries:
    """The first page of :func:`_with_gaps` on ``day`` over a team's id
    (built once in the process for each day; prepared once per connection on
    PostgreSQL)."""
    return FixedQueries(
        lambda ids: [related_rows(_with_gaps(OneId(), day), extra=_WORKLIST_EXTRA)[:PAGE_SIZE]]
    )


def _first_with_gaps(team_id: int, day: date) -> list[rm.FamilyNetwork]:
    """The first page of :func:`_with_gaps` (one query), annotated as the
    queryset's rows are."""
    (rows,) = rows_of(_first_with_gaps_reads(day).bind([team_id]))
    page = []
    for network, extra in related_instances(rm.FamilyNetwork, rows):
        network.worst_rank, network.open_count, network.oldest = extra  # type: ignore[attr-defined]
        page.append(network)
    return page


def team_worklist(user: User, today: date | None = None) -> TeamWorklist:
    """The user's team's worklist without a filter (see :class:`TeamWorklist`;
    one query to read the team's kept counts, :func:`team_counts`, when they
    are up to date). A user without a team has none."""
    day = today or timezone.localdate()
    counts = team_counts([user.team_id], day, escalation()) if user.team_id else {}
    kept = counts.get(user.team_id or 0, {})
    return TeamWorklist(
        user.team_id or 0, day, int(kept.get("families") or 0), int(kept.get("families_with_gaps") or 0)
    )


def flagged_counts(network_ids: list[int], f: WorklistFilter, day: date) -> dict[int, int]:
    """How many open gaps (matching the filter) of each of the families
    ``network_ids`` are flagged for a supervisor on ``day``, by network id
    (one query over those families' gaps only; families with none left out)."""
    rows = (
        rm.FamilyNetwork.objects.filter(pk__in=network_ids)
        .alias(open=FilteredRelation("gaps", condition=_open(f, "gaps")))
        .annotate(n=Count("open", filter=flagged_q("open", day, escalation())))
        .filter(n__gt=0)
        .values_list("pk", "n")
        .order_by()
    )
    return dict(rows)


def _page_queries(ids: Ids, day: date, settings: EscalationSettings) -> list[QuerySet[Any, Any]]:
    """For the families ``ids`` of a page of the worklist without a filter:
    their index children (each membership with its person), and how many of
    their open gaps are flagged on ``day`` (by family; families with none
    left out), counted from the gaps alone."""
    flagged = (
        gm.Gap.objects.filter(network_id__in_ids=ids, resolved_at__isnull=True)
        .exclude(na_status=gm.NotApplicable.AGREED)
        .filter(flagged_q("", day, settings))
        .values("network_id")
        .annotate(n=Count("pk"))
        .values_list("network_id", "n")
        .order_by()
    )
    children = rm.NetworkMember.objects.filter(network_id__in_ids=ids, is_index=True).order_by("pk")
    return [related_rows(children, "person"), flagged]


@functools.lru_cache(maxsize=8)
def _page_reads(day: date, settings: EscalationSettings) -> FixedQueries:
    """:func:`_page_queries` for ``day`` and ``settings``, over a page's
    network ids (built once in the process for each day and thresholds)."""
    return FixedQueries(lambda ids: _page_queries(ids, day, settings))


def worklist_rows(
    networks: Iterable[rm.FamilyNetwork], f: WorklistFilter | None = None, today: date | None = None
) -> list[WorklistRow]:
    """Rows for one page of :func:`worklist_networks` (made with the filter
    ``f``), with each family's index children and its flagged gaps counted
    (two queries; without a filter one, its statements compiled once)."""
    page = list(networks)
    ids = [n.pk for n in page]
    day = today or timezone.localdate()
    children: dict[int, list[rm.Person]] = defaultdict(list)
    if not ids:  # an empty page: no query, as the querysets'
        flagged: dict[int, int] = {}
    elif f is None or not f.active:
        member_rows, flagged_rows = rows_of(_page_reads(day, escalation()).bind(ids))
        for mem, _ in related_instances(rm.NetworkMember, member_rows, "person"):
            children[mem.network_id].append(mem.person)
        flagged = dict(flagged_rows)
    else:
        for mem in (
            rm.NetworkMember.objects.filter(network_id__in=ids, is_index=True)
            .select_related("person")
            .order_by("pk")
        ):
            children[mem.network_id].append(mem.person)
        flagged = flagged_counts(ids, f, day)
    severities = {rank: s.value for s, rank in gm.SEVERITY_RANK.items()}
    return [
        WorklistRow(
            network=n,
            children=children[n.pk],
            worst=severities.get(n.worst_rank, ""),  # type: ignore[attr-defined]
            open_count=n.open_count,  # type: ignore[attr-defined]
            flagged_count=flagged.get(n.pk, 0),
            oldest=n.oldest,  # type: ignore[attr-defined]
        )
        for n in page
    ]


def worklist(user: User, f: WorklistFilter, today: date | None = None) -> list[WorklistRow]:
    """Every row of the user's team's worklist (for a command or a test; the
    page shows one page of :func:`worklist_networks`)."""
    return worklist_rows(worklist_networks(user, f, today), f, today)


@dataclass
class TeamRow:
    """One team of an area: families allocated, and their open gaps (matching
    the filter) counted; ``flagged_families``: families with an open gap
    (matching the filter) flagged for a supervisor."""

    team: Team
    families: int = 0
    families_with_gaps: int = 0
    open_count: int = 0
    critical_count: int = 0
    flagged_families: int = 0
    oldest: date | None = None  # the earliest "open since" of its open gaps


def area_teams(user: User) -> QuerySet[Team]:
    """The teams of the user's agency (the area), by name; none for a user
    without a team."""
    if not user.team_id or user.team is None:
        return Team.objects.none()
    return Team.objects.filter(agency_id=user.team.agency_id).order_by("name", "pk")


def area_rows(teams: Iterable[Team], f: WorklistFilter, today: date | None = None) -> list[TeamRow]:
    """Counts for one page of teams: each team's families allocated now, how
    many have open gaps (matching the filter), those gaps, how many are
    critical, how many families have a gap flagged for a supervisor, the
    oldest. Without a filter from the teams' kept counts
    (:func:`kinmap.gaps.team_counts.team_counts`, one query when they are up
    to date); with one, counted from the gaps (one query)."""
    day = today or timezone.localdate()
    settings = escalation()
    rows = {t.pk: TeamRow(team=t) for t in teams}
    if not f.active:
        for team_id, counts in team_counts(rows, day, settings).items():
            for k, v in counts.items():
                setattr(rows[team_id], k, v)
        return list(rows.values())
    counted = (
        allocated_now(list(rows), day)
        .alias(open=FilteredRelation("network__gaps", condition=_open(f, "network__gaps")))
        .values("team_id")
        .annotate(
            families=Count("network_id", distinct=True),
            families_with_gaps=Count("network_id", distinct=True, filter=Q(open__id__isnull=False)),
            open_count=Count("open"),
            critical_count=Count("open", filter=Q(open__severity=gm.Severity.CRITICAL)),
            flagged_families=Count("network_id", distinct=True, filter=flagged_q("open", day, settings)),
            oldest=Min("open__open_since"),
        )
    )
    for c in counted.order_by():
        row = rows[c.pop("team_id")]
        for k, v in c.items():
            setattr(row, k, v)
    return list(rows.values())


def team_count(user: User, what: str, today: date | None = None) -> int:
    """One of the user's team's kept counts (``"families"`` allocated now,
    ``"flagged_families"``): what :func:`worklist_networks` without a filter
    and :func:`kinmap.gaps.supervision_reads.flagged_networks` count, read from one row (0 without a team)."""
    if not user.team_id:
        return 0
    counts = team_counts([user.team_id], today or timezone.localdate(), escalation())
    return int(counts[user.team_id][what] or 0)


def open_contact(network: rm.FamilyNetwork, user: User) -> gm.Contact | None:
    return gm.Contact.objects.filter(
        network=network, practitioner=user, status=gm.Contact.Status.OPEN
    ).first()
