"""Merging two records of one person moves everything recorded about them, and
undoing the merge puts every row back exactly."""

from __future__ import annotations

from datetime import date

import pytest

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps.models import Gap
from kinmap.matching.models import PersonMatchKey
from kinmap.merging import relations
from kinmap.merging import services as ms
from kinmap.merging.models import Merge
from kinmap.records import models as m
from kinmap.records.errors import RecordError

from .conftest import TwoRecords, family_snapshot

pytestmark = pytest.mark.django_db


def test_every_relation_to_a_person_is_walked_including_hidden_ones() -> None:
    links = {
        model._meta.label_lower: {f.attname for f in fields} for model, fields in relations.person_links()
    }
    assert links["records.relationship"] == {"from_person_id", "to_person_id"}
    assert links["records.networkmember"] == {"person_id"}
    assert links["records.personfact"] == {"person_id"}
    assert links["gaps.gapevent"] == {"declined_by_id"}  # declared with related_name="+"
    assert "sharing.informationrequest" in links
    assert any(label.startswith("gaps.contact_") for label in links)  # a many-to-many table
    assert not any(label.startswith("merging.") for label in links)


def test_merge_moves_everything_to_the_older_record(two_records: TwoRecords, supervisor: User) -> None:
    r = two_records
    recomputed = AuditEvent.objects.filter(action="recompute").count()
    merge = ms.person_merge(
        actor=supervisor, first=r.second, second=r.first, reason="Same NHS number on GP record"
    )
    assert (merge.survivor_id, merge.merged_id) == (r.first.pk, r.second.pk)
    for model, fields in relations.person_links():
        for f in fields:
            assert not model._base_manager.filter(**{f.attname: r.second.pk}).exists(), (model, f.attname)
    first = m.Person.objects.get(pk=r.first.pk)
    assert first.nhs_number == "9434765919"  # kept
    assert first.phone == "07700900123"  # filled from the other record
    assert set(first.memberships.values_list("network_id", flat=True)) == {r.son_net.pk, r.daughter_net.pk}
    # Both were fathers of the son: one relationship is kept, the survivor's.
    fathers = m.Relationship.objects.filter(to_person=r.son, type="NFTH")
    assert list(fathers.values_list("from_person_id", "source")) == [(r.first.pk, "said-by")]
    assert m.Relationship.objects.filter(from_person=r.first, to_person=r.daughter).exists()
    assert not m.Relationship.objects.filter(type="SIB").exists()  # between the two records of one man
    facts = dict(m.PersonFact.objects.filter(person=r.first).values_list("key", "value"))
    assert facts == {"smokes": "no", "works": "nights"}  # the survivor's fact wins a clash
    assert m.CareArrangement.objects.get(child=r.daughter).carer_id == r.first.pk
    assert m.OtherName.objects.get().person_id == r.first.pk
    assert m.Residence.objects.get().person_id == r.first.pk
    # Each family changed: its version moved on and its gaps were worked out again.
    assert m.FamilyNetwork.objects.get(pk=r.son_net.pk).version == 6
    assert AuditEvent.objects.filter(action="recompute").count() > recomputed
    assert Gap.objects.filter(network=r.daughter_net).exists()
    events = AuditEvent.objects.filter(action="merge", object_id=str(r.first.pk))
    assert set(events.values_list("network_id", flat=True)) == {r.son_net.pk, r.daughter_net.pk}
    assert {e.reason for e in events} == {"Same NHS number on GP record"}


def test_unmerge_restores_both_records_and_every_row_exactly(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    people = (r.first.pk, r.second.pk, r.son.pk, r.daughter.pk)
    before = family_snapshot(*people)
    merge = ms.person_merge(actor=supervisor, first=r.first, second=r.second, reason="Same man")
    assert family_snapshot(*people) != before
    assert not PersonMatchKey.objects.filter(person_id=r.second.pk).exists()  # the search no longer finds it
    assert PersonMatchKey.objects.filter(person_id=r.first.pk).exists()
    ms.merge_undo(actor=supervisor, merge=merge, reason="Merged in error: brothers")
    assert family_snapshot(*people) == before
    assert PersonMatchKey.objects.filter(person_id=r.second.pk).exists()
    assert Merge.objects.get().undo_reason == "Merged in error: brothers"
    undo = AuditEvent.objects.filter(action="unmerge")
    assert set(undo.values_list("network_id", flat=True)) == {r.son_net.pk, r.daughter_net.pk}


def test_an_index_child_stays_an_index_child_when_their_membership_clashes(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    dup = m.Person.objects.create(given_name="Alfie", family_name="Merrow", birth_date=r.son.birth_date)
    m.NetworkMember.objects.filter(network=r.son_net, person=r.son).update(is_index=False)
    m.NetworkMember.objects.create(network=r.son_net, person=dup, is_index=True)
    before = family_snapshot(r.son.pk, dup.pk)
    merge = ms.person_merge(actor=supervisor, first=r.son, second=dup, reason="Same baby")
    assert m.NetworkMember.objects.get(network=r.son_net, person=r.son).is_index
    ms.merge_undo(actor=supervisor, merge=merge, reason="Twins")
    assert family_snapshot(r.son.pk, dup.pk) == before


def test_merge_refuses_without_reason_or_twice(two_records: TwoRecords, supervisor: User) -> None:
    r = two_records
    with pytest.raises(RecordError, match="Enter the reason"):
        ms.person_merge(actor=supervisor, first=r.first, second=r.second, reason="  ")
    ms.person_merge(actor=supervisor, first=r.first, second=r.second, reason="Same man")
    with pytest.raises(RecordError, match="merged already"):
        ms.person_merge(actor=supervisor, first=r.first, second=r.second, reason="Again")
    merge = Merge.objects.get()
    ms.merge_undo(actor=supervisor, merge=merge, reason="Wrong")
    with pytest.raises(RecordError, match="undone already"):
        ms.merge_undo(actor=supervisor, merge=merge, reason="Wrong again")


def test_a_death_filled_by_a_merge_keeps_how_well_it_is_known(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    m.Person.objects.filter(pk=r.second.pk).update(
        death_date=date(2024, 1, 1), death_date_accuracy="between", death_date_latest=date(2024, 6, 30)
    )
    ms.person_merge(actor=supervisor, first=r.second, second=r.first, reason="Same NHS number on GP record")
    first = m.Person.objects.get(pk=r.first.pk)
    assert (first.death_date, first.death_date_accuracy, first.death_date_latest) == (
        date(2024, 1, 1),
        "between",
        date(2024, 6, 30),
    )
