"""The family page's "What we still need to know" section, from the gaps app,
so the family page needs only one line to show it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.records import models as rm

from .. import action_lists, selectors
from ..presenters import family_gap_line, severity_tag_html

register = template.Library()


@register.filter
def severity_tag(severity: str) -> SafeString:
    """A gap's severity (a ``gm.Severity`` value) as a GOV.UK tag:
    ``<strong class="govuk-tag govuk-tag--red">Critical</strong>``, orange for
    important, grey "Routine" for anything else (``gaps/_severity.html``;
    ``presenters.severity_tag_html``)."""
    return severity_tag_html(severity)


@register.inclusion_tag("gaps/_family_gaps.html")
def family_gaps(
    network: rm.FamilyNetwork, user: User, loaded: selectors.FamilyGaps | None = None
) -> dict[str, Any]:
    """Open gaps, most severe and oldest first, with why we ask, and the user's
    open contact: ``loaded`` when the page read them
    (``selectors.family_gaps_from``), else read here (four queries)."""
    if loaded is None:
        loaded = selectors.FamilyGaps(selectors.family_gaps(network), selectors.open_contact(network, user))
    lines = [family_gap_line(v) for v in loaded.gaps]
    return {
        "network": network,
        "network_id": network.pk,
        "gaps": loaded.gaps,
        "lines": lines,
        # the lines as one text, as the template's loop over them wrote it
        "lines_html": SafeString("".join(lines)),
        "open_contact": loaded.open_contact,
        "is_supervisor": user.role == "supervisor",
    }


@register.inclusion_tag("gaps/_supervision_actions.html")
def supervision_actions(
    network: rm.FamilyNetwork, user: User, decisions: list[action_lists.DecisionLine] | None = None
) -> dict[str, Any]:
    """Supervisors' decisions about the family with their actions: who, what, by
    when, done or overdue: ``decisions`` when the page read them
    (``action_lists.family_decisions_from``), else read here (two queries).
    On the family page and at a contact."""
    if decisions is None:
        decisions = action_lists.family_decisions(network, user)
    return {"decisions": decisions, "user": user}


@register.inclusion_tag("gaps/_my_actions.html")
def my_actions(user: User) -> dict[str, Any]:
    """The user's own actions from supervision, for their worklist (three queries,
    and the audit event listing the families they are about)."""
    return {"actions": _audited(user, "my-actions", action_lists.my_open_actions(user))}


@register.inclusion_tag("gaps/_overdue_actions.html")
def overdue_actions(user: User) -> dict[str, Any]:
    """Overdue actions in the supervisor's team's families (two queries, and the
    audit event listing the families they are about)."""
    return {"actions": _audited(user, "overdue-actions", action_lists.team_overdue_actions(user))}


def _audited(user: User, what: str, lines: list[action_lists.ActionLine]) -> list[action_lists.ActionLine]:
    if lines:
        audit_record(
            actor=user,
            action="list",
            object_type=what,
            changes={"networks": [None, sorted({a.action.network_id for a in lines})]},
        )
    return lines


@register.inclusion_tag("gaps/_open_actions.html")
def contact_actions(network: rm.FamilyNetwork, user: User) -> dict[str, Any]:
    """The family's actions from supervision not yet done, with the decision each
    came from, for the contact page (two queries)."""
    lines = [
        (d, a)
        for d in action_lists.family_decisions(network, user)
        for a in d.actions
        if a.action.completed_at is None
    ]
    return {"lines": sorted(lines, key=lambda x: (x[1].action.due, x[1].action.pk)), "user": user}
