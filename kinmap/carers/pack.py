"""The carer pack: what one named carer is given to take away, as a printable
page and a PDF.

It holds the materials due for the child's age, the appointments the carer is
invited to, and universal support contacts. It is built from the carer's name,
the children's first names and ages, the catalogue and the invitations, and
nothing else: no address and no telephone number of anyone in the family (the
carer's own included) is ever read into it, so no masked detail can reach it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from kinmap.core.carers import carers_of
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.vocab import CONTACT_TYPE_LABELS, CORE_MATERIALS, InvitationOutcome, Sex
from kinmap.records.presenters import age_words

from . import models as cm
from .support import UNIVERSAL_SUPPORT, SupportContact

PARTNERSHIP = "Northshire Safeguarding Children Partnership"


@dataclass(frozen=True)
class PackMaterial:
    code: str
    title: str
    summary: str
    formats: tuple[str, ...]
    languages: tuple[str, ...]
    url: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.summary.splitlines() if p.strip()]


@dataclass(frozen=True)
class PackAppointment:
    what: str
    on: date


@dataclass
class CarerPack:
    carer_name: str
    made_on: date
    children: list[tuple[str, str]] = field(default_factory=list)  # first name, age in words
    materials: list[PackMaterial] = field(default_factory=list)
    appointments: list[PackAppointment] = field(default_factory=list)
    support: tuple[SupportContact, ...] = UNIVERSAL_SUPPORT

    @property
    def filename(self) -> str:
        safe = "".join(ch if ch.isalnum() else "-" for ch in self.carer_name.lower()).strip("-")
        return f"carer-pack-{safe or 'carer'}-{self.made_on.isoformat()}.pdf"


def _due(material: cm.Material, age_days: int) -> bool:
    lo, hi = material.due_from_days, material.due_to_days
    return (lo is None or age_days >= lo) and (hi is None or age_days <= hi)


def carer_pack_build(
    network: Network, person_id: int, materials: list[cm.Material], today: date
) -> CarerPack | None:
    """The pack for ``person_id``, or None if they do not care for any index child."""
    graph = FamilyGraph(network, today)
    person = network.people.get(person_id)
    if person is None or not network.is_member(person_id):
        return None
    roles = [
        c for child in network.index_child_ids for c in carers_of(graph, child) if c.person_id == person_id
    ]
    if not roles:
        return None
    pack = CarerPack(carer_name=person.display_name, made_on=today)
    chosen: dict[str, cm.Material] = {}
    for role in roles:
        child = network.people[role.child_id]
        pack.children.append(
            (
                child.given_name or "the baby",
                age_words(child.birth_date, child.birth_date_accuracy, today, child.death_date),
            )
        )
        age = child.age_in_days(today)
        if age is None:
            continue
        is_parent = person_id in graph.parents(role.child_id)
        for mat in materials:
            fits = {
                "all": True,
                "fathers": person.sex is Sex.MALE,
                "parents": is_parent,
                "overnight": role.overnight,
            }.get(mat.audience, False)
            if mat.active and fits and _due(mat, age):
                chosen[mat.code] = mat
    order = {code: n for n, code in enumerate(CORE_MATERIALS)}
    for mat in sorted(chosen.values(), key=lambda m: (order.get(m.code, len(order)), m.title)):
        pack.materials.append(
            PackMaterial(
                mat.code,
                mat.title,
                mat.summary,
                tuple(cm.FORMAT_LABELS.get(f, f) for f in mat.formats),
                tuple(mat.languages),
                mat.url,
            )
        )
    for inv in sorted(network.invitations, key=lambda i: (i.contact_on, i.id)):
        if (
            inv.person_id == person_id
            and inv.outcome is InvitationOutcome.PENDING
            and inv.contact_on >= today
        ):
            pack.appointments.append(
                PackAppointment(CONTACT_TYPE_LABELS.get(inv.contact_type, "Appointment"), inv.contact_on)
            )
    return pack


def _d(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def carer_pack_pdf(pack: CarerPack) -> bytes:
    """The pack as an A4 PDF (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Information for {pack.carer_name}",
        author=PARTNERSHIP,
        subject="Looking after a baby safely",
    )

    def p(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    story = [
        p(f"Information for {pack.carer_name}", "Title"),
        p(
            "Everyone who looks after a baby, at home or anywhere else, needs the same information "
            "to keep them safe. This pack is yours to keep."
        ),
    ]
    for name, age in pack.children:
        story.append(p(f"Looking after {name}, {age}."))
    story.append(p(f"Made on {_d(pack.made_on)} by {PARTNERSHIP}.", "Italic"))
    story.append(Spacer(1, 4 * mm))
    story.append(p("Information for you now", "Heading2"))
    if not pack.materials:
        story.append(p("There is no information due for the child's age at the moment."))
    for mat in pack.materials:
        story.append(p(mat.title, "Heading3"))
        story.extend(p(text) for text in mat.paragraphs)
        how = f"Available as: {', '.join(mat.formats)}. Languages: {', '.join(mat.languages)}."
        story.append(p(how, "Italic"))
        if mat.url:
            story.append(p(f"Online: {mat.url}"))
    story.append(p("Appointments you are invited to", "Heading2"))
    if pack.appointments:
        story.append(
            ListFlowable(
                [ListItem(p(f"{a.what}: {_d(a.on)}")) for a in pack.appointments], bulletType="bullet"
            )
        )
        story.append(p("Your health visitor will confirm the time and place with you."))
    else:
        story.append(p("None at the moment. You are always welcome to ask to come to the baby's reviews."))
    story.append(p("Support for you", "Heading2"))
    for s in pack.support:
        story.append(p(f"{s.name}: {s.phone} ({s.when}). {s.what}"))
    doc.build(story)
    return out.getvalue()
