"""The family network as plain Python objects.

These immutable records are what the rules engine, the genogram layout and the
family-page descriptions work on. The Django shell loads them from the
database (``kinmap.records.selectors.family_graph_load``) in a fixed number of
queries; tests build them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from .dates import KnownDate
from .frozen import filled_directly
from .vocab import CarePlace, DateAccuracy, InfoHow, InvitationOutcome, NameKind, PRBasis, Sex, Source

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_EXPECTED = DateAccuracy.EXPECTED

# The records made by the thousand when families are loaded (a batch of the
# background recompute) fill their instance dictionary directly
# (kinmap.core.frozen.filled_directly): the same fields, equality, hashing and
# repr; Person and Network keep the generated __init__ (default factories).

# How a person with no recorded name is shown.
NAME_NOT_KNOWN = "Name not known"


@filled_directly
@dataclass(frozen=True)
class Provenance:
    source: Source
    detail: str = ""  # who said it, which agency, which document
    recorded_by: str = ""
    recorded_at: datetime | None = None


@filled_directly
@dataclass(frozen=True)
class OtherName:
    kind: NameKind
    given_name: str
    family_name: str


@filled_directly
@dataclass(frozen=True)
class Fact:
    """An answer recorded about a person that is not a structural field.

    ``key`` names the question (for example ``other-names`` or
    ``adult-services``), ``value`` is the answer in words (``none`` where the
    answer is that there is nothing to record).
    """

    key: str
    value: str
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Person:
    id: int
    given_name: str = ""
    family_name: str = ""
    name_absent_reason: str = ""  # why no name is known
    other_names: tuple[OtherName, ...] = ()
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    birth_date_accuracy: DateAccuracy = DateAccuracy.UNKNOWN
    death_date: date | None = None
    nhs_number: str = ""
    phone: str = ""
    email: str = ""
    phone_masked: bool = False
    # Provenance of key fields, by field name ("birth_date", "nhs_number", ...).
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    facts: Mapping[str, Fact] = field(default_factory=dict)
    # Date a practitioner last saw or spoke to this person directly.
    seen_directly_on: date | None = None
    # how well the death date is known; the second bound of a "between" date
    death_date_accuracy: DateAccuracy = DateAccuracy.EXACT
    birth_date_latest: date | None = None
    death_date_latest: date | None = None

    @property
    def birth(self) -> KnownDate:
        """The date of birth as known (kinmap.core.dates)."""
        return KnownDate(self.birth_date, self.birth_date_accuracy, self.birth_date_latest)

    @property
    def death(self) -> KnownDate:
        """The date of death as known; not known when there is no day."""
        return KnownDate(self.death_date, self.death_date_accuracy, self.death_date_latest)

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or NAME_NOT_KNOWN

    @property
    def unborn(self) -> bool:
        return self.birth_date_accuracy is _EXPECTED

    # age_in_days and age_in_years read the accuracy themselves (as ``unborn``
    # does) rather than through the property: the gap engine asks for ages
    # a few dozen times per family.
    def age_in_days(self, on: date) -> int | None:
        b = self.birth_date
        if b is None or self.birth_date_accuracy is _EXPECTED:
            return None
        return (on - b).days

    def age_in_years(self, on: date) -> int | None:
        """Whole years of age on ``on``; None if the date of birth is not
        known or the person is not born yet."""
        b = self.birth_date
        if b is None or self.birth_date_accuracy is _EXPECTED:
            return None
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    def is_adult(self, on: date) -> bool:
        """18 or over on ``on``. A person with no date of birth counts as an adult
        only if they are recorded as a parent or carer, which the graph decides."""
        years = self.age_in_years(on)
        return years is not None and years >= 18

    def alive_on(self, on: date) -> bool:
        return self.death_date is None or self.death_date > on


@filled_directly
@dataclass(frozen=True)
class Household:
    id: int
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    masked: bool = False

    @property
    def address(self) -> str:
        # the parts recorded (filter(None, ...): no generator, a function and a
        # frame in Python 3.11, for an address the rules name a few times a family)
        return ", ".join(filter(None, (self.address_line_1, self.address_line_2, self.town, self.postcode)))


class Dated:
    """What every record that runs from a ``start`` to an ``end`` (None: not
    known, or still running) shares: each date as known, with its accuracy and
    the second date of "between" (``kinmap.core.dates``), and whether the
    record runs on a day. The records (dataclasses) declare the fields."""

    start: date | None
    end: date | None
    start_accuracy: DateAccuracy
    start_latest: date | None
    end_accuracy: DateAccuracy
    end_latest: date | None

    @property
    def start_known(self) -> KnownDate:
        """The start as known (kinmap.core.dates); no day: not known."""
        return KnownDate(self.start, self.start_accuracy, self.start_latest)

    @property
    def end_known(self) -> KnownDate:
        """The end as known; no day: still running (or not known)."""
        return KnownDate(self.end, self.end_accuracy, self.end_latest)

    def current_on(self, on: date) -> bool:
        """Whether the record runs on ``on``: started by then (or no start
        recorded) and not ended by then (the end day is not included)."""
        return (self.start is None or self.start <= on) and (self.end is None or self.end > on)


@filled_directly
@dataclass(frozen=True)
class Residence(Dated):
    """A person living at a household from ``start`` (None: not known) to ``end``
    (None: still lives there)."""

    id: int
    person_id: int
    household_id: int
    start: date | None = None
    end: date | None = None
    provenance: Provenance | None = None

    start_accuracy: DateAccuracy = DateAccuracy.EXACT
    start_latest: date | None = None
    end_accuracy: DateAccuracy = DateAccuracy.EXACT
    end_latest: date | None = None


@filled_directly
@dataclass(frozen=True)
class Relationship(Dated):
    """``from_id`` is <type label> ``to_id``: e.g. a birth father (from) of a child (to).

    ``legal_basis`` (a ``vocab.LegalParentBasis`` code) says how a legal parent
    (``PRN``) is one; it is empty for every other type."""

    id: int
    from_id: int
    to_id: int
    type: str  # a code from vocab.REL_TYPES
    start: date | None = None
    end: date | None = None
    provenance: Provenance | None = None
    legal_basis: str = ""

    start_accuracy: DateAccuracy = DateAccuracy.EXACT
    start_latest: date | None = None
    end_accuracy: DateAccuracy = DateAccuracy.EXACT
    end_latest: date | None = None


@filled_directly
@dataclass(frozen=True)
class CareArrangement(Dated):
    id: int
    carer_id: int
    child_id: int
    place: CarePlace = CarePlace.CHILD_HOME
    frequency: str = ""  # in words: "Friday nights", "every other weekend"
    overnight: bool = False
    supervised: bool = False
    start: date | None = None
    end: date | None = None
    sleep_place: str = ""  # where the baby sleeps during this care
    provenance: Provenance | None = None

    start_accuracy: DateAccuracy = DateAccuracy.EXACT
    start_latest: date | None = None
    end_accuracy: DateAccuracy = DateAccuracy.EXACT
    end_latest: date | None = None


@filled_directly
@dataclass(frozen=True)
class ParentalResponsibility(Dated):
    """``person_id``'s parental responsibility for ``child_id`` on ``basis``,
    from ``start`` (None: not known, or from the birth) to ``end`` (None: still
    held). A person can hold it, lose it and regain it: one record per period."""

    id: int
    person_id: int
    child_id: int
    basis: PRBasis
    start: date | None = None
    provenance: Provenance | None = None
    end: date | None = None

    start_accuracy: DateAccuracy = DateAccuracy.EXACT
    start_latest: date | None = None
    end_accuracy: DateAccuracy = DateAccuracy.EXACT
    end_latest: date | None = None


@filled_directly
@dataclass(frozen=True)
class CareOrder(Dated):
    """A care order for ``child_id`` (Children Act 1989 s31, or an interim
    care order, s38): while it runs, from ``start`` to ``end``
    (None: still in force), the designated local authority (``local_authority``,
    its name, for example "Testham City Council") holds parental responsibility
    for the child, shared with every parent and guardian who has it (s33(3)).

    The holder is an organisation, not a person of the family network, so the
    order is a record of its own rather than a
    :class:`ParentalResponsibility` record: it gives nobody in the network
    parental responsibility, and takes it from nobody (s33(3)(b) lets the
    authority limit how a parent exercises it, not end it).

    ``start_accuracy``/``end_accuracy`` say how well each date is known and
    ``start_latest``/``end_latest`` are the second dates of "between"
    (``kinmap.core.dates``); exact by default.
    """

    id: int
    child_id: int
    local_authority: str
    start: date | None = None
    end: date | None = None
    provenance: Provenance | None = None
    start_accuracy: DateAccuracy = DateAccuracy.EXACT
    start_latest: date | None = None
    end_accuracy: DateAccuracy = DateAccuracy.EXACT
    end_latest: date | None = None


@dataclass(frozen=True)
class InformationGiven:
    """A safety material (``material``: a code such as ``icon``) that reached a
    carer on ``on``, or was offered and declined (``declined``, with the reason)."""

    id: int
    person_id: int
    material: str
    on: date
    how: InfoHow = InfoHow.IN_PERSON
    declined: bool = False
    declined_reason: str = ""
    by: str = ""


@dataclass(frozen=True)
class Invitation:
    """A carer who lives elsewhere invited to come to a contact with the child."""

    id: int
    person_id: int
    contact_on: date
    contact_type: str
    outcome: InvitationOutcome = InvitationOutcome.PENDING
    invited_on: date | None = None


@dataclass(frozen=True)
class Network:
    """Everything recorded around one or more index children."""

    id: int
    name: str
    index_child_ids: tuple[int, ...]
    people: Mapping[int, Person]
    relationships: tuple[Relationship, ...] = ()
    households: Mapping[int, Household] = field(default_factory=dict)
    residences: tuple[Residence, ...] = ()
    care: tuple[CareArrangement, ...] = ()
    parental_responsibility: tuple[ParentalResponsibility, ...] = ()
    # People loaded only because they are related to a member, but who belong to
    # other family networks (a father's child by another mother, say).
    outside_ids: frozenset[int] = frozenset()
    # Safety information given to (or declined by) carers, and joint appointments.
    information_given: tuple[InformationGiven, ...] = ()
    invitations: tuple[Invitation, ...] = ()
    # Care orders: the local authority shares parental responsibility (s33(3)).
    care_orders: tuple[CareOrder, ...] = ()

    def is_member(self, person_id: int) -> bool:
        return person_id in self.people and person_id not in self.outside_ids
