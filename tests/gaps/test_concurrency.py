"""Two people changing one family at the same moment, on PostgreSQL: a change
to the record (which recomputes the gaps) and answers to gaps never deadlock
or leave the gaps out of step with the record."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, connections

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records import services as s
from tests.gaps.family import seed_family

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 6


def run_together(*jobs: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def worker(job: Callable[[], None]) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_record_changes_and_gap_answers_at_once(owner: User, teammate: User) -> None:
    f = seed_family(owner)
    contact = gs.contact_open(actor=teammate, network=f.network, type="clinic", date=date.today())
    r08 = gm.Gap.objects.get(key=f"R08-other-children:person:{f.father.pk}")
    r15 = gm.Gap.objects.get(key=f"R15-adult-services:person:{f.father.pk}")

    def record() -> None:
        father = m.Person.objects.get(pk=f.father.pk)
        if m.PersonFact.objects.filter(person=father, key="other-names").exists():
            s.fact_remove(actor=owner, network=f.network, person=father, key="other-names", reason="test")
        else:
            s.fact_set(
                expected_version=None,
                actor=owner,
                network=f.network,
                person=father,
                key="other-names",
                value="none",
            )

    def answer() -> None:
        gs.gap_answer(
            actor=teammate,
            gap=r08,
            answer=gs.Answer(state="asked-unknown"),
            contact=contact,
            expected_version=gm.Gap.objects.get(pk=r08.pk).version,
        )
        gs.gap_answer(
            actor=teammate,
            gap=r15,
            answer=gs.Answer(state="temp-unknown", from_whom="the mother will ask"),
            expected_version=gm.Gap.objects.get(pk=r15.pk).version,
        )

    def edit_and_see() -> None:
        father = m.Person.objects.get(pk=f.father.pk)
        phone = "07700 900003" if father.phone != "07700 900003" else "07700 900002"
        s.person_update(
            actor=owner,
            network=f.network,
            person=father,
            data=dataclasses.replace(s.PersonData.of(father), phone=phone),
            expected_version=father.version,
        )
        gs.contact_mark_seen(actor=teammate, contact=contact, person=father)

    errors = run_together(record, answer, edit_and_see)
    assert errors == [], "\n".join(str(e) for e in errors)
    # the gaps are those of the record as it is now
    assert not gs.gaps_recompute(network=f.network, actor=owner).any
    assert gm.Gap.objects.get(pk=r08.pk).events.filter(kind="answered").count() == ROUNDS
