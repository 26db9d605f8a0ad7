"""An area-sized made-up caseload, loaded in bulk (``kinmap synth``).

:func:`synth_load` writes ``families`` synthetic family networks
(:func:`kinmap.core.rules.synthetic.synthetic_network`, of varied sizes)
allocated across ``teams`` made-up teams, the way an area looks:

* about 40% of fathers have children by a previous partner; for those, a
  second network around the older child holds the father too, so he is a
  member of two networks, allocated to another team;
* fathers who live elsewhere and have the baby overnight, grandmothers who
  care for the baby (carers elsewhere), missing and recorded details;
* about one household in twenty at a masked (refuge) address, and one adult
  in twenty with a masked phone;
* one to four closed contacts over the past year per family; at the last one
  some answers were recorded (a previous name, other children, involvement
  of adult services), so those gaps are answered and the rest stay open.

The families are built in chunks (:mod:`kinmap.records.synth_chunks`) by a
pool of ``workers`` processes (as many as the cores, by default) while this
process writes the chunks already built, in order, in one transaction.
Each chunk is made as plain rows numbered in memory in the chunk's own
window of ids (one query finds the ids free at the start, one moves the
tables' sequences past the load's at the end); the pure network a
recompute would load for each family network is built from the synthetic one
(:func:`kinmap.records.synth_gaps.network_view`) and the rules engine runs
over it once as at the last contact (the gaps shown there) and once after
the answers (the ones they answered resolve, with the answer's source, as
:func:`kinmap.gaps.services.gaps_recompute` would); then every table, its
record-time history and the people's match keys are written with COPY on
PostgreSQL (``executemany`` elsewhere), with the families' gap summaries
counted from the gaps in memory. On PostgreSQL the workers make the rows as COPY's text
(:meth:`kinmap.records.synth_bulk.Table.prepared`), the load's transaction
does not wait for its commit to reach the disk (``synchronous_commit`` off)
and, for a superuser, the row-by-row reference triggers are set aside and
every reference of the load checked at once at the end
(:func:`kinmap.records.synth_bulk.references_check`). One audit event
records the load (:func:`_load_finish`, the step after every row is
written). The
same ``seed`` gives the same records whatever the number of workers (each
family draws from its own random generator). Every name, address and
number is invented. It refuses to run when ``KINMAP_ENV=production``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Model
from django.utils import timezone

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.audit.services import audit_record
from kinmap.core.model import Network, Provenance
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps.team_counts import team_counts_touch

from . import models as m
from .advisory import SYNTH_LOAD, advisory_xact_lock
from .synth_bulk import (
    ids_release,
    ids_reserve,
    indexes_rebuild,
    indexes_set_aside,
    load_session,
    models_written,
    references_check,
)
from .synth_chunks import Built, Plan, chunks_built, workers_default
from .synth_rows import Counts, Rows

AGENCY = "Synthetic area children's services (made up)"


# the most families and teams one load makes: ten times an area of issue 12's
# size (100,000 families), and more teams than any area has; beyond them a
# typing slip (an extra digit or three) would run for hours, one transaction
MAX_FAMILIES = 1_000_000
MAX_TEAMS = 10_000
# the most processes that build the families: each is a Python of its own
# holding up to two chunks (some 300 MB at 1,000 families a chunk), so more
# than this is a slip, not a machine (as kinmap worker's --processes)
MAX_WORKERS = 64


class SynthRefused(Exception):
    """``kinmap synth`` will not run here (production), or was given bad numbers."""


@dataclass
class SynthResult:
    families: int = 0  # index-child networks (plus the second networks below)
    networks: int = 0
    people: int = 0
    shared_people: int = 0  # people who are members of two networks
    gaps_open: int = 0
    gaps_answered: int = 0
    contacts: int = 0
    teams: list[str] = field(default_factory=list)


def synth_load(
    *,
    families: int,
    teams: int,
    seed: int,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> SynthResult:
    """Write the caseload described in the module docstring, in one
    transaction; ``workers``: processes that build the families (None: one a
    core). Two loads at once into one database (PostgreSQL) go one after the
    other: the second waits for the first to commit (an advisory lock,
    :data:`kinmap.records.advisory.SYNTH_LOAD`), then numbers its rows after
    the first's.

    Raises :class:`SynthRefused` in production or for numbers out of range
    (families 1 to :data:`MAX_FAMILIES`, teams 1 to :data:`MAX_TEAMS`,
    workers 1 to :data:`MAX_WORKERS`), before anything is written."""
    if settings.PRODUCTION:
        raise SynthRefused("kinmap synth makes up families: it does not run when KINMAP_ENV=production")
    if families < 1 or teams < 1:
        raise SynthRefused("--families and --teams must be 1 or more")
    if families > MAX_FAMILIES or teams > MAX_TEAMS:
        raise SynthRefused(f"--families must be at most {MAX_FAMILIES:,} and --teams at most {MAX_TEAMS:,}")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise SynthRefused(f"--workers must be 1 or more, and at most {MAX_WORKERS}")
    today = today or timezone.localdate()
    started = time.perf_counter()
    counts = Counts()
    with transaction.atomic():
        # one load at a time: the next waits here, then numbers its rows after this one's
        advisory_xact_lock(SYNTH_LOAD, 0)
        team_rows, practitioners = _teams(teams, seed)
        checked = load_session()
        plan = Plan(
            seed=seed,
            families=families,
            today=today,
            now=timezone.now(),
            ids_from=0,  # numbered below, once the plan knows its chunks
            team_ids=tuple(t.pk for t in team_rows),
            practitioner_ids=tuple(u.pk for u in practitioners),
            actor_id=practitioners[0].pk,
            settings=engine.rule_settings(gm.RuleSetting.objects.all()),
            text=connection.vendor == "postgresql",
        )
        # the ids the load may use (every chunk's window), set aside at once for it alone
        window = plan.id_floor(plan.chunks)
        plan = dataclasses.replace(plan, ids_from=ids_reserve(Rows(0).numbered(), window=window))
        deferred = indexes_set_aside(models_written(Rows(0).tables())) if _defer(families) else []
        last_id, written = plan.ids_from, set()
        for built in chunks_built(plan, workers if workers is not None else workers_default(families)):
            written |= chunk_write(built)
            counts.add(built.counts)
            last_id = built.last_id
            if progress:
                progress(counts.families)
        indexes_rebuild(deferred)
        # the summaries came with the chunks; the teams' kept counts are told
        # (the load's families are allocated to its teams and no other)
        team_counts_touch(team_ids=plan.team_ids)
        if not checked:
            references_check(written, plan.ids_from, {t.model._meta.label for t in Rows(0).numbered()})
        result = _load_finish(
            counts, last_id, seed=seed, teams=[t.name for t in team_rows], started=started, families=families
        )
    _analyze(written)
    return result


def chunk_write(built: Built) -> set[str]:
    """Write one chunk (in the load's transaction): its tables, targets
    first, its family networks' gap summaries last (counted in memory from
    its gaps: :func:`kinmap.records.synth_gaps.summary_row`; the worklists
    read one summary row a family). Returns the labels of the models
    written (``records.Person``)."""
    for prepared in built.tables:
        prepared.write()
    return {p.label for p in built.tables}


def _defer(families: int) -> bool:
    """Whether the load sets the tables' secondary indexes, and the primary
    keys and unique constraints no foreign key points at, aside and builds
    them again at the end (:func:`kinmap.records.synth_bulk.indexes_set_aside`):
    when it at least doubles the family networks, so that building them
    again from every row costs less than keeping them row by row."""
    return connection.vendor == "postgresql" and m.FamilyNetwork.objects.count() <= families


def _load_finish(
    counts: Counts, last_id: int, *, seed: int, teams: list[str], started: float, families: int
) -> SynthResult:
    """The load's last step, once every row is written, still in its
    transaction: the tables' sequences moved past ``last_id`` (the largest id
    given) and the one audit event of the load. Whatever is worked out over
    the whole caseload once it is written belongs here."""
    ids_release(Rows(0).numbered(), last_id)
    result = SynthResult(teams=teams, **dataclasses.asdict(counts))
    audit_record(
        actor=None,
        action="synth",
        object_type="caseload",
        object_id=f"seed {seed}",
        changes={
            "families": [None, result.families],
            "networks": [None, result.networks],
            "people": [None, result.people],
            "gaps_open": [None, result.gaps_open],
            "gaps_answered": [None, result.gaps_answered],
            "contacts": [None, result.contacts],
            "seconds": [None, round(time.perf_counter() - started, 1)],
        },
        reason=f"kinmap synth --families {families} --teams {len(teams)} --seed {seed}",
    )
    return result


def _analyze(labels: set[str]) -> None:
    """Refresh the planner's statistics of the tables the load wrote
    (``labels``: ``records.Person``) after it (PostgreSQL's ANALYZE, outside
    the load's transaction): until autovacuum gets to the new rows, plans
    made on empty-table statistics scan whole tables. Once the load has
    committed, the tables are analysed :data:`ANALYZE_CONNECTIONS` at a time,
    each on its own connection, largest first (ANALYZE of one table uses one
    process; the load's workers have finished, so the cores are free); inside
    a caller's transaction (the load's rows not yet visible to another
    connection, its tables locked), one after another on this one."""
    if connection.vendor != "postgresql" or not labels:
        return
    tables = sorted(connection.ops.quote_name(apps.get_model(label)._meta.db_table) for label in labels)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) t ORDER BY pg_total_relation_size(t::regclass) DESC, t",
            [tables],
        )
        largest_first = [row[0] for row in cursor.fetchall()]
    with ThreadPoolExecutor(ANALYZE_CONNECTIONS) as pool:
        list(pool.map(_analyze_one, largest_first))  # an error in a thread is raised here


# connections that analyse the load's tables at once (kinmap synth: the cores
# of the 2-core server issue 12 describes)
ANALYZE_CONNECTIONS = 2


def _analyze_one(table: str) -> None:
    """ANALYZE one table (quoted name) on this thread's own connection, closed after."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    finally:
        connections[DEFAULT_DB_ALIAS].close()


def _teams(count: int, seed: int) -> tuple[list[Team], list[User]]:
    agency, _ = Agency.objects.get_or_create(name=AGENCY)
    unusable = make_password(None)
    teams, users = [], []
    for i in range(1, count + 1):
        team, _ = Team.objects.get_or_create(agency=agency, name=f"Synthetic team {i}")
        user, _ = User.objects.get_or_create(
            username=f"synth.practitioner.{i}",
            defaults={"team": team, "role": Role.PRACTITIONER, "password": unusable},
        )
        teams.append(team)
        users.append(user)
    return teams, users


@dataclass
class BulkRows:
    """Rows queued to be written in bulk (a batch of families)."""

    networks: list[m.FamilyNetwork] = field(default_factory=list)
    people: list[m.Person] = field(default_factory=list)
    members: list[m.NetworkMember] = field(default_factory=list)
    allocations: list[m.Allocation] = field(default_factory=list)
    names: list[m.OtherName] = field(default_factory=list)
    facts: list[m.PersonFact] = field(default_factory=list)
    later_facts: list[m.PersonFact] = field(default_factory=list)  # answered at the last contact
    households: list[m.Household] = field(default_factory=list)
    residences: list[m.Residence] = field(default_factory=list)
    relationships: list[m.Relationship] = field(default_factory=list)
    care: list[m.CareArrangement] = field(default_factory=list)
    prs: list[m.ParentalResponsibility] = field(default_factory=list)
    contacts: list[gm.Contact] = field(default_factory=list)

    def tables(self) -> list[tuple[type[Model], list[Any]]]:
        """The rows by model, targets before the rows that point at them."""
        return [
            (m.FamilyNetwork, self.networks),
            (m.Person, self.people),
            (m.Household, self.households),
            (m.NetworkMember, self.members),
            (m.Allocation, self.allocations),
            (m.OtherName, self.names),
            (m.PersonFact, self.facts),
            (m.Residence, self.residences),
            (m.Relationship, self.relationships),
            (m.CareArrangement, self.care),
            (m.ParentalResponsibility, self.prs),
            (gm.Contact, self.contacts),
        ]


def network_rows(net: Network, network: m.FamilyNetwork, rows: BulkRows) -> dict[int, m.Person]:
    """Queue the rows that record the core network ``net`` as ``network``, as
    the records services would have made them (unsaved: :func:`rows_save`
    writes them); the person rows by the core's person ids."""
    people: dict[int, m.Person] = {}
    for pid, p in net.people.items():
        row = m.Person(
            given_name=p.given_name,
            family_name=p.family_name,
            name_absent_reason=p.name_absent_reason,
            sex=p.sex.value,
            birth_date=p.birth_date,
            birth_date_accuracy=p.birth_date_accuracy.value,
            death_date=p.death_date,
            nhs_number=p.nhs_number,
            phone=p.phone,
            phone_masked=p.phone_masked,
            email=p.email,
            seen_directly_on=p.seen_directly_on,
            provenance={
                f: {
                    "source": v.source.value,
                    "detail": v.detail,
                    "by": v.recorded_by,
                    "at": v.recorded_at.isoformat() if v.recorded_at else "",
                }
                for f, v in p.provenance.items()
            },
        )
        people[pid] = row
        rows.people.append(row)
        for n in p.other_names:
            rows.names.append(
                m.OtherName(person=row, kind=n.kind.value, given_name=n.given_name, family_name=n.family_name)
            )
        for fact in p.facts.values():
            rows.facts.append(
                _stamped(m.PersonFact(person=row, key=fact.key, value=fact.value), fact.provenance)
            )
        if net.is_member(pid):
            rows.members.append(
                m.NetworkMember(network=network, person=row, is_index=pid in net.index_child_ids)
            )
    households: dict[int, m.Household] = {}
    for hid, h in net.households.items():
        households[hid] = m.Household(
            address_line_1=h.address_line_1,
            address_line_2=h.address_line_2,
            town=h.town,
            postcode=h.postcode,
            masked=h.masked,
        )
        rows.households.append(households[hid])
    for r in net.residences:
        rows.residences.append(
            _stamped(
                m.Residence(
                    person=people[r.person_id], household=households[r.household_id], start=r.start, end=r.end
                ),
                r.provenance,
            )
        )
    for rel in net.relationships:
        rows.relationships.append(
            _stamped(
                m.Relationship(
                    from_person=people[rel.from_id],
                    to_person=people[rel.to_id],
                    type=rel.type,
                    start=rel.start,
                    end=rel.end,
                ),
                rel.provenance,
            )
        )
    for c in net.care:
        rows.care.append(
            _stamped(
                m.CareArrangement(
                    carer=people[c.carer_id],
                    child=people[c.child_id],
                    place=c.place.value,
                    frequency=c.frequency,
                    overnight=c.overnight,
                    supervised=c.supervised,
                    sleep_place=c.sleep_place,
                    start=c.start,
                    end=c.end,
                ),
                c.provenance,
            )
        )
    for pr in net.parental_responsibility:
        rows.prs.append(
            _stamped(
                m.ParentalResponsibility(
                    person=people[pr.person_id],
                    child=people[pr.child_id],
                    basis=pr.basis.value,
                    start=pr.start,
                ),
                pr.provenance,
            )
        )
    return people


def rows_save(rows: BulkRows) -> None:
    """Write the queued rows: each given its id first (so the rows that point
    at it take it), then written in bulk, targets first."""
    tables = rows.tables()
    for model, batch in tables:
        bulk_ids(model, batch)
    for _, batch in tables:
        _link(batch)
    for model, batch in tables:
        bulk_insert(model, batch)
        _history_save(model, batch)


def _link(objs: Sequence[Any]) -> None:
    """Point each row at the ids just given to the rows it refers to (as
    ``bulk_create`` does before it saves)."""
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")


def bulk_ids(model: type[Model], objs: Sequence[Model]) -> None:
    """Give each of ``objs`` (unsaved) the id it will be written with, taken
    from the table's sequence in one query (on SQLite, which has none, the
    ids after the largest, inside the load's transaction)."""
    if not objs:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objs)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            first = cursor.fetchone()[0] + 1
            ids = list(range(first, first + len(objs)))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk


def bulk_insert(model: type[Model], objs: Sequence[Model]) -> None:
    """Write rows that already have their ids: with COPY on PostgreSQL (the
    fastest way in), ``bulk_create`` elsewhere. Fields are prepared as
    ``bulk_create`` prepares them (``auto_now`` dates filled in)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # psycopg writes ids, numbers, text, dates and aware date-times as they
    # are; only the other fields (JSON) need Django's preparation
    plain = tuple(
        isinstance(f, _PLAIN) and not (isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add))
        for f in fields
    )
    now = timezone.now()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row(
                [
                    getattr(obj, f.attname) if raw else f.get_db_prep_save(_pre_save(f, obj, now), connection)
                    for f, raw in zip(fields, plain, strict=True)
                ]
            )


_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateField,  # and DateTimeField, a subclass
)


def _pre_save(f: models.Field[Any, Any], obj: Model, now: datetime) -> Any:
    """A field's value as ``bulk_create`` would save it (an ``auto_now`` date
    is the time of the batch)."""
    if isinstance(f, models.DateTimeField) and (
        f.auto_now or (f.auto_now_add and not getattr(obj, f.attname))
    ):
        setattr(obj, f.attname, now)
    return getattr(obj, f.attname)


def _history_save(model: Any, batch: list[Any]) -> None:
    """The record-time history of rows written in bulk (which ``save()`` would
    have written): one row each, dated when the row says it was recorded."""
    if not hasattr(model, "history"):
        return
    now = timezone.now()
    for row in batch:
        row._history_date = getattr(row, "recorded_at", None) or now
    model.history.bulk_history_create(batch, batch_size=2000)


R = TypeVar("R", bound=m.Provenanced)


def _stamped(row: R, prov: Provenance | None) -> R:
    """The row with the provenance of the synthetic record it stands for."""
    if prov is not None:
        row.source, row.source_detail = prov.source.value, prov.detail
        at = prov.recorded_at
        row.recorded_at = timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at
    return row
