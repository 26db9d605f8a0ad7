"""Who may see which information request. Like ``kinmap.records.access``: one
function per kind of object, ``Http404`` alike for missing and forbidden.

An information officer sees a family only to the extent of answering a request
addressed to their agency: the request page shows who is asking and why, and
the person asked about (name, date of birth, NHS number, sex: what is needed
to find them in the agency's own records), never the family page, other
people, addresses or telephone numbers. Each look is audited against the
family network.
"""

from __future__ import annotations

from django.http import Http404

from kinmap.accounts.models import Role, User
from kinmap.records import models as rm
from kinmap.records.access import record_read

from .models import InformationRequest


def request_for_officer(user: User, request_id: int) -> InformationRequest:
    """A request addressed to the officer's agency."""
    agency = user.agency if user.is_authenticated and user.team_id else None
    if agency is None or user.role != Role.INFORMATION_OFFICER:
        raise Http404("No information request found")
    req = (
        InformationRequest.objects.filter(pk=request_id, to_agency=agency)
        .select_related(
            "person", "matched_person", "network", "requested_by", "requested_by_team__agency", "to_agency"
        )
        .first()
    )
    if req is None:
        raise Http404("No information request found")
    return req


def request_in_network(user: User, network: rm.FamilyNetwork, request_id: int) -> InformationRequest:
    """A request about a network the user may already see (see
    ``records.access.network_for_user``)."""
    req = InformationRequest.objects.filter(pk=request_id, network=network).first()
    if req is None:
        raise Http404("No information request found")
    record_read(user, network)
    return req
