"""A family's chronology: every line of the record-time histories of its
records and of practitioners' work with it, merged in date order, in a fixed
number of queries (fifteen, whatever the size of the family)."""

from __future__ import annotations

from kinmap.accounts.models import User
from kinmap.core.chronology import Line, chronology_order
from kinmap.core.wording import OUTSIDER
from kinmap.records.selectors import FamilyRecord
from kinmap.web.masking import address_for

from .activity import activity_lines
from .history import Address, record_history_lines

SOMEONE_ELSE = "someone not in this family network"


def chronology_load(record: FamilyRecord, user: User) -> list[Line]:
    """The chronology of ``record`` (loaded by ``family_record_load``) for
    ``user``: what happened, in date order (the day it happened, or the day it
    was recorded when that is not known), each line with who recorded it and
    when. Masked addresses are masked for a user not entitled to them."""
    return chronology_lines(record, lambda h: address_for(h, user))


def chronology_lines(record: FamilyRecord, address: Address) -> list[Line]:
    """The chronology of ``record`` with addresses put in words by ``address``
    (a household row, as recorded then, to text)."""
    net = record.graph_network

    def names(pid: int) -> str:
        # someone recorded only in another family network (``outside_ids``) is
        # never named here: the users of this network may not be told who they are
        if net.is_member(pid):
            return net.people[pid].display_name
        return OUTSIDER if pid in net.outside_ids else SOMEONE_ELSE

    return chronology_order([*record_history_lines(record, address, names), *activity_lines(record, names)])
