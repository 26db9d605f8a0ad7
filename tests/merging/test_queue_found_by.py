"""A later ``kinmap match`` replaces only its own undecided pairs: a pair a
bulk load (``kinmap import``) put on the review queue waits for a person
whatever the batch now thinks of it, and a decided pair stays decided."""

from __future__ import annotations

from datetime import date

import pytest

from kinmap.accounts.models import User
from kinmap.core.matching import MatchRecord, score_pair
from kinmap.matching.lookup import Candidate
from kinmap.matching.services import possible_match_record
from kinmap.matching.weights import current_match_model
from kinmap.merging import batch
from kinmap.merging import splink_model as sm
from kinmap.merging.models import CandidateStatus, FoundBy, MatchCandidate
from kinmap.records import models as m

pytestmark = pytest.mark.django_db


def _people(n: int) -> list[m.Person]:
    net = m.FamilyNetwork.objects.create(name="Everyone")
    out = []
    for i in range(n):
        p = m.Person.objects.create(
            given_name=f"Sam{i}", family_name="Quayle", birth_date=date(1990, 1, 1 + i)
        )
        m.NetworkMember.objects.create(network=net, person=p)
        out.append(p)
    return out


def _pair(a: m.Person, b: m.Person, probability: float = 0.95) -> sm.Pair:
    x, y = sorted((a.pk, b.pk))
    return sm.Pair(x, y, match_weight=4.2, probability=probability, levels=(("given_name", "similar", 2.0),))


def _queued(a: m.Person, b: m.Person) -> MatchCandidate | None:
    x, y = sorted((a.pk, b.pk))
    return MatchCandidate.objects.filter(person_a_id=x, person_b_id=y).first()


def _imported_pair(actor: User, person: m.Person, other: m.Person) -> None:
    """What ``kinmap import`` does for a possible match of a person it adds."""
    record = MatchRecord(
        given_name=other.given_name, family_name=other.family_name, birth_date=other.birth_date
    )
    score = score_pair(MatchRecord(given_name=person.given_name, family_name=person.family_name,
                                   birth_date=person.birth_date), record, current_match_model())  # fmt: skip
    possible_match_record(
        actor=actor, person=person, candidate=Candidate(other.pk, score, record), network_id=None,
        reason="imported from family.json",
    )  # fmt: skip


def test_a_later_run_keeps_pairs_an_import_queued_and_drops_only_its_own(owner: User) -> None:
    p = _people(8)
    batch.candidates_store([_pair(p[0], p[1]), _pair(p[2], p[3]), _pair(p[4], p[5])])
    _imported_pair(owner, p[6], p[7])
    imported = _queued(p[6], p[7])
    assert imported is not None and imported.found_by == FoundBy.IMPORT
    assert _queued(p[0], p[1]).found_by == FoundBy.MATCH_RUN  # type: ignore[union-attr]
    # a reviewer decides one of the batch's pairs
    MatchCandidate.objects.filter(pk=_queued(p[4], p[5]).pk).update(  # type: ignore[union-attr]
        status=CandidateStatus.DIFFERENT, reason="cousins"
    )

    # the next run rates only (0, 1) likely (and rescores it)
    queued, decided = batch.candidates_store([_pair(p[0], p[1], probability=0.97)])

    assert (queued, decided) == (0, 0)
    assert _queued(p[0], p[1]).probability == 0.97  # type: ignore[union-attr]
    assert _queued(p[2], p[3]) is None  # the batch's own earlier pair, no longer likely
    assert _queued(p[6], p[7]) == imported  # the import's pair waits for a person
    assert _queued(p[6], p[7]).status == CandidateStatus.OPEN  # type: ignore[union-attr]
    assert _queued(p[4], p[5]).status == CandidateStatus.DIFFERENT  # type: ignore[union-attr]


def test_the_batch_rescores_an_imported_pair_and_it_stays_the_imports(owner: User) -> None:
    p = _people(2)
    _imported_pair(owner, p[0], p[1])
    batch.candidates_store([_pair(p[0], p[1], probability=0.91)])
    pair = _queued(p[0], p[1])
    assert pair is not None and pair.probability == 0.91 and pair.found_by == FoundBy.IMPORT
    # and a run no longer rating it likely still leaves it for a person
    batch.candidates_store([])
    assert _queued(p[0], p[1]) == pair


def test_an_import_finding_a_pair_the_batch_queued_keeps_it_for_a_person(owner: User) -> None:
    p = _people(2)
    batch.candidates_store([_pair(p[0], p[1])])
    _imported_pair(owner, p[0], p[1])
    assert _queued(p[0], p[1]).found_by == FoundBy.IMPORT  # type: ignore[union-attr]
    batch.candidates_store([])
    assert _queued(p[0], p[1]) is not None
