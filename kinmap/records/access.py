"""Who may see which family record.

One function per kind of object. Each answers ``Http404`` alike for a record
that does not exist and one the user may not see, so that nobody can learn
that a family exists by guessing its number.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit import context as audit_context
from kinmap.audit.services import audit_record

from . import models as m

# Roles that work with families. An information officer sees a family only
# through a request addressed to their agency (kinmap.sharing.access); an
# administrator manages users and allocations and an auditor reads the audit
# trail, and neither thereby reads families.
FAMILY_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})


def access_basis(user: User, network_id: int) -> str | None:
    """Why the user may see this family network now, in words for the audit
    trail ("allocated to <team>", "break-glass: <reason>"), or None."""
    if not user.is_authenticated or not user.is_active or not user.team_id or user.role not in FAMILY_ROLES:
        return None
    today = date.today()
    allocated = (
        m.Allocation.objects.filter(network_id=network_id, team_id=user.team_id, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .exists()
    )
    if allocated:
        return f"allocated to {user.team.name if user.team else 'their team'}"
    from kinmap.sharing.models import BreakGlassAccess

    now = timezone.now()
    grant = (
        BreakGlassAccess.objects.filter(user=user, network_id=network_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
    if grant is not None:
        return f"break-glass: {grant.reason}"
    return None


def can_see_network(user: User, network_id: int) -> bool:
    return access_basis(user, network_id) is not None


def network_for_user(user: User, network_id: int) -> m.FamilyNetwork:
    """The family network, if the user may see it; records the read (once per
    request) with the basis of the access as its reason."""
    network = m.FamilyNetwork.objects.filter(pk=network_id).first()
    basis = access_basis(user, network_id) if network is not None else None
    if network is None or basis is None:
        raise Http404("No family network found")
    ctx = audit_context.current()
    if network.pk not in ctx.networks_read:
        ctx.networks_read.add(network.pk)
        audit_record(
            actor=user,
            action="view",
            object_type="network",
            object_id=network.pk,
            network_id=network.pk,
            reason=basis,
        )
    return network


def person_for_user(user: User, network: m.FamilyNetwork, person_id: int) -> m.Person:
    """A person, seen through a network the user may see; they must be a member."""
    member = (
        m.NetworkMember.objects.filter(network=network, person_id=person_id).select_related("person").first()
    )
    if member is None:
        raise Http404("No person found")
    return member.person


def _in_network(network: m.FamilyNetwork, *person_ids: int) -> bool:
    return m.NetworkMember.objects.filter(network=network, person_id__in=person_ids).exists()


def relationship_for_user(user: User, network: m.FamilyNetwork, rel_id: int) -> m.Relationship:
    rel = m.Relationship.objects.filter(pk=rel_id).first()
    if rel is None or not _in_network(network, rel.from_person_id, rel.to_person_id):
        raise Http404("No relationship found")
    return rel


def care_for_user(user: User, network: m.FamilyNetwork, care_id: int) -> m.CareArrangement:
    care = m.CareArrangement.objects.filter(pk=care_id).first()
    if care is None or not _in_network(network, care.child_id):
        raise Http404("No care arrangement found")
    return care


def residence_for_user(user: User, network: m.FamilyNetwork, residence_id: int) -> m.Residence:
    res = m.Residence.objects.filter(pk=residence_id).select_related("household").first()
    if res is None or not _in_network(network, res.person_id):
        raise Http404("No household found")
    return res


def household_for_user(user: User, network: m.FamilyNetwork, household_id: int) -> m.Household:
    """An address, seen through a network in which someone lives or lived there."""
    household = m.Household.objects.filter(pk=household_id).first()
    if (
        household is None
        or not m.Residence.objects.filter(household=household, person__memberships__network=network).exists()
    ):
        raise Http404("No household found")
    return household


def pr_for_user(user: User, network: m.FamilyNetwork, pr_id: int) -> m.ParentalResponsibility:
    pr = m.ParentalResponsibility.objects.filter(pk=pr_id).first()
    if pr is None or not _in_network(network, pr.child_id):
        raise Http404("No parental responsibility record found")
    return pr
