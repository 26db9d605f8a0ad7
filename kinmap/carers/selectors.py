"""Read the safety information kept about a family, in a fixed number of queries."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet

from kinmap.core import model as core
from kinmap.core.vocab import InfoHow, InvitationOutcome
from kinmap.records.pipelined import FixedQueries, Ids, among, rows_of
from kinmap.records.selectors import FamilyRecord, FixedExtension

from . import models as cm
from .presenters import CarerConfig

T = TypeVar("T")


def add_carer_information(records: Sequence[FamilyRecord]) -> list[core.Network]:
    """Each record's pure network with the information given to its members and
    their joint appointments (two queries, whatever the number and size of the
    families, in one round trip to PostgreSQL).

    Information reaches a person, not a network: what a father was given while
    recorded in one family network counts in every network he belongs to.
    """
    ids = sorted(set().union(*(r.member_ids for r in records)))
    return _with_carer_information(records, rows_of(CARER_INFORMATION.queries.bind(ids)))  # in one round trip


def _carer_queries(people: Ids | QuerySet[Any, Any]) -> list[QuerySet[Any, Any]]:
    """The two queries of :func:`add_carer_information` for the members
    ``people`` (person ids: a fixed query's list, or a one-column subquery)."""
    return [
        cm.InformationGiven.objects.filter(among("person_id", people))
        .order_by("given_on", "pk")
        .values_list(
            "pk",
            "person_id",
            "material__code",
            "given_on",
            "how",
            "declined",
            "declined_reason",
            "given_by__username",
        ),
        cm.JointAppointment.objects.filter(among("person_id", people))
        .order_by("contact_on", "pk")
        .values_list("pk", "person_id", "contact_on", "contact_type", "outcome", "invited_on"),
    ]


def _with_carer_information(
    records: Sequence[FamilyRecord], rows: list[list[tuple[Any, ...]]]
) -> list[core.Network]:
    given_rows, invitation_rows = rows
    # the columns in the order of the pure records' fields
    given: dict[int, list[core.InformationGiven]] = defaultdict(list)
    for pk, person_id, material, on, how, declined, declined_reason, by in given_rows:
        given[person_id].append(
            core.InformationGiven(
                pk, person_id, material, on, InfoHow(how), declined, declined_reason, by or ""
            )
        )
    invitations: dict[int, list[core.Invitation]] = defaultdict(list)
    for pk, person_id, contact_on, contact_type, outcome, invited_on in invitation_rows:
        invitations[person_id].append(
            core.Invitation(pk, person_id, contact_on, contact_type, InvitationOutcome(outcome), invited_on)
        )
    return [
        dataclasses.replace(
            record.graph_network,
            information_given=_in_order(given, record.member_ids, key=lambda i: (i.on, i.id)),
            invitations=_in_order(invitations, record.member_ids, key=lambda i: (i.contact_on, i.id)),
        )
        for record in records
    ]


#: :func:`add_carer_information`'s reads over the members' ids, compiled once
#: (``kinmap.records.graph_load`` sends them with the family's own)
CARER_INFORMATION = FixedExtension(FixedQueries(_carer_queries), _with_carer_information)


def _in_order(by_person: dict[int, list[T]], people: set[int], key: Callable[[T], Any]) -> tuple[T, ...]:
    """The members' rows, in the order the query gave them (by date, then id)."""
    return tuple(sorted((x for pid in people for x in by_person.get(pid, ())), key=key))


def materials_active() -> QuerySet[cm.Material]:
    return cm.Material.objects.filter(active=True).order_by("title")


def material_titles() -> dict[str, str]:
    """Every material's title by code (one query)."""
    return dict(cm.Material.objects.values_list("code", "title"))


#: :func:`material_titles` as a fixed query (its list of ids is not used), for
#: a page to send with its other reads; ``dict`` of its rows is the answer.
MATERIAL_TITLES = FixedQueries(lambda ids: [cm.Material.objects.values_list("code", "title")])


def carer_config() -> CarerConfig:
    """The partnership's settings and words for the carer checks (one query):
    requirement 17's thresholds, and each carer requirement's own *why we ask*
    and *you could say* (``gaps.engine.words_by_rule``)."""
    from kinmap.core.rules import CATALOGUE
    from kinmap.core.rules.safety_info import CATALOGUE_IDS, R17, carer_settings
    from kinmap.gaps import engine
    from kinmap.gaps.selectors import rule_setting_rows

    ids = set(CATALOGUE_IDS.values())
    rows = [row for row in rule_setting_rows() if row.rule_id in ids]
    params = engine.rule_settings(rows).effective_params(CATALOGUE.get(R17))
    words = engine.words_by_rule(rows)
    return CarerConfig(
        carer_settings(params),
        {key: (words[rid].why_we_ask, words[rid].suggested_wording) for key, rid in CATALOGUE_IDS.items()},
    )
