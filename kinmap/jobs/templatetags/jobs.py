"""``{% recompute_status %}``: the newest background recompute on the rule
settings page, with a link to its progress page (nothing if there is none)."""

from __future__ import annotations

from typing import Any

from django import template

from kinmap.jobs.services import family_recompute_progress_read

register = template.Library()


@register.inclusion_tag("jobs/_status.html")
def recompute_status() -> dict[str, Any]:
    """One query: the newest run and its progress (its lanes summed), or
    ``{"p": None}``."""
    return {"p": family_recompute_progress_read()}
