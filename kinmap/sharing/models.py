"""Break-glass access, notifications, information requests between agencies, and
the log of decisions to share or not to share.

Break-glass lives here rather than in ``kinmap.accounts``: a grant names a
family network, and ``accounts`` sits below ``records`` (records depend on
accounts, not the reverse). This app depends on both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kinmap.accounts.models import Agency, Team
from kinmap.records.models import FamilyNetwork, Person


class BreakGlassAccess(models.Model):
    """Time-limited access to a family network the user's team is not allocated
    to, for an emergency. Asks for a reason, is audited, and tells the team's
    supervisors."""

    DEFAULT_HOURS = 2
    MAX_HOURS = 24

    # no index of its own: the (user, network, ends_at) index begins with it
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    network = models.ForeignKey(FamilyNetwork, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "network", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="bg_ends_after"
            )
        ]


class Notification(models.Model):
    """A message for one user, listed on their Notifications page."""

    # no index of its own: the (recipient, read_at) index begins with it
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class LawfulBasis(models.TextChoices):
    """The lawful bases a practitioner may choose when asking for, or deciding to
    share, personal information about a family (UK GDPR and the Data Protection
    Act 2018). Safeguarding is the usual one; the others exist for the cases
    that are not."""

    SAFEGUARDING = (
        "safeguarding",
        "Public task (UK GDPR Art 6(1)(e)) with substantial public interest (Art 9(2)(g)): "
        "safeguarding of children and individuals at risk (DPA 2018 Sch 1 para 18)",
    )
    HEALTH_CARE = (
        "health-care",
        "Public task (UK GDPR Art 6(1)(e)) with health or social care (Art 9(2)(h); DPA 2018 Sch 1 para 2)",
    )
    LEGAL_DUTY = (
        "legal-duty",
        "Legal obligation (UK GDPR Art 6(1)(c)): a statutory enquiry or duty to co-operate "
        "(Children Act 1989 s47, Children Act 2004 s11)",
    )
    VITAL_INTERESTS = (
        "vital-interests",
        "Vital interests (UK GDPR Art 6(1)(d), Art 9(2)(c)): a life is at immediate risk",
    )
    CRIME = (
        "crime",
        "Prevention or detection of crime (DPA 2018 Sch 2 para 2, Sch 1 para 10) with public task",
    )
    CONSENT = (
        "consent",
        "Consent of the person (UK GDPR Art 6(1)(a), Art 9(2)(a)), freely given and recorded",
    )


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: a child may be at immediate risk (1 working day)"
    STANDARD = "standard", "Standard (5 working days)"
    ROUTINE = "routine", "Routine (10 working days)"


# How many working days the receiving agency has to answer.
WORKING_DAYS_TO_ANSWER = {Urgency.URGENT: 1, Urgency.STANDARD: 5, Urgency.ROUTINE: 10}


class InformationRequest(models.Model):
    """A practitioner asks a partner agency for one missing fact about a person.

    ``what`` names the fact (see ``kinmap.sharing.facts``): a person field
    (``birth_date``, ``phone``, ...), ``address``, or ``fact:<key>`` for an
    answer kept as a :class:`~kinmap.records.models.PersonFact`. ``gap_key`` is
    the stable key of the gap the request was raised from, if any
    ("rule_id:subject_kind:subject_id[:child_id]"): answering records the fact
    through the records services, which is what closes the gap.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    # no index of its own: the (network, requested_at) index begins with it
    network = models.ForeignKey(FamilyNetwork, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # Asked from a search (kinmap.matching.search): the person the search found
    # in a network of the agency asked, which the asker may not see. Shown to
    # the agency's information officers only, never to the asker.
    matched_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=80)
    gap_key = models.CharField(max_length=200, blank=True, db_index=True)
    # no index of its own: the (requested_by, status, due_on) index begins with it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requested_by_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # no index of its own: the (to_agency, status, due_on) index begins with it
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="information_requests", db_index=False
    )
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    purpose = models.TextField()
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.STANDARD)
    requested_at = models.DateTimeField()
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # What was done, in words that never carry the value itself (which may be
    # masked): "Date of birth recorded", "Declined".
    outcome = models.CharField(max_length=200, blank=True)
    decline_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["to_agency", "status", "due_on"]),
            models.Index(fields=["requested_by", "status", "due_on"]),
            models.Index(fields=["network", "requested_at"]),
        ]


class SharingDecision(models.Model):
    """One decision to share, or not to share, information about a family."""

    class Decision(models.TextChoices):
        SHARE = "share", "Shared"
        NOT_SHARE = "not-share", "Not shared"

    # no index of its own: the (network, decided_at) index begins with it
    network = models.ForeignKey(FamilyNetwork, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        InformationRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    what = models.CharField(max_length=300)
    with_whom = models.CharField(max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by_agency = models.CharField(max_length=200)
    decided_at = models.DateTimeField()
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    rationale = models.TextField()
    family_told = models.BooleanField()
    family_not_told_reason = models.TextField(blank=True)
    # when it came in a family file from another system (``decided_at`` is kept)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["network", "decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(family_told=True) | ~models.Q(family_not_told_reason=""),
                name="not_told_needs_reason",
            )
        ]
