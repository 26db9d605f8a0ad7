"""Process inputs: what happened at contacts, as opposed to facts about the family.

Some requirements are about practice rather than the family: was the household
reconfirmed at the last contact, was a decline written up properly, was another
agency asked, was a sharing decision justified. The Django shell loads these for
one family network and passes them to the engine; the rules stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..frozen import filled_directly


@dataclass(frozen=True)
class Decline:
    """A person declined to answer a question (a gap in state asked-declined).

    Who (``person_id``), what (``gap_key``), when (``declined_on``), the reason
    they gave, the practitioner's view, and the practitioner who recorded it.
    """

    id: int
    gap_key: str
    declined_on: date
    person_id: int | None = None
    reason: str = ""
    practitioner_view: str = ""
    recorded_by: str = ""


@filled_directly  # one a family's open gap, for every family a recompute reads
@dataclass(frozen=True)
class GapHistory:
    """How often a gap has been put to the practitioner, and whether another
    agency has been considered as a source (an information request made, or a
    logged decision not to make one).

    ``first_opened`` is the day kinmap raised the gap (loaded or recomputed);
    ``open_since`` the day its requirement first applied (the birth, the day a
    carer started, the day ICON was due: :mod:`kinmap.core.rules.open_since`),
    which is how long the gap has really been open. Either may be None when
    not known; ``open_since`` is never after ``first_opened``.
    """

    gap_key: str
    times_prompted: int = 0
    first_opened: date | None = None
    request_considered: bool = False
    open_since: date | None = None


@dataclass(frozen=True)
class SharingDecision:
    """A decision to share, or not to share, information with another agency."""

    id: int
    decided_on: date
    shared: bool
    rationale: str = ""
    lawful_basis: str = ""
    decided_by: str = ""


@dataclass(frozen=True)
class ProcessInputs:
    """Everything the process rules (6, 13, 14 and 16) need besides the network.

    ``last_roster_confirmed`` maps a household id to the last date someone
    confirmed who lives there (or recorded "no change"); ``last_contact_on`` is
    the date of the latest contact with the family; ``gap_history`` is keyed by
    :attr:`Unmet.key <kinmap.core.rules.base.Unmet.key>`.
    """

    last_contact_on: date | None = None
    last_roster_confirmed: Mapping[int, date] = field(default_factory=dict)
    declines: tuple[Decline, ...] = ()
    gap_history: Mapping[str, GapHistory] = field(default_factory=dict)
    sharing_decisions: tuple[SharingDecision, ...] = ()
