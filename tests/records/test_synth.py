"""``kinmap synth``: a made-up area caseload loaded in bulk, with the gaps the
recompute itself gives (the bulk path cannot drift from the engine)."""

from __future__ import annotations

import dataclasses
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from kinmap.accounts.models import Team
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_verify
from kinmap.core.model import Provenance
from kinmap.core.rules.synthetic import synthetic_network
from kinmap.core.vocab import Source
from kinmap.gaps import models as gm
from kinmap.gaps.engine import rule_settings
from kinmap.gaps.services import gaps_recompute
from kinmap.gaps.summaries import FIELDS, gap_summaries_refresh
from kinmap.records import models as m
from kinmap.records import synth, synth_bulk, synth_chunks, synth_rows
from kinmap.records.selectors import family_record_load, family_records_load
from kinmap.records.synth import SynthRefused, synth_load
from kinmap.records.synth_bulk import ReferenceBroken, copy_text, ids_reserve, load_session, references_check
from kinmap.records.synth_rows import Rows

TODAY = date(2026, 6, 1)


def _snapshot(networks: list[m.FamilyNetwork]) -> list[tuple[object, ...]]:
    """The caseload without its database ids: each network's people, links and gaps."""
    out: list[tuple[object, ...]] = []
    for n in networks:
        people = m.Person.objects.filter(memberships__network=n).order_by("pk")
        out.append(
            (
                n.name,
                [(p.given_name, p.family_name, p.birth_date, p.phone, p.phone_masked) for p in people],
                sorted(
                    (r.type, r.start, r.end)
                    for r in m.Relationship.objects.filter(from_person__memberships__network=n)
                ),
                sorted(
                    (g.rule_id, g.subject_kind, g.severity, g.detail, g.state, g.resolved_at is None)
                    for g in gm.Gap.objects.filter(network=n)
                ),
                sorted(c.date for c in gm.Contact.objects.filter(network=n)),
            )
        )
    return out


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_caseload_and_another_seed_another() -> None:
    first = synth_load(families=8, teams=2, seed=3, today=TODAY)
    runs = list(m.FamilyNetwork.objects.order_by("pk"))
    synth_load(families=8, teams=2, seed=3, today=TODAY)
    second = list(m.FamilyNetwork.objects.order_by("pk"))[len(runs) :]
    synth_load(families=8, teams=2, seed=4, today=TODAY)
    third = list(m.FamilyNetwork.objects.order_by("pk"))[2 * len(runs) :]
    assert first.families == 8 and len(second) == len(runs) == first.networks
    assert _snapshot(runs) == _snapshot(second)
    assert _snapshot(runs) != _snapshot(third)


@pytest.mark.django_db
@pytest.mark.parametrize(("families", "seed", "workers"), [(40, 11, 2), (15, 2, 1), (15, 23, 1)])
def test_synthetic_gaps_are_what_a_recompute_of_each_family_gives(
    families: int, seed: int, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path (the engine over pure networks built in memory, in
    chunks built by ``workers`` processes) gives exactly the gaps the
    straightforward path (load each family from the database, run the rules,
    reconcile) gives: a recompute changes nothing."""
    monkeypatch.setattr(synth_chunks, "CHUNK", 6)  # several chunks
    result = synth_load(families=families, teams=3, seed=seed, today=TODAY, workers=workers)
    assert result.gaps_open > 0 and result.gaps_answered > 0
    before = {g.pk: (g.key, g.severity, g.detail, g.state, g.resolved_at) for g in gm.Gap.objects.all()}
    for network in m.FamilyNetwork.objects.all():
        again = gaps_recompute(network=network, actor=None, today=TODAY)
        assert not again.any, (network.name, again)
    after = {g.pk: (g.key, g.severity, g.detail, g.state, g.resolved_at) for g in gm.Gap.objects.all()}
    assert after == before


def test_the_chunks_are_the_same_whatever_the_number_of_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each family draws from its own generator and each chunk numbers its
    rows in its own window of ids, so the rows to write (ids, gaps, events,
    history) do not depend on how many processes build them."""
    monkeypatch.setattr(synth_chunks, "CHUNK", 4)
    plan = synth_chunks.Plan(
        seed=7,
        families=14,
        today=TODAY,
        now=timezone.now(),
        ids_from=1000,
        team_ids=(1, 2),
        practitioner_ids=(3, 4),
        actor_id=3,
        settings=rule_settings([]),
    )
    alone = list(synth_chunks.chunks_built(plan, workers=1))
    assert len(alone) == plan.chunks == 4
    assert list(synth_chunks.chunks_built(plan, workers=2)) == alone
    assert list(synth_chunks.chunks_built(plan, workers=3)) == alone
    assert sum(b.counts.families for b in alone) == 14
    assert all(b.last_id <= plan.id_floor(k + 1) for k, b in enumerate(alone))
    gaps = [p for b in alone for p in b.tables if p.label == "gaps.Gap"]
    assert sum(p.size for p in gaps) == sum(b.counts.gaps_open + b.counts.gaps_answered for b in alone)


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [1, 2])
def test_the_gap_summaries_counted_in_memory_are_the_databases_count(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each family network's summary row, counted by the load from its gaps
    in memory, is the row the database counts from the gaps written
    (gap_summaries_refresh rewrites none of them differently)."""
    monkeypatch.setattr(synth_chunks, "CHUNK", 7)
    result = synth_load(families=40, teams=3, seed=11, today=TODAY, workers=workers)
    columns = ("network_id", *FIELDS)
    loaded = set(gm.GapSummary.objects.values_list(*columns))
    assert len(loaded) == result.networks
    assert any(row[2] > 0 for row in loaded)  # critical gaps counted
    assert any(row[8] is not None for row in loaded)  # a baby overnight somewhere
    assert len({row[3] for row in loaded}) > 1  # more than one worst severity
    gap_summaries_refresh(network_ids=m.FamilyNetwork.objects.values_list("pk", flat=True))
    assert set(gm.GapSummary.objects.values_list(*columns)) == loaded


@pytest.mark.django_db
def test_the_caseload_looks_like_an_area() -> None:
    result = synth_load(families=40, teams=3, seed=11, today=TODAY)
    shared = m.Person.objects.annotate(n=Count("memberships")).filter(n__gt=1)
    assert shared.count() == result.shared_people > 0  # fathers in two networks
    assert m.Household.objects.filter(masked=True).exists()
    assert m.CareArrangement.objects.filter(overnight=True).exists()  # carers elsewhere
    assert gm.Gap.objects.filter(resolved_at__isnull=False, events__kind=gm.EventKind.RESOLVED).exists()
    assert gm.Contact.objects.filter(status=gm.Contact.Status.CLOSED).count() == result.contacts >= 40
    teams = set(m.Allocation.objects.values_list("team__name", flat=True))
    assert teams == {"Synthetic team 1", "Synthetic team 2", "Synthetic team 3"}


@pytest.mark.django_db
def test_one_audit_event_records_the_load_and_the_chain_verifies() -> None:
    out = StringIO()
    call_command("synth", "--families", "12", "--teams", "2", "--seed", "5", "--quiet", stdout=out)
    events = list(AuditEvent.objects.all())
    assert [(e.action, e.object_type) for e in events] == [("synth", "caseload")]
    assert events[0].changes["families"] == [None, 12]
    assert audit_verify() == []
    assert out.getvalue().startswith("loaded 12 families (")


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_synth_refuses_to_run_in_production_and_saves_nothing() -> None:
    with pytest.raises(SynthRefused, match="does not run when KINMAP_ENV=production"):
        synth_load(families=3, teams=1, seed=1)
    with pytest.raises(CommandError, match="does not run when KINMAP_ENV=production"):
        call_command("synth", "--families", "3", "--quiet")
    assert not m.FamilyNetwork.objects.exists() and not m.Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--families", "0"], "must be 1 or more"),
        (["--teams", "-1"], "must be 1 or more"),
        (["--teams", "99999999999"], "--teams at most 10,000"),
        (["--families", "99999999999999999999"], "--families must be at most 1,000,000"),
        (["--workers", "0"], "--workers must be 1 or more"),
        (["--workers", "-2"], "--workers must be 1 or more"),
        (["--workers", "65"], "--workers must be 1 or more, and at most 64"),
        (["--families", "2000", "--workers", "99999"], "--workers must be 1 or more, and at most 64"),
    ],
)
def test_synth_refuses_numbers_out_of_range_in_one_line(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as refused:
        call_command("synth", *args, "--quiet")
    assert "\n" not in str(refused.value)
    assert not Team.objects.exists() and not m.FamilyNetwork.objects.exists()


@pytest.mark.django_db
def test_a_stop_before_the_load_commits_says_nothing_was_written(monkeypatch: pytest.MonkeyPatch) -> None:
    from kinmap.records.management.commands import synth as command

    def stopped(**kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "synth_load", stopped)
    with pytest.raises(CommandError, match=r"^stopped: nothing was written \(a load is one transaction\)$"):
        call_command("synth", "--families", "3", "--quiet")


@pytest.mark.django_db
def test_a_stop_after_the_load_commits_says_it_was_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped while the tables were being analysed (after the commit): the
    load is there, and the words say so rather than a traceback."""
    from kinmap.records.management.commands import synth as command

    def written_then_stopped(**kwargs: object) -> None:
        synth_load(families=2, teams=1, seed=3, today=TODAY)
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "synth_load", written_then_stopped)
    with pytest.raises(CommandError, match=r"^stopped after the load was written \(it is complete\)"):
        call_command("synth", "--families", "2", "--quiet")
    assert m.FamilyNetwork.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one transaction write at a time")
def test_a_load_holds_the_one_load_lock_from_before_its_teams_and_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two loads at once would number their rows from the same ids (and make
    the same teams): the second waits for the first's lock, taken before
    either is read."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from kinmap.records.advisory import SYNTH_LOAD

    def another_connection_may_take_it() -> bool:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, 0)", [SYNTH_LOAD])
                return bool(cursor.fetchone()[0])
        finally:
            connections["default"].close()

    seen: list[bool] = []
    teams = synth._teams

    def teams_looked_at(count: int, seed: int):  # type: ignore[no-untyped-def]
        with ThreadPoolExecutor(1) as pool:
            seen.append(pool.submit(another_connection_may_take_it).result())
        return teams(count, seed)

    monkeypatch.setattr(synth, "_teams", teams_looked_at)
    synth_load(families=2, teams=1, seed=3, today=TODAY)
    assert seen == [False]
    with ThreadPoolExecutor(1) as pool:  # and free once the load has committed
        assert pool.submit(another_connection_may_take_it).result() is True


@pytest.mark.django_db
def test_loading_many_families_at_once_gives_each_as_loading_it_alone() -> None:
    synth_load(families=30, teams=2, seed=8, today=TODAY)
    networks = list(m.FamilyNetwork.objects.order_by("pk"))
    together = family_records_load(networks)
    assert [r.graph_network for r in together] == [family_record_load(n).graph_network for n in networks]
    assert any(r.graph_network.outside_ids for r in together)


@pytest.mark.django_db
def test_bulk_rows_are_what_the_services_would_have_written_beside_them() -> None:
    """Match keys as a refresh writes them, one record-time history row per
    record, and ids handed out after the load's (the sequences moved on)."""
    from kinmap.matching.keys import person_match_keys_refresh
    from kinmap.matching.models import PersonMatchKey

    synth_load(families=25, teams=2, seed=9, today=TODAY)
    written = sorted(PersonMatchKey.objects.values_list("person_id", "key"))
    assert written
    person_match_keys_refresh(person_ids=m.Person.objects.values_list("pk", flat=True))
    assert sorted(PersonMatchKey.objects.values_list("person_id", "key")) == written
    for model in (m.Person, m.PersonFact, m.Relationship, m.Residence, m.CareArrangement, m.NetworkMember):
        assert model.history.count() == model.objects.count() > 0, model  # type: ignore[attr-defined]
    dated = m.PersonFact.history.filter(history_date__date__lt=TODAY)  # type: ignore[attr-defined]
    assert dated.exists()  # dated when the record says it was recorded
    assert gm.Gap.objects.filter(state=gm.GapState.RESOLVED, resolved_at__isnull=False).exists()
    top = max(m.Person.objects.order_by("-pk").values_list("pk", flat=True)[:1])
    later = m.Person.objects.create(given_name="Ada", family_name="Later")
    assert later.pk > top
    event = gm.GapEvent.objects.create(
        gap=gm.Gap.objects.first(), kind=gm.EventKind.PROMPTED, at=timezone.now()
    )
    assert event.pk > max(gm.GapEvent.objects.exclude(pk=event.pk).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY's text is written on PostgreSQL only")
def test_the_copy_text_and_the_rows_write_the_same_records() -> None:
    """The chunks made as COPY's text (PostgreSQL's path) and as tuples
    (written with ``executemany``, the path elsewhere) write the same rows,
    every column the load gives, with the same ids."""
    teams, users = synth._teams(2, 9)
    ids_from = ids_reserve(Rows(0).numbered()) + 10_000
    now = timezone.now()

    def written(text: bool) -> dict[str, list[tuple[object, ...]]]:
        plan = synth_chunks.Plan(
            seed=9,
            families=12,
            today=TODAY,
            now=now,
            ids_from=ids_from,
            team_ids=tuple(t.pk for t in teams),
            practitioner_ids=tuple(u.pk for u in users),
            actor_id=users[0].pk,
            settings=rule_settings([]),
            chunk=5,
            text=text,
        )
        point = transaction.savepoint()
        out: dict[str, list[tuple[object, ...]]] = {}
        for built in synth_chunks.chunks_built(plan, workers=1):
            assert all(bool(p.text) == text and bool(p.rows) != text for p in built.tables)
            synth.chunk_write(built)
            for p in built.tables:
                out.setdefault(p.label, list(p.columns))
        dump = {label: _rows(label, cols) for label, cols in out.items()}  # type: ignore[arg-type]
        transaction.savepoint_rollback(point)
        return dump

    as_text, as_rows = written(True), written(False)
    assert as_text == as_rows
    assert len(as_text["records.Person"]) > 12 and len(as_text["records.HistoricalPerson"]) > 12
    assert len(as_text["gaps.Gap"]) > 12 and len(as_text["matching.PersonMatchKey"]) > 12


def _rows(label: str, columns: list[str]) -> list[tuple[object, ...]]:
    model = apps.get_model(label)
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(fields[c]) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {model._meta.db_table}")  # noqa: S608
        return sorted(cursor.fetchall(), key=repr)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        ("Ann\tO\\Brien\r\nx", "Ann\\tO\\\\Brien\\r\\nx"),
        (True, "t"),
        (7, "7"),
        (date(2026, 6, 1), "2026-06-01"),
        (gm.GapState.RESOLVED, "resolved"),
    ],
)
def test_copy_text_writes_each_value_as_copy_reads_it(value: object, text: str) -> None:
    assert copy_text(value) == text


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are set aside on PostgreSQL only")
def test_a_reference_to_no_row_stops_the_load_when_the_triggers_are_set_aside() -> None:
    """With the row-by-row checks set aside (a superuser, as in the tests),
    the load's own check finds a reference to a row that does not exist."""
    after = ids_reserve(Rows(0).numbered())
    assert load_session() is False
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO records_othername (id, person_id, kind, given_name, family_name) "
            "VALUES (%s, %s, 'previous', 'A', 'B')",
            [after + 1, after + 99],
        )
    with pytest.raises(ReferenceBroken, match=f"records.OtherName.person_id = {after + 99} points at no row"):
        references_check({"records.OtherName"}, after, {"records.OtherName"})


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are set aside on PostgreSQL only")
def test_the_reference_checks_run_in_parallel_and_still_find_a_reference_to_no_row() -> None:
    """The checks use parallel workers (kinmap's connections start none),
    and a parallel plan still sees the load's rows not yet committed; after
    the checks the connection's own setting is back."""
    after = ids_reserve(Rows(0).numbered())
    assert load_session() is False
    with connection.cursor() as cursor:
        # the planner's costs set so that even these few rows are read in parallel
        for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
            cursor.execute(f"SET LOCAL {setting} TO 0")
        cursor.execute(
            "INSERT INTO records_othername (id, person_id, kind, given_name, family_name) "
            "VALUES (%s, %s, 'previous', 'A', 'B')",
            [after + 1, after + 99],
        )
    plans: list[str] = []

    def explained(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "NOT EXISTS" in sql:
            with connection.cursor() as c:  # the driver's own cursor: not wrapped again
                c.cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(r[0] for r in c.cursor.fetchall()))
        return execute(sql, params, many, context)

    broken = f"records.OtherName.person_id = {after + 99} points at no row"
    with connection.execute_wrapper(explained), pytest.raises(ReferenceBroken, match=broken):
        references_check({"records.OtherName"}, after, {"records.OtherName"})
    assert plans and all("Gather" in plan for plan in plans), plans
    with connection.cursor() as cursor:
        references_check({"records.OtherName"}, after + 1, {"records.OtherName"})
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def _indexes() -> list[tuple[str, str]]:
    """Every index of the schema and its definition, then every constraint's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT c.conrelid::regclass::text || '.' || c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relnamespace = to_regnamespace(current_schema())"
        )
        return indexes + sorted(cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are set aside on PostgreSQL only")
def test_a_large_load_builds_the_indexes_and_keys_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that at least doubles the caseload drops the tables' secondary
    indexes, unique constraints and primary keys that no foreign key points
    at, and makes them again from the catalogue's definitions: the same
    indexes and constraints afterwards."""
    before = _indexes()
    models_ = synth_bulk.models_written(Rows(0).tables())
    with transaction.atomic():
        definitions = synth_bulk.indexes_set_aside(models_)
        gone = {name for name, _ in before} - {name for name, _ in _indexes()}
        assert len(definitions) > 20
        assert "gaps_gap_rule_id_bdde99_idx" in gone and "match_key_lookup" in gone
        # keys nothing points at: a gap event's, a match key's (person, key), a gap's (network, key)
        assert {"gaps_gapevent_pkey", "matching_personmatchkey_pkey", "one_gap_per_key"} <= gone
        assert {
            "gaps_gapevent.gaps_gapevent_pkey",
            "records_historicalperson.records_historicalperson_pkey",
        } <= gone
        # kept: the keys the references are checked against
        assert not {"records_person_pkey", "gaps_gap_pkey", "records_familynetwork_pkey"} & gone
        synth_bulk.indexes_rebuild(definitions)
        assert _indexes() == before
    rebuilt: list[str] = []
    rebuild = synth_bulk.indexes_rebuild
    monkeypatch.setattr(synth, "indexes_rebuild", lambda d: (rebuilt.extend(d), rebuild(d)))
    synth_load(families=6, teams=2, seed=4, today=TODAY)
    assert sorted(rebuilt) == sorted(definitions) and _indexes() == before


def _one_event_twice() -> None:
    """The first gap event written again, with its id (a broken key)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO gaps_gapevent SELECT * FROM gaps_gapevent ORDER BY id LIMIT 1")


@pytest.mark.django_db(transaction=True)
def test_a_failing_load_rolls_back_everything_its_indexes_and_keys_included(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row breaking a key the load set aside (a gap event's id twice) is
    found when the key is made again, and the whole load rolls back: no row,
    no audit event, the indexes and constraints as before (in the real
    transaction, not a test's savepoint). Elsewhere (SQLite, keys on) the
    row is refused as it is written, with the same end."""
    postgres = connection.vendor == "postgresql"
    before = _indexes() if postgres else []
    during: list[list[tuple[str, str]]] = []
    write = synth.chunk_write

    def write_and_break(built: synth_chunks.Built) -> set[str]:
        written = write(built)
        if postgres:
            during.append(_indexes())
        _one_event_twice()
        return written

    monkeypatch.setattr(synth, "chunk_write", write_and_break)
    with pytest.raises(IntegrityError):
        synth_load(families=5, teams=2, seed=6, today=TODAY)
    for model in (m.FamilyNetwork, m.Person, gm.Gap, gm.GapEvent, AuditEvent, m.Person.history.model):  # type: ignore[attr-defined]
        assert not model.objects.exists(), model
    if postgres:
        assert during and "gaps_gapevent_pkey" not in {name for name, _ in during[0]}  # set aside
        assert _indexes() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE after the load is PostgreSQL's")
def test_a_committed_load_is_analysed_table_by_table_on_connections_of_its_own() -> None:
    """Once the load has committed, every table it wrote is analysed, on
    connections other than the load's (closed after), two at a time."""
    analysed: list[tuple[str, int]] = []
    real = synth._analyze_one

    def analyse_and_note(table: str) -> None:
        from django.db import connections

        real(table)
        analysed.append((table, id(connections["default"])))

    own = id(connection)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(synth, "_analyze_one", analyse_and_note)
        synth_load(families=5, teams=2, seed=6, today=TODAY)
    tables = {m._meta.db_table for m in synth_bulk.models_written(Rows(0).tables())}
    assert {t.strip('"') for t, _ in analysed} == tables
    assert own not in {c for _, c in analysed}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) AND last_analyze IS NULL",
            [list(tables)],
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_a_small_load_into_a_large_caseload_keeps_its_indexes_and_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A load that does not double the caseload sets nothing aside: every
    index and key stays in force while it writes (a duplicate id is refused
    at once), and its records and gaps are right."""
    synth_load(families=6, teams=2, seed=4, today=TODAY)
    before = _indexes() if connection.vendor == "postgresql" else []
    write = synth.chunk_write
    during: list[list[tuple[str, str]]] = []

    def write_and_look(built: synth_chunks.Built) -> set[str]:
        written = write(built)
        during.append(_indexes() if connection.vendor == "postgresql" else [])
        with pytest.raises(IntegrityError), transaction.atomic():
            _one_event_twice()
        return written

    monkeypatch.setattr(synth, "chunk_write", write_and_look)
    set_aside: list[object] = []
    monkeypatch.setattr(synth, "indexes_set_aside", set_aside.append)
    earlier = set(m.FamilyNetwork.objects.values_list("pk", flat=True))
    result = synth_load(families=2, teams=2, seed=5, today=TODAY)
    assert during == [before] and set_aside == []
    if connection.vendor == "postgresql":
        assert _indexes() == before
    new = m.FamilyNetwork.objects.exclude(pk__in=earlier)
    assert new.count() == result.networks >= 2 and result.gaps_open > 0
    for network in new:
        assert not gaps_recompute(network=network, actor=None, today=TODAY).any


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are set aside on PostgreSQL only")
def test_a_large_load_with_the_row_by_row_checks_on_sets_its_indexes_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As for a database user who is not a superuser: the references are
    checked row by row (deferred to the commit), which must not stop the
    indexes being dropped and built again."""
    monkeypatch.setattr(synth, "load_session", lambda: True)
    before = _indexes()
    result = synth_load(families=5, teams=2, seed=6, today=TODAY)
    assert result.families == 5 and _indexes() == before
    assert gm.GapSummary.objects.count() == m.FamilyNetwork.objects.count() == result.networks


def test_a_record_replaced_in_place_of_dataclasses_replace_is_the_same_record() -> None:
    """The synthetic family reads back with the same records whichever way
    they are copied (``_replaced`` stands for ``dataclasses.replace``)."""
    net = synthetic_network(5, 12, TODAY)
    stamp = Provenance(Source.SAID_BY, "said", "", timezone.now())
    records = [*net.people.values(), *net.relationships, *net.residences, *net.care]
    records += net.parental_responsibility
    assert len({type(r) for r in records}) == 5
    for record in records:
        made = synth_rows._replaced(record, provenance=stamp)
        assert made == dataclasses.replace(record, provenance=stamp)
        assert vars(made) == vars(dataclasses.replace(record, provenance=stamp)) and made is not record


def test_the_answers_change_no_open_since_date_nor_whom_a_gap_is_about() -> None:
    """The second pass over a family (after the answers given at its last
    contact) keeps the first pass's open-since dates and subjects for the
    gaps it finds again (``synth_gaps`` works them out for new gaps only):
    the answers are facts, which neither reads. Worked out in full over both
    networks, they agree for every gap found twice."""
    from kinmap.core.graph import FamilyGraph
    from kinmap.core.rules import ProcessInputs
    from kinmap.core.rules.open_since import open_since_all
    from kinmap.gaps import engine
    from kinmap.gaps.services import subject_name
    from kinmap.gaps.services.recompute import _overnight_infant_until
    from kinmap.records.synth_gaps import answered_network, network_view

    settings = rule_settings([])
    rows, counts, now = Rows(1000), synth_rows.Counts(), timezone.now()
    compared = answered = 0
    for i in range(60):
        fam = synth_rows.family_invent(
            synth_rows.family_rng(5, i), 5, i, TODAY, (1, 2), (3, 4), rows, now, counts
        )
        after_answers = answered_network(fam)
        for n, (nid, name, members, index) in enumerate(fam.networks):
            process = ProcessInputs(last_contact_on=fam.last_contact if n == 0 else None)
            passes = []
            for net in (
                network_view(fam.net, nid, name, members, index),
                network_view(after_answers, nid, name, members, index),
            ):
                graph = FamilyGraph(net, TODAY)
                unmet = engine.run(net, TODAY, settings, process, graph)
                since = open_since_all(graph, unmet, process, settings.params)
                subjects = {
                    u.key: (
                        subject_name(net, u.subject.kind.value, str(u.subject.id)),
                        _overnight_infant_until(graph, u.subject.kind.value, str(u.subject.id)),
                    )
                    for u in unmet
                }
                passes.append((since, subjects))
            (since_first, subjects_first), (since_after, subjects_after) = passes
            both = since_first.keys() & since_after.keys()
            assert {k: since_first[k] for k in both} == {k: since_after[k] for k in both}
            assert {k: subjects_first[k] for k in both} == {k: subjects_after[k] for k in both}
            compared += len(both)
            answered += len(since_first.keys() - since_after.keys())
    assert compared > 500 and answered > 10  # the answers did answer gaps


def _person_added_elsewhere() -> int:
    """A person added and committed by another session (this thread's own connection)."""
    try:
        return int(m.Person.objects.create(given_name="Eve", family_name="Elsewhere").pk)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one transaction write at a time")
def test_a_record_added_by_another_session_during_a_load_takes_an_id_after_the_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The load sets its window of ids aside at its start (the sequences moved
    past it at once): a person a practitioner adds while the load runs takes
    an id after the load's, and the load's rows do not collide with theirs."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(synth, "_defer", lambda families: False)  # the tables stay open to others
    monkeypatch.setattr(synth_chunks, "CHUNK", 3)
    added: list[int] = []
    real = synth.chunks_built

    def chunks_built(plan: synth_chunks.Plan, workers: int):  # type: ignore[no-untyped-def]
        for k, built in enumerate(real(plan, workers)):
            if k == 0:  # before the load writes its first row
                with ThreadPoolExecutor(1) as pool:
                    added.append(pool.submit(_person_added_elsewhere).result())
            yield built

    monkeypatch.setattr(synth, "chunks_built", chunks_built)
    result = synth_load(families=7, teams=2, seed=12, today=TODAY)
    assert result.families == 7 and len(added) == 1
    loaded = m.Person.objects.exclude(pk=added[0]).values_list("pk", flat=True)
    assert len(loaded) == result.people and added[0] > max(loaded)
    later = m.Person.objects.create(given_name="Lou", family_name="Later")
    assert later.pk > added[0]
