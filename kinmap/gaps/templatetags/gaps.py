"""The family page's "What we still need to know" section, from the gaps app,
so the family page needs only one line to show it."""

from __future__ import annotations

from typing import Any

from django import template

from kinmap.accounts.models import User
from kinmap.records import models as rm

from .. import selectors

register = template.Library()


@register.inclusion_tag("gaps/_family_gaps.html")
def family_gaps(network: rm.FamilyNetwork, user: User) -> dict[str, Any]:
    """Open gaps, most severe and oldest first, with why we ask (four queries)."""
    return {
        "network": network,
        "gaps": selectors.family_gaps(network),
        "open_contact": selectors.open_contact(network, user),
        "is_supervisor": user.role == "supervisor",
    }
