"""Families that share a person with a family just changed: their gaps are
recomputed in the background after the change commits.

Requirement 8 (and the "known in another family network" warnings) reads what
is recorded about a member in *other* family networks: a mother's partner
who becomes a carer of a child in the police's family network must be asked
about in the health visitor's family too. A change saves and recomputes only
the networks it belongs to; this brings the others that share one of their
members up to date, as the system (no user), without making the change wait
or lock a family it did not touch.

One task per committed change (``recompute_neighbours``): it locks the
neighbouring families' network rows in id order, recomputes them with
``gaps_recompute_locked`` (one audit event per family whose gaps changed) and
seals the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from kinmap.records import models as rm


@dataclass
class _AfterCommit:
    """The on-commit callback of one transaction: the networks it changed."""

    ids: set[int] = field(default_factory=set)

    def __call__(self) -> None:
        ids = neighbour_network_ids(self.ids)
        if ids:
            from .tasks import recompute_neighbours  # the task module imports the services

            recompute_neighbours.enqueue(sorted(ids))


def neighbours_after_change(network: rm.FamilyNetwork, actor: object) -> None:
    """After-change hook (``kinmap.records.services.on_family_change``): note
    ``network`` as changed in this transaction and, once per transaction (or
    savepoint), ask
    for its neighbours to be recomputed when it commits (nothing is asked if
    it rolls back: Django drops the callback). ``actor`` is not used: the
    neighbours are recomputed by the system."""
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)  # one callback per (sub)transaction
    waiting = [f for sids, f, _ in connection.run_on_commit if isinstance(f, _AfterCommit) and sids == here]
    if waiting:
        waiting[0].ids.add(network.pk)
    else:
        transaction.on_commit(_AfterCommit({network.pk}))


def neighbour_network_ids(network_ids: set[int]) -> set[int]:
    """The ids of the family networks, other than ``network_ids``, that have a
    member in common with one of them (one query)."""
    if not network_ids:
        return set()
    members = rm.NetworkMember.objects.filter(network_id__in=network_ids).values("person_id")
    rows = (
        rm.NetworkMember.objects.filter(person_id__in=members)
        .exclude(network_id__in=network_ids)
        .values_list("network_id", flat=True)
        .distinct()
    )
    return set(rows)


def neighbours_recompute(*, network_ids: list[int]) -> int:
    """Recompute the gaps of the family networks ``network_ids`` (ids, any
    order) in one transaction, as the system, locking their rows in id order
    (waiting for a change that holds one). Returns how many were recomputed
    (a network removed meanwhile is skipped)."""
    from kinmap.gaps.services import gaps_recompute_locked

    with transaction.atomic():
        networks = list(
            rm.FamilyNetwork.objects.select_for_update(no_key=True).filter(pk__in=network_ids).order_by("pk")
        )
        if networks:
            gaps_recompute_locked(networks=networks, actor=None)
    return len(networks)
