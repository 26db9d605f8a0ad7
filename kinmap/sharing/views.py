"""Pages for emergency access, notifications, information requests and the
sharing decisions log. Thin: access functions find the records, services change
them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kinmap.accounts.decorators import role_required
from kinmap.accounts.models import Agency, Role, User
from kinmap.audit.services import audit_record
from kinmap.matching.views import match_token_person
from kinmap.records import access as record_access
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.selectors import networks_for_user
from kinmap.web.forms import apply_errors, refuse_stale

from . import access, facts, services
from .forms import (
    AnswerForm,
    BreakGlassForm,
    DeclineForm,
    FromSearchRequestForm,
    RequestForm,
    SharingDecisionForm,
)
from .models import InformationRequest, LawfulBasis, Notification, SharingDecision

CASEWORK = (Role.PRACTITIONER, Role.SUPERVISOR)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# -- emergency (break-glass) access ----------------------------------------


TOLD = {
    services.Overseer.SUPERVISOR: "Your team's supervisors have",
    services.Overseer.SAFEGUARDING_LEAD: "Your agency's designated safeguarding lead has",
    services.Overseer.ADMINISTRATOR: "The partnership administrators have",
}


@role_required(*CASEWORK)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {}
    if (ref := request.GET.get("network", "")).isdigit():
        initial["network"] = int(ref)
    form = BreakGlassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(
                actor=user,
                network_id=form.cleaned_data["network"],
                reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(
                request,
                f"Emergency access until {timezone.localtime(grant.ends_at):%H:%M on %d %B %Y}. "
                f"{TOLD[services.break_glass_overseers(user)[0]]} been told.",
            )
            return redirect("family", network_id=grant.network_id)
    grants = list(services.break_glass_active(user))
    return render(request, "sharing/break_glass.html", {"form": form, "grants": grants})


# -- notifications ------------------------------------------------------------


def notifications(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    items = list(Notification.objects.filter(recipient=user)[:200])
    overdue = _request_rows(list(services.overdue_requests_for(user)))
    unread = [n.pk for n in items if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "sharing/notifications.html",
        {"items": items, "unread": set(unread), "overdue": overdue},
    )


# -- information requests: the asking side ----------------------------------


def _request_rows(reqs: list[InformationRequest]) -> list[dict[str, object]]:
    today = timezone.localdate()
    return [
        {
            "req": r,
            "what": facts.what_label(r.what),
            "overdue": r.status == InformationRequest.Status.OPEN and r.due_on < today,
        }
        for r in reqs
    ]


def network_requests(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = record_access.network_for_user(user, network_id)
    reqs = list(
        InformationRequest.objects.filter(network=network)
        .select_related("person", "to_agency", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    return render(request, "sharing/network_requests.html", {"network": network, "rows": _request_rows(reqs)})


#: Who a request is about, found once the form is valid from its answers:
#: the network and the person (through the access functions), and what else
#: the request carries (``gap_key`` or ``matched_person``).
About = Callable[[dict[str, Any]], tuple[rm.FamilyNetwork, rm.Person, dict[str, Any]]]


def _request_page(
    request: HttpRequest,
    form: RequestForm,
    asked: list[Agency],
    about: About,
    template: str,
    **context: Any,
) -> HttpResponse:
    """The one shape of the pages that ask another agency: a valid form makes
    the request about whom ``about`` finds (``services.information_request_create``,
    which checks everything the form carries; the agency one of ``asked``, those
    the form offers), tells the user when it is due and goes to the family's
    requests; otherwise ``template`` shows the form (with its errors) and ``context``."""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        network, person, extra = about(d)
        try:
            req = services.information_request_create(
                actor=_user(request),
                network=network,
                person=person,
                what=d["what"],
                to_agency=next((a for a in asked if a.pk == d["to_agency"]), None),
                lawful_basis=d["lawful_basis"],
                purpose=d["purpose"],
                urgency=d["urgency"],
                **extra,
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(
                request,
                f"Request sent to {req.to_agency.name}. They should answer by "
                f"{req.due_on.day} {req.due_on:%B %Y}.",
            )
            return redirect("network-requests", network_id=network.pk)
    return render(request, template, {"form": form, **context})


@role_required(*CASEWORK)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    """Ask another agency about a person of a family the user may see; from a
    gap, ``?what=`` and ``?gap=`` prefill what is asked and the gap it is
    raised from (a key checked by the service, never taken on trust)."""
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    person = record_access.person_for_user(user, network, person_id)
    agencies = list(Agency.objects.exclude(pk=user.agency.pk if user.agency else 0).order_by("name"))
    what = request.GET.get("what", "")
    initial = {"what": what, "gap_key": request.GET.get("gap", "")}
    form = RequestForm(request.POST or None, agencies=agencies, what=what, initial=initial)
    return _request_page(
        request,
        form,
        agencies,
        lambda d: (network, person, {"gap_key": d.get("gap_key") or ""}),
        "sharing/request_new.html",
        network=network,
        person=person,
    )


@role_required(*CASEWORK)
@require_http_methods(["GET", "POST"])
def request_from_search(request: HttpRequest, token: str) -> HttpResponse:
    """Ask the agency holding a person a search found in a network the user
    may not see. ``token`` stands for that person in the user's session
    (``kinmap.matching.views.match_tokens_keep``); nothing on the page says who
    they are. The form is prefilled with the agencies holding them; the user
    chooses who in their own families the request is about. 404 for a token
    not of the user's last search."""
    user = _user(request)
    person_id = match_token_person(request, token)
    agencies = services.agencies_holding(person_id=person_id, hidden_from=user) if person_id else []
    if person_id is None or not agencies:
        raise Http404("No search result found")
    members = (
        rm.NetworkMember.objects.filter(network__in=networks_for_user(user), network__closed_at__isnull=True)
        .select_related("person", "network")
        .order_by("network__name", "network_id", "person_id")
    )
    people = [(f"{mem.network_id}:{mem.person_id}", f"{mem.person} ({mem.network.name})") for mem in members]
    form = FromSearchRequestForm(
        request.POST or None, agencies=agencies, people=people, initial={"to_agency": agencies[0].pk}
    )

    def about(d: dict[str, Any]) -> tuple[rm.FamilyNetwork, rm.Person, dict[str, Any]]:
        network_id, about_id = form.about_ids()
        network = record_access.network_for_user(user, network_id, read=False)
        person = record_access.person_for_user(user, network, about_id)
        return network, person, {"matched_person": rm.Person.objects.get(pk=person_id)}

    template = "sharing/request_from_search.html"
    return _request_page(request, form, agencies, about, template, agencies=agencies)


# -- information requests: the answering side ---------------------------------


@role_required(Role.INFORMATION_OFFICER)
def request_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    agency = user.agency
    open_reqs = list(
        InformationRequest.objects.filter(to_agency=agency, status=InformationRequest.Status.OPEN)
        .select_related("requested_by_team__agency", "requested_by")
        .order_by("due_on", "pk")
    )
    done = list(
        InformationRequest.objects.filter(to_agency=agency)
        .exclude(status=InformationRequest.Status.OPEN)
        .select_related("requested_by_team__agency", "answered_by")
        .order_by("-answered_at", "-pk")[:50]
    )
    return render(
        request,
        "sharing/request_queue.html",
        {"agency": agency, "rows": _request_rows(open_reqs), "done": _request_rows(done)},
    )


def _detail(
    request: HttpRequest,
    req: InformationRequest,
    answer_form: AnswerForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    # Reading the request shows who the person is: audited against the family.
    audit_record(
        actor=user,
        action="view",
        object_type="information_request",
        object_id=req.pk,
        network_id=req.network_id,
        reason=f"answering a request addressed to {req.to_agency.name}",
    )
    kind = facts.answer_kind(req.what)
    initial = {"version": req.version}
    person = req.person
    return render(
        request,
        "sharing/request_detail.html",
        {
            "req": req,
            "person": person,
            "what": facts.what_label(req.what),
            "kind": kind,
            "lawful_basis": LawfulBasis(req.lawful_basis).label,
            "overdue": req.status == InformationRequest.Status.OPEN and req.due_on < timezone.localdate(),
            "answer_form": answer_form or AnswerForm(kind=kind, initial=initial),
            # prefixed: both forms ask whether the family was told, and their
            # fields need ids of their own
            "decline_form": decline_form or DeclineForm(initial=initial, prefix="decline"),
        },
        status=status,
    )


@role_required(Role.INFORMATION_OFFICER)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    req = access.request_for_officer(_user(request), request_id)
    return _detail(request, req)


@role_required(Role.INFORMATION_OFFICER)
@require_POST
def request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    req = access.request_for_officer(user, request_id)
    form = AnswerForm(request.POST, kind=facts.answer_kind(req.what))
    if form.is_valid():
        try:
            services.information_request_answer(
                actor=user,
                request=req,
                answer=form.answer(),
                rationale=form.cleaned_data["rationale"],
                family_told=form.family_told_value(),
                family_not_told_reason=form.cleaned_data.get("family_not_told_reason") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            req = access.request_for_officer(user, request_id)
            refuse_stale(form, err, {"version": req.version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Answer recorded. The person who asked has been told.")
            return redirect("request-queue")
    return _detail(request, req, answer_form=form)


@role_required(Role.INFORMATION_OFFICER)
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    req = access.request_for_officer(user, request_id)
    form = DeclineForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            services.information_request_decline(
                actor=user,
                request=req,
                reason=form.cleaned_data["reason"],
                family_told=form.family_told_value(),
                family_not_told_reason=form.cleaned_data.get("family_not_told_reason") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            req = access.request_for_officer(user, request_id)
            refuse_stale(form, err, {"version": req.version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Request declined. The person who asked has been told.")
            return redirect("request-queue")
    return _detail(request, req, decline_form=form)


# -- sharing decisions ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sharing_log(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = record_access.network_for_user(user, network_id)
    form = SharingDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.sharing_decision_record(
                actor=user,
                network=network,
                decision=d["decision"],
                what=d["what"],
                with_whom=d["with_whom"],
                lawful_basis=d["lawful_basis"],
                rationale=d["rationale"],
                family_told=form.family_told_value(),
                family_not_told_reason=d.get("family_not_told_reason") or "",
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Decision recorded")
            return redirect("sharing-log", network_id=network.pk)
    decisions = list(
        SharingDecision.objects.filter(network=network).select_related("decided_by", "request", "person")
    )
    return render(
        request,
        "sharing/sharing_log.html",
        {"network": network, "decisions": decisions, "form": form, "bases": dict(LawfulBasis.choices)},
    )
