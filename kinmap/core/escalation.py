"""When a gap is flagged for the supervisor. Plain Python, no Django.

A gap is flagged when:

- it is critical and still open after a number of contacts at which it was
  shown, or a number of days since it opened (whichever comes first);
- it has been declined a number of times (twice, by default);
- it is about someone who gives overnight care to a baby under one.

The thresholds are a partnership's to tune (the ``escalation`` rule setting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

CRITICAL = "critical"


class EscalationSettingsError(ValueError):
    """A threshold that cannot be used. ``field`` names it; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class EscalationSettings:
    after_contacts: int = 2  # a critical gap still open after this many contacts
    after_days: int = 28  # ... or this many days since it opened
    after_declines: int = 2  # any gap declined this many times

    LABELS = {
        "after_contacts": "Contacts before a critical gap is flagged",
        "after_days": "Days before a critical gap is flagged",
        "after_declines": "Declines before a gap is flagged",
    }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> EscalationSettings:
        """Build from stored or entered values; refuse unknown names and values
        that are not whole numbers of at least 1."""
        known = {f.name for f in fields(cls)}
        for name in params:
            if name not in known:
                raise EscalationSettingsError(name, f"'{name}' is not an escalation setting")
        values: dict[str, int] = {}
        for name in known:
            if name not in params:
                continue
            raw = params[name]
            label = cls.LABELS[name]
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                raise EscalationSettingsError(name, f"{label} must be a whole number")
            try:
                value = int(raw)
            except ValueError:
                raise EscalationSettingsError(name, f"{label} must be a whole number") from None
            if value < 1:
                raise EscalationSettingsError(name, f"{label} must be at least 1")
            if value > 3650:
                raise EscalationSettingsError(name, f"{label} must be at most 3650")
            values[name] = value
        return cls(**values)

    def as_params(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class GapStatus:
    """What escalation needs to know about one open gap."""

    severity: str
    opened_on: date
    times_prompted: int = 0  # contacts at which it was shown
    times_declined: int = 0
    # The subject gives overnight care to a child who is under one until this
    # date (the child's first birthday); None when they give no such care.
    overnight_infant_until: date | None = None


def escalation_reasons(gap: GapStatus, today: date, settings: EscalationSettings) -> list[str]:
    """Why the gap is flagged for the supervisor, in words; empty when it is not."""
    out: list[str] = []
    if gap.severity == CRITICAL:
        if gap.times_prompted >= settings.after_contacts:
            out.append(f"Critical and still open after {_n(gap.times_prompted, 'contact')}")
        days = (today - gap.opened_on).days
        if days >= settings.after_days:
            out.append(f"Critical and open for {_n(days, 'day')}")
    if gap.times_declined >= settings.after_declines:
        out.append(f"Declined {_times(gap.times_declined)}")
    if gap.overnight_infant_until is not None and today < gap.overnight_infant_until:
        out.append("About someone who has a baby under one overnight")
    return out


def is_flagged(gap: GapStatus, today: date, settings: EscalationSettings) -> bool:
    return bool(escalation_reasons(gap, today, settings))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
