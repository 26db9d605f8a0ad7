"""``{% recompute_status %}``: the newest background recompute on the rule
settings page, with a link to its progress page (nothing if there is none)."""

from __future__ import annotations

from typing import Any

from django import template

from kinmap.jobs.models import FamilyRecompute
from kinmap.jobs.services import family_recompute_progress

register = template.Library()


@register.inclusion_tag("jobs/_status.html")
def recompute_status() -> dict[str, Any]:
    """One query: the newest run and its progress, or ``{"p": None}``."""
    run = FamilyRecompute.objects.order_by("-pk").first()
    return {"p": family_recompute_progress(run) if run is not None else None}
