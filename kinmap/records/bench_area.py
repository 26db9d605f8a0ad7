"""What ``kinmap bench_area`` measures inside the server's own process: the
caseload it runs on, the queries of each page and their floor in the database
(``EXPLAIN ANALYZE``), the family page's server time, the engine and the
recompute. The load over HTTP is :mod:`kinmap.records.bench_load`'s."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps.services import gaps_recompute, process_inputs_many, rule_setting_change
from kinmap.jobs.models import FamilyRecompute

from . import models as m
from .selectors import family_records_load
from .synth import synth_load

BENCH_USER = "bench.supervisor"


class _Rollback(Exception):
    pass


def caseload(*, families: int, teams: int, seed: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Make the caseload with ``kinmap synth``, or reuse it when a load with the
    same numbers and seed is recorded in the audit trail. The load's rate
    (families a second) is the one measured when it was made."""
    reason = f"kinmap synth --families {families} --teams {teams} --seed {seed}"
    event = AuditEvent.objects.filter(action="synth", reason=reason).order_by("-id").first()
    if event is not None:
        seconds = (event.changes.get("seconds") or [None, None])[1]
        progress(f"reusing the caseload made at {event.at:%Y-%m-%d %H:%M} ({reason})")
        return {
            "reused": True,
            "made_at": event.at.isoformat(),
            "synth_families_per_s": round(families / seconds, 1) if seconds else "not recorded",
        }
    progress(f"making the caseload: {reason}")
    started = time.perf_counter()
    synth_load(
        families=families,
        teams=teams,
        seed=seed,
        progress=lambda done: progress(f"  loaded {done:,} families"),
    )
    seconds = time.perf_counter() - started
    return {
        "reused": False,
        "synth_families_per_s": round(families / seconds, 1),
        "seconds": round(seconds, 1),
    }


def vacuum() -> float:
    """``VACUUM (ANALYZE)`` of the database, outside any transaction; the
    seconds it took. A PostgreSQL server vacuums its tables itself
    (autovacuum), so its index-only scans need not visit the rows and the
    rows a recompute replaced are reused; a server with autovacuum off (or a
    run straight after the last one's rule changes) would otherwise measure
    the pages over tables holding millions of dead rows, different from one
    run to the next."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return round(time.perf_counter() - started, 1)


def bench_user(password: str) -> User:
    """The bench's supervisor, in the first synthetic team (made, or given the
    password again)."""
    team = Team.objects.filter(name="Synthetic team 1").order_by("pk").first()
    if team is None:
        raise RuntimeError("the synthetic caseload has no 'Synthetic team 1'")
    user, _ = User.objects.get_or_create(
        username=BENCH_USER, defaults={"team": team, "role": Role.SUPERVISOR, "first_name": "Bench"}
    )
    user.team, user.role, user.is_active = team, Role.SUPERVISOR, True
    user.set_password(password)
    user.save()
    return user


@dataclass(frozen=True)
class Pages:
    """The pages the bench drives, by name: paths on the server."""

    paths: dict[str, str]
    network_id: int


def pages_for(user: User) -> Pages:
    """The pages to drive: an ordinary family of the bench user's team (the
    first with 8 to 12 members), its latest contact, the API's family, the
    team worklist, the area worklist and supervision (first pages)."""
    allocated = m.Allocation.objects.filter(team_id=user.team_id or 0).values("network_id")
    network = (
        m.FamilyNetwork.objects.filter(pk__in=allocated)
        .annotate(n=Count("members"))
        .filter(n__gte=8, n__lte=12)
        .order_by("pk")
        .first()
    ) or m.FamilyNetwork.objects.filter(pk__in=allocated).order_by("pk").first()
    if network is None:
        raise RuntimeError("the bench user's team has no families")
    contact = gm.Contact.objects.filter(network=network).order_by("-date", "-pk").first()
    paths = {
        "family": reverse("family", args=[network.pk]),
        "contact": reverse("contact", args=[network.pk, contact.pk]) if contact else "",
        "api_family": f"/api/v1/families/{network.pk}",
        "team_worklist": reverse("my-families"),
        "area_worklist": reverse("area-worklist"),
        "supervision": reverse("supervisor-dashboard"),
    }
    return Pages({k: v for k, v in paths.items() if v}, network.pk)


def explain_ms(sqls: list[str]) -> float:
    """The database's own time for the reading queries of a page, summed
    (``EXPLAIN ANALYZE``'s planning and execution times, PostgreSQL only), in
    a transaction rolled back. A text of several statements sent together
    (joined by ``";\n"``) counts each of them; a prepared statement run by
    name (``EXECUTE``, prepared earlier on this connection) counts as the
    statement it runs."""
    total = 0.0
    # statements sent together as one text (kinmap.records.pipelined) are explained one by one
    statements = [part for sql in sqls for part in sql.split(";\n")]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                if not sql.lstrip().upper().startswith(("SELECT", "EXECUTE")):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Execution Time"] + plan[0]["Planning Time"]
            raise _Rollback
    except _Rollback:
        pass
    return round(total, 1)


def in_process(user: User, paths: dict[str, str], runs: int) -> dict[str, dict[str, Any]]:
    """For each page: its queries, their floor in the database, and the
    median server time in this process (Django's test client, no HTTP)."""
    client = Client()
    client.force_login(user)
    out: dict[str, dict[str, Any]] = {}
    for name, path in paths.items():
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{name} ({path}) answered {response.status_code}")
        sqls = [q["sql"] for q in ctx.captured_queries]
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {
            "path": path,
            "queries": len(sqls),
            "sql_floor_ms": explain_ms(sqls) if connection.vendor == "postgresql" else "not measured: SQLite",
            "in_process_median_ms": round(statistics.median(times), 1),
        }
    return out


def engine_figures(user: User, families: int = 1000, recomputes: int = 30, passes: int = 5) -> dict[str, Any]:
    """The rules engine over ``families`` of the caseload, loaded first, and a
    recompute of single families (the median, ms; each rolled back).

    ``engine_families_per_s`` is the engine alone (``engine.run`` over every
    loaded family, nothing else in the timed region), in families a second,
    for the median of ``passes`` passes over the same loaded records: one
    pass is a fraction of a second, which a garbage collection or another
    process can swing. Every pass does the same work: ``engine.run`` keeps
    nothing of a family between calls (it builds the family's graph each
    time), so a later pass finds nothing worked out by an earlier one."""
    networks = list(m.FamilyNetwork.objects.order_by("pk")[:families])
    records = [r for i in range(0, len(networks), 500) for r in family_records_load(networks[i : i + 500])]
    settings = engine.rule_settings(gm.RuleSetting.objects.all())
    process = process_inputs_many(networks, {})
    today = timezone.localdate()
    inputs = [(r.graph_network, process[r.network.pk]) for r in records]
    pass_s = []
    for _ in range(passes):
        started = time.perf_counter()
        for family, inputs_of in inputs:
            engine.run(family, today, settings, inputs_of)
        pass_s.append(time.perf_counter() - started)
    times = []
    for network in networks[:recomputes]:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                gaps_recompute(network=network, actor=user)
                raise _Rollback
        except _Rollback:
            pass
        times.append((time.perf_counter() - started) * 1000)
    return {
        "engine_families_per_s": round(len(records) / statistics.median(pass_s), 1),
        "recompute_p50_ms": round(statistics.median(times), 1),
    }


BENCH_ADMIN = "bench.administrator"


def busiest_rule() -> str:
    """The rule with the most open gaps in the caseload: switching it off and
    on again is the largest recompute a rule change makes."""
    row = (
        gm.Gap.objects.filter(resolved_at__isnull=True)
        .values("rule_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "rule_id")
        .first()
    )
    if row is None:
        raise RuntimeError("the caseload has no open gaps")
    return str(row["rule_id"])


def rule_switch(rule_id: str, *, enabled: bool) -> FamilyRecompute:
    """Switch ``rule_id`` on or off as the bench's partnership administrator
    (made in the bench user's team when missing), through the Rule settings
    page's service; returns the background recompute it started (QUEUED)."""
    team = Team.objects.filter(name="Synthetic team 1").order_by("pk").first()
    admin, _ = User.objects.get_or_create(
        username=BENCH_ADMIN, defaults={"team": team, "role": Role.ADMINISTRATOR, "first_name": "Bench"}
    )
    row = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
    rule_setting_change(
        actor=admin,
        rule_id=rule_id,
        enabled=enabled,
        params=dict(row.params) if row else {},
        reason="kinmap bench_area: a rule change while the pages are used",
        expected_version=row.version if row else None,
    )
    return FamilyRecompute.objects.order_by("-pk")[0]
