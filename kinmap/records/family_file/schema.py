"""The family file format (docs/family-file.md, version 1) declared as pydantic
models: every record's fields, their types, codes, lengths and defaults, and
the rules within one record. Unknown fields are refused (``extra="forbid"``:
the format says a misspelt field would otherwise be lost silently), ``null``
is taken wherever a value may be absent, and nothing is coerced (a date is a
``"YYYY-MM-DD"`` string, a flag is ``true`` or ``false``, never ``"yes"``).

Each field's check raises a :class:`PydanticCustomError` whose message is the
one the family file reports (see :func:`.read.schema_issues`, which turns
pydantic's locations into ``people[3] (id "p4"): birth_date: ...``). The kinds
of value the fields are declared with (texts, codes, ids, flags, dates) and
their checks are in :mod:`.values`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kinmap.core import limits
from kinmap.core.vocab import (
    DateAccuracy,
    InvitationOutcome,
    Source,
)
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from kinmap.records.known_dates import SpanAccuracy
from kinmap.records.services.residences import _address_error

from .document import _one_of
from .values import (
    NULL,
    AccuracyCode,
    AddressLineText,
    BasisCode,
    ContactTypeCode,
    Day,
    DeclinedReasonText,
    EmailText,
    FactValueRequiredText,
    FileDescriptionText,
    Flag,
    FrequencyText,
    HowCode,
    Items,
    LegalBasisCode,
    LocalAuthorityText,
    MaskedCode,
    MaterialCodeRequiredText,
    Member,
    Moment,
    NameAbsentReasonText,
    NameKindCode,
    NameText,
    NetworkNameRequiredText,
    NhsNumberInputText,
    OptionalRef,
    OrganisationText,
    OutcomeCode,
    OutcomeNoteText,
    PhoneText,
    PlaceCode,
    PostcodeText,
    Ref,
    RelationshipTypeCode,
    RequiredDay,
    RequiredSourceCode,
    SexCode,
    SleepPlaceText,
    SourceCode,
    SourceDetailText,
    SpanAccuracyCode,
    TownText,
    UsernameText,
    _empty_dict,
    _empty_list,
    _text,
    refuse,
)

# -- the records -------------------------------------------------------------------


class Record(BaseModel):
    """A record of the file: unknown fields refused, nothing coerced, every
    default checked like a given value (so a required field reports itself)."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True, frozen=True)
    what: ClassVar[str] = "record"


class Provenance(Record):
    """Where a fact came from (docs/family-file.md, "Dates, times and provenance")."""

    what: ClassVar[str] = "provenance"
    source: SourceCode = NULL
    detail: SourceDetailText = NULL
    recorded_by: UsernameText = NULL
    recorded_at: Moment = NULL

    @model_validator(mode="after")
    def _detail_for_source(self) -> Provenance:
        if self.source == Source.SAID_BY and not self.detail.strip():
            raise refuse('is empty: say who said it (needed when the source is "said-by")', "detail")
        if self.source == Source.OTHER_AGENCY and not self.detail.strip():
            raise refuse('is empty: say which agency (needed when the source is "other-agency")', "detail")
        return self


ProvenanceOrNull = Annotated[Provenance, BeforeValidator(_empty_dict)]  # null: not recorded


class FieldProvenance(Provenance):
    """The provenance of one field of a person: its source is required."""

    source: RequiredSourceCode = NULL


def _person_field(key: Any) -> str:
    if key not in s.PERSON_FIELDS:
        raise refuse(f"is not a person field (expected one of: {_one_of(s.PERSON_FIELDS)})")
    return str(key)


def _fact_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > limits.FACT_KEY_MAX:
        raise refuse(f"the question's key must be 1 to {limits.FACT_KEY_MAX} characters")
    return key


class Allocation(Record):
    """A team with a legitimate relationship to the family, from ``start``."""

    what: ClassVar[str] = "allocation"
    agency: OrganisationText = NULL
    team: OrganisationText = NULL
    start: RequiredDay = NULL
    end: Day = NULL


def _some_index_child(ids: list[str]) -> list[str]:
    if not ids:
        raise refuse("is empty: a family network is around at least one index child")
    return ids


class Network(Record):
    """A family network: the people who matter to one or more index children."""

    what: ClassVar[str] = "family network"
    id: Ref = NULL
    name: NetworkNameRequiredText = NULL
    index_children: Annotated[
        Items[Member],
        AfterValidator(_some_index_child),
    ]
    other_members: Items[Member] = Field(default_factory=list)
    allocations: Items[Allocation] = Field(default_factory=list)


class OtherName(Record):
    """A previous name or alias: a given name, a family name, or both."""

    what: ClassVar[str] = "other name"
    kind: NameKindCode = NULL
    given_name: NameText = NULL
    family_name: NameText = NULL

    @model_validator(mode="after")
    def _a_name(self) -> OtherName:
        if not self.given_name.strip() and not self.family_name.strip():
            raise refuse("is empty, and so is family_name: enter the other name", "given_name")
        return self


class Fact(Record):
    """An answer about a person that is not a field of the person, with its provenance."""

    what: ClassVar[str] = "fact"
    value: FactValueRequiredText = NULL
    provenance: ProvenanceOrNull = NULL


class Person(Record):
    """A person, once however many networks they are in."""

    what: ClassVar[str] = "person"
    id: Ref = NULL
    given_name: NameText = NULL
    family_name: NameText = NULL
    name_absent_reason: NameAbsentReasonText = NULL
    other_names: Items[OtherName] = Field(default_factory=list)
    sex: SexCode = NULL
    birth_date: Day = NULL
    birth_date_accuracy: AccuracyCode = NULL
    birth_date_latest: Day = NULL
    death_date: Day = NULL
    death_date_accuracy: SpanAccuracyCode = NULL
    death_date_latest: Day = NULL
    nhs_number: NhsNumberInputText = NULL
    phone: PhoneText = NULL
    phone_masked: Flag = NULL
    email: EmailText = NULL
    seen_directly_on: Day = NULL
    facts: Annotated[
        dict[Annotated[str, BeforeValidator(_fact_key)], Fact],
        BeforeValidator(_empty_dict),
        Field(default_factory=dict),
    ]
    provenance: Annotated[
        dict[Annotated[str, BeforeValidator(_person_field)], FieldProvenance],
        BeforeValidator(_empty_dict),
        Field(default_factory=dict),
    ]

    def data(self) -> s.PersonData:
        """The person as the record services take them (the accuracy defaults to
        ``accurate`` when there is a date of birth, else ``unknown``)."""
        accuracy = self.birth_date_accuracy or (
            DateAccuracy.ACCURATE.value if self.birth_date else DateAccuracy.UNKNOWN.value
        )
        return s.PersonData(
            given_name=self.given_name,
            family_name=self.family_name,
            name_absent_reason=self.name_absent_reason,
            sex=self.sex,
            birth_date=self.birth_date,
            birth_date_accuracy=accuracy,
            birth_date_latest=self.birth_date_latest,
            death_date=self.death_date,
            death_date_accuracy=self.death_date_accuracy,
            death_date_latest=self.death_date_latest,
            nhs_number=self.nhs_number,
            phone=self.phone,
            phone_masked=self.phone_masked,
            email=self.email,
            seen_directly_on=self.seen_directly_on,
        ).cleaned()


class Household(Record):
    """An address where people live: ``address_line_1`` or a postcode."""

    what: ClassVar[str] = "household"
    id: Ref = NULL
    address_line_1: AddressLineText = NULL
    address_line_2: AddressLineText = NULL
    town: TownText = NULL
    postcode: PostcodeText = NULL
    masked: Flag = NULL
    provenance: ProvenanceOrNull = NULL

    def address(self) -> s.AddressData:
        return s.AddressData(
            address_line_1=self.address_line_1,
            address_line_2=self.address_line_2,
            town=self.town,
            postcode=self.postcode,
            masked=self.masked,
        ).cleaned()

    @model_validator(mode="after")
    def _an_address(self) -> Household:
        try:
            _address_error(self.address())
        except RecordError as err:
            problem = err.problems[0]
            raise refuse(problem.message, problem.field) from None
        return self


class Dated(Record):
    """A record over a period: ``start`` and ``end`` with their accuracy codes
    (``kinmap.core.vocab.DateAccuracy``, "accurate" is exact and the default)
    and the latest day of a "between" date (``kinmap.core.dates``). Each
    record declares the six fields where the file writes them."""

    if TYPE_CHECKING:  # declared by each record, in the file's order
        start_accuracy: str
        start_latest: date | None
        end_accuracy: str
        end_latest: date | None

    def accuracy(self) -> SpanAccuracy:
        """How well the start and end are known, as the services take it."""
        return SpanAccuracy(self.start_accuracy, self.start_latest, self.end_accuracy, self.end_latest)


class Relationship(Dated):
    """``from`` is ``type`` (HL7 v3 RoleCode, or kinmap's ``x-`` codes) of ``to``."""

    what: ClassVar[str] = "relationship"
    from_: Ref = Field(NULL, alias="from")
    to: Ref = NULL
    type: RelationshipTypeCode = NULL
    legal_basis: LegalBasisCode = NULL
    start: Day = NULL
    start_accuracy: SpanAccuracyCode = NULL
    start_latest: Day = NULL
    end: Day = NULL
    end_accuracy: SpanAccuracyCode = NULL
    end_latest: Day = NULL
    provenance: ProvenanceOrNull = NULL


class Residence(Dated):
    """A person living at a household from ``start`` to ``end``."""

    what: ClassVar[str] = "residence"
    person: Ref = NULL
    household: Ref = NULL
    start: Day = NULL
    start_accuracy: SpanAccuracyCode = NULL
    start_latest: Day = NULL
    end: Day = NULL
    end_accuracy: SpanAccuracyCode = NULL
    end_latest: Day = NULL
    provenance: ProvenanceOrNull = NULL


class CareArrangement(Dated):
    """Who looks after which child, where, how often."""

    what: ClassVar[str] = "care arrangement"
    carer: Ref = NULL
    child: Ref = NULL
    place: PlaceCode = NULL
    frequency: FrequencyText = NULL
    overnight: Flag = NULL
    supervised: Flag = NULL
    sleep_place: SleepPlaceText = NULL
    start: Day = NULL
    start_accuracy: SpanAccuracyCode = NULL
    start_latest: Day = NULL
    end: Day = NULL
    end_accuracy: SpanAccuracyCode = NULL
    end_latest: Day = NULL
    provenance: ProvenanceOrNull = NULL


class ParentalResponsibility(Dated):
    """Who holds parental responsibility for which child, on what basis, from
    when until when (Children Act 1989 s.2-4): one record per period."""

    what: ClassVar[str] = "parental responsibility record"
    person: Ref = NULL
    child: Ref = NULL
    basis: BasisCode = NULL
    start: Day = NULL
    start_accuracy: SpanAccuracyCode = NULL
    start_latest: Day = NULL
    end: Day = NULL
    end_accuracy: SpanAccuracyCode = NULL
    end_latest: Day = NULL
    provenance: ProvenanceOrNull = NULL


class CareOrder(Dated):
    """A care order for a child (Children Act 1989 s31, or interim s38): while
    it runs the designated local authority, named in ``local_authority``,
    shares parental responsibility with the parents who have it (s33(3)).
    Its dates carry their accuracy as every period's do (``Dated``)."""

    what: ClassVar[str] = "care order"
    child: Ref = NULL
    local_authority: LocalAuthorityText = NULL
    start: Day = NULL
    start_accuracy: SpanAccuracyCode = NULL
    start_latest: Day = NULL
    end: Day = NULL
    end_accuracy: SpanAccuracyCode = NULL
    end_latest: Day = NULL
    provenance: ProvenanceOrNull = NULL


class JointAppointment(Record):
    """A carer who lives elsewhere invited to a contact with the child."""

    what: ClassVar[str] = "joint appointment"
    id: Ref = NULL
    network: Ref = NULL
    person: Ref = NULL
    contact_on: RequiredDay = NULL
    contact_type: ContactTypeCode = NULL
    invited_on: RequiredDay = NULL
    invited_by: UsernameText = NULL
    outcome: OutcomeCode = NULL
    outcome_note: OutcomeNoteText = NULL

    @model_validator(mode="after")
    def _note_with_outcome(self) -> JointAppointment:
        if self.outcome == InvitationOutcome.PENDING and self.outcome_note.strip():
            raise refuse(
                'is only for an outcome: attended, declined or no-reply, not "pending"', "outcome_note"
            )
        return self


class InformationGiven(Record):
    """A material that reached a carer, or was offered and declined."""

    what: ClassVar[str] = "record of information given"
    network: Ref = NULL
    person: Ref = NULL
    material: MaterialCodeRequiredText = NULL
    how: HowCode = NULL
    given_on: RequiredDay = NULL
    given_by: UsernameText = NULL
    declined: Flag = NULL
    declined_reason: DeclinedReasonText = NULL
    appointment: OptionalRef = NULL


ChronologyText = Annotated[str, BeforeValidator(_text(limits.CHRONOLOGY_TEXT_MAX, required=False))]


class ChronologyLine(Record):
    """A line of a family's chronology (read-only: an import ignores it, as
    the chronology is rebuilt from what the import records)."""

    what: ClassVar[str] = "chronology line"
    network: Ref = NULL
    on: Day = NULL
    dated: Flag = NULL
    kind: ChronologyText = NULL
    words: ChronologyText = NULL
    people: Items[Member] = Field(default_factory=list)
    recorded_by: UsernameText = NULL
    recorded_at: Moment = NULL
    corrects: ChronologyText = NULL
    later: ChronologyText = NULL


class FamilyFileDocument(Record):
    """A whole family file (the version is checked before this model)."""

    what: ClassVar[str] = "family file"
    version: int = Field(alias="kinmap-family-file")
    description: FileDescriptionText = NULL
    reference_date: Day = NULL
    masked_details: MaskedCode = NULL
    networks: Items[Network] = Field(default_factory=list)
    people: Items[Person] = Field(default_factory=list)
    households: Items[Household] = Field(default_factory=list)
    relationships: Items[Relationship] = Field(default_factory=list)
    residences: Items[Residence] = Field(default_factory=list)
    care_arrangements: Annotated[
        list[CareArrangement], BeforeValidator(_empty_list), Field(default_factory=list)
    ]
    parental_responsibility: Annotated[
        list[ParentalResponsibility], BeforeValidator(_empty_list), Field(default_factory=list)
    ]
    care_orders: Annotated[list[CareOrder], BeforeValidator(_empty_list), Field(default_factory=list)]
    joint_appointments: Annotated[
        list[JointAppointment], BeforeValidator(_empty_list), Field(default_factory=list)
    ]
    information_given: Annotated[
        list[InformationGiven], BeforeValidator(_empty_list), Field(default_factory=list)
    ]
    chronology: Annotated[list[ChronologyLine], BeforeValidator(_empty_list), Field(default_factory=list)]
