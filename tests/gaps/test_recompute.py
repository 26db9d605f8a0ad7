"""Gaps are recomputed inside the transaction of every change to a family:
recording a fact resolves its gap (with the fact's provenance), removing it
reopens the gap, and the work takes a fixed number of queries."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records import services as s
from tests.gaps.family import MOTHER_SAYS, seed_family

pytestmark = pytest.mark.django_db


def gap(network: m.FamilyNetwork, key: str) -> gm.Gap:
    return gm.Gap.objects.get(network=network, key=key)


def events(g: gm.Gap) -> list[str]:
    return list(g.events.order_by("at", "pk").values_list("kind", flat=True))


def test_a_new_family_has_its_gaps_open_and_not_asked(owner: User) -> None:
    f = seed_family(owner)
    open_keys = sorted(g.key for g in gm.Gap.objects.filter(network=f.network) if g.is_open)
    fid = f.father.pk
    assert open_keys == sorted(
        [
            f"R02-birth-father:person:{fid}",
            f"R04-parental-responsibility:person:{fid}:{f.baby.pk}",
            f"R05-current-partner:person:{fid}",
            f"R08-other-children:person:{fid}",
            f"R09-other-names:person:{fid}",
            f"R11-seen-directly:person:{fid}",
            f"R15-adult-services:person:{fid}",
            f"R06-household-roster:household:{m.Residence.objects.get(person=f.mother).household_id}",
            # safety information for both carers (rules 17 to 20)
            f"R17-icon:person:{fid}",
            f"R18-safer-sleep:person:{fid}",
            f"R20-carers-elsewhere:person:{fid}",
            f"R17-icon:person:{f.mother.pk}",
            f"R18-safer-sleep:person:{f.mother.pk}",
        ]
    )
    dob = gap(f.network, f"R02-birth-father:person:{fid}")
    assert (dob.state, dob.severity, dob.detail, dob.missing) == (
        "not-asked",
        "critical",
        "Date of birth not recorded for Dan Testfather",
        ["birth_date"],
    )
    assert dob.subject_name == "Dan Testfather"
    assert events(dob) == ["opened"]
    # he has the 9-week-old overnight: every gap about him is flagged until the first birthday
    assert dob.overnight_infant_until == date.fromordinal(f.baby.birth_date.toordinal()).replace(
        year=f.baby.birth_date.year + 1
    )


def test_recording_the_fact_resolves_the_gap_with_its_provenance_and_removing_it_reopens(owner: User) -> None:
    f = seed_family(owner)
    key = f"R09-other-names:person:{f.father.pk}"
    s.fact_set(
        expected_version=None,
        actor=owner,
        network=f.network,
        person=f.father,
        key="other-names",
        value="none",
        source=MOTHER_SAYS,
    )
    g = gap(f.network, key)
    assert g.state == "resolved" and g.resolved_at is not None and not g.is_open
    resolved = g.events.get(kind="resolved")
    assert (resolved.source, resolved.source_detail, resolved.by) == ("said-by", "the mother", owner)

    s.fact_remove(
        actor=owner, network=f.network, person=f.father, key="other-names", reason="recorded in error"
    )
    g.refresh_from_db()
    assert (g.state, g.resolved_at, g.reopened) == ("not-asked", None, 1)
    assert events(g) == ["opened", "resolved", "reopened"]


def test_recording_one_fact_resolves_exactly_that_gap_and_opens_none(owner: User) -> None:
    f = seed_family(owner)
    before = {g.key for g in gm.Gap.objects.filter(network=f.network) if g.is_open}
    s.fact_set(
        expected_version=None,
        actor=owner,
        network=f.network,
        person=f.father,
        key="adult-services",
        value="none known",
        source=MOTHER_SAYS,
    )
    after = {g.key for g in gm.Gap.objects.filter(network=f.network) if g.is_open}
    assert before - after == {f"R15-adult-services:person:{f.father.pk}"}
    assert after - before == set()


def test_the_recompute_runs_inside_the_change_transaction(owner: User) -> None:
    f = seed_family(owner)
    key = f"R08-other-children:person:{f.father.pk}"

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        s.fact_set(
            expected_version=None,
            actor=owner,
            network=f.network,
            person=f.father,
            key="other-children",
            value="none",
        )
        # already resolved before the transaction commits: nothing can read a stale gap
        assert not gap(f.network, key).is_open
        raise Abandon
    # and rolled back with the change
    assert gap(f.network, key).is_open
    assert not m.PersonFact.objects.filter(person=f.father, key="other-children").exists()


def test_recomputing_twice_changes_nothing(owner: User) -> None:
    f = seed_family(owner)
    rows = list(gm.Gap.objects.filter(network=f.network).order_by("pk").values())
    audit = AuditEvent.objects.count()
    result = gs.gaps_recompute(network=f.network, actor=owner)
    assert not result.any
    assert list(gm.Gap.objects.filter(network=f.network).order_by("pk").values()) == rows
    assert AuditEvent.objects.count() == audit


# An answer recorded with its source (requirement 12 asks the source of every answer)
SAID_BY_FATHER = {"source": "said-by", "source_detail": "the father"}


def test_a_recompute_that_changes_gaps_is_audited(owner: User) -> None:
    f = seed_family(owner)
    m.PersonFact.objects.create(person=f.father, key="other-names", value="none", **SAID_BY_FATHER)
    result = gs.gaps_recompute(network=f.network, actor=owner)
    assert result.resolved == [f"R09-other-names:person:{f.father.pk}"]
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.network_id) == ("recompute", "gaps", f.network.pk)
    assert event.changes == {"resolved": [None, [f"R09-other-names:person:{f.father.pk}"]]}


def _grow(f: object, actor: User, n: int) -> None:
    """n more adults around the baby: each a regular visitor with gaps of their own."""
    fam = f  # SeedFamily
    for i in range(n):
        s.person_add(
            actor=actor,
            network=fam.network,  # type: ignore[attr-defined]
            data=s.PersonData(
                given_name=f"Visitor{i}",
                family_name="Testfamily",
                birth_date=date(1970, 1, 1),
                birth_date_accuracy="accurate",
            ),
            related_to=fam.baby,  # type: ignore[attr-defined]
            relationship=s.RelationshipData(type="x-regular-visitor"),
        )


def _recompute_queries(network: m.FamilyNetwork, actor: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        gs.gaps_recompute(network=network, actor=actor)
    return len(ctx.captured_queries)


def test_recompute_takes_the_same_number_of_queries_whatever_the_size_of_the_family(owner: User) -> None:
    small = seed_family(owner, name="Small")
    big = seed_family(owner, name="Big")
    _grow(big, owner, 25)
    assert (
        gm.Gap.objects.filter(network=big.network).count()
        > 3 * gm.Gap.objects.filter(network=small.network).count()
    )
    for f in (small, big):
        gm.Contact.objects.create(
            network=f.network,
            type="clinic",
            date=date.today(),
            practitioner=owner,
            opened_at=f.network.created_at,
        )
    counts = {}
    for label, f in (("small", small), ("big", big)):
        noop = _recompute_queries(f.network, owner)
        # one gap resolved (and its contact outcome answered) ...
        m.PersonFact.objects.create(person=f.father, key="other-names", value="none", **SAID_BY_FATHER)
        resolved = _recompute_queries(f.network, owner)
        # ... and reopened (and shown at the contact in progress)
        m.PersonFact.objects.filter(person=f.father, key="other-names").delete()
        reopened = _recompute_queries(f.network, owner)
        counts[label] = (noop, resolved, reopened)
    assert counts["small"] == counts["big"]
    # Nothing changed: the family's lock, its record with who recorded each
    # row, the rule settings, its gaps and what happened at contacts: 17
    # queries on SQLite; on PostgreSQL the same statements sent as two texts
    # (test_recompute_queries); a gap
    # resolved adds the writes of the gap, its event, the outcome at the contact
    # in progress, the audit event, the family's gap summary (counted and
    # written in one statement) and a change told to its teams' counts; a gap reopened, shown at that
    # contact too.
    assert counts["small"] == RECOMPUTE_QUERIES[connection.vendor]


# nothing changed, one gap resolved, one gap reopened
RECOMPUTE_QUERIES = {"sqlite": (17, 24, 27), "postgresql": (2, 9, 12)}


def test_a_recomputes_audit_changes_are_its_lists_sorted_in_the_order_of_its_fields() -> None:
    names = [f.name for f in dataclasses.fields(gs.RecomputeResult)]
    result = gs.RecomputeResult(**{name: [f"{name}:b", f"{name}:a"] for name in names})
    expected = {k: [None, sorted(v)] for k, v in dataclasses.asdict(result).items()}
    assert list(result.changes().items()) == list(expected.items())
    result.resolved = []
    assert "resolved" not in result.changes()
    assert result.opened == ["opened:b", "opened:a"]  # the result's own lists are left as they were
