"""How the answer to a gap is recorded from the contact page: inline where the
answer is simple (a date of birth, a telephone number, an answer in words,
"no current partner", seen today, parental responsibility), otherwise a link
to the page that records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from kinmap.core.model import NAME_NOT_KNOWN
from kinmap.core.rules.facts import FACT_BIRTH_FATHER_ABSENT, FACT_BIRTH_MOTHER_ABSENT, FACT_CURRENT_PARTNER

from . import forms as gf
from . import models as gm

# Missing keys answered by a fact in words (the fact key is the missing key with dashes).
FACT_QUESTIONS = {
    "other_names": "Previous names and aliases of {who} ('none' if there are none)",
    "other_children": "Other children of {who}, including any who live elsewhere ('none' if none)",
    "agency_involvement": "Agencies involved with other children of {who} ('none known' if none)",
    "adult_services": "Involvement of adult services with {who}: mental health, substance misuse, "
    "probation, domestic abuse ('none known' if none)",
    "contact_arrangement": "When {who} sees the child, and whether the child stays over",
    "regular_visitors": "Regular visitors and other important people for {who} ('none' if nobody)",
    "young_parent_carer": "Who cares for {who}, a parent under 18 (their own parent, a foster carer...)",
    "safeguarding_referral": "Whether a safeguarding referral about {who} was considered, and the outcome",
}


# Missing keys another agency can be asked for (kinmap.sharing.facts: ``what``).
ASK_FOR = {
    "birth_date": "birth_date",
    "name": "name",
    "address": "address",
    "contact": "phone",
    **{k: f"fact:{k.replace('_', '-')}" for k in (*FACT_QUESTIONS, "current_partner")},
}


@dataclass
class Inline:
    kind: str  # the URL part: birth-date, contact, fact-<key>, no-partner, pr, seen, absent-<key>
    title: str
    form: forms.Form
    person_id: int
    fact_key: str = ""
    child_id: int | None = None
    button: str = "Save the answer"


@dataclass
class Link:
    label: str
    url: str


def subject_words(gap: gm.Gap) -> str:
    """Whom a gap is about, for a sentence: the person's name, or "this person"
    where the gap is not about one named person (no name recorded, or a
    household, relationship or child subject)."""
    name = gap.subject_name
    if gap.subject_kind in ("person", "care") and name and name != NAME_NOT_KNOWN:
        return name
    return "this person" if gap.subject_kind in ("person", "care") else "the child"


def sentence(template: str, gap: gm.Gap) -> str:
    """A title for an answer about ``gap``, with ``{who}`` filled by
    :func:`subject_words` and a capital letter at the start."""
    text = template.format(who=subject_words(gap))
    return text[:1].upper() + text[1:]


def subject_person(gap: gm.Gap, care_carers: dict[int, int]) -> int | None:
    try:
        sid = int(gap.subject_id)
    except ValueError:
        return None
    if gap.subject_kind in ("person", "child"):
        return sid
    if gap.subject_kind == "care":
        return care_carers.get(sid)
    return None


def _form(cls: type[forms.Form], prefix: str, data: Any, **initial: Any) -> forms.Form:
    return cls(data, prefix=prefix, initial={"source": "said-by", **initial})


def answers_for(
    gap: gm.Gap,
    network_id: int,
    care_carers: dict[int, int],
    bound: dict[str, Any] | None = None,
    *,
    versions: dict[str, int] | None = None,
) -> tuple[list[Inline], list[Link]]:
    """The inline answers and the links for one gap. ``bound`` holds submitted
    data (or the form itself) for the one answer being re-shown with its errors. ``versions`` gives
    the version of each row an answer changes (``person:<id>``, and
    ``pr:<person id>:<child id>`` for a parental responsibility already
    recorded), which the answer's form carries to refuse a stale change."""
    saved = versions or {}
    pid = subject_person(gap, care_carers)
    inline: list[Inline] = []
    links: list[Link] = []
    prefix = f"g{gap.pk}"

    def data_for(kind: str) -> Any:
        return bound.get(kind) if bound else None

    def add(kind: str, title: str, cls: type[forms.Form], person_id: int, **kw: Any) -> None:
        if any(i.kind == kind for i in inline):
            return
        button = kw.pop("button", "Save the answer")
        fact_key = kw.pop("fact_key", "")
        child_id = kw.pop("child_id", None)
        data = data_for(kind)
        inline.append(
            Inline(
                kind,
                sentence(title, gap),
                data if isinstance(data, forms.Form) else _form(cls, f"{prefix}-{kind}", data, **kw),
                person_id,
                fact_key,
                child_id,
                button,
            )
        )

    def add_absent(fkey: str, noun: str) -> None:
        assert pid is not None
        title = f"Why the {noun} of {{who}} is not recorded"
        add(f"fact-{fkey}", title, gf.FactAnswerForm, pid, fact_key=fkey)

    def link(label: str, name: str, *args: int) -> None:
        url = reverse(name, args=[network_id, *args])
        if not any(x.url == url and x.label == label for x in links):
            links.append(Link(label, url))

    for key in gap.missing:
        if pid is None:
            break
        if key == "birth_date":
            add(
                "birth-date",
                "Date of birth of {who}",
                gf.BirthDateAnswerForm,
                pid,
                version=saved.get(f"person:{pid}"),
            )
        elif key == "contact":
            add(
                "contact",
                "Telephone or email for {who}",
                gf.ContactDetailsAnswerForm,
                pid,
                version=saved.get(f"person:{pid}"),
            )
        elif key in FACT_QUESTIONS:
            fkey = key.replace("_", "-")
            add(f"fact-{fkey}", FACT_QUESTIONS[key], gf.FactAnswerForm, pid, fact_key=fkey)
        elif key == "current_partner":
            add(
                "no-partner",
                "{who} has no current partner",
                gf.NoneAnswerForm,
                pid,
                fact_key=FACT_CURRENT_PARTNER,
                button="Record: no current partner",
            )
            link("Add their partner as a person", "person-add")
        elif key in ("birth_father", "birth_mother"):
            fkey = FACT_BIRTH_FATHER_ABSENT if key == "birth_father" else FACT_BIRTH_MOTHER_ABSENT
            noun = "birth father" if key == "birth_father" else "birth mother"
            link(f"Add the {noun}", "person-add")
            add_absent(fkey, noun)
        elif key in ("recorded_by", "recorded_at") and gap.subject_kind == "child":
            for fkey, noun in (
                (FACT_BIRTH_FATHER_ABSENT, "birth father"),
                (FACT_BIRTH_MOTHER_ABSENT, "birth mother"),
            ):
                if noun in gap.detail:
                    add_absent(fkey, noun)
        elif key == "seen_directly_on":
            add(
                "seen",
                "{who} was seen or spoken to directly at this contact",
                gf.SeenAnswerForm,
                pid,
                button="Record: seen or spoken to at this contact",
            )
        elif key == "parental_responsibility" and gap.child_id is not None:
            add(
                "pr",
                "Parental responsibility of {who}",
                gf.PRAnswerForm,
                pid,
                child_id=gap.child_id,
                version=saved.get(f"pr:{pid}:{gap.child_id}"),
            )
        elif key in (
            "name",
            "birth_date_source",
            "nhs_number_source",
            "name_source",
            "phone_source",
            "email_source",
        ) or (key == "source" and gap.subject_kind == "person"):
            link("Change their details", "person-edit", pid)
        elif key.endswith("-source") and pid is not None:
            # the source of an answer in words (requirement 12): recorded on the person's page
            link("See their answers and where each came from", "person", pid)
        elif key == "address":
            link("Record where they live", "residence-add")
        elif key == "relationship":
            link("Add their relationship to the child", "relationship-add")
        elif key in ("frequency", "source") and gap.subject_kind == "care" and gap.subject_id.isdigit():
            link("Change the care arrangement", "care-edit", int(gap.subject_id))
        # safety information for carers (rules 17 to 21, kinmap.carers)
        elif key in ("icon", "safer_sleep", "icon_again", "safer_sleep_again"):
            link("Record information given or offered", "information-add", pid)
        elif key == "carer_route":
            link("Invite them to a joint appointment", "carer-invite", pid)
            link("Record information given or offered", "information-add", pid)
        elif key == "sleep_place" and gap.subject_kind == "care" and gap.subject_id.isdigit():
            link("Record where the baby sleeps", "care-edit", int(gap.subject_id))
    if "source" in gap.missing and gap.subject_id.isdigit():
        if gap.subject_kind == "relationship":
            link("Record where this relationship came from", "relationship-edit", int(gap.subject_id))
        elif gap.subject_kind == "parental-responsibility":
            link("Record where this came from", "pr-edit", int(gap.subject_id))
        elif gap.subject_kind == "care-order":
            link("Record where the care order came from", "care-order-edit", int(gap.subject_id))
    # "If the information is critical consider if it can be accessed from
    # another legitimate source": a critical gap offers a request to another agency.
    what = next((ASK_FOR[k] for k in gap.missing if k in ASK_FOR), None)
    if pid is not None and what and gap.severity == "critical":
        url = reverse("request-new", args=[network_id, pid])
        links.append(Link("Ask another agency", f"{url}?{urlencode({'what': what, 'gap': gap.key})}"))
    if "information_request" in gap.missing:
        link("Record that a request to another agency was considered", "gaps-supervision")
    return inline, links
