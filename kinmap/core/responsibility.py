"""Parental responsibility over time. Plain Python.

A person's parental responsibility for a child is a series of records, each
with a basis, a start and an end (:class:`kinmap.core.model.ParentalResponsibility`).
This module says what a new record or an event does to the others, and what is
held on a given day. Sources: Children Act 1989 s2-4A, s12 (child arrangements
orders), s14C (special guardianship), s33(3) (a care order: the local authority
shares it); Adoption and Children Act 2002 s46 (an adoption order ends everyone
else's); Human Fertilisation and Embryology Act 2008 s54 (a parental order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from .dates import must_be_before
from .model import CareOrder, ParentalResponsibility, Person
from .vocab import PR_EXCLUSIVE_ORDERS


def ended_by_order(
    records: Iterable[ParentalResponsibility], order: ParentalResponsibility
) -> dict[int, date]:
    """The records an adoption or parental order ends, by id, with the day they
    end (the day the order was made): every other record for the same child
    still running on that day, except the records of the same order (a couple
    adopting together each have one, made the same day with the same basis).
    Empty when ``order`` is not such an order or has no date."""
    day = order.start
    if order.basis not in PR_EXCLUSIVE_ORDERS or day is None:
        return {}
    return {
        r.id: day
        for r in records
        if r.id != order.id
        and r.child_id == order.child_id
        and (r.start is None or r.start < day)
        and (r.end is None or r.end > day)
        and not (r.basis is order.basis and r.start == day)
    }


class Period(Protocol):
    """A dated record: a care arrangement, a parental responsibility record."""

    @property
    def id(self) -> int: ...
    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...


def ended_by_death(periods: Iterable[Period], died: date) -> dict[int, date]:
    """Death ends parental responsibility and care: of ``periods`` (the records
    of the person who died, as holder, carer or child), those still running on
    ``died``, by id, with that day as their end. A record that starts after the
    death is left for the checks to refuse."""
    return {
        r.id: died
        for r in periods
        if (r.end is None or r.end > died) and (r.start is None or r.start <= died)
    }


def care_orders_ended_by(orders: Iterable[CareOrder], order: ParentalResponsibility) -> dict[int, date]:
    """The care orders an adoption or parental order ends, by id, with the day
    they end (the day the order was made): an adoption order extinguishes any
    order under the Children Act 1989 (Adoption and Children Act 2002
    s46(2)(b)), so the local authority's parental responsibility ends with it.
    Empty when ``order`` is not such an order or has no date."""
    day = order.start
    if order.basis not in PR_EXCLUSIVE_ORDERS or day is None:
        return {}
    return {
        o.id: day
        for o in orders
        if o.child_id == order.child_id
        and (o.start is None or o.start < day)
        and (o.end is None or o.end > day)
    }


def care_order_problems(
    order: CareOrder, others: Iterable[CareOrder], child: Person
) -> list[tuple[str, str]]:
    """Why a care order cannot be recorded as it stands, as (field, message)
    pairs; empty when it can. A care order names the designated local
    authority and the day it was made; it is made for a child who has been
    born (Children Act 1989 s31: a court makes it about a child; an unborn
    baby is not one); it cannot end before it starts, nor run at the same
    time as another care order for the child (one authority is designated).
    Rough dates (``CareOrder.start_known``, ``end_known``) are refused only
    when the order is impossible under every reading of them; the check
    against other orders reads the days recorded (their first possible day)."""
    out: list[tuple[str, str]] = []
    start, end = order.start_known, order.end_known
    if not order.local_authority.strip():
        out.append(("local_authority", "Enter the local authority named in the care order"))
    if order.start is None:
        out.append(("start", "Enter the date the care order was made"))
    elif child.unborn:
        out.append(("start", "A care order can only be made once the child is born"))
    elif child.birth_date is not None and must_be_before(start, child.birth):
        out.append(("start", "The care order must be made on or after the child's date of birth"))
    if order.start is not None and order.end is not None and end.latest_day() <= start.earliest():
        out.append(("end", "The care order must end after the day it was made"))
    for field, known, label in (("start", start, "The date it was made"), ("end", end, "The date it ended")):
        problem = known.problem(label)
        if problem:
            out.append((field, problem))
    if order.start is not None:
        for o in others:
            if o.id == order.id or o.child_id != order.child_id:
                continue
            if (o.end is None or o.end > order.start) and (
                order.end is None or o.start is None or order.end > o.start
            ):
                out.append(("start", "Another care order for this child runs at the same time: end it first"))
                break
    return out


def care_order_sentence(order: CareOrder, child_name: str, today: date) -> str:
    """The care order in words: "Testham City Council shares parental
    responsibility for Amy Brook with her parents under a care order", or,
    once ended, "Testham City Council shared ..."; a care order not yet in
    force "will share". Children Act 1989 s33(3)."""
    if order.end is not None and order.end <= today:
        verb = "shared"
    elif order.start is not None and order.start > today:
        verb = "will share"
    else:
        verb = "shares"
    return (
        f"{order.local_authority} {verb} parental responsibility for {child_name} with the parents "
        "who have it, under a care order (the parents keep theirs)"
    )
