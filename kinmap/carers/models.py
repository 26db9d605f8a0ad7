"""Safety information for carers: the partnership's materials, what reached
which carer and how, and joint appointments offered to carers who live
elsewhere. Models hold data only; changes go through ``kinmap.carers.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kinmap.core import limits
from kinmap.core.vocab import CONTACT_TYPE_LABELS, INFO_HOW_LABELS, INVITATION_OUTCOME_LABELS
from kinmap.records.models import FamilyNetwork, Person

AUDIENCE_LABELS = {
    "all": "All carers",
    "fathers": "Fathers and male carers",
    "parents": "Parents",
    "overnight": "Carers who have the baby overnight",
}
FORMAT_LABELS = {"leaflet": "Printed leaflet", "web": "Web link", "pdf": "PDF"}

AUDIENCE_CHOICES = list(AUDIENCE_LABELS.items())
FORMAT_CHOICES = list(FORMAT_LABELS.items())
HOW_CHOICES = [(k.value, v) for k, v in INFO_HOW_LABELS.items()]
OUTCOME_CHOICES = [(k.value, v) for k, v in INVITATION_OUTCOME_LABELS.items()]
CONTACT_TYPE_CHOICES = list(CONTACT_TYPE_LABELS.items())


class Material(models.Model):
    """A leaflet, web page or document the partnership gives to carers."""

    code = models.SlugField(max_length=limits.MATERIAL_CODE_MAX, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    audience = models.CharField(max_length=20, choices=AUDIENCE_CHOICES, default="all")
    # Due while the child's age in days is within [due_from_days, due_to_days] (empty: open).
    due_from_days = models.PositiveIntegerField(null=True, blank=True)
    due_to_days = models.PositiveIntegerField(null=True, blank=True)
    formats = models.JSONField(default=list, blank=True)  # codes of FORMAT_LABELS
    languages = models.JSONField(default=list, blank=True)  # ["English", "Polish", ...]
    url = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class JointAppointment(models.Model):
    """A carer who lives elsewhere invited to a coming contact with the child."""

    network = models.ForeignKey(FamilyNetwork, on_delete=models.CASCADE, related_name="joint_appointments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="joint_appointments")
    contact_on = models.DateField()
    contact_type = models.CharField(max_length=20, choices=CONTACT_TYPE_CHOICES)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, default="pending")
    outcome_note = models.CharField(max_length=limits.OUTCOME_NOTE_MAX, blank=True)
    invited_on = models.DateField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["contact_on", "pk"]


class InformationGiven(models.Model):
    """A material that reached a carer (how, when, from whom), or was offered and declined."""

    network = models.ForeignKey(FamilyNetwork, on_delete=models.CASCADE, related_name="information_given")
    # no index of its own: the (person, material) index begins with it
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="information_received", db_index=False
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="given")
    how = models.CharField(max_length=20, choices=HOW_CHOICES)
    given_on = models.DateField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    declined = models.BooleanField(default=False)
    declined_reason = models.TextField(blank=True)
    appointment = models.ForeignKey(
        JointAppointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="information"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_on", "pk"]
        indexes = [models.Index(fields=["person", "material"])]
