"""Every page that shows family data records who looked, when and why.

The pages are collected from the URL resolver: any URL that names a family
network or an information request (family pages, exports and API reads under
them) must write an audit event against the family when it is read.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kinmap.accounts.models import Role
from kinmap.audit.models import AuditEvent

from .world import World, build_world


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            out.append((p.name, prefix + str(p.pattern)))
    return out


# Pages that change something and have no GET (they answer 405 to a GET).
POST_ONLY = {
    "request-answer",
    "request-decline",
    "contact-gap-outcome",
    "contact-gap-answer",
    "contact-household",
    "contact-not-asked-rest",
    "contact-close",
    "gap-not-applicable",
    "material-restore",
}
# Pages for administrators and auditors that name a family by reference but
# show nothing of it (allocations), or show the audit trail (itself audited).
NOT_FAMILY_DATA = {"manage-network-allocations", "manage-allocation-remove"}


def _family_pages() -> list[tuple[str, str]]:
    return [
        (name, route)
        for name, route in _patterns()
        if ("<id:network_id>" in route or "<id:request_id>" in route)
        and name not in POST_ONLY
        and name not in NOT_FAMILY_DATA
    ]


def test_family_pages_are_found() -> None:
    names = {n for n, _ in _family_pages()}
    assert {"family", "person-edit", "care-edit", "request-detail", "sharing-log"} <= names


def _reader(world: World, name: str):  # type: ignore[no-untyped-def]
    if name == "request-detail":
        return world.user(Role.INFORMATION_OFFICER, "social-unallocated")
    if name == "audit-network":
        return world.user(Role.AUDITOR, "health-unallocated")
    if name == "gaps-supervision":
        return world.user(Role.SUPERVISOR, "health-allocated")
    if name == "household-edit":
        # the household's address is masked: only an entitled user may open it
        return world.user(Role.SUPERVISOR, "social-allocated")
    return world.lead


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), _family_pages(), ids=[n for n, _ in _family_pages()])
def test_reading_a_family_page_writes_an_audit_event(name: str, route: str) -> None:
    world = build_world()
    reader = _reader(world, name)
    wanted = set()
    for possibilities, *_ in get_resolver().reverse_dict.getlist(name):
        for _result, params in possibilities:
            wanted |= set(params)
    url = reverse(name, kwargs={k: v for k, v in world.kwargs().items() if k in wanted})
    client = Client()
    client.force_login(reader)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(id__gt=last, network_id=world.network.pk))
    # One read of the family per request; a page about one person also records
    # which person was looked at, and a download (the carer pack) also records
    # the export.
    family_reads = [e for e in events if e.object_type != "person" and e.action != "export"]
    assert len(family_reads) == 1, [(e.action, e.object_type) for e in events]
    assert all(
        e.action in ("view", "view-audit", "export") and e.request_id == response["X-Request-Id"]
        for e in events
    )
    event = family_reads[0]
    assert event.actor == reader
    assert event.action in ("view", "view-audit")
    assert event.agency_name == reader.agency.name
    assert event.channel == "web"
    assert event.request_id == response["X-Request-Id"]
    if name != "audit-network":
        assert event.reason  # why they could see it


@pytest.mark.django_db
def test_read_reason_says_allocated_team() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    client.get(reverse("family", args=[world.network.pk]))
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.reason) == (
        "view",
        "network",
        "allocated to Health visiting east",
    )


@pytest.mark.django_db
def test_my_families_records_what_was_listed() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    client.get(reverse("my-families"))
    # the user's actions from supervision are listed too, with their own event
    actions = AuditEvent.objects.get(action="list", object_type="my-actions")
    assert (actions.actor, actions.changes) == (world.lead, {"networks": [None, [world.network.pk]]})
    event = AuditEvent.objects.filter(object_type="my-families").order_by("-id").first()
    assert event is not None
    # the list is recorded by what it showed (its filter, page and count), not by every id
    assert (event.action, event.object_type, event.changes) == (
        "list",
        "my-families",
        {"filter": [None, {}], "page": [None, 1], "count": [None, 1]},
    )
    client.get(reverse("my-families"), {"severity": "critical", "rule": ""})
    event = AuditEvent.objects.filter(action="list", object_type="my-families").order_by("-id").first()
    assert event is not None
    assert event.changes["filter"] == [None, {"severity": "critical"}]
