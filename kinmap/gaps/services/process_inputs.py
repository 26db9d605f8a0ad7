"""What happened at contacts with a family, for the process rules
(``kinmap.core.rules.inputs``): the latest contact, the households confirmed,
the declines, the gaps a request to another agency was considered for, and
the sharing decisions; loaded in a fixed number of queries for any number of
families.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from kinmap.core.rules import Decline, GapHistory, ProcessInputs
from kinmap.core.rules import SharingDecision as SharingDecision_
from kinmap.records import models as rm
from kinmap.records.pipelined import FixedQueries, Ids, rows_of
from kinmap.sharing.models import InformationRequest, SharingDecision

from .. import models as gm
from ..models import EventKind, GapState


def process_inputs(network: rm.FamilyNetwork, gaps: Sequence[gm.Gap]) -> ProcessInputs:
    """What happened at contacts with this family, for the process rules.

    At most six queries, whatever the size of the family."""
    return process_inputs_many([network], {network.pk: gaps})[network.pk]


def process_inputs_many(
    networks: Sequence[rm.FamilyNetwork], gaps: Mapping[int, Sequence[gm.Gap]]
) -> dict[int, ProcessInputs]:
    """:func:`process_inputs` for many families (``gaps`` by network id), in the
    same six queries at most, whatever their number, five of them in one
    round trip to PostgreSQL; by network id."""
    ids = [n.pk for n in networks]
    return process_inputs_from(ids, gaps, rows_of(_PROCESS.bind(ids)))


def process_queries(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The queries (``values_list``, independent of each other) whose rows
    :func:`process_inputs_from` reads, for the families ``ids`` (a fixed
    query's list, ``kinmap.records.pipelined.FixedQueries``): to be sent
    together with a recompute's other first reads
    (``kinmap.records.pipelined.rows_of``)."""
    return [
        # The latest contact, including one in progress: the household is
        # reconfirmed at the contact itself.
        gm.Contact.objects.filter(network_id__in_ids=ids)
        .values("network_id")
        .annotate(last=Max("date"))
        .values_list("network_id", "last"),
        gm.HouseholdConfirmation.objects.filter(contact__network_id__in_ids=ids)
        .values("contact__network_id", "household_id")
        .annotate(last=Max("contact__date"))
        .values_list("contact__network_id", "household_id", "last"),
        gm.SupervisorDecision.objects.filter(
            network_id__in_ids=ids, agency_request_considered=True, gap__isnull=False
        ).values_list("gap_id"),
        # a request to another agency raised from a gap considers it (requirement 14)
        InformationRequest.objects.filter(network_id__in_ids=ids)
        .exclude(gap_key="")
        .values_list("network_id", "gap_key"),
        SharingDecision.objects.filter(network_id__in_ids=ids)
        .order_by("pk")
        .values_list(
            "pk", "network_id", "decided_at", "decision", "rationale", "lawful_basis", "decided_by__username"
        ),
    ]


_PROCESS = FixedQueries(process_queries)


def process_inputs_from(
    ids: Sequence[int], gaps: Mapping[int, Sequence[gm.Gap]], rows: Sequence[Sequence[tuple[Any, ...]]]
) -> dict[int, ProcessInputs]:
    """:func:`process_inputs_many` from the rows of :func:`process_queries`
    (``rows``, in their order): one more query only when a gap of ``gaps``
    was ever declined."""
    contact_rows, confirmed_rows, considered_rows, requested_rows, sharing_rows = rows
    last_contact = dict(contact_rows)
    confirmed: dict[int, dict[int, date]] = {}
    for nid, household_id, last in confirmed_rows:
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
    zone = timezone.get_current_timezone()  # looked up once, not once a gap
    local_days: dict[datetime, date] = {}  # the gaps of a recompute share a few opening times

    def local_day(at: datetime) -> date:
        day = local_days.get(at)
        if day is None:
            day = local_days[at] = timezone.localdate(at, zone)
        return day

    considered = {row[0] for row in considered_rows}
    requested = set(requested_rows)
    sharing: dict[int, list[SharingDecision_]] = {}
    for pk, nid, decided_at, decision, rationale, lawful_basis, decided_by in sharing_rows:
        sharing.setdefault(nid, []).append(
            SharingDecision_(
                id=pk,
                decided_on=timezone.localdate(decided_at),
                shared=decision == SharingDecision.Decision.SHARE,
                rationale=rationale,
                lawful_basis=lawful_basis,
                decided_by=decided_by or "",
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
                    first_opened=local_day(g.opened_at),
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
