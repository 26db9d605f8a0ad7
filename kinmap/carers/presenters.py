"""What the carer pages show: each carer with what they were given and what is
still to give. Works from the loaded pure network; no contact details."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from kinmap.core.carer_words import RULE_TEXT
from kinmap.core.carers import (
    CarerCheck,
    CarerSettings,
    CarerSummary,
    carer_summaries,
    carers_of,
    material_label,
)
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import InformationGiven, Invitation, Network
from kinmap.core.vocab import CONTACT_TYPE_LABELS, INFO_HOW_LABELS, INVITATION_OUTCOME_LABELS

SEVERITY_TAGS = {"critical": "govuk-tag--red", "important": "govuk-tag--orange", "routine": "govuk-tag--grey"}


@dataclass
class GivenLine:
    on: date
    material: str
    how: str
    by: str
    declined: bool
    reason: str


@dataclass
class InvitationLine:
    id: int
    on: date
    what: str
    outcome: str
    pending: bool


@dataclass
class CheckLine:
    rule: str
    severity: str
    tag: str
    detail: str
    title: str
    why_we_ask: str
    wording: str
    care_id: int | None = None


@dataclass
class CarerLine:
    person_id: int
    name: str
    child_id: int
    child_name: str
    description: str
    lives_elsewhere: bool
    overnight: bool
    given: list[GivenLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invitations: list[InvitationLine] = field(default_factory=list)
    unmet: list[CheckLine] = field(default_factory=list)


def _given_line(i: InformationGiven, titles: dict[str, str]) -> GivenLine:
    return GivenLine(
        i.on,
        titles.get(i.material, material_label(i.material)),
        INFO_HOW_LABELS[i.how],
        i.by,
        i.declined,
        i.declined_reason,
    )


def _invitation_line(i: Invitation) -> InvitationLine:
    return InvitationLine(
        i.id,
        i.contact_on,
        CONTACT_TYPE_LABELS.get(i.contact_type, i.contact_type),
        INVITATION_OUTCOME_LABELS[i.outcome],
        i.outcome == "pending",
    )


@dataclass(frozen=True)
class CarerConfig:
    """The partnership's settings for the carer checks: the thresholds of
    requirement 17 and, by the checks' own rule keys, its own *why we ask* and
    *you could say* ((why, wording); kinmap's where it has none)."""

    settings: CarerSettings | None = None
    words: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def _check_line(c: CarerCheck, config: CarerConfig) -> CheckLine:
    text = RULE_TEXT[c.rule]
    why, wording = config.words.get(c.rule, (text["why_we_ask"], text["wording"]))
    return CheckLine(
        c.rule,
        c.severity.capitalize(),
        SEVERITY_TAGS.get(c.severity, ""),
        c.detail,
        text["title"],
        why,
        wording,
        c.care_id,
    )


def carer_lines(
    network: Network,
    today: date,
    titles: dict[str, str],
    config: CarerConfig | None = None,
    *,
    graph: FamilyGraph | None = None,
) -> list[CarerLine]:
    """Every carer of every index child who is a person of this family network,
    in the order the children are recorded, checked with the partnership's
    settings and words (``config``; None: kinmap's). A carer recorded only in
    another family network (``network.outside_ids``) is left out: the users of
    this network may not be told who they are (PRODUCT.md: masked details never
    leave the server to someone not entitled); :func:`carers_elsewhere` counts them.
    ``graph``: the caller's graph of ``network`` on ``today``, used again (None:
    a new one; ``ValueError`` for a graph of another network or day)."""
    cfg = config or CarerConfig()
    graph = FamilyGraph.given_or_new(graph, network, today)
    out = []
    summaries = carer_summaries(network, today, cfg.settings, graph=graph)
    for child_id, rows in summaries.items():
        child = network.people[child_id]
        for s in rows:
            if s.carer.person_id not in network.outside_ids:
                out.append(_line(graph, s, child.display_name, titles, cfg))
    return out


def carers_elsewhere(
    network: Network, today: date, *, graph: FamilyGraph | None = None
) -> list[tuple[str, int]]:
    """For each index child cared for (on ``today``) by someone recorded only in
    another family network: ``(the child's name, how many such carers)``, in
    the order the children are recorded. Never who the carers are. ``graph``:
    as for :func:`carer_lines`."""
    graph = FamilyGraph.given_or_new(graph, network, today)
    out = []
    for child_id in network.index_child_ids:
        if child_id not in network.people:
            continue
        # the carers of carer_summaries' rows, without their checks
        n = len({c.person_id for c in carers_of(graph, child_id)} & network.outside_ids)
        if n:
            out.append((network.people[child_id].display_name, n))
    return out


def _line(
    graph: FamilyGraph, s: CarerSummary, child_name: str, titles: dict[str, str], config: CarerConfig
) -> CarerLine:
    pid = s.carer.person_id
    return CarerLine(
        person_id=pid,
        name=graph.person(pid).display_name,
        child_id=s.carer.child_id,
        child_name=child_name,
        description=graph.describe(pid, s.carer.child_id),
        lives_elsewhere=s.carer.lives_elsewhere,
        overnight=s.carer.overnight,
        given=[_given_line(i, titles) for i in s.given],
        missing=[titles.get(m, material_label(m)) for m in s.missing],
        invitations=[_invitation_line(i) for i in s.invitations],
        unmet=[_check_line(c, config) for c in s.unmet],
    )
