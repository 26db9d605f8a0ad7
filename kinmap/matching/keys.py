"""Keeping the blocking-key table current, and loading people as match records.

:func:`person_match_keys_refresh` rewrites the keys of some people; it runs
inside every change to a family (registered with
``kinmap.records.services.on_family_change``) and is called by merging after a
merge or an unmerge. Bulk loads call it for their people in batches.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch

from kinmap.accounts.models import User
from kinmap.core.matching import MatchRecord, blocking_keys
from kinmap.core.vocab import DateAccuracy
from kinmap.records import models as m

from .models import PersonMatchKey


def match_record(p: m.Person, *, with_masked: bool = True) -> MatchRecord:
    """The match record of a person loaded by :func:`match_records_load` (its
    ``other_names`` and ``residences`` with their households prefetched).

    ``with_masked`` True (the blocking keys, the batch, an import) uses masked
    details too: they are compared on the server and never shown. False (a
    lookup for a user not entitled to masked details) leaves out the postcode
    and address of a masked household and a masked telephone number, so that neither a
    result nor a score nor a reason can confirm them."""
    return MatchRecord(
        given_name=p.given_name,
        family_name=p.family_name,
        other_names=tuple((o.given_name, o.family_name) for o in p.other_names.all()),
        birth_date=p.birth_date,
        birth_date_estimated=p.birth_date_accuracy == DateAccuracy.ESTIMATED.value,
        nhs_number=p.nhs_number,
        postcodes=tuple(
            r.household.postcode
            for r in p.residences.all()
            if r.household.postcode and (with_masked or not r.household.masked)
        ),
        phones=(p.phone,) if p.phone and (with_masked or not p.phone_masked) else (),
        addresses=tuple(
            (r.household.address_line_1, r.household.address_line_2, r.household.town)
            for r in p.residences.all()
            if with_masked or not r.household.masked
        ),
        person_id=p.pk,
    )


def match_records_load(person_ids: Iterable[int], *, with_masked: bool = True) -> dict[int, MatchRecord]:
    """The match records of these people by id, in three queries whatever their
    number (people, other names, stays with households). Missing ids are left
    out; ``with_masked`` as for :func:`match_record`."""
    people = m.Person.objects.filter(pk__in=list(person_ids)).prefetch_related(
        "other_names",
        Prefetch("residences", queryset=m.Residence.objects.select_related("household").order_by("pk")),
    )
    return {p.pk: match_record(p, with_masked=with_masked) for p in people}


@transaction.atomic
def person_match_keys_refresh(*, person_ids: Iterable[int]) -> int:
    """Rewrite the blocking keys of these people from what is recorded now (a
    person no longer on the record loses theirs). Five queries whatever the
    number of people. Returns the number of keys written."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    records = match_records_load(ids)
    PersonMatchKey.objects.filter(person_id__in=ids).delete()
    rows = [
        PersonMatchKey(person_id=pid, key=k) for pid, r in records.items() for k in sorted(blocking_keys(r))
    ]
    PersonMatchKey.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def match_keys_hook(network: m.FamilyNetwork, actor: User | None) -> None:
    """Registered with ``kinmap.records.services.on_family_change``: refresh the
    keys of every member of the changed network."""
    person_match_keys_refresh(
        person_ids=m.NetworkMember.objects.filter(network=network).values_list("person_id", flat=True)
    )
