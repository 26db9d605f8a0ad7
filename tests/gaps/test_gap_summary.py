"""Each family's GapSummary is what counting its open gaps afresh gives,
after every service that changes them: a recompute (gaps opened and
resolved), an answer (declined; not applicable, agreed at once or waiting
for a supervisor), a supervisor's agreement, a gap shown at a contact."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import selectors
from kinmap.gaps import services as gs
from kinmap.gaps.presenters import flags
from kinmap.gaps.summaries import FIELDS, NONE, flagged_family_q, gap_summaries_refresh
from kinmap.records import models as m
from kinmap.records import services as s
from tests.gaps.family import SeedFamily, father_declines


def counted_afresh(network: m.FamilyNetwork) -> dict[str, Any]:
    """The summary's columns counted in Python from the family's gaps."""
    mine = [g for g in gm.Gap.objects.filter(network=network) if g.is_open]
    critical = [g for g in mine if g.severity == gm.Severity.CRITICAL]
    return {
        "open_count": len(mine),
        "critical_count": len(critical),
        "worst_rank": min((gm.SEVERITY_RANK[gm.Severity(g.severity)] for g in mine), default=9),
        "oldest_open": min((g.open_since for g in mine), default=None),
        "critical_oldest": min((g.open_since for g in critical), default=None),
        "critical_prompted_max": max((g.times_prompted for g in critical), default=None),
        "declined_max": max((g.times_declined for g in mine), default=None),
        "overnight_until_max": max(
            (g.overnight_infant_until for g in mine if g.overnight_infant_until), default=None
        ),
    }


def summary(network: m.FamilyNetwork) -> dict[str, Any]:
    """The family's summary row (a family without one has no open gap)."""
    row = gm.GapSummary.objects.filter(network=network).values(*FIELDS).first()
    return row or dict(NONE)


def family_is_flagged(network: m.FamilyNetwork, today: date) -> bool:
    settings = selectors.escalation()
    return any(flags(g, today, settings) for g in gm.Gap.objects.filter(network=network) if g.is_open)


def check(network: m.FamilyNetwork) -> None:
    assert summary(network) == counted_afresh(network)
    today = timezone.localdate()
    by_summary = m.FamilyNetwork.objects.filter(pk=network.pk).filter(
        flagged_family_q("gap_summary", today, selectors.escalation())
    )
    assert by_summary.exists() == family_is_flagged(network, today)


def gap(fam: SeedFamily, rule: str) -> gm.Gap:
    return gm.Gap.objects.get(network=fam.network, key=f"{rule}:person:{fam.father.pk}")


@pytest.mark.django_db
def test_the_summary_follows_every_change_to_the_gaps(owner: User, supervisor: User, fam: SeedFamily) -> None:
    network = fam.network
    check(network)
    assert summary(network)["open_count"] > 0
    # shown at a contact: prompted once more
    gs.contact_open(actor=owner, network=network, type="home-visit", date=date.today())
    check(network)
    assert summary(network)["critical_prompted_max"] == 1
    # declined, twice: flagged for a supervisor
    for _ in range(2):
        father_declines(owner, fam)
        check(network)
    assert summary(network)["declined_max"] == 2
    # not applicable: an important gap closes at once
    g = gap(fam, "R09-other-names")
    gs.gap_answer(
        actor=owner,
        gap=g,
        answer=gs.Answer(state="not-applicable", reason="the same name since birth, says the GP"),
        expected_version=g.version,
    )
    check(network)
    # a critical one waits for a supervisor, who agrees: it closes then
    g = gap(fam, "R11-seen-directly")
    g = gs.gap_answer(
        actor=owner,
        gap=g,
        answer=gs.Answer(state="not-applicable", reason="seen by the midwife last week"),
        expected_version=g.version,
    )
    before = summary(network)["open_count"]
    check(network)
    gs.gap_not_applicable_agree(actor=supervisor, gap=g, agree=True, expected_version=g.version)
    check(network)
    assert summary(network)["open_count"] == before - 1
    # a recorded fact resolves a gap (the recompute in the change's transaction)
    father = m.Person.objects.get(pk=fam.father.pk)
    s.person_update(
        actor=owner,
        network=network,
        person=father,
        data=dataclasses.replace(
            s.PersonData.of(father), birth_date=date(1995, 3, 2), birth_date_accuracy="accurate"
        ),
        expected_version=father.version,
    )
    check(network)


@pytest.mark.django_db
def test_a_family_without_open_gaps_counts_as_none(owner: User) -> None:
    network = s.network_create(
        actor=owner,
        child=s.PersonData(given_name="Ivy", family_name="Testbaby", birth_date=date(2026, 10, 1)),
    )
    check(network)
    gm.Gap.objects.filter(network=network).update(resolved_at=timezone.now())
    gap_summaries_refresh(network_ids=[network.pk])
    assert summary(network) == dict(NONE) == counted_afresh(network)


@pytest.mark.django_db
def test_families_named_more_than_once_are_counted_in_one_statement(owner: User, fam: SeedFamily) -> None:
    none = s.network_create(
        actor=owner,
        child=s.PersonData(given_name="Ivy", family_name="Testbaby", birth_date=date(2026, 10, 1)),
    )
    gm.Gap.objects.filter(network=none).update(resolved_at=timezone.now())
    gm.GapSummary.objects.filter(network=fam.network).delete()  # a row written afresh, another updated
    with CaptureQueriesContext(connection) as written:
        assert gap_summaries_refresh(network_ids=[fam.network.pk, none.pk, fam.network.pk]) == 2
    table = gm.GapSummary._meta.db_table
    assert [table in q["sql"] for q in written.captured_queries].count(True) == 1
    for network in (fam.network, none):
        check(network)
    assert summary(fam.network)["open_count"] > 0 and summary(none) == dict(NONE)
    assert gm.GapSummary.objects.filter(network=none).exists()
