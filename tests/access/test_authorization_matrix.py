"""Who may use which page: every URL and action, for every role, in the family's
own agency and another, allocated to the family or not.

Each cell string has one letter per team, in this order (see world.py):

    health-allocated · health-unallocated · social-allocated · social-unallocated

Y = allowed, N = refused ("not found" for a family or request, "you cannot do
this" for a page of another role). The family is held by the health agency and
also allocated to a social care team; the information request in the world is
addressed to social care.

A URL added to kinmap without a row here fails test_every_url_is_in_the_matrix.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kinmap.audit.models import AuditEvent

from .world import CELLS, World, build_world

ALL = "YYYY"
NONE = "NNNN"
ALLOCATED = "YNYN"
SOCIAL = "NNYY"

# fmt: off
#  url name                        method   practitioner supervisor  info-officer administrator auditor
MATRIX: list[tuple[str, str, str, str, str, str, str]] = [
    ("login",                      "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("logout",                     "POST",  ALL,         ALL,        ALL,         ALL,          ALL),
    ("healthz",                    "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("my-families",                "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("notifications",              "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("network-start",              "GET",   ALL,         ALL,        NONE,        NONE,         NONE),
    ("network-start",              "POST",  ALL,         ALL,        NONE,        NONE,         NONE),
    ("family",                     "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("person-add",                 "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("person-add",                 "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("person-edit",                "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("person-edit",                "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-add",           "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-add",           "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("residence-add",              "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("residence-add",              "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-add",                   "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-add",                   "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-edit",                  "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-edit",                  "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("person",                     "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("other-name-add",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("other-name-add",             "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-edit",          "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-edit",          "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-remove",        "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("relationship-remove",        "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("residence-edit",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("residence-edit",             "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    # the household's address is masked: only social care supervisors may open it
    ("household-edit",             "GET",   NONE,        "NNYN",     NONE,        NONE,         NONE),
    ("household-edit",             "POST",  NONE,        "NNYN",     NONE,        NONE,         NONE),
    ("pr-add",                     "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("pr-add",                     "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("pr-edit",                    "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("pr-edit",                    "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-order-add",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-order-add",             "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-order-edit",            "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("care-order-edit",            "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("api:openapi-json",           "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("api:families",               "GET",   ALL,         ALL,        ALL,         ALL,          ALL),
    ("api:family",                 "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("api:family_fhir",            "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("api:api-root",               "GET",   NONE,        NONE,       NONE,        NONE,         NONE),
    ("api:people_search",          "GET",   ALL,         ALL,        ALL,         NONE,         ALL),
    ("person-search",              "GET",   ALL,         ALL,        ALL,         NONE,         ALL),
    # likely duplicates: supervisors and information officers, for the people
    # of the families they may review (see kinmap/merging/access.py)
    ("merge-queue",                "GET",   NONE,        ALL,        ALL,         NONE,         NONE),
    ("merge-pair",                 "GET",   NONE,        ALLOCATED,  ALLOCATED,   NONE,         NONE),
    ("merge-pair-merge",           "POST",  NONE,        ALLOCATED,  ALLOCATED,   NONE,         NONE),
    ("merge-pair-different",       "POST",  NONE,        ALLOCATED,  ALLOCATED,   NONE,         NONE),
    ("merge-detail",               "GET",   NONE,        ALLOCATED,  ALLOCATED,   NONE,         NONE),
    ("merge-undo",                 "POST",  NONE,        ALLOCATED,  ALLOCATED,   NONE,         NONE),
    ("network-requests",           "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("request-new",                "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("request-new",                "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("sharing-log",                "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("sharing-log",                "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("break-glass",                "GET",   ALL,         ALL,        NONE,        NONE,         NONE),
    ("break-glass",                "POST",  ALL,         ALL,        NONE,        NONE,         NONE),
    # a search's token is good only in the session that searched (allowed:
    # tests/matching/test_request_from_search.py)
    ("request-from-search",        "GET",   NONE,        NONE,       NONE,        NONE,         NONE),
    ("request-from-search",        "POST",  NONE,        NONE,       NONE,        NONE,         NONE),
    ("request-queue",              "GET",   NONE,        NONE,       ALL,         NONE,         NONE),
    ("request-detail",             "GET",   NONE,        NONE,       SOCIAL,      NONE,         NONE),
    ("request-answer",             "POST",  NONE,        NONE,       SOCIAL,      NONE,         NONE),
    ("request-decline",            "POST",  NONE,        NONE,       SOCIAL,      NONE,         NONE),
    ("manage-users",               "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-user-new",            "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-user-new",            "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-user-deactivate",     "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-user-deactivate",     "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-teams",               "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-teams",               "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-agency-safeguarding-lead", "GET",  NONE,   NONE,       NONE,        ALL,          NONE),
    ("manage-agency-safeguarding-lead", "POST", NONE,   NONE,       NONE,        ALL,          NONE),
    ("manage-allocations",         "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-network-allocations", "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-network-allocations", "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-allocation-remove",   "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-allocation-remove",   "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-entitlements",        "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("manage-entitlements",        "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("audit-home",                 "GET",   NONE,        NONE,       NONE,        NONE,         ALL),
    ("audit-network",              "GET",   NONE,        NONE,       NONE,        NONE,         ALL),
    ("audit-user",                 "GET",   NONE,        NONE,       NONE,        NONE,         ALL),
    ("contact-start",              "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-start",              "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact",                    "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-gap-outcome",        "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-gap-answer",         "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-household",          "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-not-asked-rest",     "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("contact-close",              "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("gaps-history",               "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("gaps-supervision",           "GET",   NONE,        ALLOCATED,  NONE,        NONE,         NONE),
    ("gaps-supervision",           "POST",  NONE,        ALLOCATED,  NONE,        NONE,         NONE),
    ("gap-not-applicable",         "POST",  NONE,        ALLOCATED,  NONE,        NONE,         NONE),
    ("supervisor-dashboard",       "GET",   NONE,        ALL,        NONE,        NONE,         NONE),
    ("area-worklist",              "GET",   NONE,        ALL,        NONE,        NONE,         NONE),
    ("gaps-rule-settings",         "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("gaps-rule-setting-edit",     "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("gaps-rule-setting-edit",     "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("jobs-recompute",             "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("gaps-rule-setting-reset",    "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("network-close",              "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("network-close",              "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("network-reopen",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("network-reopen",             "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("supervisor-action-complete", "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("supervisor-action-complete", "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("carer",                      "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("information-add",            "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("information-add",            "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("carer-invite",               "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("carer-invite",               "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("carer-pack",                 "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("carer-pack-pdf",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("genogram-svg",               "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("genogram-png",               "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("genogram-pdf",               "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("chronology",                 "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("chronology-csv",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("chronology-pdf",             "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("appointment-outcome",        "GET",   ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("appointment-outcome",        "POST",  ALLOCATED,   ALLOCATED,  NONE,        NONE,         NONE),
    ("materials",                  "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-add",               "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-add",               "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-edit",              "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-edit",              "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-withdraw",          "GET",   NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-withdraw",          "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
    ("material-restore",           "POST",  NONE,        NONE,       NONE,        ALL,          NONE),
]
# fmt: on
ROLE_COLUMNS = ("practitioner", "supervisor", "information-officer", "administrator", "auditor")
# Pages anyone may open without signing in.
PUBLIC = {"login", "healthz"}


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Every URL name, namespaced ones (the API's) as "namespace:name"."""
    names: set[str] = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            names |= _url_names(p, f"{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def url_params(name: str) -> set[str]:
    """The keyword arguments a URL takes."""
    resolver = get_resolver()
    if ":" in name:
        ns, name = name.split(":", 1)
        resolver = resolver.namespace_dict[ns][1]
    wanted: set[str] = set()
    for possibilities, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(name):
        for _result, params in possibilities:
            wanted |= set(params)
    return wanted


def _url(world: World, name: str) -> str:
    """The URL, with exactly the keyword arguments it takes filled in from the world."""
    wanted = url_params(name)
    return reverse(name, kwargs={k: v for k, v in world.kwargs().items() if k in wanted})


def test_every_url_is_in_the_matrix() -> None:
    in_table = {row[0] for row in MATRIX}
    missing = sorted(_url_names() - in_table)
    assert missing == [], f"URLs with no row in the authorization matrix: {missing}"
    assert sorted(in_table - _url_names()) == []


def test_rows_are_well_formed() -> None:
    for row in MATRIX:
        assert row[1] in ("GET", "POST"), row
        for cell in row[2:]:
            assert len(cell) == len(CELLS) and set(cell) <= {"Y", "N"}, row
    assert len({(r[0], r[1]) for r in MATRIX}) == len(MATRIX), "a URL and method appear twice"


def _order(users: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # Administrators act last: their allowed POSTs deactivate a user, end an
    # allocation, or change entitlements.
    return sorted(users, key=lambda rc: rc[0] == "administrator")


@pytest.mark.django_db
@pytest.mark.parametrize("row", MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_matrix_row(row: tuple[str, ...]) -> None:
    name, method, *cells = row
    world = build_world()
    url = _url(world, name)
    expected = {
        (role, cell): cells[i][j] == "Y"
        for i, role in enumerate(ROLE_COLUMNS)
        for j, cell in enumerate(CELLS)
    }
    unexpected_allow, unexpected_deny = [], []
    for role, cell in _order(list(expected)):
        user = world.user(role, cell)
        client = Client()
        client.force_login(user)
        before = AuditEvent.objects.filter(actor=user).count()
        response = client.post(url, {}) if method == "POST" else client.get(url)
        # 400 is a form shown again with its errors: the user got through to it
        allowed = response.status_code < 400 or response.status_code == 400
        if allowed and not expected[(role, cell)]:
            unexpected_allow.append(f"{role}/{cell}: {response.status_code}")
        if not allowed:
            assert response.status_code in (403, 404), (role, cell, response.status_code)
            # A refusal leaves nothing behind: no read recorded, nothing changed.
            assert AuditEvent.objects.filter(actor=user).count() == before, (role, cell)
            if expected[(role, cell)]:
                unexpected_deny.append(f"{role}/{cell}: {response.status_code}")
    assert unexpected_allow == [], f"{method} {url}: allowed but should not be"
    assert unexpected_deny == [], f"{method} {url}: refused but should be allowed"


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in MATRIX if r[0] not in PUBLIC], ids=lambda r: f"{r[1]} {r[0]}")
def test_signed_out_visitor_is_sent_to_sign_in(row: tuple[str, ...]) -> None:
    name, method = row[0], row[1]
    url = reverse(name, kwargs=dict.fromkeys(url_params(name), 1))
    client = Client()
    response = client.post(url, {}) if method == "POST" else client.get(url)
    if name in ("api:families", "api:family", "api:family_fhir", "api:openapi-json", "api:people_search"):
        # the API answers for itself, with a problem document
        assert response.status_code == 401
        return
    if name == "api:api-root":
        assert response.status_code == 404
        return
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
