"""Bringing a family's gaps up to date.

:func:`gaps_recompute` runs inside the transaction of every change to a family
(registered with ``kinmap.records.services.on_family_change``), so the gaps on
every page and worklist are those of the family as it is now. It runs the rules
over the family, plans what to open, reopen, update and resolve
(:func:`gaps_plan_many`, no queries), writes the plan in a fixed number of
queries (:func:`_write`) and shows the gaps at any contact open
(:func:`_show`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, QuerySet

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record_many
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.resolution import resolving_provenance
from kinmap.core.rules import ProcessInputs, RuleSettings, Unmet
from kinmap.core.rules.open_since import NOT_KNOWN, OpenSince, OpenSinceBasis, open_since_all
from kinmap.core.wording import OUTSIDER
from kinmap.records import models as rm
from kinmap.records.copy_rows import rows_insert
from kinmap.records.graph_load import family_networks_load_with
from kinmap.records.pipelined import FixedQueries, Ids, instances, model_rows
from kinmap.records.selectors import FamilyRecord

from .. import engine
from .. import models as gm
from ..models import EventKind, GapState, NotApplicable, Outcome
from ..summaries import gap_summaries_refresh
from .common import _now, _today
from .process_inputs import process_inputs_from, process_inputs_many, process_queries


@dataclass
class RecomputeResult:
    opened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # severity or wording changed

    @property
    def any(self) -> bool:
        return bool(self.opened or self.resolved or self.reopened or self.changed)

    def changes(self) -> dict[str, list[Any]]:
        """The audit event's changes: ``[None, keys]`` (sorted) for each list
        that is not empty, in the order of the fields (as
        ``dataclasses.asdict`` gives them, without copying the lists first)."""
        lists = (
            ("opened", self.opened),
            ("resolved", self.resolved),
            ("reopened", self.reopened),
            ("changed", self.changed),
        )
        return {name: [None, sorted(keys)] for name, keys in lists if keys}


def _overnight_infant_until(graph: FamilyGraph, unmet_subject_kind: str, subject_id: object) -> date | None:
    """The first birthday of the youngest baby the gap's subject has overnight
    (None when the subject gives no overnight care to a baby under one)."""
    net = graph.network
    try:
        sid = int(str(subject_id))
    except ValueError:
        return None
    if unmet_subject_kind == "care":
        carer = next((c.carer_id for c in net.care if c.id == sid), None)
    elif unmet_subject_kind == "person":
        carer = sid
    else:
        return None
    until: date | None = None
    for c in net.care:
        if c.carer_id != carer or not c.overnight or not c.current_on(graph.today):
            continue
        child = net.people.get(c.child_id)
        if child is None or child.birth_date is None:
            continue
        b = child.birth_date
        try:
            first = b.replace(year=b.year + 1)
        except ValueError:  # 29 February
            first = b + timedelta(days=365)
        if graph.today < first and (until is None or first > until):
            until = first
    return until


def _subject_parts(u: Unmet) -> tuple[str, str, int | None]:
    return u.subject.kind.value, str(u.subject.id), u.subject.child_id


def subject_name(net: Network, kind: str, subject_id: str) -> str:
    """Whom a gap is about, in words (never an address: it may be masked).

    Names only this network's members: someone loaded because they are one
    relationship away but recorded only in another family network (``net.
    outside_ids``) is "someone in another family network", since a user of
    this network may not be entitled to see that one."""
    try:
        sid = int(subject_id)
    except ValueError:
        return ""
    people, outside = net.people, net.outside_ids

    def name(pid: int) -> str:
        if pid in outside:
            return OUTSIDER
        p = people.get(pid)
        return p.display_name if p else ""

    if kind in ("person", "child"):
        return name(sid)
    if kind == "care":
        c = next((c for c in net.care if c.id == sid), None)
        return name(c.carer_id) if c else ""
    if kind == "relationship":
        r = next((r for r in net.relationships if r.id == sid), None)
        return f"{name(r.from_id)} and {name(r.to_id)}" if r else ""
    if kind == "residence":
        res = next((r for r in net.residences if r.id == sid), None)
        return name(res.person_id) if res else ""
    if kind == "parental-responsibility":
        pr = next((x for x in net.parental_responsibility if x.id == sid), None)
        return name(pr.person_id) if pr else ""
    if kind == "care-order":
        order = next((o for o in net.care_orders if o.id == sid), None)
        return f"{order.local_authority} (care order for {name(order.child_id)})" if order else ""
    if kind == "household":
        names = [name(r.person_id) for r in net.residences if r.household_id == sid and r.end is None]
        return "Household of " + ", ".join(n for n in names if n) if names else "A household"
    return ""


def gaps_recompute(
    *, network: rm.FamilyNetwork, actor: User | None, today: date | None = None
) -> RecomputeResult:
    """Run the information requirements over the family and bring its gaps up
    to date: open a gap for each new unmet requirement, resolve the gaps no
    longer unmet (keeping the provenance of the fact that resolved them), and
    reopen resolved gaps that are unmet again.

    A fixed number of queries whatever the size of the family. In the
    caller's transaction when there is one, with no savepoint of its own (as
    the after-change hook): an error undoes the caller's change too."""
    with transaction.atomic(savepoint=False):
        return _recompute_many([network], actor, today or _today(), audit_each=True, lock=True)[network.pk]


def gaps_recompute_hook(network: rm.FamilyNetwork, actor: User | None) -> None:
    """Registered with ``kinmap.records.services.on_family_change``."""
    _recompute(network, actor, _today())


def _recompute(network: rm.FamilyNetwork, actor: User | None, today: date) -> RecomputeResult:
    return _recompute_many([network], actor, today, audit_each=True)[network.pk]


def gaps_recompute_many(
    *, networks: Sequence[rm.FamilyNetwork], actor: User | None, today: date | None = None
) -> dict[int, RecomputeResult]:
    """:func:`gaps_recompute` for many families at once (a batch of a bulk
    load): the same loading, rules and reconciliation, in a fixed number of
    queries for the whole batch instead of per family. Writes no audit event:
    the caller records one for the whole batch. Takes no family's lock, so it
    is for families no one else is changing (ones being created). Results by
    network id."""
    with transaction.atomic():
        return _recompute_many(networks, actor, today or _today(), audit_each=False)


def gaps_recompute_locked(
    *, networks: Sequence[rm.FamilyNetwork], actor: User | None, today: date | None = None
) -> dict[int, RecomputeResult]:
    """:func:`gaps_recompute` for a batch of families whose network rows the
    caller has locked in its open transaction (the background recompute after
    a rule setting changed, ``kinmap.jobs``): a fixed number of queries for the
    batch, one audit event per family whose gaps changed. Results by network
    id."""
    return _recompute_many(networks, actor, today or _today(), audit_each=True)


def _first_reads(ids: Ids) -> list[QuerySet[Any, Any]]:
    """A recompute's reads besides the family's record, over the network ids
    ``ids``: the rule settings, the families' gaps and what happened at
    contacts with them."""
    return [
        model_rows(gm.RuleSetting.objects.all()),
        model_rows(gm.Gap.objects.filter(network_id__in_ids=ids)),
        *process_queries(ids),
    ]


_FIRST_READS = FixedQueries(_first_reads)
# the families' locks (as _begin_change takes them): the first of the reads
_LOCK = FixedQueries(
    lambda ids: [
        rm.FamilyNetwork.objects.select_for_update(no_key=True).filter(pk__in_ids=ids).values_list("pk")
    ]
)


def _recompute_many(
    networks: Sequence[rm.FamilyNetwork],
    actor: User | None,
    today: date,
    *,
    audit_each: bool,
    lock: bool = False,
) -> dict[int, RecomputeResult]:
    """Every recompute's three steps: read the families (two round trips to
    PostgreSQL, the families' locks first when ``lock``), plan each one's
    gaps (no queries), write the plans (none when nothing changed). Returns
    what changed, by network id."""
    ids = [n.pk for n in networks]
    # the pure networks only (no model instances), read with the rule
    # settings, the gaps and the process inputs: one round trip for them all,
    # the lock first (the database takes it before it runs the others)
    reads = [_LOCK.bind(ids)] if lock else []
    records, rows = family_networks_load_with(networks, [*reads, _FIRST_READS.bind(ids)])
    setting_rows, gap_rows, *process_rows = rows[len(reads) :]
    settings = engine.rule_settings(instances(gm.RuleSetting, setting_rows))
    gaps: dict[int, list[gm.Gap]] = {nid: [] for nid in ids}
    for g in instances(gm.Gap, gap_rows):
        gaps[g.network_id].append(g)
    process = process_inputs_from(ids, gaps, process_rows)
    now = _now()
    plans = gaps_plan_many(
        records, gaps=gaps, actor=actor, today=today, now=now, settings=settings, process=process
    )
    _write(plans, actor, now, audit_each=audit_each)
    return {plan.network.pk: plan.result for plan in plans}


def gaps_plan_many(
    records: Sequence[FamilyRecord],
    *,
    gaps: Mapping[int, Sequence[gm.Gap]],
    actor: User | None,
    today: date,
    now: datetime,
    settings: RuleSettings,
    process: Mapping[int, ProcessInputs] | None = None,
) -> list[_Plan]:
    """What a recompute of each family would write, without writing it: the
    rules run over each record, and its gaps (``gaps``, by network id: the
    rows as they are; changed in place) opened, updated and resolved to match.
    The new gaps are unsaved and their "opened" events are not yet made
    (:func:`_write` makes them once the gaps have ids). For a bulk load, which
    writes everything at once; the queries are those of the process inputs
    (six at most, whatever the number of families), unless they are given
    (``process``, by network id)."""
    if process is None:
        process = process_inputs_many([r.network for r in records], gaps)
    plans = []
    for record in records:
        network, net = record.network, record.graph_network
        graph = FamilyGraph(net, today)  # one for the rules and the plan: what it works out is kept
        unmet = engine.run(net, today, settings, process[network.pk], graph)
        since = open_since_all(graph, unmet, process[network.pk], settings.params)
        plans.append(_plan(network, graph, actor, now, list(gaps.get(network.pk, ())), unmet, since))
    return plans


class _Event(NamedTuple):
    """A step in a gap's history that a recompute writes (a ``GapEvent`` row,
    made without a model instance: thousands a batch when a rule is switched
    off or on); ``contact``: where it was shown, for "prompted"."""

    gap: gm.Gap
    kind: str
    state: str = ""
    source: str = ""
    source_detail: str = ""
    contact: gm.Contact | None = None


_EVENT_COLUMNS = ("gap_id", "kind", "state", "source", "source_detail", "contact_id", "by_id", "at")


def _events_write(events: Sequence[_Event], actor: User | None, now: datetime) -> None:
    """Insert ``events`` (by ``actor`` at ``now``) in one COPY on PostgreSQL
    (one ``executemany`` elsewhere); the gaps must have ids."""
    by = actor.pk if actor is not None else None
    rows = [
        (e.gap.pk, e.kind, e.state, e.source, e.source_detail, e.contact and e.contact.pk, by, now)
        for e in events
    ]
    rows_insert(gm.GapEvent, _EVENT_COLUMNS, rows, now=now)


@dataclass
class _Plan:
    """What a recompute will write for one family."""

    network: rm.FamilyNetwork
    result: RecomputeResult = field(default_factory=RecomputeResult)
    new_gaps: list[gm.Gap] = field(default_factory=list)
    updates: list[gm.Gap] = field(default_factory=list)
    # gaps only resolved, or only reopened, now: each gets the same values as
    # the others, so they are written with one UPDATE by ids
    resolved: list[gm.Gap] = field(default_factory=list)
    reopened: list[gm.Gap] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    shown_now: list[gm.Gap] = field(default_factory=list)  # newly open: shown at any contact in progress
    closed_now: list[gm.Gap] = field(default_factory=list)


def _plan(
    network: rm.FamilyNetwork,
    graph: FamilyGraph,
    actor: User | None,
    now: datetime,
    gaps: list[gm.Gap],
    unmet: list[Unmet],
    since: Mapping[str, OpenSince],
) -> _Plan:
    """Open, reopen, update and resolve gaps so they are the unmet requirements
    (no queries: :func:`_write` saves the plan). ``since``: when each
    requirement first applied (``kinmap.core.rules.open_since``); a gap whose
    day the family's dates do not tell is open since the day it was found, and
    keeps that day when it is raised again."""
    net, today = graph.network, graph.today
    by_key = {g.key: g for g in gaps}
    wanted = {u.key: u for u in unmet}
    plan = _Plan(network)
    result, new_gaps, updates, events = plan.result, plan.new_gaps, plan.updates, plan.events
    shown_now, closed_now = plan.shown_now, plan.closed_now

    about: dict[tuple[str, str], tuple[date | None, str]] = {}  # by subject: several gaps share one
    for key, u in wanted.items():
        kind, sid, child_id = _subject_parts(u)
        known = about.get((kind, sid))
        if known is None:
            known = (_overnight_infant_until(graph, kind, sid), subject_name(net, kind, sid))
            about[kind, sid] = known
        overnight, label = known
        opened = since.get(key, NOT_KNOWN)
        g = by_key.get(key)
        if g is None:
            g = gm.Gap(
                network=network,
                key=key,
                rule_id=u.rule_id,
                subject_kind=kind,
                subject_id=sid,
                child_id=child_id,
                subject_name=label,
                severity=u.severity.value,
                state=GapState.NOT_ASKED,
                detail=u.detail,
                missing=list(u.missing),
                opened_at=now,
                open_since=opened.on or today,
                open_since_basis=opened.basis.value,
                overnight_infant_until=overnight,
            )
            new_gaps.append(g)
            result.opened.append(key)
            continue
        changed = reopened = False
        if g.resolved_at is not None:
            g.resolved_at = None
            g.state = GapState.NOT_ASKED
            g.na_status = NotApplicable.NONE
            g.reopened += 1
            events.append(_Event(g, EventKind.REOPENED.value))
            result.reopened.append(key)
            shown_now.append(g)
            reopened = True
        if (
            opened.on is not None
            and opened.basis is OpenSinceBasis.FAMILY_DATES
            and (g.open_since, g.open_since_basis) != (opened.on, opened.basis.value)
        ):
            # the family's dates tell (or were corrected): open since then; a
            # day that was only the day recorded or found is kept when the gap
            # is raised again
            g.open_since, g.open_since_basis = opened.on, opened.basis.value
            changed = True
        if (g.severity, g.detail, g.missing, g.overnight_infant_until, g.subject_name) != (
            u.severity.value,
            u.detail,
            list(u.missing),
            overnight,
            label,
        ):
            if g.severity != u.severity.value or g.detail != u.detail:
                result.changed.append(key)
            g.severity, g.detail, g.missing = u.severity.value, u.detail, list(u.missing)
            g.overnight_infant_until, g.subject_name = overnight, label
            changed = True
        if changed or reopened:
            g.version += 1
            (updates if changed else plan.reopened).append(g)

    for g in gaps:
        if g.key in wanted or g.resolved_at is not None:
            continue
        prov = resolving_provenance(net, g.subject_kind, g.subject_id, g.child_id, g.missing)
        g.resolved_at = now
        g.state = GapState.RESOLVED
        g.version += 1
        plan.resolved.append(g)
        closed_now.append(g)
        result.resolved.append(g.key)
        events.append(
            _Event(
                g,
                EventKind.RESOLVED.value,
                GapState.RESOLVED.value,
                prov.source.value if prov else "",
                prov.detail if prov else "",
            )
        )

    return plan


def _update_by_ids(ids: list[int], **values: Any) -> None:
    """Give the gaps ``ids`` the same ``values``: one UPDATE, the ids one
    parameter (none: no query)."""
    if ids:
        gm.Gap.objects.filter(pk__in_ids=ids).update(**values)


def _write(plans: list[_Plan], actor: User | None, now: datetime, *, audit_each: bool) -> None:
    """Save the plans of one or many families in a fixed number of queries."""
    new_gaps = [g for p in plans for g in p.new_gaps]
    if new_gaps:
        gm.Gap.objects.bulk_create(new_gaps, batch_size=2000)
        for p in plans:
            p.events.extend(_Event(g, EventKind.OPENED.value) for g in p.new_gaps)
            p.shown_now.extend(p.new_gaps)
    updates = [g for p in plans for g in p.updates]
    if updates:
        gm.Gap.objects.bulk_update(
            updates,
            [
                "resolved_at",
                "state",
                "na_status",
                "reopened",
                "severity",
                "detail",
                "missing",
                "overnight_infant_until",
                "subject_name",
                "open_since",
                "open_since_basis",
                "version",
            ],
            batch_size=200,  # its CASE per field grows with the square of a batch
        )
    # the same values for each (a rule switched off or on resolves or reopens
    # thousands at once): no CASE per row
    _update_by_ids(
        [g.pk for p in plans for g in p.resolved],
        resolved_at=now,
        state=GapState.RESOLVED,
        version=F("version") + 1,
    )
    _update_by_ids(
        [g.pk for p in plans for g in p.reopened],
        resolved_at=None,
        state=GapState.NOT_ASKED,
        na_status=NotApplicable.NONE,
        reopened=F("reopened") + 1,
        version=F("version") + 1,
    )
    _events_write([e for p in plans for e in p.events], actor, now)
    touched = [p for p in plans if p.shown_now or p.closed_now]
    if touched:
        _update_open_contacts(touched, actor, now)
    changed = [p.network.pk for p in plans if p.new_gaps or p.updates or p.resolved or p.reopened]
    if changed:
        gap_summaries_refresh(network_ids=changed)
    if audit_each:  # one event a family whose gaps changed, in one insert
        audit_record_many(
            actor=actor,
            action="recompute",
            object_type="gaps",
            entries=[(p.network.pk, p.network.pk, p.result.changes()) for p in plans if p.result.any],
        )


def _update_open_contacts(plans: list[_Plan], actor: User | None, now: datetime) -> None:
    """A gap resolved while a contact is open was answered at that contact; a gap
    opened while a contact is open is shown there too (a fixed number of
    queries for any number of families)."""
    contacts: dict[int, list[gm.Contact]] = {}
    for c in gm.Contact.objects.filter(
        network__in=[p.network for p in plans], status=gm.Contact.Status.OPEN
    ).order_by("-date", "-pk"):
        contacts.setdefault(c.network_id, []).append(c)
    if not contacts:
        return
    plans = [p for p in plans if p.network.pk in contacts]
    closed = [g for p in plans for g in p.closed_now]
    if closed:
        gm.ContactGapOutcome.objects.filter(
            contact__in=[c for p in plans for c in contacts[p.network.pk]],
            gap_id__in_ids=[g.pk for g in closed],
            outcome=Outcome.PENDING,
        ).update(outcome=Outcome.ANSWERED, state=GapState.RESOLVED, by=actor, at=now)
    for p in plans:  # a contact open for each family with new gaps: few at once
        if p.shown_now:
            _show(contacts[p.network.pk], p.shown_now, actor, now, skip_existing=True, summarise=False)


def _show(
    contacts: Sequence[gm.Contact],
    gaps: Sequence[gm.Gap],
    actor: User | None,
    now: datetime,
    *,
    skip_existing: bool,
    summarise: bool = True,
) -> None:
    """Put gaps before the practitioner at contacts: one outcome to record each,
    a prompted event, and one more time prompted; and the families' gap
    summaries rewritten (unless ``summarise`` is False: the caller does it).
    Fixed number of queries."""
    pairs = [(c, g) for c in contacts for g in gaps]
    if skip_existing and pairs:
        existing = set(
            gm.ContactGapOutcome.objects.filter(contact__in=contacts, gap__in=gaps).values_list(
                "contact_id", "gap_id"
            )
        )
        pairs = [(c, g) for c, g in pairs if (c.pk, g.pk) not in existing]
    if not pairs:
        return
    gm.ContactGapOutcome.objects.bulk_create([gm.ContactGapOutcome(contact=c, gap=g) for c, g in pairs])
    _events_write([_Event(g, EventKind.PROMPTED.value, contact=c) for c, g in pairs], actor, now)
    gm.Gap.objects.filter(pk__in=[g.pk for _, g in pairs]).update(times_prompted=F("times_prompted") + 1)
    for _, g in pairs:
        g.times_prompted += 1
    if summarise:
        gap_summaries_refresh(network_ids={g.network_id for _, g in pairs})  # what flags them changed
