"""Who may see which family record.

One function per kind of object. Each answers ``Http404`` alike for a record
that does not exist, one the user may not see, and an id that could not be a
record's (out of range), so that nobody can learn that a family, a person or
an address exists by guessing its number.

An object reached through a family network's URL must belong to that network
by the one membership rule of :mod:`kinmap.records.membership` (a relationship
belongs to a network when both its people are members of it, a stay when its
person is, a household when someone of the network lives or lived there, care
and parental responsibility when the child and the adult are). An object that
belongs to several networks (the father's stay at his flat, when he is in the
networks of children by two mothers) is found only by a user who may see every
one of them: otherwise a practitioner of one family could change what another
family's practitioners rely on without being able to see it. The services
refuse such a change too (:func:`require_every_network`), audit it against
every network the object belongs to and recompute the gaps of each.

A person is the exception: every network they are a member of may record who
they are (name, date of birth, contact details, facts about them); the change
is audited against, and recomputed in, each of their networks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit import context as audit_context
from kinmap.audit.services import audit_record
from kinmap.web.converters import is_object_id
from kinmap.web.kept_queries import KeptQuery, Param, first_of
from kinmap.web.masking import can_see_masked

from . import membership
from . import models as m

# Roles that work with families. An information officer sees a family only
# through a request addressed to their agency (kinmap.sharing.access); an
# administrator manages users and allocations and an auditor reads the audit
# trail, and neither thereby reads families.
FAMILY_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})

T = TypeVar("T", bound=Model)


def _works_with_families(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.team_id and user.role in FAMILY_ROLES)


def _current_allocations(user: User) -> Q:
    today = date.today()
    return Q(allocations__team_id=user.team_id or 0, allocations__start__lte=today) & (
        Q(allocations__end__isnull=True) | Q(allocations__end__gt=today)
    )


def _allocated_now(user: User, network: int | OuterRef) -> QuerySet[m.Allocation]:
    """The allocations of the network to the user's team running today."""
    return _allocated_on(user.team_id or 0, network, date.today())


def _allocated_on(team: int | Param, network: int | OuterRef, day: date | Param) -> QuerySet[m.Allocation]:
    """The allocations of the network to the team running on ``day``."""
    return (
        m.Allocation.objects.filter(Q(network_id=network))
        .filter(team_id=team, start__lte=day)  # type: ignore[misc]
        .filter(Q(end__isnull=True) | Q(end__gt=day))
    )


# a network by pk (Param "pk") with whether it is allocated to a team (Param
# "team") on a day (Param "day"), compiled once per connection
_NETWORK_ALLOCATED: KeptQuery[m.FamilyNetwork] = KeptQuery(
    lambda: first_of(
        m.FamilyNetwork.objects.filter(pk=Param("pk", m.FamilyNetwork._meta.pk)).annotate(
            allocated_to_team=Exists(
                _allocated_on(
                    Param("team", m.Allocation._meta.get_field("team")),
                    OuterRef("pk"),
                    Param("day", m.Allocation._meta.get_field("start")),
                )
            )
        )
    )
)


def _allocated_words(user: User) -> str:
    return f"allocated to {user.team.name if user.team else 'their team'}"


def _break_glass_basis(user: User, network_id: int) -> str | None:
    """The reason of the user's running emergency access to the network, in
    words for the audit trail, or None (one query)."""
    from kinmap.sharing.models import BreakGlassAccess

    now = timezone.now()
    grant = (
        BreakGlassAccess.objects.filter(user=user, network_id=network_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
    return f"break-glass: {grant.reason}" if grant is not None else None


def access_basis(user: User, network_id: int) -> str | None:
    """Why the user may see this family network now, in words for the audit
    trail ("allocated to <team>", "break-glass: <reason>"), or None."""
    if not _works_with_families(user) or not is_object_id(network_id):
        return None
    if _allocated_now(user, network_id).exists():
        return _allocated_words(user)
    return _break_glass_basis(user, network_id)


def can_see_network(user: User, network_id: int) -> bool:
    return access_basis(user, network_id) is not None


def visible_network_ids(user: User) -> set[int]:
    """Every family network the user may see now (allocation or break-glass), in
    two queries."""
    if not _works_with_families(user):
        return set()
    from kinmap.sharing.models import BreakGlassAccess

    now = timezone.now()
    allocated = m.FamilyNetwork.objects.filter(_current_allocations(user)).values_list("pk", flat=True)
    granted = BreakGlassAccess.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now).values_list(
        "network_id", flat=True
    )
    return set(allocated) | set(granted)


def visible_q(user: User, field: str = "network_id") -> Q:
    """The rule of :func:`visible_network_ids` as a condition on ``field`` (a
    network id) of another model's rows, by subqueries: a list of rows the
    user may see is filtered in the database, not through every id of their
    team's families read first. Matches nothing for a user who does not work
    with families."""
    if not _works_with_families(user):
        return Q(pk__in=[])
    from kinmap.sharing.models import BreakGlassAccess

    now = timezone.now()
    allocated = _allocated_now(user, OuterRef(field))
    granted = BreakGlassAccess.objects.filter(
        user=user, network_id=OuterRef(field), starts_at__lte=now, ends_at__gt=now
    )
    return Q(Exists(allocated)) | Q(Exists(granted))


def allocated_network_ids(user: User) -> set[int]:
    """Every family network allocated to the user's team now, whatever their role
    (one query). Not by itself a right to read a family: see the callers."""
    if not (user.is_authenticated and user.is_active and user.team_id):
        return set()
    return set(m.FamilyNetwork.objects.filter(_current_allocations(user)).values_list("pk", flat=True))


def require_every_network(user: User | None, network_ids: Iterable[int], what: str) -> None:
    """Refuse (``Http404("No <what> found")``) unless the user may see every one
    of ``network_ids``: the networks a record about to be changed belongs to.
    ``user`` None is the command line (an import), which has no network to see."""
    ids = set(network_ids)
    if user is None or not ids:
        return
    if not ids <= visible_network_ids(user):
        raise Http404(f"No {what} found")


def _network_and_basis(user: User, network_id: int) -> tuple[m.FamilyNetwork, str]:
    """The network and :func:`access_basis` for it, read together (one query
    when the network is allocated to the user's team; a second for emergency
    access otherwise); ``Http404`` alike when it is missing or not to be seen."""
    network = None
    if _works_with_families(user) and is_object_id(network_id):
        network = _NETWORK_ALLOCATED.first(pk=network_id, team=user.team_id or 0, day=date.today())
    basis = None
    if network is not None and network.allocated_to_team:  # type: ignore[attr-defined]
        basis = _allocated_words(user)
    elif _works_with_families(user) and is_object_id(network_id):
        # asked for a missing network too, so that it is refused as a hidden one is
        basis = _break_glass_basis(user, network_id)
    if network is None or basis is None:
        raise Http404("No family network found")
    return network, basis


def _record_read(user: User, network: m.FamilyNetwork, basis: str) -> None:
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


def record_read(user: User, network: m.FamilyNetwork) -> None:
    """Record the read of a network found with ``network_for_user(..., read=False)``
    (once per request). Every ``*_for_user`` function of an object calls it
    when it finds the object, so a page that names an object records the read
    only once the object is found: a refusal leaves nothing behind."""
    basis = getattr(network, "_kinmap_access_basis", None)
    if basis is None:  # found some other way: work the basis out again
        basis = access_basis(user, network.pk)
    if basis is None:
        raise Http404("No family network found")
    _record_read(user, network, basis)


def network_for_user(user: User, network_id: int, *, read: bool = True) -> m.FamilyNetwork:
    """The family network, if the user may see it; records the read (once per
    request) with the basis of the access as its reason. With ``read=False``
    the read is recorded later, by :func:`record_read`, when the object the
    page names has been found in the network."""
    network, basis = _network_and_basis(user, network_id)
    network._kinmap_access_basis = basis  # type: ignore[attr-defined]
    if read:
        _record_read(user, network, basis)
    return network


def person_for_user(user: User, network: m.FamilyNetwork, person_id: int) -> m.Person:
    """A person, seen through a network the user may see; they must be a member."""
    member = (
        m.NetworkMember.objects.filter(network=network, person_id=person_id).select_related("person").first()
        if is_object_id(person_id)
        else None
    )
    if member is None:
        raise Http404("No person found")
    record_read(user, network)
    return member.person


def _shared_for_user(
    user: User, network: m.FamilyNetwork, model: type[T], pk: int, what: str, **related: str
) -> T:
    """A record of ``model`` that belongs to ``network`` and to no network the
    user may not see (see the module docstring)."""
    obj = (
        model._default_manager.filter(pk=pk).select_related(*related.values()).first()
        if is_object_id(pk)
        else None
    )
    if obj is None:
        raise Http404(f"No {what} found")
    networks = membership.network_ids_of(obj)  # type: ignore[arg-type]
    if network.pk not in networks:
        raise Http404(f"No {what} found")
    require_every_network(user, networks - {network.pk}, what)
    record_read(user, network)
    return obj


def relationship_for_user(user: User, network: m.FamilyNetwork, rel_id: int) -> m.Relationship:
    return _shared_for_user(user, network, m.Relationship, rel_id, "relationship")


def care_for_user(user: User, network: m.FamilyNetwork, care_id: int) -> m.CareArrangement:
    return _shared_for_user(user, network, m.CareArrangement, care_id, "care arrangement")


def residence_for_user(user: User, network: m.FamilyNetwork, residence_id: int) -> m.Residence:
    return _shared_for_user(user, network, m.Residence, residence_id, "household", h="household")


def pr_for_user(user: User, network: m.FamilyNetwork, pr_id: int) -> m.ParentalResponsibility:
    """A person's parental responsibility record (never a care order: 404)."""
    what = "parental responsibility record"
    pr = _shared_for_user(user, network, m.ParentalResponsibility, pr_id, what)
    if pr.person_id is None:
        raise Http404(f"No {what} found")
    return pr


def care_order_for_user(user: User, network: m.FamilyNetwork, pr_id: int) -> m.ParentalResponsibility:
    """A care order (the local authority's parental responsibility) of the
    network; 404 for a person's record as for a missing one."""
    pr = _shared_for_user(user, network, m.ParentalResponsibility, pr_id, "care order")
    if pr.person_id is not None:
        raise Http404("No care order found")
    return pr


def household_for_user(user: User, network_id: int, household_id: int) -> tuple[m.FamilyNetwork, m.Household]:
    """An address to change, seen through a network in which someone lives or
    lived there, with the network (whose read this records).

    A masked address is found only by a user entitled to see masked details:
    for anyone else it answers 404 like a missing one, and is refused before
    anything is read, so the refusal leaves no read of the family behind."""
    network = network_for_user(user, network_id, read=False)
    masked = is_object_id(household_id) and m.Household.objects.filter(pk=household_id, masked=True).exists()
    if masked and not can_see_masked(user):
        raise Http404("No household found")
    return network, _shared_for_user(user, network, m.Household, household_id, "household")
