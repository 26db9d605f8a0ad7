"""Changes to gaps, contacts, supervisors' decisions and rule settings.

Every service takes keyword-only arguments, runs in one transaction, refuses
bad input with a :class:`RecordError` naming the field at fault (and saves
nothing), and writes an audit event.

:func:`gaps_recompute` runs inside the transaction of every change to a family
(registered with ``kinmap.records.services.on_family_change``), so the gaps on
every page and worklist are those of the family as it is now.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.services import audit_record
from kinmap.core.escalation import EscalationSettings, EscalationSettingsError
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.resolution import resolving_provenance
from kinmap.core.rules import Decline, GapHistory, ProcessInputs, RuleSettings, Unmet
from kinmap.core.rules import SharingDecision as SharingDecision_
from kinmap.core.rules.open_since import NOT_KNOWN, OpenSince, OpenSinceBasis, open_since_all
from kinmap.core.text import text_error
from kinmap.core.validation import Problem
from kinmap.records import models as rm
from kinmap.records import services as rs
from kinmap.records.access import FAMILY_ROLES
from kinmap.records.errors import RecordError, check_version, refuse_hidden_characters
from kinmap.records.graph_load import family_networks_load
from kinmap.records.lifecycle import network_began, occurred_on_problem, require_open
from kinmap.records.selectors import FamilyRecord
from kinmap.sharing.models import InformationRequest, SharingDecision

from . import engine
from . import models as gm
from .models import ABSENT_STATES, EventKind, GapState, NotApplicable, Outcome, Severity
from .summaries import gap_summaries_refresh


def _now() -> datetime:
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


# -- recompute ---------------------------------------------------------------


@dataclass
class RecomputeResult:
    opened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # severity or wording changed

    @property
    def any(self) -> bool:
        return bool(self.opened or self.resolved or self.reopened or self.changed)


def process_inputs(network: rm.FamilyNetwork, gaps: Sequence[gm.Gap]) -> ProcessInputs:
    """What happened at contacts with this family, for the process rules.

    At most six queries, whatever the size of the family."""
    return process_inputs_many([network], {network.pk: gaps})[network.pk]


def process_inputs_many(
    networks: Sequence[rm.FamilyNetwork], gaps: Mapping[int, Sequence[gm.Gap]]
) -> dict[int, ProcessInputs]:
    """:func:`process_inputs` for many families (``gaps`` by network id), in the
    same six queries at most, whatever their number; by network id."""
    ids = [n.pk for n in networks]
    # The latest contact, including one in progress: the household is
    # reconfirmed at the contact itself.
    last_contact = dict(
        gm.Contact.objects.filter(network_id__in=ids)
        .values("network_id")
        .annotate(last=Max("date"))
        .values_list("network_id", "last")
    )
    confirmed: dict[int, dict[int, date]] = {}
    for nid, household_id, last in (
        gm.HouseholdConfirmation.objects.filter(contact__network_id__in=ids)
        .values("contact__network_id", "household_id")
        .annotate(last=Max("contact__date"))
        .values_list("contact__network_id", "household_id", "last")
    ):
        confirmed.setdefault(nid, {})[household_id] = last
    all_gaps = [g for nid in ids for g in gaps.get(nid, ())]
    keys = {g.pk: g.key for g in all_gaps}
    declined = (
        gm.GapEvent.objects.filter(
            gap__network_id__in=ids, kind=EventKind.ANSWERED, state=GapState.ASKED_DECLINED
        )
        .select_related("by", "gap")
        .order_by("at", "pk")
        if any(g.times_declined for g in all_gaps)  # no query when nothing was ever declined
        else []
    )
    declines: dict[int, list[Decline]] = {}
    for e in declined:
        declines.setdefault(e.gap.network_id, []).append(
            Decline(
                id=e.pk,
                gap_key=keys.get(e.gap_id, ""),
                declined_on=e.occurred_on or timezone.localdate(e.at),
                person_id=e.declined_by_id,
                reason=e.reason,
                practitioner_view=e.practitioner_view,
                recorded_by=e.by.username if e.by else "",
            )
        )
    considered = set(
        gm.SupervisorDecision.objects.filter(
            network_id__in=ids, agency_request_considered=True, gap__isnull=False
        ).values_list("gap_id", flat=True)
    )
    # a request to another agency raised from a gap considers it (requirement 14)
    requested = set(
        InformationRequest.objects.filter(network_id__in=ids)
        .exclude(gap_key="")
        .values_list("network_id", "gap_key")
    )
    sharing: dict[int, list[SharingDecision_]] = {}
    for d in SharingDecision.objects.filter(network_id__in=ids).select_related("decided_by").order_by("pk"):
        sharing.setdefault(d.network_id, []).append(
            SharingDecision_(
                id=d.pk,
                decided_on=timezone.localdate(d.decided_at),
                shared=d.decision == SharingDecision.Decision.SHARE,
                rationale=d.rationale,
                lawful_basis=d.lawful_basis,
                decided_by=d.decided_by.username if d.decided_by else "",
            )
        )
    return {
        nid: ProcessInputs(
            last_contact_on=last_contact.get(nid),
            last_roster_confirmed=confirmed.get(nid, {}),
            declines=tuple(declines.get(nid, ())),
            gap_history={
                g.key: GapHistory(
                    gap_key=g.key,
                    times_prompted=g.times_prompted,
                    first_opened=timezone.localdate(g.opened_at),
                    open_since=g.open_since,
                    request_considered=g.pk in considered or (nid, g.key) in requested,
                )
                for g in gaps.get(nid, ())
                if g.is_open
            },
            sharing_decisions=tuple(sharing.get(nid, ())),
        )
        for nid in ids
    }


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
    """Whom a gap is about, in words (never an address: it may be masked)."""
    try:
        sid = int(subject_id)
    except ValueError:
        return ""
    people = net.people

    def name(pid: int) -> str:
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

    A fixed number of queries whatever the size of the family."""
    with transaction.atomic():
        _begin_change(network.pk)
        return _recompute(network, actor, today or _today())


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


def _recompute_many(
    networks: Sequence[rm.FamilyNetwork], actor: User | None, today: date, *, audit_each: bool
) -> dict[int, RecomputeResult]:
    records = family_networks_load(networks)  # the pure networks only: no model instances
    settings = engine.rule_settings(gm.RuleSetting.objects.all())
    gaps: dict[int, list[gm.Gap]] = {n.pk: [] for n in networks}
    for g in gm.Gap.objects.filter(network__in=networks):
        gaps[g.network_id].append(g)
    now = _now()
    plans = gaps_plan_many(records, gaps=gaps, actor=actor, today=today, now=now, settings=settings)
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
) -> list[_Plan]:
    """What a recompute of each family would write, without writing it: the
    rules run over each record, and its gaps (``gaps``, by network id: the
    rows as they are; changed in place) opened, updated and resolved to match.
    The new gaps are unsaved and their "opened" events are not yet made
    (:func:`_write` makes them once the gaps have ids). For a bulk load, which
    writes everything at once; the queries are those of the process inputs
    (six at most, whatever the number of families)."""
    process = process_inputs_many([r.network for r in records], gaps)
    plans = []
    for record in records:
        network, net = record.network, record.graph_network
        unmet = engine.run(net, today, settings, process[network.pk])
        graph = FamilyGraph(net, today)
        since = open_since_all(graph, unmet, process[network.pk], settings.params)
        plans.append(_plan(network, graph, actor, now, list(gaps.get(network.pk, ())), unmet, since))
    return plans


@dataclass
class _Plan:
    """What a recompute will write for one family."""

    network: rm.FamilyNetwork
    result: RecomputeResult = field(default_factory=RecomputeResult)
    new_gaps: list[gm.Gap] = field(default_factory=list)
    updates: list[gm.Gap] = field(default_factory=list)
    events: list[gm.GapEvent] = field(default_factory=list)
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

    for key, u in wanted.items():
        kind, sid, child_id = _subject_parts(u)
        overnight = _overnight_infant_until(graph, kind, sid)
        label = subject_name(net, kind, sid)
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
        changed = False
        if g.resolved_at is not None:
            g.resolved_at = None
            g.state = GapState.NOT_ASKED
            g.na_status = NotApplicable.NONE
            g.reopened += 1
            events.append(gm.GapEvent(gap=g, kind=EventKind.REOPENED, by=actor, at=now))
            result.reopened.append(key)
            shown_now.append(g)
            changed = True
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
        if changed:
            g.version += 1
            updates.append(g)

    for g in gaps:
        if g.key in wanted or g.resolved_at is not None:
            continue
        prov = resolving_provenance(net, g.subject_kind, g.subject_id, g.child_id, g.missing)
        g.resolved_at = now
        g.state = GapState.RESOLVED
        g.version += 1
        updates.append(g)
        closed_now.append(g)
        result.resolved.append(g.key)
        events.append(
            gm.GapEvent(
                gap=g,
                kind=EventKind.RESOLVED,
                state=GapState.RESOLVED,
                source=prov.source.value if prov else "",
                source_detail=prov.detail if prov else "",
                by=actor,
                at=now,
            )
        )

    return plan


def _write(plans: list[_Plan], actor: User | None, now: datetime, *, audit_each: bool) -> None:
    """Save the plans of one or many families in a fixed number of queries."""
    new_gaps = [g for p in plans for g in p.new_gaps]
    if new_gaps:
        gm.Gap.objects.bulk_create(new_gaps, batch_size=2000)
        for p in plans:
            p.events.extend(gm.GapEvent(gap=g, kind=EventKind.OPENED, by=actor, at=now) for g in p.new_gaps)
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
            batch_size=1000,
        )
    events = [e for p in plans for e in p.events]
    if events:
        gm.GapEvent.objects.bulk_create(events, batch_size=2000)
    touched = [p for p in plans if p.shown_now or p.closed_now]
    if touched:
        _update_open_contacts(touched, actor, now)
    changed = [p.network.pk for p in plans if p.new_gaps or p.updates]
    if changed:
        gap_summaries_refresh(network_ids=changed)
    for p in plans if audit_each else ():
        if p.result.any:
            audit_record(
                actor=actor,
                action="recompute",
                object_type="gaps",
                object_id=p.network.pk,
                network_id=p.network.pk,
                changes={
                    k: [None, sorted(v)]
                    for k, v in dataclasses.asdict(p.result).items()
                    if v  # only what changed
                },
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
            gap__in=closed,
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
    gm.GapEvent.objects.bulk_create(
        [gm.GapEvent(gap=g, kind=EventKind.PROMPTED, contact=c, by=actor, at=now) for c, g in pairs]
    )
    gm.Gap.objects.filter(pk__in=[g.pk for _, g in pairs]).update(times_prompted=F("times_prompted") + 1)
    for _, g in pairs:
        g.times_prompted += 1
    if summarise:
        gap_summaries_refresh(network_ids={g.network_id for _, g in pairs})  # what flags them changed


# -- checks --------------------------------------------------------------------


def _require_family_role(actor: User) -> None:
    if actor.role not in FAMILY_ROLES:
        raise RecordError("Your role does not work with families' records")


def _require_supervisor(actor: User, what: str) -> None:
    if actor.role != Role.SUPERVISOR:
        raise RecordError(f"Only a supervisor can {what}")


def _begin_change(network_id: int, *, people: Iterable[rm.Person] = ()) -> None:
    """Take a change's locks in the order every change to a family takes them,
    so that two changes never wait on each other: first the records it will
    edit through the records services (people), then the family's network row
    (as ``records.services._touch`` does), then gaps and contacts. (Writing
    the audit event takes no lock: docs/access-and-audit.md.)"""
    ids = [p.pk for p in people]
    if ids:
        people_rows = rm.Person.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(people_rows.values_list("pk"))
    list(
        rm.FamilyNetwork.objects.select_for_update(no_key=True)
        .filter(pk=network_id)
        .values_list("pk", flat=True)
    )


def _begin_write(network_id: int, *, people: Iterable[rm.Person] = ()) -> None:
    """:func:`_begin_change` for a change a person makes to one family: refused
    (``NetworkClosed``) when the family network is closed."""
    _begin_change(network_id, people=people)
    require_open(network_id)


def _lock_gap(gap: gm.Gap, expected_version: int | None) -> gm.Gap:
    _begin_write(gap.network_id)
    row = gm.Gap.objects.select_for_update().get(pk=gap.pk)
    check_version(row.version, expected_version, "gap")
    return row


def _lock_contact(contact: gm.Contact, *, people: Iterable[rm.Person] = ()) -> gm.Contact:
    _begin_write(contact.network_id, people=people)
    return gm.Contact.objects.select_for_update().get(pk=contact.pk)


# -- contacts ------------------------------------------------------------------


@transaction.atomic
def contact_open(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    type: str,
    date: date | None,
    present: Iterable[rm.Person] = (),
    seen_directly: Iterable[rm.Person] = (),
) -> gm.Contact:
    """Start a contact with the family. Everyone seen directly has that date
    recorded; every open gap is put before the practitioner to revisit."""
    _require_family_role(actor)
    if type not in gm.ContactType.values:
        raise RecordError("Choose the type of contact", field="type")
    if date is None:
        raise RecordError("Enter the date of the contact", field="date")
    if problem := occurred_on_problem(date, began=network_began(network), what="The date of the contact"):
        raise RecordError(problem, field="date")
    present, seen_directly = list(present), list(seen_directly)
    _begin_write(network.pk, people=seen_directly)
    members = set(rm.NetworkMember.objects.filter(network=network).values_list("person_id", flat=True))
    for field_name, people in (("present", present), ("seen_directly", seen_directly)):
        if any(p.pk not in members for p in people):
            raise RecordError("Choose people recorded in this family", field=field_name)
    already = gm.Contact.objects.filter(
        network=network, practitioner=actor, status=gm.Contact.Status.OPEN
    ).first()
    if already is not None:
        raise RecordError(
            f"You already have a contact open with this family ({already.get_type_display()}, "
            f"{already.date:%-d %B %Y}): close it before starting another"
        )
    everyone = {p.pk: p for p in [*present, *seen_directly]}
    contact = gm.Contact.objects.create(
        network=network, type=type, date=date, practitioner=actor, opened_at=_now()
    )
    contact.present.set(list(everyone.values()))
    contact.seen_directly.set(seen_directly)
    audit_record(
        actor=actor,
        action="create",
        object_type="contact",
        object_id=contact.pk,
        network_id=network.pk,
        changes={
            "type": [None, type],
            "date": [None, date],
            "present": [None, sorted(everyone)],
            "seen_directly": [None, sorted(p.pk for p in seen_directly)],
        },
    )
    # Bring the gaps up to date and show every open one; then record who was
    # seen, which answers the gaps about being seen at this contact.
    _recompute(network, actor, _today())
    open_gaps = [g for g in gm.Gap.objects.filter(network=network, resolved_at__isnull=True) if g.is_open]
    _show([contact], open_gaps, actor, _now(), skip_existing=True)
    for p in seen_directly:
        _record_seen(actor, network, p, date)
    return contact


def _record_seen(actor: User, network: rm.FamilyNetwork, person: rm.Person, on: date) -> None:
    """Keep the latest date the person was seen or spoken to directly (through
    the records service, so it is validated, audited and the gaps recomputed)."""
    row = rm.Person.objects.get(pk=person.pk)
    if row.seen_directly_on is not None and row.seen_directly_on >= on:
        return
    rs.person_update(
        actor=actor,
        network=network,
        person=row,
        data=dataclasses.replace(rs.PersonData.of(row), seen_directly_on=on),
        expected_version=row.version,
    )


@transaction.atomic
def contact_mark_seen(*, actor: User, contact: gm.Contact, person: rm.Person) -> None:
    """Record that a person was seen or spoken to directly at this contact."""
    _require_family_role(actor)
    contact = _lock_contact(contact, people=[person])
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record who was seen")
    if not rm.NetworkMember.objects.filter(network_id=contact.network_id, person=person).exists():
        raise RecordError("Choose someone recorded in this family", field="seen_directly")
    contact.present.add(person)
    contact.seen_directly.add(person)
    audit_record(
        actor=actor,
        action="update",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"seen_directly": [None, person.pk]},
    )
    _record_seen(actor, contact.network, person, contact.date)


@transaction.atomic
def contact_confirm_household(
    *, actor: User, contact: gm.Contact, household: rm.Household, outcome: str = "no-change"
) -> gm.HouseholdConfirmation:
    """Record at a contact that who lives at a household was checked: "no change",
    or "changed" once the changes have been recorded."""
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to confirm the household")
    if outcome not in gm.HouseholdConfirmation.Outcome.values:
        raise RecordError("Choose whether anything has changed", field="outcome")
    member_ids = set(
        rm.NetworkMember.objects.filter(network=contact.network_id).values_list("person_id", flat=True)
    )
    if not rm.Residence.objects.filter(household=household, person_id__in=member_ids).exists():
        raise RecordError("Choose a household of this family", field="household")
    row, created = gm.HouseholdConfirmation.objects.update_or_create(
        contact=contact,
        household=household,
        defaults={"outcome": outcome, "by": actor, "at": _now()},
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        object_type="household_confirmation",
        object_id=row.pk,
        network_id=contact.network_id,
        changes={
            "contact": [None, contact.pk],
            "household": [None, household.pk],
            "outcome": [None, outcome],
        },
    )
    rs._touch(contact.network, actor)
    return row


@dataclass(frozen=True)
class Answer:
    """What was said when a gap was asked about (an absent reason)."""

    state: str
    reason: str = ""  # declined: their reason, in their words; not-applicable: justification
    practitioner_view: str = ""  # declined
    from_whom: str = ""  # temp-unknown: who will find out or tell
    declined_by: rm.Person | None = None  # declined: who declined


def _check_answer(answer: Answer, network: rm.FamilyNetwork) -> Answer:
    a = dataclasses.replace(
        answer,
        reason=(answer.reason or "").strip(),
        practitioner_view=(answer.practitioner_view or "").strip(),
        from_whom=(answer.from_whom or "").strip(),
    )
    if a.state not in ABSENT_STATES:
        raise RecordError("Choose what happened when you asked", field="state")
    problems = []
    if a.state == GapState.ASKED_DECLINED:
        if a.declined_by is None:
            problems.append(("declined_by", "Choose who declined to say"))
        elif not rm.NetworkMember.objects.filter(network=network, person=a.declined_by).exists():
            problems.append(("declined_by", "Choose someone recorded in this family"))
        if not a.reason:
            problems.append(("reason", "Enter the reason they gave, in their words"))
        if not a.practitioner_view:
            problems.append(("practitioner_view", "Enter your view of why they declined"))
    if a.state == GapState.TEMP_UNKNOWN and not a.from_whom:
        problems.append(("from_whom", "Say who will find out, or who will be asked"))
    if a.state == GapState.NOT_APPLICABLE and not a.reason:
        problems.append(("reason", "Say why this does not apply"))
    for f, label, multiline in (
        ("reason", "The reason", True),
        ("practitioner_view", "Your view", True),
        ("from_whom", "Who will find out", False),
    ):
        if hidden := text_error(getattr(a, f), what=label, multiline=multiline):
            problems.append((f, hidden))
    if problems:
        raise RecordError([Problem("gap", 0, f, msg) for f, msg in problems])
    return a


def _answer(
    actor: User, gap: gm.Gap, a: Answer, contact: gm.Contact | None, now: datetime, occurred_on: date
) -> tuple[gm.Gap, dict[str, list[object]]]:
    old = {"state": gap.state, "na_status": gap.na_status}
    gap.state = a.state
    gap.na_status = NotApplicable.NONE
    gap.na_justification = ""
    if a.state == GapState.ASKED_DECLINED:
        gap.times_declined += 1
    if a.state == GapState.NOT_APPLICABLE:
        gap.na_justification = a.reason
        if gap.severity == Severity.CRITICAL:
            gap.na_status = NotApplicable.PENDING
        else:
            gap.na_status = NotApplicable.AGREED
            gap.na_agreed_by = actor
            gap.na_agreed_at = now
    gap.version += 1
    gap.save()
    gm.GapEvent.objects.create(
        gap=gap,
        kind=EventKind.ANSWERED,
        state=a.state,
        reason=a.reason,
        practitioner_view=a.practitioner_view,
        from_whom=a.from_whom,
        declined_by=a.declined_by,
        contact=contact,
        by=actor,
        at=now,
        occurred_on=occurred_on,
    )
    changes: dict[str, list[object]] = {
        "state": [old["state"], gap.state],
        "na_status": [old["na_status"], gap.na_status],
        "occurred_on": [None, occurred_on],
    }
    for k in ("reason", "practitioner_view", "from_whom"):
        if getattr(a, k):
            changes[k] = [None, getattr(a, k)]
    if a.declined_by is not None:
        changes["declined_by"] = [None, a.declined_by.pk]
    return gap, changes


@transaction.atomic
def gap_answer(
    *,
    actor: User,
    gap: gm.Gap,
    answer: Answer,
    contact: gm.Contact | None = None,
    expected_version: int | None,
    occurred_on: date | None = None,
) -> gm.Gap:
    """Record why there is no answer to a gap (a FHIR data-absent reason): not
    known, declined (with who, their reason and the practitioner's view), will
    find out (from whom), masked, or not applicable (with a justification; a
    critical gap waits for a supervisor to agree).

    ``occurred_on`` is the day it was asked (None: the contact's date, or
    today without a contact); it may be before today (recorded after the
    event) but not in the future nor before the work with the family began
    (``RecordError`` on field ``occurred_on``). The time it was typed is kept
    as well (the event's ``at``)."""
    _require_family_role(actor)
    row = _lock_gap(gap, expected_version)
    if not row.is_open:
        raise RecordError("This gap is no longer open: nothing to record")
    network = rm.FamilyNetwork.objects.get(pk=row.network_id)
    a = _check_answer(answer, network)
    day = occurred_on or (contact.date if contact is not None else _today())
    if problem := occurred_on_problem(day, began=network_began(network), what="The date it was asked"):
        raise RecordError(problem, field="occurred_on")
    if contact is not None:
        contact = _lock_contact(contact)
        _outcome_row(contact, row)  # checks the gap was shown at this contact
    now = _now()
    row, changes = _answer(actor, row, a, contact, now, day)
    gap_summaries_refresh(network_ids=[row.network_id])
    if contact is not None:
        gm.ContactGapOutcome.objects.filter(contact=contact, gap=row).update(
            outcome=Outcome.ABSENT, state=a.state, reason=a.reason, by=actor, at=now
        )
        changes["contact"] = [None, contact.pk]
    audit_record(
        actor=actor,
        action="answer",
        object_type="gap",
        object_id=row.pk,
        network_id=row.network_id,
        changes=changes,
    )
    rs._touch(network, actor)  # a decline is a process input of the rules
    row.refresh_from_db()
    return row


def _outcome_row(contact: gm.Contact, gap: gm.Gap) -> gm.ContactGapOutcome:
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record more answers")
    row = gm.ContactGapOutcome.objects.filter(contact=contact, gap=gap).first()
    if row is None:
        raise RecordError("This gap was not shown at this contact")
    return row


@transaction.atomic
def contact_record_outcome(
    *,
    actor: User,
    contact: gm.Contact,
    gap: gm.Gap,
    outcome: str,
    answer: Answer | None = None,
    reason: str = "",
    expected_version: int | None = None,
    occurred_on: date | None = None,
) -> gm.ContactGapOutcome:
    """Record what happened at a contact to a gap shown there: answered (the fact
    has been recorded, which resolved it), asked but no answer (an absent
    reason), or not asked this time (with the reason)."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    row = _outcome_row(contact, gap)
    if outcome == Outcome.ANSWERED:
        fresh = gm.Gap.objects.get(pk=gap.pk)
        if fresh.is_open:
            raise RecordError(
                f"Record the answer first ({fresh.detail}): the gap is still open", field="outcome"
            )
        row.outcome, row.state = Outcome.ANSWERED, fresh.state
    elif outcome == Outcome.ABSENT:
        if answer is None:
            raise RecordError("Choose what happened when you asked", field="state")
        gap_answer(
            actor=actor,
            gap=gap,
            answer=answer,
            contact=contact,
            expected_version=expected_version,
            occurred_on=occurred_on,
        )
        row.refresh_from_db()
        return row
    elif outcome == Outcome.NOT_ASKED:
        reason = (reason or "").strip()
        if not reason:
            raise RecordError("Say why it was not asked this time", field="not_asked_reason")
        refuse_hidden_characters(reason, "not_asked_reason", "Why it was not asked", multiline=True)
        locked = _lock_gap(gap, expected_version)
        if not locked.is_open:
            raise RecordError("This gap is no longer open: nothing to record")
        gm.GapEvent.objects.create(
            gap=locked,
            kind=EventKind.NOT_ASKED_THIS_TIME,
            reason=reason,
            contact=contact,
            by=actor,
            at=_now(),
        )
        row.outcome, row.state, row.reason = Outcome.NOT_ASKED, locked.state, reason
    else:
        raise RecordError("Choose what happened", field="outcome")
    row.by, row.at = actor, _now()
    row.save()
    audit_record(
        actor=actor,
        action="outcome",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"gap": [None, gap.pk], "outcome": [None, row.outcome], "reason": [None, row.reason]},
    )
    return row


@transaction.atomic
def contact_not_asked_rest(*, actor: User, contact: gm.Contact, reason: str) -> int:
    """Record "not asked this time", with one reason, for every gap shown at the
    contact that has no outcome yet. Returns how many."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record more answers")
    reason = (reason or "").strip()
    if not reason:
        raise RecordError("Say why they were not asked this time", field="reason")
    refuse_hidden_characters(reason, "reason", "Why they were not asked", multiline=True)
    rows = list(contact.outcomes.filter(outcome=Outcome.PENDING).select_related("gap"))
    now = _now()
    gm.GapEvent.objects.bulk_create(
        [
            gm.GapEvent(
                gap=r.gap,
                kind=EventKind.NOT_ASKED_THIS_TIME,
                reason=reason,
                contact=contact,
                by=actor,
                at=now,
            )
            for r in rows
        ]
    )
    contact.outcomes.filter(pk__in=[r.pk for r in rows]).update(
        outcome=Outcome.NOT_ASKED, reason=reason, by=actor, at=now
    )
    audit_record(
        actor=actor,
        action="outcome",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"not_asked": [None, sorted(r.gap_id for r in rows)], "reason": [None, reason]},
    )
    return len(rows)


@transaction.atomic
def contact_close(*, actor: User, contact: gm.Contact) -> gm.Contact:
    """Close a contact. Refused until every gap shown has an outcome, so the
    record proves each gap was revisited."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is already closed")
    pending = list(
        contact.outcomes.filter(outcome=Outcome.PENDING)
        .select_related("gap")
        .order_by("gap__open_since", "gap__opened_at", "pk")
    )
    if pending:
        problems = [
            Problem("contact", contact.pk, "__all__", f"Record what happened about: {r.gap.detail}")
            for r in pending
        ]
        head = Problem(
            "contact",
            contact.pk,
            "__all__",
            f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)",
        )
        raise RecordError([head, *problems])
    contact.status = gm.Contact.Status.CLOSED
    contact.closed_at = _now()
    contact.version += 1
    contact.save()
    audit_record(
        actor=actor,
        action="close",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"status": ["open", "closed"]},
    )
    # how often each gap has been asked about is a process input of the rules
    rs._touch(contact.network, actor)
    return contact


# -- supervision -------------------------------------------------------------


@dataclass(frozen=True)
class ActionData:
    """An action agreed at supervision: what (words), the user who will do it,
    and the day it is due by."""

    description: str
    owner: User | None
    due: date | None


@transaction.atomic
def gap_not_applicable_agree(
    *, actor: User, gap: gm.Gap, agree: bool, comment: str = "", expected_version: int | None
) -> gm.Gap:
    """A supervisor agrees (or does not) that a critical gap does not apply.
    ``expected_version`` is the version of the gap the supervisor saw."""
    _require_supervisor(actor, "agree that a critical gap does not apply")
    row = _lock_gap(gap, expected_version)
    if row.na_status != NotApplicable.PENDING:
        raise RecordError("Nobody has asked for this gap to be treated as not applicable")
    comment = (comment or "").strip()
    if not agree and not comment:
        raise RecordError("Say why you do not agree", field="comment")
    refuse_hidden_characters(comment, "comment", "Your comment", multiline=True)
    now = _now()
    old = row.na_status
    if agree:
        row.na_status = NotApplicable.AGREED
        row.na_agreed_by, row.na_agreed_at = actor, now
    else:
        row.na_status = NotApplicable.REFUSED
    row.version += 1
    row.save()
    gap_summaries_refresh(network_ids=[row.network_id])
    gm.GapEvent.objects.create(
        gap=row, kind=EventKind.NA_AGREED if agree else EventKind.NA_REFUSED, reason=comment, by=actor, at=now
    )
    if agree:
        gm.ContactGapOutcome.objects.filter(
            gap=row, outcome=Outcome.PENDING, contact__status=gm.Contact.Status.OPEN
        ).update(outcome=Outcome.ABSENT, state=GapState.NOT_APPLICABLE, by=actor, at=now)
    audit_record(
        actor=actor,
        action="agree" if agree else "refuse",
        object_type="gap",
        object_id=row.pk,
        network_id=row.network_id,
        changes={"na_status": [old, row.na_status]},
        reason=comment,
    )
    return row


@transaction.atomic
def supervisor_decision_record(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    decision: str,
    actions: str = "",
    gap: gm.Gap | None = None,
    agency_request_considered: bool = False,
    action_items: Sequence[ActionData] = (),
) -> gm.SupervisorDecision:
    """A supervisor's decision about a family (or one gap), and the actions agreed:
    ``actions`` in words (older decisions), ``action_items`` each with an owner
    and a due date (:func:`kinmap.gaps.actions.supervisor_action_create`, in this
    transaction). For a gap, it can record that a request to another agency was
    considered."""
    from .actions import supervisor_action_create

    _require_supervisor(actor, "record a supervision decision")
    decision, actions = (decision or "").strip(), (actions or "").strip()
    if not decision:
        raise RecordError("Enter the decision", field="decision")
    refuse_hidden_characters(decision, "decision", "The decision", multiline=True)
    refuse_hidden_characters(actions, "actions", "The actions", multiline=True)
    if gap is not None and gap.network_id != network.pk:
        raise RecordError("Choose a gap of this family", field="gap")
    _begin_write(network.pk)
    if agency_request_considered and gap is None:
        raise RecordError("Choose the gap a request to another agency was considered for", field="gap")
    row = gm.SupervisorDecision.objects.create(
        network=network,
        gap=gap,
        decision=decision,
        actions=actions,
        agency_request_considered=agency_request_considered,
        by=actor,
        at=_now(),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="supervisor_decision",
        object_id=row.pk,
        network_id=network.pk,
        changes={
            "decision": [None, decision],
            "actions": [None, actions],
            "gap": [None, gap.pk if gap else None],
            "agency_request_considered": [None, agency_request_considered],
        },
    )
    for i, item in enumerate(action_items, start=1):
        try:
            supervisor_action_create(actor=actor, decision=row, data=item)
        except RecordError as err:  # name the row at fault: action1-owner ...
            raise RecordError(
                [dataclasses.replace(p, field=f"action{i}-{p.field}") for p in err.problems]
            ) from None
    if agency_request_considered:
        rs._touch(network, actor)  # information requirement 14 reads it
    return row


# -- rule settings -------------------------------------------------------------


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
    row = gm.RuleSetting.objects.select_for_update().filter(rule_id=rule_id).first()
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
