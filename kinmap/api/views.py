"""The JSON API (OpenAPI document at /api/v1/openapi.json).

Signed-in sessions only. The same access functions as the pages decide what a
user may read, every read is audited, masked details are replaced before they
leave the server, and errors are RFC 9457 problem documents
(``kinmap.api.problems``). Each operation declares every status it answers, so
that the OpenAPI document describes every answer (tested with schemathesis in
``tests/api/test_openapi_conformance.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.graph import FamilyGraph
from kinmap.core.vocab import rel_type
from kinmap.gaps.selectors import WorklistFilter
from kinmap.matching.forms import SearchForm
from kinmap.matching.search import people_search as search_people
from kinmap.matching.views import SEARCHERS
from kinmap.records import access
from kinmap.records.known_dates import SPAN_DATE_FIELDS
from kinmap.records.presenters import family_page_context
from kinmap.records.selectors import elsewhere_load, family_record_load, networks_for_user
from kinmap.records.views import audit_list
from kinmap.web.converters import MAX_ID
from kinmap.web.masking import address_for, phone_for
from kinmap.web.pagination import page_of

from .fhir import family_bundle
from .openapi import DocumentedAPI
from .problems import not_signed_in, problem_response, problems, sign_in_required
from .schemas import FamiliesPage, FamilyOut, FhirBundle, SearchOut

api = DocumentedAPI(
    title="kinmap API",
    version="1",
    description="Family composition records. Sign in through the web pages: the session authenticates.",
    auth=django_auth,
    urls_namespace="api",
    docs_url=None,
    # The OpenAPI document needs a signed-in session too (the interactive docs
    # are off: they load scripts from a CDN, which the CSP forbids).
    docs_decorator=sign_in_required,
)
# What an operation on one family network may answer besides its own 200.
ONE_NETWORK_PROBLEMS = problems(401, 404, 422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, str(exc) or "Not found", "Not found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_signed_in()


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if exc.errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors):
        # an id that cannot be a record's: not found, as for a missing or forbidden one
        return _not_found(request, Http404("No family network found"))
    details = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg', '')}" for e in exc.errors
    )
    return problem_response(422, details, "The request is not valid")


# An object id in a path: like the pages' ``<id:...>`` converter, 1 to MAX_ID.
# A path that is not such an id answers 404, like a missing or forbidden family.
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@api.get(
    "/families",
    response={200: FamiliesPage, **problems(401, 404)},
    summary="Families allocated to your team, a page at a time",
)
def families(
    request: HttpRequest,
    page: Annotated[str | None, Query(description="The page, 1 first (default 1); 404 past the last")] = None,
) -> dict[str, Any]:
    """A page of the team's families (:class:`FamiliesPage`), in three queries
    whatever the caseload (the count, the page, its members), audited as the
    worklists are: by page and count, not by every id."""
    user = _user(request)
    shown = page_of(request, networks_for_user(user).prefetch_related("members"))
    audit_list(user, "network", WorklistFilter(), shown)
    here = request.path
    return {
        "items": [
            {
                "id": n.pk,
                "name": n.name,
                "index_children": sorted(mem.person_id for mem in n.members.all() if mem.is_index),
                "updated_at": n.updated_at.isoformat(),
                "closed_at": n.closed_at.isoformat() if n.closed_at else None,
            }
            for n in shown.items
        ],
        "count": shown.count,
        "page": shown.number,
        "pages": shown.pages,
        "next": here + shown.next_url if shown.next_url else None,
        "previous": here + shown.previous_url if shown.previous_url else None,
    }


@api.get(
    "/families/{network_id}",
    response={200: FamilyOut, **ONE_NETWORK_PROBLEMS},
    summary="One family network: people, relationships, households and care",
)
def family(request: HttpRequest, network_id: ObjectId) -> dict[str, Any]:
    """What the family page shows the user, as data: the network's own people
    and records (``FamilyRecord``), and for people also recorded elsewhere only
    what ``Elsewhere`` allows."""
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)  # the read is audited by network_for_user
    elsewhere = elsewhere_load(record, user)
    page = family_page_context(record, user, elsewhere)
    graph = FamilyGraph(record.graph_network, timezone.localdate())
    net = record.graph_network
    index = set(record.index_child_ids)
    people = []
    for pid, row in sorted(record.people.items()):
        p = net.people[pid]
        people.append(
            {
                "id": pid,
                "name": p.display_name,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "name_absent_reason": p.name_absent_reason,
                "sex": p.sex.value,
                "birth_date": p.birth_date,
                "birth_date_accuracy": p.birth_date_accuracy.value,
                "birth_date_latest": p.birth_date_latest,
                "death_date": p.death_date,
                "death_date_accuracy": p.death_date_accuracy.value,
                "death_date_latest": p.death_date_latest,
                "nhs_number": p.nhs_number,
                "phone": phone_for(row.phone, row.phone_masked, user),
                "email": p.email,
                "is_index_child": pid in index,
                "in_this_network": True,
                "description": {str(c): graph.describe(pid, c) for c in record.index_child_ids if c != pid},
                "other_networks": {"count": elsewhere.count(pid), "agencies": elsewhere.agencies_of([pid])},
            }
        )
    return {
        "id": network.pk,
        "name": network.name,
        "version": network.version,
        "closed_at": network.closed_at.isoformat() if network.closed_at else None,
        "people": people,
        "relationships": [
            {
                "id": r.pk,
                "from_person": r.from_person_id,
                "to_person": r.to_person_id,
                "type": r.type,
                "hl7_role_code": rel_type(r.type).hl7,
                "label": rel_type(r.type).label,
                **_span(r),
                "source": r.source,
            }
            for r in record.relationships
        ],
        "households": [
            {
                "id": h.pk,
                "address": address_for(h, user),
                "masked": h.masked,
                "residents": sorted(
                    {
                        r.person_id
                        for r in net.residences
                        if r.household_id == h.pk
                        and r.current_on(graph.today)
                        and r.person_id in record.people
                    }
                ),
            }
            for h in record.households.values()
        ],
        "care": [
            {
                "id": c.pk,
                "carer": c.carer_id,
                "child": c.child_id,
                "place": c.place,
                "frequency": c.frequency,
                "overnight": c.overnight,
                "supervised": c.supervised,
                "sleep_place": c.sleep_place,
                **_span(c),
            }
            for c in record.care
        ],
        "relatives_in_other_networks": [
            {
                "child": sec.id,
                "people": [
                    {"id": p.id, "name": p.name, "description": p.description} for p in sec.other_networks
                ],
                "hidden_count": sec.hidden_count,
                "hidden_agencies": sec.hidden_agencies,
            }
            for sec in page["sections"]
        ],
    }


def _span(row: Any) -> dict[str, Any]:
    """A period row's dates with their accuracy (``kinmap.records.known_dates``)."""
    return {"start": row.start, "end": row.end, **{f: getattr(row, f) for f in SPAN_DATE_FIELDS}}


@api.get(
    "/families/{network_id}/fhir",
    response={200: FhirBundle, **ONE_NETWORK_PROBLEMS},
    summary="One family network as an HL7 FHIR R4B Bundle (Patient and RelatedPerson)",
)
def family_fhir(request: HttpRequest, network_id: ObjectId, response: HttpResponse) -> dict[str, Any]:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    audit_record(
        actor=user,
        action="export",
        object_type="network",
        object_id=network.pk,
        network_id=network.pk,
        reason="FHIR bundle",
    )
    response["Content-Type"] = FhirBundle.media_type
    return family_bundle(record, user)


@api.get(
    "/people/search",
    response={200: SearchOut, **problems(401, 403, 422)},
    summary="Find a person already on the record (as the Find a person page)",
)
def people_search(
    request: HttpRequest,
    given_name: str = "",
    family_name: str = "",
    birth_date: date | None = None,
    birth_date_estimated: bool = False,
    nhs_number: str = "",
    postcode: str = "",
    phone: str = "",
) -> HttpResponse | dict[str, Any]:
    """The search of ``kinmap.matching.search``, audited like the page. At least
    a family name, date of birth, NHS number, postcode or phone is needed (422);
    with no parameter at all, like the page before a search, nothing is found
    and nothing is audited."""
    user = _user(request)
    if user.role not in SEARCHERS:
        return problem_response(403, "Your role cannot search for people", "Forbidden")
    if not request.GET:
        return {"people": [], "other_networks": {"count": 0, "agencies": []}}  # nothing asked: nothing found
    data = {
        "given_name": given_name,
        "family_name": family_name,
        "birth_date_estimated": "on" if birth_date_estimated else "",
        "nhs_number": nhs_number,
        "postcode": postcode,
        "phone": phone,
    }
    if birth_date is not None:
        data |= {
            "birth_date_0": str(birth_date.day),
            "birth_date_1": str(birth_date.month),
            "birth_date_2": str(birth_date.year),
        }
    form = SearchForm(data)
    if not form.is_valid():
        details = "; ".join(f"{f}: {' '.join(str(e) for e in errs)}" for f, errs in form.errors.items())
        return problem_response(422, details, "The request is not valid")
    result = search_people(actor=user, query=form.record(), searched=form.searched())
    return {
        "people": [
            {
                "id": row.person.pk,
                "name": str(row.person),
                "birth_date": row.person.birth_date,
                "probability": round(row.score.probability, 6),
                "reasons": list(row.score.reasons),
                "networks": [{"id": n.pk, "name": n.name} for n in row.networks],
                "other_networks": {"count": row.other_networks, "agencies": row.other_agencies},
            }
            for row in result.seen
        ],
        "other_networks": {"count": result.unseen.count, "agencies": result.unseen.agencies},
    }
