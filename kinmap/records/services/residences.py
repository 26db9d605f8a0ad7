"""Changes to where people live: a person's stay at a household (the
household made when the address is new), several people at one address, and
changes to a stay's dates or to an address.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.core import model as core

from .. import models as m
from ..errors import RecordError, refuse_hidden_characters
from ..known_dates import EXACT_SPAN, SpanAccuracy
from .common import (
    _audit_each,
    _check_each,
    _diff,
    _lock_version,
    _networks_for,
    _Proposal,
    _stamp,
    _touch_each,
)
from .data import AddressData, Source_

_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")


def _address_error(a: AddressData) -> None:
    for f, label in (
        ("address_line_1", "Address line 1"),
        ("address_line_2", "Address line 2"),
        ("town", "Town or city"),
        ("postcode", "Postcode"),
    ):
        refuse_hidden_characters(getattr(a, f), f, label)
    if not a.address_line_1 and not a.postcode:
        raise RecordError("Enter the first line of the address or the postcode", field="address_line_1")
    if a.postcode and not _looks_like_postcode(a.postcode):
        raise RecordError("Enter a real postcode, like SW1A 1AA", field="postcode")


def _looks_like_postcode(pc: str) -> bool:
    return bool(_POSTCODE.fullmatch(pc))


@transaction.atomic
def residence_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    household: m.Household | None = None,
    address: AddressData | None = None,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.Residence:
    """Record that a person lives (or lived) at an address: an existing household
    or a new one. ``start`` (moving in) and ``end`` (moving out) are known as
    ``accuracy`` says (default exact)."""
    source.check()
    accuracy.check()
    if household is None:
        if address is None:
            raise RecordError("Choose an address or enter a new one", field="household")
        address = address.cleaned()
        _address_error(address)
    networks = _networks_for(actor, network, m.Residence(person=person), "household", change=False)
    _check_each(
        networks,
        _Proposal(
            residences=[
                core.Residence(
                    -1, person.pk, household.pk if household else -2, start, end, **accuracy.core()
                )
            ]
        ),
    )
    if household is None:
        assert address is not None
        household = m.Household(**dataclasses.asdict(address))
        _stamp(household, source, actor)
        household.save()
        _audit_each(
            networks,
            actor=actor,
            action="create",
            object_type="household",
            object_id=household.pk,
            changes=_household_changes({}, household),
        )
    res = m.Residence(
        person=person, household=household, start=start, end=end, **dataclasses.asdict(accuracy)
    )
    _stamp(res, source, actor)
    res.save()
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="residence",
        object_id=res.pk,
        changes={
            "person": [None, person.pk],
            "household": [None, household.pk],
            "start": [None, start],
            "end": [None, end],
            **{k: [None, v] for k, v in dataclasses.asdict(accuracy).items()},
        },
    )
    _touch_each(networks, actor)
    return res


@transaction.atomic
def residences_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    people: Sequence[m.Person],
    household: m.Household | None = None,
    address: AddressData | None = None,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> list[m.Residence]:
    """Record that several people live (or lived) at one address, in one
    transaction: :func:`residence_create` for each, the first making the
    household when the address is new. Raises RecordError (nothing saved)
    when ``people`` is empty or any one residence is refused."""
    if not people:
        raise RecordError("Choose who lives there", field="person")
    out: list[m.Residence] = []
    for person in people:
        res = residence_create(
            actor=actor,
            network=network,
            person=person,
            household=household,
            address=None if household else address,
            start=start,
            end=end,
            source=source,
            accuracy=accuracy,
        )
        household = res.household
        out.append(res)
    return out


def _household_changes(old: dict[str, Any], h: m.Household) -> dict[str, list[Any]]:
    new = {f: getattr(h, f) for f in ("address_line_1", "address_line_2", "town", "postcode", "masked")}
    hidden = ["address_line_1", "address_line_2", "town", "postcode"] if h.masked or old.get("masked") else []
    return _diff(old, new, masked=hidden)


@transaction.atomic
def residence_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    residence: m.Residence,
    start: date | None,
    end: date | None,
    expected_version: int | None,
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.Residence:
    """Change when a person moved in (``start``) and out (``end``: None, still
    there), known as ``accuracy`` says. Raises RecordError (nothing saved)."""
    accuracy.check()
    row: m.Residence = _lock_version(m.Residence, residence.pk, expected_version, "household stay")
    networks = _networks_for(actor, network, row, "household", change=True)
    _check_each(
        networks,
        _Proposal(
            residences=[
                core.Residence(row.pk, row.person_id, row.household_id, start, end, **accuracy.core())
            ]
        ),
    )
    new = {"start": start, "end": end, **dataclasses.asdict(accuracy)}
    old = {k: getattr(row, k) for k in new}
    for k, v in new.items():
        setattr(row, k, v)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="residence",
        object_id=row.pk,
        changes=_diff(old, new),
    )
    _touch_each(networks, actor)
    return row


@transaction.atomic
def household_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    household: m.Household,
    address: AddressData,
    expected_version: int | None,
) -> m.Household:
    address = address.cleaned()
    _address_error(address)
    row: m.Household = _lock_version(m.Household, household.pk, expected_version, "address")
    networks = _networks_for(actor, network, row, "household", change=True)
    old = {f: getattr(row, f) for f in ("address_line_1", "address_line_2", "town", "postcode", "masked")}
    for k, v in dataclasses.asdict(address).items():
        setattr(row, k, v)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="household",
        object_id=row.pk,
        changes=_household_changes(old, row),
    )
    _touch_each(networks, actor)
    return row
