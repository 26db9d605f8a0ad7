"""The families of ``kinmap synth`` built in chunks, on every core.

The caseload is cut into chunks of :data:`CHUNK` families. Chunk ``k`` is
built (invented, its gaps worked out by the rules engine, its rows made
ready to write: :func:`families_build`) with no
query, so any process can build it: a pool of ``workers`` processes builds
the chunks while the loading process writes the ones already built, in
order, with COPY in its one transaction (:func:`chunks_built`).

Ids: chunk ``k`` numbers its rows on after ``ids_from + k * CHUNK *
IDS_PER_FAMILY`` (a window of :data:`IDS_PER_FAMILY` ids a family, far more
than a family uses; a chunk that would overrun its window stops the load),
so each row's id, like everything else in it, is the same whatever the
number of workers and whichever worker built it. The ids of a table are
therefore not contiguous, which nothing relies on.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing.pool import AsyncResult

import django

from kinmap.core.rules import RuleSettings

from .synth_bulk import Prepared
from .synth_gaps import family_gaps, reads_history
from .synth_rows import Counts, Rows, family_invent, family_rng

# families a chunk: each chunk is written as one COPY a table (some 16), so
# larger chunks cost the loading process and the database less a family;
# kinmap synth --families 30000 --teams 10 --seed 1 on a 2-core machine took
# 36.5 s with chunks of 100, 34.9 s with 250, 34.5 s with 1,000 (the server's
# CPU in the loop 10.7, 9.4, 8.6 s); at 100,000 families (--teams 50) 118.0 s
# with 250, 113.2 s with 1,000 and 115.8 s with 2,000 (a worker then holds
# about 310 MB): the first chunk keeps the loader and the database waiting.
CHUNK = 1000
IDS_PER_FAMILY = 500  # ids set aside a family (they use about 120 on average, at most about 210)


@dataclass(frozen=True)
class Plan:
    """What every chunk of one load is built from: the caseload's ``seed``
    and ``families`` (how many), ``today`` and the load's time ``now``
    (aware), the largest id in use in any of its tables (``ids_from``: the
    load numbers its rows on after it), the teams' and their
    practitioners' ids (in the same order), the actor of the gaps' events
    and the partnership's rule settings."""

    seed: int
    families: int
    today: date
    now: datetime
    ids_from: int
    team_ids: tuple[int, ...]
    practitioner_ids: tuple[int, ...]
    actor_id: int | None
    settings: RuleSettings
    # families a chunk: :data:`CHUNK` when the plan is made (the plan carries
    # it to the workers)
    chunk: int = field(default_factory=lambda: CHUNK)
    # the rows as COPY's text (PostgreSQL), made by the workers, rather than tuples
    text: bool = False

    @property
    def chunks(self) -> int:
        return -(-self.families // self.chunk)

    def id_floor(self, k: int) -> int:
        """The id before chunk ``k``'s window (its rows are numbered on from it)."""
        return self.ids_from + k * self.chunk * IDS_PER_FAMILY


@dataclass
class Built:
    """One chunk ready to write: its tables' rows (targets first), what it
    counts and the largest id it gave."""

    tables: list[Prepared]
    counts: Counts
    last_id: int


class ChunkOverrun(Exception):
    """A chunk needed more ids than its window holds (raise IDS_PER_FAMILY)."""


def families_build(
    *,
    seed: int,
    start: int,
    count: int,
    today: date,
    now: datetime,
    ids_from: int,
    team_ids: Sequence[int],
    practitioner_ids: Sequence[int],
    actor_id: int | None,
    settings: RuleSettings,
) -> tuple[Rows, Counts]:
    """Invent and reconcile families ``start`` to ``start + count - 1`` of the
    caseload of ``seed``: their rows (numbered on after ``ids_from``, written
    at ``now``, an aware date-time) and what they count. No query is run:
    each family draws from its own generator
    (:func:`kinmap.records.synth_rows.family_rng`), so a
    family is the same whichever process builds it and with whichever others."""
    rows, counts = Rows(ids_from), Counts()
    families = [
        family_invent(family_rng(seed, i), seed, i, today, team_ids, practitioner_ids, rows, now, counts)
        for i in range(start, start + count)
    ]
    history_reads = reads_history(settings)
    for fam in families:
        family_gaps(fam, rows, today, now, settings, actor_id, history_reads, counts)
    return rows, counts


def chunk_build(plan: Plan, k: int) -> Built:
    """Build chunk ``k`` of ``plan`` (no query; any process)."""
    with _collector_paused():
        return _chunk_build(plan, k)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a chunk is built: the chunk
    makes hundreds of thousands of small tuples and lists that live until it
    is written, and the collector's repeated passes over them cost about a
    fifth of the build; whatever cycles are left are collected once it is
    back on (a chunk's memory is bounded by its size)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _chunk_build(plan: Plan, k: int) -> Built:
    start = k * plan.chunk
    count = min(plan.chunk, plan.families - start)
    rows, counts = families_build(
        seed=plan.seed,
        start=start,
        count=count,
        today=plan.today,
        now=plan.now,
        ids_from=plan.id_floor(k),
        team_ids=plan.team_ids,
        practitioner_ids=plan.practitioner_ids,
        actor_id=plan.actor_id,
        settings=plan.settings,
    )
    if rows.last > plan.id_floor(k + 1):
        raise ChunkOverrun(f"chunk {k} used {rows.last - plan.id_floor(k)} ids, more than its window")
    tables = [
        p
        for table in (*rows.numbered(), rows.keys, rows.summaries)
        for p in table.prepared(plan.now, text=plan.text)
    ]
    return Built(tables, counts, rows.last)


def chunks_built(plan: Plan, workers: int) -> Iterator[Built]:
    """Every chunk of ``plan``, in order, built by ``workers`` processes
    (started afresh; 1: here, one at a time). At most ``workers + 1``
    chunks are built ahead of the one being written, so memory stays flat."""
    if workers <= 1 or plan.chunks == 1:
        for k in range(plan.chunks):
            yield chunk_build(plan, k)
        return
    # spawn, not fork: a process forked while another thread holds a lock
    # (a test's live server, a driver's thread) can wait on it for ever. Each
    # worker sets Django up from the same settings (the environment) and
    # never uses the database (building a chunk runs no query).
    with multiprocessing.get_context("spawn").Pool(workers, initializer=django.setup) as pool:
        pending: deque[AsyncResult[Built]] = deque()
        for k in range(plan.chunks):
            pending.append(pool.apply_async(chunk_build, (plan, k)))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def workers_default(families: int) -> int:
    """As many workers as this process may use cores, but no more than there
    are chunks of ``families``."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, -(-families // CHUNK)))
