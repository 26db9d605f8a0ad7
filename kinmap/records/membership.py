"""Which family networks an object of the family record belongs to: the one
membership rule that the access functions, the family page, the forms, the API
and the services all use.

A person can be a member of several family networks (a father of children by
two mothers, say), so an object that involves people can belong to more than
one network. An object belongs to a network N when:

==========================  ===========================================================
person                      they are a member of N (``NetworkMember``)
relationship                both its people are members of N
stay (``Residence``)        its person is a member of N
household (an address)      someone who lives or lived there is a member of N
care arrangement            its child and its carer are members of N
parental responsibility     its child and the person who holds it are members of N
==========================  ===========================================================

Objects kept for one network (contacts, gaps, joint appointments, information
requests, sharing decisions) belong to that network only and are found by its id.

The rule has two forms: :func:`belongs`, a pure test against the member ids of
a network already loaded, and :func:`network_ids_of`, which asks the database
for every network an object belongs to.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db.models import Count

from . import models as m

# Record types whose people must all be members (see the table above).
Shared = m.Relationship | m.Residence | m.CareArrangement | m.ParentalResponsibility | m.Person


def people_of(obj: Shared) -> tuple[int, ...]:
    """The ids of the people who must all be members of a network for ``obj``
    to belong to it."""
    if isinstance(obj, m.Relationship):
        return (obj.from_person_id, obj.to_person_id)
    if isinstance(obj, m.Residence):
        return (obj.person_id,)
    if isinstance(obj, m.CareArrangement):
        return (obj.child_id, obj.carer_id)
    if isinstance(obj, m.ParentalResponsibility):  # a care order: the child alone
        return (obj.child_id,) if obj.person_id is None else (obj.child_id, obj.person_id)
    return (obj.pk,)


def belongs(obj: Shared, member_ids: Collection[int]) -> bool:
    """Whether ``obj`` belongs to the network whose members are ``member_ids``."""
    return all(pid in member_ids for pid in people_of(obj))


def own_household_ids(residences: Iterable[m.Residence], member_ids: Collection[int]) -> set[int]:
    """The households of a network: those where one of its members lives or lived."""
    return {r.household_id for r in residences if r.person_id in member_ids}


def network_ids_of(obj: Shared | m.Household) -> set[int]:
    """Every family network ``obj`` belongs to (one query)."""
    if isinstance(obj, m.Household):
        rows = m.NetworkMember.objects.filter(person__residences__household=obj)
        return set(rows.values_list("network_id", flat=True).distinct())
    people = set(people_of(obj))
    counted = (
        m.NetworkMember.objects.filter(person_id__in=people)
        .values("network_id")
        .annotate(n=Count("person_id", distinct=True))
        .filter(n=len(people))
    )
    return {row["network_id"] for row in counted}
