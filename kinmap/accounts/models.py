"""Agencies, their teams, and the people who sign in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Agency(models.Model):
    """A partner agency: a health trust, children's social care, police, ..."""

    class Kind(models.TextChoices):
        HEALTH = "health", "Health"
        SOCIAL_CARE = "social-care", "Children's social care"
        EARLY_HELP = "early-help", "Early help"
        POLICE = "police", "Police"
        EDUCATION = "education", "Education"
        ADULT_SERVICES = "adult-services", "Adult services"
        PARTNERSHIP = "partnership", "Safeguarding partnership"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    # The person who leads on safeguarding in the agency (the designated
    # safeguarding lead: Working Together to Safeguard Children 2023, Keeping
    # Children Safe in Education). Told of emergency access used by a member of
    # a team with no supervisor to tell.
    designated_safeguarding_lead = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="safeguarding_lead_for"
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    # no index of its own: the unique (agency, name) one begins with it
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams", db_index=False)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    INFORMATION_OFFICER = "information-officer", "Information officer"
    ADMINISTRATOR = "administrator", "Partnership administrator"
    AUDITOR = "auditor", "Auditor"


class User(AbstractUser):
    """A person who signs in. Belongs to one team (and so one agency) and has one role."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=100, blank=True)

    @property
    def agency(self) -> Agency | None:
        return self.team.agency if self.team_id and self.team else None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class MaskedDetailEntitlement(models.Model):
    """Users with this role in this agency may see masked addresses and telephone
    numbers (for the families they may see at all)."""

    # no index of its own: the unique (agency, role) one begins with it
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="masked_entitlements", db_index=False
    )
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "role"], name="one_entitlement_per_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.agency.name}"
