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

from .model import ParentalResponsibility
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
