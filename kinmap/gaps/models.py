"""Information requirements in use, the gaps they find in each family, the
contacts at which gaps are revisited, and supervisors' decisions.

Models hold data only. The rules are in ``kinmap.core.rules``; changes go
through ``kinmap.gaps.services``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from kinmap.records.models import FamilyNetwork, Household, Person


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    IMPORTANT = "important", "Important"
    ROUTINE = "routine", "Routine"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.IMPORTANT: 1, Severity.ROUTINE: 2}


class GapState(models.TextChoices):
    """FHIR data-absent-reason codes, and resolved."""

    NOT_ASKED = "not-asked", "Not asked"
    ASKED_UNKNOWN = "asked-unknown", "Asked: not known"
    ASKED_DECLINED = "asked-declined", "Asked: declined"
    TEMP_UNKNOWN = "temp-unknown", "Not known yet: will find out"
    MASKED = "masked", "Masked"
    NOT_APPLICABLE = "not-applicable", "Not applicable"
    RESOLVED = "resolved", "Resolved"


ABSENT_STATES = (
    GapState.ASKED_UNKNOWN,
    GapState.ASKED_DECLINED,
    GapState.TEMP_UNKNOWN,
    GapState.MASKED,
    GapState.NOT_APPLICABLE,
)


class NotApplicable(models.TextChoices):
    NONE = "", "Not asked for"
    PENDING = "pending", "Waiting for a supervisor to agree"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Not agreed by a supervisor"


class RuleSetting(models.Model):
    """A partnership's choice for one rule: on or off, and its thresholds.

    A rule with no row uses its defaults. ``rule_id`` ``escalation`` holds the
    thresholds for flagging gaps to supervisors.
    """

    rule_id = models.CharField(max_length=60, unique=True)
    enabled = models.BooleanField(default=True)
    params = models.JSONField(default=dict, blank=True)
    # The partnership's own words and severity; blank: kinmap's default.
    severity = models.CharField(max_length=20, blank=True)
    why_we_ask = models.TextField(blank=True)
    suggested_wording = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.rule_id


class RuleSettingChange(models.Model):
    """Every change to a rule setting, with who made it and why."""

    rule_id = models.CharField(max_length=60, db_index=True)
    enabled_before = models.BooleanField()
    enabled_after = models.BooleanField()
    params_before = models.JSONField(default=dict, blank=True)
    params_after = models.JSONField(default=dict, blank=True)
    # {"severity": ..., "why_we_ask": ..., "suggested_wording": ...}; blank: the default
    wording_before = models.JSONField(default=dict, blank=True)
    wording_after = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-at", "-pk"]


class Gap(models.Model):
    """One information requirement unmet for one subject in one family network."""

    # no index of its own: the unique (network, key) and the index on
    # (network, resolved_at) both begin with it, and serve every lookup by
    # family (one index fewer to write for each of the area's 1.9 million gaps)
    network = models.ForeignKey(FamilyNetwork, on_delete=models.CASCADE, related_name="gaps", db_index=False)
    key = models.CharField(max_length=200)  # rule_id:subject_kind:subject_id[:child_id]
    rule_id = models.CharField(max_length=60)
    subject_kind = models.CharField(max_length=30)  # person, relationship, care, household, child, network
    subject_id = models.CharField(max_length=200, blank=True)  # a record id, or another gap's key
    child_id = models.BigIntegerField(null=True, blank=True)
    subject_name = models.CharField(max_length=300, blank=True)  # whom it is about, in words
    severity = models.CharField(max_length=20, choices=Severity.choices)
    state = models.CharField(max_length=20, choices=GapState.choices, default=GapState.NOT_ASKED)
    detail = models.TextField(blank=True)  # what is missing, in words
    missing = models.JSONField(default=list, blank=True)  # the fields or facts missing
    opened_at = models.DateTimeField()  # when kinmap found the gap
    # The day the requirement first applied (the birth, the day a care
    # arrangement began, the day ICON was due: ``kinmap.core.rules.open_since``),
    # or the day it was recorded or found when the family's dates do not tell;
    # ``open_since_basis`` says which (an ``OpenSinceBasis`` code). Escalation by
    # age and "oldest open" use it.
    open_since = models.DateField()
    open_since_basis = models.CharField(max_length=20, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    times_prompted = models.PositiveIntegerField(default=0)  # contacts at which it was shown
    times_declined = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    # The subject gives overnight care to a baby under one until this date.
    overnight_infant_until = models.DateField(null=True, blank=True)
    # not-applicable: the justification, and a supervisor's agreement for a critical gap
    na_status = models.CharField(max_length=10, choices=NotApplicable.choices, default="", blank=True)
    na_justification = models.TextField(blank=True)
    # indexed only where set (gap_na_agreed_by below): few gaps are agreed not applicable
    na_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    na_agreed_at = models.DateTimeField(null=True, blank=True)
    # when it came in a family file from another system (its own times are kept)
    imported_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "key"], name="one_gap_per_key")]
        indexes = [
            models.Index(fields=["network", "resolved_at"]),
            models.Index(fields=["rule_id"]),
            # waiting for a supervisor to agree it does not apply
            models.Index(
                fields=["network", "opened_at"],
                condition=models.Q(na_status="pending", resolved_at__isnull=True),
                name="gap_na_pending",
            ),
            # the gaps ever declined (times_declined counts a gap's decline
            # events), by family: the supervision page finds its team's
            # declines through the team's families, never the area's declines
            models.Index(fields=["network"], condition=models.Q(times_declined__gt=0), name="gap_declined"),
            # who agreed (a user's gaps, as PROTECT checks before a user is
            # deleted), for the few gaps where it is set
            models.Index(
                fields=["na_agreed_by"],
                condition=models.Q(na_agreed_by__isnull=False),
                name="gap_na_agreed_by",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_open(self) -> bool:
        """Still to be asked about at every contact."""
        return self.resolved_at is None and self.na_status != NotApplicable.AGREED


class EventKind(models.TextChoices):
    OPENED = "opened", "Not asked"
    PROMPTED = "prompted", "Shown at a contact"
    ANSWERED = "answered", "Asked"
    NOT_ASKED_THIS_TIME = "not-asked-this-time", "Not asked this time"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    NA_AGREED = "na-agreed", "Not applicable: agreed"
    NA_REFUSED = "na-refused", "Not applicable: not agreed"


class GapEvent(models.Model):
    """One step in a gap's history. Never changed once written."""

    gap = models.ForeignKey(Gap, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    state = models.CharField(max_length=20, choices=GapState.choices, blank=True)  # the answer given
    reason = models.TextField(blank=True)  # in their words / why not asked / justification
    practitioner_view = models.TextField(blank=True)
    from_whom = models.CharField(max_length=200, blank=True)  # temp-unknown: who will say
    declined_by = models.ForeignKey(  # asked-declined: who declined (indexed where set, below)
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # resolved: where the fact came from (kinmap.core.vocab.Source) and who said it
    source = models.CharField(max_length=30, blank=True)
    source_detail = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(  # indexed where set, below: the engine's own steps have none
        "Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="gap_events", db_index=False
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()  # when it was typed
    # answered (including a decline): the day it was asked, which may be before
    # it was typed (recorded after the event); None for the engine's own steps.
    occurred_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # the declines a supervisor reviews, without reading every event
            models.Index(
                fields=["gap", "at"],
                condition=models.Q(kind="answered", state="asked-declined"),
                name="gapevent_declines",
            ),
            # the foreign keys most events leave empty, indexed where set
            # (a contact's events; a person's declines, as SET_NULL finds
            # them when the person is deleted)
            models.Index(
                fields=["contact"], condition=models.Q(contact__isnull=False), name="gapevent_contact"
            ),
            models.Index(
                fields=["declined_by"],
                condition=models.Q(declined_by__isnull=False),
                name="gapevent_declined_by",
            ),
        ]


class ContactType(models.TextChoices):
    ANTENATAL = "antenatal", "Antenatal"
    NEW_BIRTH = "new-birth", "New birth visit (10 to 14 days)"
    WEEKS_6_8 = "6-8-weeks", "6 to 8 week review"
    MONTHS_9_12 = "9-12-months", "9 to 12 month review"
    YEARS_2 = "2-2.5-years", "2 to 2½ year review"
    CLINIC = "clinic", "Clinic"
    HOME_VISIT = "home-visit", "Home visit"
    PHONE = "phone", "Telephone"
    OTHER = "other", "Other"


class Contact(models.Model):
    """An encounter with the family at which open gaps are revisited."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # no index of its own: the (network, status) one begins with it
    network = models.ForeignKey(
        FamilyNetwork, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    type = models.CharField(max_length=20, choices=ContactType.choices)
    date = models.DateField()
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.ManyToManyField(Person, related_name="+", blank=True)
    seen_directly = models.ManyToManyField(Person, related_name="+", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # when it came in a family file from another system (its own times are kept)
    imported_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.date}"


class HouseholdConfirmation(models.Model):
    """At a contact, who lives at a household was checked: no change, or changed."""

    class Outcome(models.TextChoices):
        NO_CHANGE = "no-change", "No change"
        CHANGED = "changed", "Changed (recorded)"

    # no index of its own: the unique (contact, household) one begins with it
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="household_confirmations", db_index=False
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "household"], name="one_confirmation_per_household")
        ]


class Outcome(models.TextChoices):
    PENDING = "", "No outcome yet"
    ANSWERED = "answered", "Answered"
    ABSENT = "absent", "Asked: no answer"
    NOT_ASKED = "not-asked-this-time", "Not asked this time"


class ContactGapOutcome(models.Model):
    """A gap shown at a contact, and what happened to it there."""

    # no index of its own: the unique (contact, gap) one begins with it
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="outcomes", db_index=False)
    gap = models.ForeignKey(Gap, on_delete=models.CASCADE, related_name="contact_outcomes")
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default="", blank=True)
    state = models.CharField(max_length=20, choices=GapState.choices, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "gap"], name="one_outcome_per_gap")]


class SupervisorDecision(models.Model):
    """A supervisor's decision about a family (or one of its gaps) and the actions
    agreed; part of the family's history."""

    network = models.ForeignKey(FamilyNetwork, on_delete=models.CASCADE, related_name="supervisor_decisions")
    gap = models.ForeignKey(Gap, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    decision = models.TextField()
    actions = models.TextField(blank=True)
    # For a gap: a request to another agency for the missing detail was made or
    # considered and decided against (information requirement 14).
    agency_request_considered = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # when it came in a family file from another system (``at`` is kept)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]


class SupervisorAction(models.Model):
    """One action agreed at supervision: what, who will do it (a user who may
    see the family), by when; and who completed it, when."""

    decision = models.ForeignKey(SupervisorDecision, on_delete=models.CASCADE, related_name="action_items")
    # no index of its own: the (network, due) index begins with it
    network = models.ForeignKey(
        FamilyNetwork, on_delete=models.CASCADE, related_name="supervisor_actions", db_index=False
    )
    # no index of its own: the (owner, completed_at) index begins with it
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    description = models.TextField()
    due = models.DateField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["owner", "completed_at"]), models.Index(fields=["network", "due"])]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: date) -> bool:
        """Not done, and the due day has passed."""
        return self.completed_at is None and self.due < today


class GapSummary(models.Model):
    """Each family's open gaps (not resolved, not agreed not to apply), counted:
    what the worklists, the area worklist and the supervision page sort and
    count by, so they read one row a family instead of every gap. Kept by
    :func:`kinmap.gaps.summaries.gap_summaries_refresh` in the transaction of
    every change to the family's gaps; a family without a row has no open gap.

    ``worst_rank`` is the most severe open gap's rank (``SEVERITY_RANK``: 0
    critical .. 2 routine; 9 none); ``oldest_open`` the earliest ``open_since``
    of its open gaps (the day its requirement first applied). The flag
    columns decide whether any open gap is flagged for a supervisor on a
    given day (:func:`kinmap.gaps.summaries.flagged_family_q`): the
    earliest-open and most-prompted open critical gap, the most declined
    open gap, the latest ``overnight_infant_until``."""

    network = models.OneToOneField(
        FamilyNetwork, primary_key=True, on_delete=models.CASCADE, related_name="gap_summary"
    )
    open_count = models.PositiveIntegerField(default=0)
    critical_count = models.PositiveIntegerField(default=0)
    worst_rank = models.PositiveSmallIntegerField(default=9)
    oldest_open = models.DateField(null=True, blank=True)
    critical_oldest = models.DateField(null=True, blank=True)
    critical_prompted_max = models.PositiveIntegerField(null=True, blank=True)
    declined_max = models.PositiveIntegerField(null=True, blank=True)
    overnight_until_max = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # the worklist order, with the family and what flags it for a
            # supervisor: the supervision page walks the index alone
            # (PostgreSQL; SQLite has no INCLUDE and indexes the keys only)
            models.Index(
                fields=["worst_rank", "oldest_open"],
                include=[
                    "network",
                    "critical_oldest",
                    "critical_prompted_max",
                    "declined_max",
                    "overnight_until_max",
                ],
                name="gapsummary_worklist_cover",
            ),
            # the supervision page's oldest open gaps: the families whose oldest
            # open gap is oldest, found by walking this index, not every family
            models.Index(fields=["oldest_open", "network"], name="gapsummary_oldest"),
        ]

    def __str__(self) -> str:
        return f"{self.network_id}: {self.open_count} open"


class TeamGapCounts(models.Model):
    """A team's families and their open gaps counted, as the area worklist
    shows them (without a filter), kept so that the area worklist, the team
    worklist's count and the supervision page's count read one row a team
    instead of every family of it. See :mod:`kinmap.gaps.team_counts`.

    Every change that can alter a team's counts adds a ``TeamCountsChange``
    row in its own transaction; the team's changes so far are
    ``changes_before`` (those folded in here) plus its ``TeamCountsChange``
    rows. The counts are good while ``counted_changes`` equals that number,
    ``counted_on`` is today and ``thresholds`` are the escalation settings in
    force (``after_days/after_contacts/after_declines``): what depends on the
    day (allocations starting or ending, gaps becoming flagged) is counted
    again each day. Counts are None until first counted."""

    team = models.OneToOneField(
        "accounts.Team", primary_key=True, on_delete=models.CASCADE, related_name="gap_counts"
    )
    changes_before = models.PositiveBigIntegerField(default=0)
    counted_changes = models.PositiveBigIntegerField(null=True, blank=True)
    counted_on = models.DateField(null=True, blank=True)
    thresholds = models.CharField(max_length=40, blank=True, default="")
    families = models.PositiveIntegerField(null=True, blank=True)
    families_with_gaps = models.PositiveIntegerField(null=True, blank=True)
    open_count = models.PositiveIntegerField(null=True, blank=True)
    critical_count = models.PositiveIntegerField(null=True, blank=True)
    flagged_families = models.PositiveIntegerField(null=True, blank=True)
    oldest = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"team {self.team_id}: {self.changes_before} changes folded in"


class TeamCountsChange(models.Model):
    """One change that may alter a team's counts (``TeamGapCounts``): only
    ever inserted by a change, so that no change waits for another or for a
    reader; folded into ``TeamGapCounts.changes_before`` by a reader once a
    team has many."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+", db_index=True)

    def __str__(self) -> str:
        return f"team {self.team_id}: change {self.pk}"
