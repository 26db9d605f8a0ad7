""" "As at": a family as it had been recorded by the end of a chosen day, from
the ``as_at`` GET parameter (``YYYY-MM-DD``) of the family page and the
genogram downloads. A date that is not a real date, or is in the future, is
refused with a GOV.UK error message (the page then shows the family as it is
now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.records import models as m

PARAM = "as_at"


@dataclass(frozen=True)
class AsAt:
    """The chosen day (None: now), the text given, and the error in words."""

    day: date | None = None
    given: str = ""
    error: str = ""

    @property
    def moment(self) -> datetime | None:
        """The end of the chosen day in the local time zone (aware), or None."""
        if self.day is None:
            return None
        return timezone.make_aware(datetime.combine(self.day, time.max))

    @property
    def query(self) -> str:
        """``?as_at=YYYY-MM-DD`` to carry the day to a download, or ""."""
        return f"?{PARAM}={self.day.isoformat()}" if self.day else ""

    @property
    def words(self) -> str:
        return f"{self.day.day} {self.day:%B %Y}" if self.day else ""


def as_at_from(params: QueryDict) -> AsAt:
    """Read ``as_at`` from a query string. Empty or absent: now."""
    given = params.get(PARAM, "").strip()
    if not given:
        return AsAt()
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return AsAt(given=given, error="Enter a real date, like 2026-01-04")
    if len(given) != 10:
        return AsAt(given=given, error="Enter a real date, like 2026-01-04")
    if day > timezone.localdate():
        return AsAt(given=given, error="The date must be today or in the past")
    return AsAt(day=day, given=given)


def read_only(context: dict[str, Any]) -> dict[str, Any]:
    """The family page's context with every change link turned off."""
    for section in ("households", "care", "relationships", "pr"):
        for row in context.get(section, []):
            row["changeable"] = False
            for stay in row.get("stays", []):
                stay["changeable"] = False
    return context


def as_at_audit(user: User, network: m.FamilyNetwork, as_at: AsAt, what: str = "network") -> None:
    """Record in the audit trail that ``user`` looked at ``what`` of the family
    as at a day (the read itself is recorded by the access function)."""
    audit_record(
        actor=user,
        action="view",
        object_type=f"{what}-as-at",
        object_id=network.pk,
        network_id=network.pk,
        changes={"as_at": [None, as_at.day.isoformat() if as_at.day else None]},
    )


def bad_as_at(request: HttpRequest, network: m.FamilyNetwork, as_at: AsAt) -> HttpResponse:
    """A download asked for as at a day that is not a real one, or is in the
    future: a GOV.UK error page (400) with the way back."""
    return render(request, "chronology/bad_date.html", {"network": network, "as_at": as_at}, status=400)
