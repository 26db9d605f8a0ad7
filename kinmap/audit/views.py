"""The auditor's pages: who looked at a family, when and why; and every action
of one user. Looking is itself audited."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kinmap.accounts.decorators import role_required
from kinmap.accounts.models import Role, User
from kinmap.web.forms import ObjectIdField, OneAnswerEach

from .models import AuditEvent
from .services import audit_record

auditor_only = role_required(Role.AUDITOR, team=False)
PAGE_SIZE = 100
READ_ACTIONS = ("view", "list", "export")


class NetworkRefForm(OneAnswerEach):
    network = ObjectIdField(
        label="Family network reference",
        not_found="There is no family network with this reference",
        error_messages={"required": "Enter the family network reference", "invalid": "Enter a number"},
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _rows(events: QuerySet[AuditEvent], page_number: str | None) -> tuple[Any, list[dict[str, Any]]]:
    page = Paginator(events.order_by("-id"), PAGE_SIZE).get_page(page_number)
    rows = [
        {
            "e": e,
            "changes": [
                (k, v[0] if isinstance(v, list) else "", v[1] if isinstance(v, list) else v)
                for k, v in (e.changes or {}).items()
            ],
        }
        for e in page.object_list
    ]
    return page, rows


@auditor_only
def home(request: HttpRequest) -> HttpResponse:
    form = NetworkRefForm(request.GET if "network" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("audit-network", network_id=form.cleaned_data["network"])
    users = User.objects.select_related("team__agency").order_by("username")
    return render(request, "audit/home.html", {"form": form, "users": users})


@auditor_only
def network_trail(request: HttpRequest, network_id: int) -> HttpResponse:
    only_reads = request.GET.get("only") == "views"
    events = AuditEvent.objects.filter(network_id=network_id)
    if only_reads:
        events = events.filter(action__in=READ_ACTIONS)
    audit_record(
        actor=_user(request),
        action="view-audit",
        object_type="network",
        object_id=network_id,
        network_id=network_id,
    )
    page, rows = _rows(events, request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "title": f"Family network {network_id}",
            "heading": f"Who looked at family network {network_id}, when and why",
            "rows": rows,
            "page": page,
            "only_reads": only_reads,
            "network_id": network_id,
        },
    )


@auditor_only
def user_trail(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = User.objects.filter(pk=user_id).select_related("team__agency").first()
    if subject is None:
        raise Http404("No user found")
    audit_record(actor=_user(request), action="view-audit", object_type="user", object_id=user_id)
    page, rows = _rows(AuditEvent.objects.filter(actor_id=user_id), request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "title": f"Actions of {subject.username}",
            "heading": f"Every action of {subject.display_name} ({subject.username})",
            "rows": rows,
            "page": page,
            "subject": subject,
        },
    )
