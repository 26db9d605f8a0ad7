"""Masked details: shown only to users entitled to them, never anywhere else."""

from __future__ import annotations

from typing import Protocol

from kinmap.accounts.models import MaskedDetailEntitlement, User

MASKED_TEXT = "Masked: you are not entitled to see this"


class _HasAddress(Protocol):
    """A household row or a core household (read-only fields)."""

    @property
    def masked(self) -> bool: ...
    @property
    def address_line_1(self) -> str: ...
    @property
    def address_line_2(self) -> str: ...
    @property
    def town(self) -> str: ...
    @property
    def postcode(self) -> str: ...


def can_see_masked(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.team_id:
        return False
    cached = getattr(user, "_kinmap_sees_masked", None)
    if cached is None:
        agency_id = user.team.agency_id if user.team else 0
        cached = MaskedDetailEntitlement.objects.filter(agency_id=agency_id, role=user.role).exists()
        user._kinmap_sees_masked = cached  # type: ignore[attr-defined]
    return bool(cached)


def address_for(h: _HasAddress, user: User | None) -> str:
    if h.masked and not can_see_masked(user):
        return MASKED_TEXT
    parts = [h.address_line_1, h.address_line_2, h.town, h.postcode]
    return ", ".join(p for p in parts if p) or "Address not recorded"


def phone_for(phone: str, masked: bool, user: User | None) -> str:
    if not phone:
        return ""
    if masked and not can_see_masked(user):
        return MASKED_TEXT
    return phone


# -- exports, packs and any other output that leaves the page -------------
#
# An export made at the command line runs as the user named with ``--as`` and
# leaves out masked details unless they ask for them with ``--include-masked``,
# which only a user entitled to see them may do, with a reason, both audited
# (``kinmap.records.family_file.family_file_export_audited``). An export made by a signed-in
# user follows that user's entitlement: ``include_masked=can_see_masked(user)``.
# Whatever is left out is replaced by nothing at all (not a placeholder that
# says a value exists), and a ``masked`` flag says that something was withheld.


def export_phone(phone: str, masked: bool, *, include_masked: bool) -> str:
    """The telephone number to put in an export: empty when it is masked and
    masked details are not included."""
    if masked and not include_masked:
        return ""
    return phone


def export_address(h: _HasAddress, *, include_masked: bool) -> dict[str, str | bool]:
    """The address lines to put in an export: all empty when the address is
    masked and masked details are not included."""
    if h.masked and not include_masked:
        return {"address_line_1": "", "address_line_2": "", "town": "", "postcode": "", "masked": True}
    return {
        "address_line_1": h.address_line_1,
        "address_line_2": h.address_line_2,
        "town": h.town,
        "postcode": h.postcode,
        "masked": h.masked,
    }
