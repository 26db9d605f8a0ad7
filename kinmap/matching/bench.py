"""How fast the interactive lookup is with many people on the record
(``kinmap bench``'s ``matching_lookup``): PostgreSQL only.

Synthetic people (made-up names, dates, NHS numbers with a valid check digit,
postcodes and phone numbers) and their blocking keys are written with COPY in
one transaction that is rolled back at the end, then lookups of a mix of kinds
(a known person with a typo in the given name; name and date of birth; NHS
number alone; family name with the day and month of birth swapped; a search
for someone not there) are timed end to end: the key query, loading the
candidates and scoring them with the match model.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kinmap.core.matching import MatchRecord, blocking_keys, score_pair
from kinmap.core.nhs import nhs_check_digit

from .keys import match_records_load
from .lookup import CANDIDATE_LIMIT, candidate_ids, candidates
from .weights import current_match_model

_SYLLABLES = [
    "an",
    "ar",
    "ben",
    "bel",
    "ca",
    "cha",
    "da",
    "del",
    "el",
    "fa",
    "ga",
    "ha",
    "ja",
    "jo",
    "ka",
    "ke",
    "la",
    "li",
    "lo",
    "ma",
    "mi",
    "mo",
    "na",
    "ni",
    "no",
    "o",
    "pa",
    "pe",
    "ra",
    "ri",
    "ro",
    "sa",
    "se",
    "sha",
    "ta",
    "te",
    "tho",
    "va",
    "wi",
    "ya",
    "za",
]
_ENDINGS = ("", "n", "s", "son", "er", "ley", "ton", "a", "e", "ie", "ah", "ford", "well")


def _name(rng: random.Random) -> str:
    return (
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3)))) + rng.choice(_ENDINGS)
    ).title()


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"NE{rng.randrange(1, 99)} {rng.randrange(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _nhs_number(n: int) -> str:
    """A 10-digit NHS number with a valid modulus 11 check digit, from ``n``."""
    while (check := nhs_check_digit(f"{n % 10**9:09d}")) is None:
        n += 1
    return f"{n % 10**9:09d}{check}"


def synthetic_people(count: int, seed: int = 9) -> Iterator[MatchRecord]:
    """``count`` made-up people, with 5,000 given and 20,000 family names drawn
    unevenly (the commonest about 1 in 100, as common names recur in a real
    population), dates of birth from 1940 to 2025 (one in ten an estimate), a unique NHS number for two in
    three, a postcode for most and a phone number for half."""
    rng = random.Random(seed)
    given = [_name(rng) for _ in range(5_000)]
    family = [_name(rng) for _ in range(20_000)]
    start = date(1940, 1, 1).toordinal()
    for i in range(count):
        yield MatchRecord(
            given_name=given[int(len(given) * rng.random() ** 2)],
            family_name=family[int(len(family) * rng.random() ** 2)],
            birth_date=date.fromordinal(start + rng.randrange(31_000)),
            birth_date_estimated=rng.random() < 0.1,
            nhs_number=_nhs_number(400_000_000 + i * 7) if rng.random() < 0.66 else "",
            postcodes=(_postcode(rng),) if rng.random() < 0.8 else (),
            phones=(f"077009{rng.randrange(10**5):05d}",) if rng.random() < 0.5 else (),
        )


def _load(people: list[MatchRecord], first_id: int, progress: Callable[[str], None]) -> None:
    now = timezone.now()
    raw = connection.cursor().cursor  # psycopg 3: COPY
    step = max(1, len(people) // 10)
    with raw.copy(
        "COPY records_person (id, given_name, family_name, name_absent_reason, sex, birth_date, "
        "birth_date_accuracy, death_date_accuracy, nhs_number, phone, phone_masked, email, provenance, "
        "version, created_at, updated_at) FROM STDIN"
    ) as copy:
        for i, p in enumerate(people):
            copy.write_row(
                (first_id + i, p.given_name, p.family_name, "", "unknown", p.birth_date,
                 "estimated" if p.birth_date_estimated else "accurate", "accurate", p.nhs_number,
                 p.phones[0] if p.phones else "", False, "", "{}", 1, now, now)
            )  # fmt: skip
    progress(f"  {len(people):,} people written")
    keys = 0
    with raw.copy("COPY matching_personmatchkey (person_id, key) FROM STDIN") as copy:
        for i, p in enumerate(people):
            for k in blocking_keys(p):
                copy.write_row((first_id + i, k))
                keys += 1
            if (i + 1) % step == 0:
                progress(f"  keys of {i + 1:,} people ({keys:,} keys)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE records_person")
        cur.execute("ANALYZE matching_personmatchkey")


def _queries(people: list[MatchRecord], lookups: int, seed: int = 11) -> list[MatchRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(lookups):
        p = rng.choice(people)
        kind = i % 5
        if kind == 0:  # a known person, a letter of the given name changed
            g = p.given_name
            j = rng.randrange(1, max(2, len(g)))
            out.append(replace(p, given_name=g[:j] + "e" + g[j + 1 :], nhs_number=""))
        elif kind == 1:  # name and date of birth
            out.append(
                MatchRecord(given_name=p.given_name, family_name=p.family_name, birth_date=p.birth_date)
            )
        elif kind == 2 and p.nhs_number:  # NHS number alone
            out.append(MatchRecord(nhs_number=p.nhs_number))
        elif kind == 3 and p.birth_date and p.birth_date.day <= 12:  # day and month swapped
            swapped = p.birth_date.replace(day=p.birth_date.month, month=p.birth_date.day)
            out.append(MatchRecord(family_name=p.family_name, birth_date=swapped))
        else:  # someone not there
            out.append(MatchRecord(given_name="Nobody", family_name="Notthere", birth_date=date(1901, 1, 1)))
    return out


class _Rollback(Exception):
    pass


def matching_lookup_bench(people: int, lookups: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Time ``lookups`` interactive lookups with ``people`` synthetic people on
    the record (PostgreSQL; on another database, ``{"skipped": reason}``).
    Milliseconds, with the percentiles and the candidates scored."""
    if connection.vendor != "postgresql":
        return {"skipped": f"needs PostgreSQL (COPY and its planner); this database is {connection.vendor}"}
    from kinmap.gaps.management.commands.bench import _summary

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            progress(f"making {people:,} synthetic people for the lookup benchmark...")
            made = list(synthetic_people(people))
            with connection.cursor() as cur:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM records_person")
                (top,) = cur.fetchone()
            started = time.perf_counter()
            _load(made, top + 1_000_000, progress)
            load_s = time.perf_counter() - started
            with connection.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM matching_personmatchkey")
                (key_rows,) = cur.fetchone()
            queries = _queries(made, lookups)
            for q in queries[:20]:  # warm the caches and the model
                candidates(q)
            times: list[float] = []
            cpu: list[float] = []  # this process's CPU time: Python's share, whatever else runs
            phases: dict[str, list[float]] = {"keys": [], "load": [], "score": []}
            scored: list[int] = []
            model = current_match_model()
            progress(f"timing {lookups} lookups...")
            for q in queries:
                # the steps of lookup.candidates, each timed
                c0, t0 = time.process_time(), time.perf_counter()
                ids = candidate_ids(q)
                t1 = time.perf_counter()
                records = match_records_load(ids) if ids else {}
                t2 = time.perf_counter()
                found = [score_pair(q, r, model) for r in records.values()]
                t3 = time.perf_counter()
                times.append((t3 - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                for name, ms in zip(phases, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                    phases[name].append(ms * 1000)
                scored.append(len(found))
            result = {
                "database": connection.vendor,
                "people": people,
                "key_rows": key_rows,
                "load_seconds": round(load_s, 1),
                "lookups": lookups,
                "candidate_limit": CANDIDATE_LIMIT,
                "candidates_scored_max": max(scored),
                "lookup_ms": _summary(times),
                "lookup_cpu_ms": _summary(cpu),
                "load_average_1m": round(os.getloadavg()[0], 1),
                "phase_ms": {name: _summary(values) for name, values in phases.items()},
                "goal_p95_ms": 50,
            }
            raise _Rollback
    except _Rollback:
        pass
    return result
