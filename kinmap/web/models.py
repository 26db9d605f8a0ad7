"""What the pages shared by every part of kinmap keep: the forms already sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """One sending of a form, by its one-time ``token`` (a random 32-digit hex
    string put in the form when the page was drawn: ``{% submission_token %}``).

    The unique token makes a second sending of the same form (a double click,
    the back button and send again, two tabs) find the first instead of doing
    the work twice; ``location`` is where the first sending led (its redirect),
    empty while it is still being handled. Rows are removed after
    :data:`kinmap.web.submissions.KEEP` (``form_submissions_expire``)."""

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    location = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.path} ({self.at:%Y-%m-%d %H:%M})"
