"""The contact pages (a contact started, its gaps asked about, answered or not
asked, its households, closed) and what the gaps' other pages share. Thin:
find the record through the access functions, hand input to a service,
render. Supervision and a family's gap history are in
:mod:`kinmap.gaps.supervision_views`, rule settings in
:mod:`kinmap.gaps.setting_views`."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kinmap.accounts.models import User
from kinmap.core import answerers
from kinmap.core.graph import FamilyGraph
from kinmap.core.rules.facts import MISSING_LABELS
from kinmap.core.wording import count_words, listing
from kinmap.records import access as raccess
from kinmap.records import models as rm
from kinmap.records import services as rs
from kinmap.records.elsewhere_words import known_elsewhere_words
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.selectors import FamilyRecord, elsewhere_load, family_record_load, pr_running
from kinmap.web.forms import apply_errors, refuse_stale
from kinmap.web.masking import address_for

from . import access, selectors, services
from . import forms as gf
from . import models as gm
from .answers import answers_for
from .contact_page import after_save, gap_groups, progress_words
from .models import GapState, Outcome
from .presenters import gap_view, last_said, severity_order


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _summary(form: forms.Form) -> list[dict[str, str]]:
    """Errors for a GOV.UK error summary, each linking to its field (forms on
    the contact page have prefixes, so the anchors use the real ids)."""
    out: list[dict[str, str]] = []
    for name, errs in form.errors.items():
        anchor = ""
        if name != "__all__":
            bf = form[name]
            widget = bf.field.widget
            anchor = bf.auto_id
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.MultiWidget):
                anchor = f"{anchor}_0"
        out.extend({"anchor": anchor, "message": str(e)} for e in errs)
    return out


def _versions(record: FamilyRecord) -> dict[str, int]:
    """The versions of the rows an inline answer changes (see ``answers_for``)."""
    today = timezone.localdate()
    running = (
        pr_running(record.parental_responsibility, rm.pr_holder_id(r), r.child_id, today)
        for r in record.parental_responsibility
    )
    return {f"person:{pid}": p.version for pid, p in record.people.items()} | {
        f"pr:{r.person_id}:{r.child_id}": r.version for r in running if r is not None
    }


def _people(record: FamilyRecord) -> list[tuple[int, str]]:
    return [(pid, str(p)) for pid, p in sorted(record.people.items()) if pid in record.member_ids]


def _decliners(record: FamilyRecord) -> list[tuple[int, str]]:
    """Who may be chosen as the person who did not want to say."""
    return answerers.answerers(record.graph_network, _people(record), timezone.localdate())


def _not_allowed(request: HttpRequest) -> HttpResponse:
    return render(request, "records/not_allowed.html", status=403)


# -- contacts ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contact_start(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id)
    current = selectors.open_contact(network, user)
    record = family_record_load(network)
    form = gf.ContactStartForm(
        request.POST or None, people=_people(record), initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            contact = services.contact_open(
                actor=user,
                network=network,
                type=d["type"],
                date=d["date"],
                present=[record.people[i] for i in d.get("present") or []],
                seen_directly=[record.people[i] for i in d.get("seen_directly") or []],
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            return redirect("contact", network_id=network.pk, contact_id=contact.pk)
    return render(request, "gaps/contact_start.html", {"form": form, "network": network, "current": current})


@dataclasses.dataclass
class ShownGap:
    view: Any
    outcome: gm.ContactGapOutcome
    form: gf.GapOutcomeForm | None
    inline: list[Any]
    links: list[Any]
    last_time: str


def _contact_context(
    request: HttpRequest,
    user: User,
    network: Any,
    contact: gm.Contact,
    *,
    bound_outcome: dict[int, gf.GapOutcomeForm] | None = None,
    bound_answer: dict[int, dict[str, Any]] | None = None,
    close_error: RecordError | None = None,
    rest_form: gf.NotAskedRestForm | None = None,
) -> dict[str, Any]:
    record = family_record_load(network)
    today = timezone.localdate()
    settings, words = selectors.rule_config()
    outcomes = list(contact.outcomes.select_related("gap"))
    gaps = [o.gap for o in outcomes]
    events = selectors.events_by_gap(gaps)
    care_carers = {c.pk: c.carer_id for c in record.care}
    people = _decliners(record)
    shown: list[ShownGap] = []
    for o in sorted(outcomes, key=lambda o: (o.outcome != Outcome.PENDING, *severity_order(o.gap))):
        evs = events.get(o.gap_id, [])
        view = gap_view(o.gap, evs, today, settings, words)
        view.suggested_wording = _wording(view.suggested_wording, o.gap)
        form = None
        inline: list[Any] = []
        links: list[Any] = []
        if o.outcome == Outcome.PENDING or (bound_outcome and o.gap_id in bound_outcome):
            form = (bound_outcome or {}).get(o.gap_id) or gf.GapOutcomeForm(
                prefix=f"g{o.gap_id}", people=people, initial={"version": o.gap.version}
            )
            inline, links = answers_for(
                o.gap, network.pk, care_carers, (bound_answer or {}).get(o.gap_id), versions=_versions(record)
            )
        earlier = [e for e in evs if e.contact_id != contact.pk or e.kind == gm.EventKind.OPENED]
        shown.append(ShownGap(view, o, form, inline, links, last_said(earlier, today)))
    pending = sum(1 for s in shown if s.outcome.outcome == Outcome.PENDING)
    names = {pid: str(p) for pid, p in record.people.items()}

    confirmed = {c.household_id: c for c in contact.household_confirmations.all()}
    households = []
    child_ids = set(record.index_child_ids)
    for h in record.households.values():
        roster = [
            record.graph_network.people[r.person_id].display_name
            for r in record.residences
            if r.household_id == h.pk and r.person_id in record.member_ids and r.end is None
        ]
        lives_here = {
            r.person_id for r in record.residences if r.household_id == h.pk and r.end is None
        } & child_ids
        if roster and lives_here:
            households.append(
                {
                    "id": h.pk,
                    "address": address_for(h, user),
                    "roster": roster,
                    "confirmed": confirmed.get(h.pk),
                }
            )
    errors = close_error.messages if close_error else []
    error_list = []
    for sg in shown:
        for f in [sg.form, *(i.form for i in sg.inline)]:
            if f is not None and f.is_bound:
                error_list.extend(_summary(f))
    if rest_form is not None and rest_form.is_bound:
        error_list.extend(_summary(rest_form))
    return {
        "error_list": error_list,
        "network": network,
        "contact": contact,
        "shown": shown,
        "groups": gap_groups(shown, names, care_carers),
        "pending": pending,
        "progress": progress_words(len(shown) - pending, len(shown)),
        "households": households,
        "present": list(contact.present.all()),
        "seen": list(contact.seen_directly.all()),
        "close_errors": errors,
        "rest_form": rest_form or gf.NotAskedRestForm(),
        "is_mine": contact.practitioner_id == user.pk,
        "escalation": settings,
        "graph_network": record.graph_network,
        # a parent, partner or carer known in another network as a parent,
        # partner or carer there: who, and which agencies hold it, never the others
        "known_elsewhere": known_elsewhere_words(
            FamilyGraph(record.graph_network, today), elsewhere_load(record, user)
        ),
    }


def _wording(text: str, gap: gm.Gap) -> str:
    """Fill the placeholders of a rule's suggested wording."""
    out = text
    if gap.subject_name and gap.subject_kind in ("person", "care"):
        out = out.replace("[name]", gap.subject_name)
    missing = listing([MISSING_LABELS.get(m, m) for m in gap.missing])
    if missing:
        out = out.replace("[the missing detail]", missing)
    return out


def contact_page(request: HttpRequest, network_id: int, contact_id: int) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id, read=False)
    contact = access.contact_for_user(user, network, contact_id)  # records the read
    return render(request, "gaps/contact.html", _contact_context(request, user, network, contact))


def _contact_and_gap(
    request: HttpRequest, network_id: int, contact_id: int, gap_id: int
) -> tuple[User, Any, gm.Contact, gm.Gap]:
    user = _user(request)
    network = raccess.network_for_user(user, network_id, read=False)
    gap = access.gap_in_network(network, gap_id)
    if gap is None:
        raise Http404("No gap found")
    contact = access.contact_for_user(user, network, contact_id)  # records the read
    return user, network, contact, gap


def _back_to_contact(
    request: HttpRequest, user: User, network: Any, contact: gm.Contact, anchor: str = ""
) -> HttpResponse:
    return after_save(
        request, network, contact, anchor, lambda: _contact_context(request, user, network, contact)
    )


@require_POST
def contact_gap_outcome(request: HttpRequest, network_id: int, contact_id: int, gap_id: int) -> HttpResponse:
    user, network, contact, gap = _contact_and_gap(request, network_id, contact_id, gap_id)
    record = family_record_load(network)
    form = gf.GapOutcomeForm(request.POST, prefix=f"g{gap.pk}", people=_decliners(record))
    if form.is_valid():
        d = form.cleaned_data
        choice = d["outcome"]
        try:
            if choice == Outcome.NOT_ASKED:
                services.contact_record_outcome(
                    actor=user,
                    contact=contact,
                    gap=gap,
                    outcome=Outcome.NOT_ASKED,
                    reason=d.get("not_asked_reason") or "",
                    expected_version=d.get("version"),
                )
            else:
                reason = {
                    GapState.ASKED_DECLINED: d.get("declined_reason"),
                    GapState.NOT_APPLICABLE: d.get("na_justification"),
                }.get(choice, d.get("note"))
                declined_by = record.people.get(d["declined_by"]) if d.get("declined_by") else None
                services.contact_record_outcome(
                    actor=user,
                    contact=contact,
                    gap=gap,
                    outcome=Outcome.ABSENT,
                    answer=services.Answer(
                        state=choice,
                        reason=reason or "",
                        practitioner_view=(d.get("declined_view") or "")
                        if choice == GapState.ASKED_DECLINED
                        else "",
                        from_whom=(d.get("from_whom") or "") if choice == GapState.TEMP_UNKNOWN else "",
                        declined_by=declined_by if choice == GapState.ASKED_DECLINED else None,
                    ),
                    expected_version=d.get("version"),
                    occurred_on=d.get("occurred_on"),
                )
        except StaleEdit as err:
            refuse_stale(form, err, {"version": gm.Gap.objects.get(pk=gap.pk).version})
        except RecordError as err:
            fmap = {**gf.GapOutcomeForm.FIELD_MAP, "reason": form.reason_field()}
            apply_errors(form, err, fmap)
        else:
            messages.success(request, f"Saved: {gap.detail}")
            return _back_to_contact(request, user, network, contact, f"gap-{gap.pk}")
    ctx = _contact_context(request, user, network, contact, bound_outcome={gap.pk: form})
    return render(request, "gaps/contact.html", ctx)


ANSWER_FORMS: dict[str, type[forms.Form]] = {
    "birth-date": gf.BirthDateAnswerForm,
    "contact": gf.ContactDetailsAnswerForm,
    "no-partner": gf.NoneAnswerForm,
    "pr": gf.PRAnswerForm,
    "seen": gf.SeenAnswerForm,
}


@require_POST
def contact_gap_answer(
    request: HttpRequest, network_id: int, contact_id: int, gap_id: int, kind: str
) -> HttpResponse:
    """Record the answer to a gap inline, through the records services (which
    recompute the gaps: the gap resolves and its outcome becomes "answered")."""
    user, network, contact, gap = _contact_and_gap(request, network_id, contact_id, gap_id)
    record = family_record_load(network)
    care_carers = {c.pk: c.carer_id for c in record.care}
    inline, _ = answers_for(gap, network.pk, care_carers, {kind: request.POST}, versions=_versions(record))
    chosen = next((i for i in inline if i.kind == kind), None)
    if chosen is None or contact.status != gm.Contact.Status.OPEN:
        messages.success(request, "That answer cannot be recorded here any more")
        return _back_to_contact(request, user, network, contact)
    form = chosen.form
    if form.is_valid():
        d = form.cleaned_data
        person = record.people[chosen.person_id]
        try:
            _save_answer(user, network, contact, person, chosen, d, form)
        except StaleEdit as err:
            fresh = _versions(family_record_load(network))
            key = f"pr:{person.pk}:{chosen.child_id}" if chosen.kind == "pr" else f"person:{person.pk}"
            refuse_stale(form, err, {"version": fresh.get(key, "")})
        except RecordError as err:
            apply_errors(form, err, {"given_name": "__all__"})
        else:
            gap.refresh_from_db()
            if gap.is_open:
                still = listing([MISSING_LABELS.get(m, m) for m in gap.missing])
                messages.success(request, f"Saved. Still to record: {still}")
            else:
                messages.success(request, f"Answered: {gap.detail}")
            return _back_to_contact(request, user, network, contact, f"gap-{gap.pk}")
    ctx = _contact_context(request, user, network, contact, bound_answer={gap.pk: {kind: form}})
    return render(request, "gaps/contact.html", ctx)


def _save_answer(
    user: User, network: Any, contact: gm.Contact, person: Any, chosen: Any, d: dict[str, Any], form: Any
) -> None:
    source = form.source_value() if hasattr(form, "source_value") else rs.Source_()
    kind = chosen.kind
    if kind in ("birth-date", "contact"):
        base = rs.PersonData.of(person)
        if kind == "birth-date":
            accuracy = "estimated" if d.get("estimated") else "accurate"
            data = dataclasses.replace(base, birth_date=d["birth_date"], birth_date_accuracy=accuracy)
        else:
            data = dataclasses.replace(
                base, phone=d.get("phone") or base.phone, email=d.get("email") or base.email
            )
        rs.person_update(
            actor=user,
            network=network,
            person=person,
            data=data,
            expected_version=d.get("version"),
            source=source,
        )
    elif kind.startswith("fact-"):
        rs.fact_set(
            actor=user,
            network=network,
            person=person,
            key=chosen.fact_key,
            value=d["value"],
            expected_version=None,  # the gap is open: no answer was recorded when the page loaded
            source=source,
        )
    elif kind == "no-partner":
        rs.fact_set(
            actor=user,
            network=network,
            person=person,
            key=chosen.fact_key,
            value="none",
            expected_version=None,  # the gap is open: no answer was recorded when the page loaded
            source=source,
        )
    elif kind == "pr":
        loaded = family_record_load(network)
        child = loaded.people[chosen.child_id]
        # the answer changes the record running today, or starts a new one
        running = pr_running(loaded.parental_responsibility, person.pk, child.pk, timezone.localdate())
        if running is None and d.get("version") is not None:
            raise StaleEdit("parental responsibility record")  # ended or removed since the page loaded
        rs.pr_set(
            actor=user,
            network=network,
            person=person,
            child=child,
            basis=d["basis"],
            start=running.start if running else None,
            end=running.end if running else None,
            source=source,
            record=running,
            expected_version=d.get("version"),
        )
    elif kind == "seen":
        services.contact_mark_seen(actor=user, contact=contact, person=person)


@require_POST
def contact_household(
    request: HttpRequest, network_id: int, contact_id: int, household_id: int
) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id, read=False)
    record = family_record_load(network)
    household = record.households.get(household_id)  # the network's own (records.membership)
    if household is None:
        raise Http404("No household found")
    contact = access.contact_for_user(user, network, contact_id)  # records the read
    try:
        services.contact_confirm_household(
            actor=user, contact=contact, household=household, outcome=request.POST.get("outcome", "no-change")
        )
    except RecordError as err:
        ctx = _contact_context(request, user, network, contact, close_error=err)
        return render(request, "gaps/contact.html", ctx)
    messages.success(request, "Household confirmed")
    return _back_to_contact(request, user, network, contact, "households")


@require_POST
def contact_not_asked_rest(request: HttpRequest, network_id: int, contact_id: int) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id, read=False)
    contact = access.contact_for_user(user, network, contact_id)
    form = gf.NotAskedRestForm(request.POST)
    if form.is_valid():
        try:
            n = services.contact_not_asked_rest(
                actor=user, contact=contact, reason=form.cleaned_data["reason"]
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Recorded 'not asked this time' for {count_words(n, 'gap')}")
            return _back_to_contact(request, user, network, contact, "close")
    ctx = _contact_context(request, user, network, contact, rest_form=form)
    return render(request, "gaps/contact.html", ctx)


@require_POST
def contact_close(request: HttpRequest, network_id: int, contact_id: int) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id, read=False)
    contact = access.contact_for_user(user, network, contact_id)
    try:
        services.contact_close(actor=user, contact=contact)
    except RecordError as err:
        ctx = _contact_context(request, user, network, contact, close_error=err)
        return render(request, "gaps/contact.html", ctx)
    messages.success(request, "Contact closed")
    return redirect("family", network_id=network.pk)
