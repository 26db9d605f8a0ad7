"""The first pages of supervision and of the team worklist, read by statements
compiled once: the same families, in the same order, annotated the same, as
the querysets read them; an empty page reads nothing."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import selectors, supervision_reads
from kinmap.gaps.summaries import gap_summaries_refresh
from kinmap.records.synth import synth_load
from tests.conftest import make_user


def _flag_some(seed: int) -> None:
    """Some open gaps flagged for a supervisor (prompted, declined, old)."""
    rng = random.Random(seed)
    gaps = list(gm.Gap.objects.filter(resolved_at__isnull=True).order_by("pk"))
    for g in rng.sample(gaps, len(gaps) // 3):
        g.times_prompted = rng.randint(0, 3)
        g.times_declined = rng.randint(0, 3)
        g.opened_at = timezone.now() - timedelta(days=rng.choice([0, 29, 400]))
        g.save()
    gap_summaries_refresh(network_ids={g.network_id for g in gaps})


@pytest.fixture
def supervisors(db: None) -> list[User]:
    synth_load(families=70, teams=2, seed=41)
    _flag_some(41)
    teams = Team.objects.filter(name__startswith="Synthetic team").order_by("pk")
    return [make_user(f"first.{t.pk}", t, Role.SUPERVISOR) for t in teams]


def test_supervision_first_page_is_the_querysets(supervisors: list[User]) -> None:
    for user in supervisors:
        whole = list(supervision_reads.flagged_networks(user))
        assert len(whole) > 1
        pages = supervision_reads.FlaggedPages(user)
        for start, stop in ((0, 25), (0, 7), (0, 1), (25, 50), (1, 26)):
            page = pages[start:stop]
            assert [(n.pk, n.name, n.closed_at, n.version) for n in page] == [
                (n.pk, n.name, n.closed_at, n.version) for n in whole[start:stop]
            ]


def test_team_worklist_first_page_is_the_querysets(supervisors: list[User]) -> None:
    columns = ("pk", "name", "worst_rank", "open_count", "oldest")
    for user in supervisors:
        listed = selectors.team_worklist(user)
        reference = list(listed.with_gaps)
        assert len(reference) > 1
        for stop in (1, 7, 25):
            assert [tuple(getattr(n, c) for c in columns) for n in listed[0:stop]] == [
                tuple(getattr(n, c) for c in columns) for n in reference[:stop]
            ]


def test_worklist_rows_without_a_filter_are_the_filtered_paths(supervisors: list[User]) -> None:
    """The page's children and flagged counts read together (one text on
    PostgreSQL) are those the filtered path reads."""
    for user in supervisors:
        page = selectors.team_worklist(user)[0:25]
        with CaptureQueriesContext(connection) as ctx:
            kept = selectors.worklist_rows(page)
        # the thresholds (outside a request: not kept), then the page's two
        # reads: one text on PostgreSQL
        assert len(ctx.captured_queries) == {"postgresql": 2}.get(connection.vendor, 3)
        f = selectors.WorklistFilter()
        ids = [n.pk for n in page]
        assert {r.network.pk: r.flagged_count for r in kept} == {
            pk: selectors.flagged_counts(ids, f, timezone.localdate()).get(pk, 0) for pk in ids
        }
        assert any(r.flagged_count for r in kept)
        children = {r.network.pk: [p.pk for p in r.children] for r in kept}
        assert all(children.values())
        for r in kept:
            members = (
                r.network.members.filter(is_index=True).order_by("pk").values_list("person_id", flat=True)
            )
            assert children[r.network.pk] == list(members)


def test_empty_pages_read_nothing(health_team: Team) -> None:
    user = make_user("empty.supervisor", health_team, Role.SUPERVISOR)
    with CaptureQueriesContext(connection) as ctx:
        assert supervision_reads.FlaggedPages(user)[0:0] == []
        assert selectors.worklist_rows([]) == []
    assert ctx.captured_queries == []
