"""The family record: people, family networks, relationships, households, care
arrangements and parental responsibility, each fact with its provenance.

Models hold data only. Rules live in ``kinmap.core``; changes go through
``kinmap.records.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kinmap.accounts.models import Team
from kinmap.core import limits
from kinmap.core.model import NAME_NOT_KNOWN
from kinmap.core.vocab import (
    CARE_PLACE_LABELS,
    DATE_ACCURACY_LABELS,
    LEGAL_PARENT_BASIS_LABELS,
    PR_BASIS_LABELS,
    REL_TYPES,
    SEX_LABELS,
    SOURCE_LABELS,
    NameKind,
)

SEX_CHOICES = [(k.value, v) for k, v in SEX_LABELS.items()]
ACCURACY_CHOICES = [(k.value, v) for k, v in DATE_ACCURACY_LABELS.items()]
SOURCE_CHOICES = [(k.value, v) for k, v in SOURCE_LABELS.items()]
REL_CHOICES = [(t.code, t.label) for t in REL_TYPES]
PLACE_CHOICES = [(k.value, v) for k, v in CARE_PLACE_LABELS.items()]
PR_CHOICES = [(k.value, v) for k, v in PR_BASIS_LABELS.items()]
LEGAL_BASIS_CHOICES = [(k.value, v) for k, v in LEGAL_PARENT_BASIS_LABELS.items()]
NAME_KIND_CHOICES = [
    (NameKind.PREVIOUS.value, "Previous name"),
    (NameKind.ALIAS.value, "Alias or other name"),
]


def history_user(request: object = None, instance: object = None, **_: object) -> object:
    """Who made a change, for its history row (django-simple-history's
    ``get_user``): the signed-in user of the web request, else the user the
    service stamped as having recorded the row (the command line)."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    recorded_by = getattr(type(instance), "recorded_by", None)
    if recorded_by is not None and recorded_by.is_cached(instance):  # never a query per row
        return getattr(instance, "recorded_by", None)
    return None


class RecordHistory(HistoricalRecords):
    """django-simple-history's ``HistoricalRecords``, with each history model
    (``HistoricalPerson``) named after the module that holds it: for an app
    whose label is not its module's first name (``records`` in
    ``kinmap.records``), the library puts the model in ``kinmap.records.models``
    but says it is in ``kinmap.records``, so whatever imports a model by the
    module it gives (Django 5.2's ``shell``, which imports every model) finds
    nothing there (django-simple-history issue 1479). The tables, fields and
    migrations are unchanged."""

    def create_history_model(self, model: Any, inherited: bool) -> Any:
        history_model = super().create_history_model(model, inherited)
        if not inherited:  # an inherited one is put in the model's own module, and says so
            history_model.__module__ = self.module  # where finalize() puts it
        return history_model


class Dated(models.Model):
    """A period from ``start`` to ``end`` (no end: still running), each date with
    its accuracy (``kinmap.core.vocab.DateAccuracy``; "accurate" is exact) and,
    for "between", its latest day (``kinmap.core.dates.KnownDate``)."""

    start = models.DateField(null=True, blank=True)
    start_accuracy = models.CharField(max_length=20, choices=ACCURACY_CHOICES, default="accurate")
    start_latest = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    end_accuracy = models.CharField(max_length=20, choices=ACCURACY_CHOICES, default="accurate")
    end_latest = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True


class Provenanced(models.Model):
    """Where a fact came from, who recorded it and when. Every change is kept
    (record time) in a history table by django-simple-history."""

    source = models.CharField(max_length=30, choices=SOURCE_CHOICES, blank=True)
    source_detail = models.CharField(
        max_length=limits.SOURCE_DETAIL_MAX, blank=True
    )  # said by whom / which agency
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # refuses stale edits
    history = RecordHistory(inherit=True, get_user=history_user)

    class Meta:
        abstract = True


class Person(models.Model):
    given_name = models.CharField(max_length=limits.NAME_MAX, blank=True)
    family_name = models.CharField(max_length=limits.NAME_MAX, blank=True)
    name_absent_reason = models.CharField(max_length=limits.NAME_ABSENT_REASON_MAX, blank=True)
    sex = models.CharField(max_length=20, choices=SEX_CHOICES, default="unknown")
    birth_date = models.DateField(null=True, blank=True)
    birth_date_accuracy = models.CharField(max_length=20, choices=ACCURACY_CHOICES, default="unknown")
    birth_date_latest = models.DateField(null=True, blank=True)  # second bound of "between"
    death_date = models.DateField(null=True, blank=True)
    death_date_accuracy = models.CharField(max_length=20, choices=ACCURACY_CHOICES, default="accurate")
    death_date_latest = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=limits.NHS_NUMBER_DIGITS, blank=True, db_index=True)
    phone = models.CharField(max_length=limits.PHONE_MAX, blank=True)
    phone_masked = models.BooleanField(default=False)
    email = models.CharField(max_length=limits.EMAIL_MAX, blank=True)
    seen_directly_on = models.DateField(null=True, blank=True)
    # Provenance of key fields: {"birth_date": {"source": ..., "detail": ..., "by": ..., "at": ...}}
    provenance = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or NAME_NOT_KNOWN


class OtherName(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=20, choices=NAME_KIND_CHOICES)
    given_name = models.CharField(max_length=limits.NAME_MAX, blank=True)
    family_name = models.CharField(max_length=limits.NAME_MAX, blank=True)


class PersonFact(Provenanced):
    """An answer about a person that is not a structural field (see core.model.Fact)."""

    # no index of its own: the unique (person, key) one begins with it
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="facts", db_index=False)
    key = models.CharField(max_length=limits.FACT_KEY_MAX)
    value = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_fact_per_key")]


class FamilyNetwork(models.Model):
    """The people that matter to one or more index children."""

    name = models.CharField(max_length=limits.NETWORK_NAME_MAX)
    teams: models.ManyToManyField[Team, Allocation] = models.ManyToManyField(
        Team, through="Allocation", related_name="networks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Closed: kept, read-only and off every worklist until reopened
    # (``kinmap.records.lifecycle``); the reasons are in the audit trail.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Allocation(models.Model):
    """A team's legitimate relationship with a family network."""

    # no index of its own: the unique (network, team) one begins with it, and
    # answers whether a family is allocated to a team from the index alone
    # for a family allocated elsewhere (the worklists and supervision ask it
    # of each family they walk in order of its gap summary: two buffers a
    # family rather than three, when the planner took the network's own index)
    network = models.ForeignKey(
        FamilyNetwork, on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "team"], name="one_allocation_per_team")]


class NetworkMember(models.Model):
    # no index of its own: the unique (network, person) one begins with it
    network = models.ForeignKey(
        FamilyNetwork, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    is_index = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)
    history = RecordHistory(get_user=history_user)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "person"], name="person_once_per_network")]


class Relationship(Provenanced, Dated):
    """``from_person`` is <type> of ``to_person``; stored once, read from both sides."""

    # no index of its own: the unique (from_person, to_person, type) one begins with it
    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from", db_index=False
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    type = models.CharField(max_length=30, choices=REL_CHOICES)
    # how a legal parent (PRN) is one: a kinmap.core.vocab.LegalParentBasis code; empty otherwise
    legal_basis = models.CharField(max_length=20, blank=True, choices=LEGAL_BASIS_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_person", "to_person", "type"], name="relationship_once"),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")), name="relationship_not_self"
            ),
        ]


class Household(Provenanced):
    """An address where people live."""

    address_line_1 = models.CharField(max_length=limits.ADDRESS_LINE_MAX, blank=True)
    address_line_2 = models.CharField(max_length=limits.ADDRESS_LINE_MAX, blank=True)
    town = models.CharField(max_length=limits.TOWN_MAX, blank=True)
    postcode = models.CharField(max_length=limits.POSTCODE_MAX, blank=True)
    masked = models.BooleanField(default=False)


class Residence(Provenanced, Dated):
    """A person living at a household over a period (end empty: still there)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residences")


class CareArrangement(Provenanced, Dated):
    carer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_given")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_received")
    place = models.CharField(max_length=20, choices=PLACE_CHOICES)
    frequency = models.CharField(max_length=limits.FREQUENCY_MAX, blank=True)
    overnight = models.BooleanField(default=False)
    supervised = models.BooleanField(default=False)
    sleep_place = models.CharField(max_length=limits.SLEEP_PLACE_MAX, blank=True)


class ParentalResponsibility(Provenanced, Dated):
    """One period of a person's parental responsibility for a child: held (or
    not) on ``basis`` from ``start`` to ``end`` (empty: still running). A person
    can hold it, lose it and regain it, one record per period
    (``kinmap.core.responsibility``).

    Under a care order (Children Act 1989 s31, s33(3)) the holder is an
    organisation, not a person: the designated local authority, named in
    ``local_authority``, with ``person`` empty and basis "court-order". Such a
    row is a :class:`kinmap.core.model.CareOrder` in the core; every other row
    has a person and no local authority (``pr_holder_is_person_or_authority``)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="pr_held", null=True, blank=True
    )
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pr_over")
    basis = models.CharField(max_length=30, choices=PR_CHOICES)
    # the designated local authority under a care order; empty for a person's record
    local_authority = models.CharField(max_length=limits.LOCAL_AUTHORITY_MAX, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(local_authority=""))
                | (
                    models.Q(person__isnull=True)
                    & ~models.Q(local_authority="")
                    & models.Q(basis="court-order")
                ),
                name="pr_holder_is_person_or_authority",
            )
        ]


def pr_holder_id(row: Any) -> int:
    """The id of the person who holds a parental responsibility row (or its
    history row, as at a past moment); ValueError for a care order (the local
    authority holds it), which callers keep apart."""
    person_id: int | None = row.person_id
    if person_id is None:
        raise ValueError(f"Parental responsibility record {row.pk} is a care order: no person holds it")
    return person_id
