"""Who may be offered as the person who answered (or declined to answer) a
question, and who may be recorded as giving a child care.

Pure functions over :class:`kinmap.core.model.Network`; the pages use them to
build their choice lists, so a baby is never offered as the person who
declined, nor a seven-year-old as a baby's carer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .model import Network

# Children under this age are not asked to speak for the family's record: a
# practice decision of the partnership (there is no statutory age; it follows
# the practice of asking parents and carers, not young children, about the
# household).
SPEAKS_FOR_SELF_FROM_YEARS = 12

# Under this age a child is not offered as a carer of another child unless
# already recorded as one: the NSPCC's advice is that children under 16
# should not be left in charge of younger children ("Leaving your child home
# alone", NSPCC).
CARER_FROM_YEARS = 16


def may_answer(network: Network, person_id: int, today: date) -> bool:
    """Can this person speak for themselves about the record (be the one who
    declined to say)? Not an index child, not a child under
    :data:`SPEAKS_FOR_SELF_FROM_YEARS`, not someone not yet born. A person
    whose date of birth is not known is offered. Raises KeyError for a person
    not in ``network``."""
    person = network.people[person_id]
    if person_id in network.index_child_ids or person.unborn:
        return False
    years = person.age_in_years(today)
    return years is None or years >= SPEAKS_FOR_SELF_FROM_YEARS


def may_care(network: Network, person_id: int, today: date) -> bool:
    """Can this person be offered as someone who gives a child care? Not an
    index child; not a child under :data:`CARER_FROM_YEARS` unless already
    recorded as a carer (so that what is recorded can still be shown and
    changed). Raises KeyError for a person not in ``network``."""
    if any(c.carer_id == person_id for c in network.care):
        return True
    person = network.people[person_id]
    if person_id in network.index_child_ids or person.unborn:
        return False
    years = person.age_in_years(today)
    return years is None or years >= CARER_FROM_YEARS


def answerers(network: Network, people: Iterable[tuple[int, str]], today: date) -> list[tuple[int, str]]:
    """``people`` (choice pairs of person id and name) kept to those who
    :func:`may_answer`, in the same order."""
    return [(pid, name) for pid, name in people if may_answer(network, pid, today)]


def carers(network: Network, people: Iterable[tuple[int, str]], today: date) -> list[tuple[int, str]]:
    """``people`` (choice pairs of person id and name) kept to those who
    :func:`may_care`, in the same order."""
    return [(pid, name) for pid, name in people if may_care(network, pid, today)]
