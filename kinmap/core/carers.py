"""Safety information for every carer of a baby (information requirements 17
to 20 of the product brief). Plain Python, no Django.

Who counts as a carer of a child: everyone with a current care arrangement
for the child, every current parent who lives with the child, and a parent's
partner who lives with the child. Each carer is checked for:

17. ICON ("babies cry, you can cope") given by the time the baby is a
    configurable age (14 days by default), or from the day a new carer starts.
18. Safer sleep advice given to every carer who may settle the baby, and the
    place the baby sleeps recorded for every care arrangement overnight or away
    from the baby's home.
19. The core information (ICON and safer sleep) a carer already had offered
    again after a change: they became a carer after the birth (having had it
    before, antenatally say), they or the baby moved to a new address, or
    overnight stays began. A carer who never had it is asked for under 17 and
    18, so that each gap is closed by exactly one answer.
20. Every carer who does not live with the child offered a route to the
    information: a joint appointment they attended, their own copies (by post
    or email), or a telephone conversation.

Rules 17 and 18 need the information *given*; an offer that was declined
keeps them open (the decline is the answer recorded against the gap). Rules
19 and 20 ask for an *offer*, which a recorded decline shows was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .frozen import filled_directly
from .graph import FamilyGraph
from .model import CareArrangement, InformationGiven, Invitation, Network
from .vocab import (
    CARE_PLACE_LABELS,
    CONTACT_TYPE_LABELS,
    CORE_MATERIALS,
    CURRENT_PARTNER_CODES,
    ICON,
    INFO_HOW_LABELS,
    SAFER_SLEEP,
    CarePlace,
    InfoHow,
    InvitationOutcome,
)

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CHILD_HOME = CarePlace.CHILD_HOME

# The routes rule 20 asks about for a carer who lives elsewhere: a joint
# appointment, their own copies (by post or email), or a telephone conversation.
# Information handed over in person at a contact at the child's home is the
# route every resident carer has; for a carer who came to one, record it as
# given at the joint appointment.
ROUTES_FOR_CARERS_ELSEWHERE = frozenset(
    {InfoHow.JOINT_APPOINTMENT, InfoHow.POST, InfoHow.EMAIL, InfoHow.TELEPHONE}
)

CRITICAL = "critical"
IMPORTANT = "important"
ROUTINE = "routine"

R17_ICON = "17"
R18_SAFER_SLEEP = "18"
R18_SLEEP_PLACE = "18-sleep-place"
R19_REOFFER = "19"
R20_ROUTE = "20"

MATERIAL_SHORT_LABELS = {
    ICON: "ICON (babies cry, you can cope)",
    SAFER_SLEEP: "Safer sleep",
}


def material_label(code: str) -> str:
    return MATERIAL_SHORT_LABELS.get(code, code.replace("-", " ").capitalize())


@dataclass(frozen=True)
class CarerSettings:
    """What a partnership can tune."""

    icon_by_days: int = 14  # ICON given by the time the baby is this many days old
    baby_under_days: int = 365  # the rules apply while the child is younger than this
    core_materials: tuple[str, ...] = CORE_MATERIALS


@filled_directly  # made for every carer of every child the rules look at
@dataclass(frozen=True)
class CarerOfChild:
    person_id: int
    child_id: int
    since: date | None  # when they became a carer of this child (None: not known)
    lives_with: bool
    overnight: bool
    care: tuple[CareArrangement, ...]  # their current care arrangements for the child

    @property
    def lives_elsewhere(self) -> bool:
        return not self.lives_with


@filled_directly  # made for every check of every carer, met or not
@dataclass(frozen=True)
class CarerCheck:
    """One requirement checked for one carer (or one of their care arrangements)."""

    rule: str
    child_id: int
    person_id: int
    met: bool
    severity: str
    detail: str  # in words: what is missing, or what met it
    care_id: int | None = None
    materials: tuple[str, ...] = ()  # materials still to give or offer


@dataclass(frozen=True)
class CarerSummary:
    """What one carer has been given and what they still need, for the pages."""

    carer: CarerOfChild
    given: tuple[InformationGiven, ...]
    invitations: tuple[Invitation, ...]
    checks: tuple[CarerCheck, ...]  # every applicable check, met or not
    missing: tuple[str, ...]  # material codes still to give

    @property
    def unmet(self) -> tuple[CarerCheck, ...]:
        return tuple(c for c in self.checks if not c.met)


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _d(day: date) -> str:
    """``3 March 2026``: the GOV.UK date format (the month's name in English,
    whatever the locale; a table is faster than ``strftime``)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def is_baby(graph: FamilyGraph, child_id: int, settings: CarerSettings) -> bool:
    child = graph.person(child_id)
    age = child.age_in_days(graph.today)
    return age is not None and 0 <= age < settings.baby_under_days and child.alive_on(graph.today)


def _residence_start(graph: FamilyGraph, person_id: int) -> date | None:
    return graph.moved_in_today.get(person_id)


def carers_of(graph: FamilyGraph, child_id: int) -> list[CarerOfChild]:
    """Everyone who cares for the child now, in a stable order. Worked out once
    per graph (the rules 17 to 21 each ask)."""
    key = ("carers_of", child_id)
    found: list[CarerOfChild] | None = graph.memo.get(key)
    if found is None:
        found = graph.memo[key] = _carers_of(graph, child_id)
    return found


def _carers_of(graph: FamilyGraph, child_id: int) -> list[CarerOfChild]:
    net, today = graph.network, graph.today
    people = net.people
    child = people[child_id]
    birth = child.birth_date if not child.unborn else None
    # the child's households today: lives_with(pid) is "shares one of them"
    # (graph.lives_with, with no home for the child meaning no one does)
    homes = graph.households_of(child_id)
    found: dict[int, CarerOfChild] = {}

    arrangements: dict[int, list[CareArrangement]] = {}
    for c in net.care:  # graph.care_of(child_id), read in one pass
        pid = c.carer_id
        if c.child_id == child_id and c.current_on(today) and pid != child_id and pid in people:
            arrangements.setdefault(pid, []).append(c)
    for pid, care in arrangements.items():
        if not people[pid].alive_on(today):
            continue
        starts = [c.start for c in care]
        since = None if any(s is None for s in starts) else min(s for s in starts if s is not None)
        found[pid] = CarerOfChild(
            pid,
            child_id,
            since,
            bool(homes) and bool(homes & graph.households_of(pid)),
            any(c.overnight for c in care),
            tuple(care),
        )

    parents = graph.parents(child_id)
    household_adults: list[tuple[int, date | None]] = [(pid, None) for pid in parents]
    for pid in parents:
        for partner in graph.partners(pid):
            rel_starts = [
                r.start
                for r in graph.relationships_between(pid, partner)
                if r.type in CURRENT_PARTNER_CODES and r.start is not None
            ]
            household_adults.append((partner, max(rel_starts) if rel_starts else None))
    if not homes:  # no one lives with a child with no home today
        return [found[pid] for pid in sorted(found)]
    for pid, rel_start in household_adults:
        if pid in found or pid == child_id or pid not in people:
            continue
        if not net.is_member(pid) or not people[pid].alive_on(today):
            continue
        if not homes & graph.households_of(pid):
            continue
        candidates = [d for d in (birth, _residence_start(graph, pid), rel_start) if d is not None]
        since = max(candidates) if candidates else None
        found[pid] = CarerOfChild(pid, child_id, since, True, False, ())
    return [found[pid] for pid in sorted(found)]


def _records(graph: FamilyGraph, person_id: int, material: str) -> list[InformationGiven]:
    """The person's records of one material, in the network's order (indexed
    once per graph: each carer's checks ask for each material several times)."""
    by_material: dict[tuple[int, str], list[InformationGiven]] | None = graph.memo.get(_BY_MATERIAL)
    if by_material is None:
        by_material = graph.memo[_BY_MATERIAL] = {}
        for i in graph.network.information_given:
            by_material.setdefault((i.person_id, i.material), []).append(i)
    return by_material.get((person_id, material), [])


_BY_MATERIAL = ("information_by_material",)


def _newest_first(records: list[InformationGiven]) -> list[InformationGiven]:
    """The records newest first (stable: records of one day keep the network's
    order); no sort for one record or none, the usual case."""
    return sorted(records, key=_on, reverse=True) if len(records) > 1 else records


def _on(i: InformationGiven) -> date:
    return i.on


def _given(graph: FamilyGraph, person_id: int, material: str, since: date | None) -> InformationGiven | None:
    for i in _newest_first(_records(graph, person_id, material)):
        if not i.declined and (since is None or i.on >= since):
            return i
    return None


def _offered(
    graph: FamilyGraph, person_id: int, material: str, since: date | None
) -> InformationGiven | None:
    for i in _newest_first(_records(graph, person_id, material)):
        if since is None or i.on >= since:
            return i
    return None


def _last_decline(graph: FamilyGraph, person_id: int, material: str) -> InformationGiven | None:
    records = _records(graph, person_id, material)
    if not records:  # most carers: nothing given or offered yet
        return None
    declines = [i for i in records if i.declined]
    return max(declines, key=lambda i: i.on) if declines else None


def _days(days: int) -> timedelta:
    """``timedelta(days=days)``, kept for the next family (:data:`_DAYS`)."""
    span = timedelta(days=days)
    if len(_DAYS) < 64:
        _DAYS[days] = span
    return span


# timedelta(days=n) for each n asked for so far: ICON's due date is worked out
# for every carer of every baby, and making a timedelta from a keyword costs
# about ten dictionary look-ups
_DAYS: dict[int, timedelta] = {}


def _severity(carer: CarerOfChild) -> str:
    return CRITICAL if carer.overnight else IMPORTANT


def _declined_words(graph: FamilyGraph, carer: CarerOfChild, material: str) -> str:
    d = _last_decline(graph, carer.person_id, material)
    if d is None:
        return ""
    reason = f': "{d.declined_reason}"' if d.declined_reason else ""
    return f" Offered and declined on {_d(d.on)}{reason}."


def check_icon(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> CarerCheck | None:
    """Rule 17, for a carer of a baby (:func:`carer_checks` asks that first).
    None when it is not yet due: ICON is due when the baby reaches the
    configured age, or from the day a new carer starts if that is later."""
    birth = graph.person(carer.child_id).birth_date
    assert birth is not None
    days = settings.icon_by_days
    span = _DAYS.get(days)
    if span is None:
        span = _days(days)
    due = birth + span
    if carer.since is not None and carer.since > due:
        due = carer.since
    if graph.today < due:
        return None
    got = _given(graph, carer.person_id, ICON, None)
    if got is not None:
        return CarerCheck(
            R17_ICON,
            carer.child_id,
            carer.person_id,
            True,
            _severity(carer),
            f"ICON given on {_d(got.on)}",
        )
    return CarerCheck(
        R17_ICON,
        carer.child_id,
        carer.person_id,
        False,
        _severity(carer),
        f"ICON not given (due by {_d(due)})." + _declined_words(graph, carer, ICON),
        materials=(ICON,),
    )


def check_safer_sleep(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> CarerCheck | None:
    """Rule 18, the advice: every carer of a baby may settle the baby to sleep.
    For a carer of a baby (:func:`carer_checks` asks that first)."""
    got = _given(graph, carer.person_id, SAFER_SLEEP, None)
    if got is not None:
        return CarerCheck(
            R18_SAFER_SLEEP,
            carer.child_id,
            carer.person_id,
            True,
            _severity(carer),
            f"Safer sleep advice given on {_d(got.on)}",
        )
    return CarerCheck(
        R18_SAFER_SLEEP,
        carer.child_id,
        carer.person_id,
        False,
        _severity(carer),
        "Safer sleep advice not given." + _declined_words(graph, carer, SAFER_SLEEP),
        materials=(SAFER_SLEEP,),
    )


def check_sleep_places(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> list[CarerCheck]:
    """Rule 21, the places: where the baby sleeps during care overnight or away
    from home. For a carer of a baby (:func:`carer_checks` asks that first)."""
    out = []
    for c in carer.care:
        if not c.overnight and c.place is _CHILD_HOME:
            continue
        where = "overnight" if c.overnight else CARE_PLACE_LABELS[c.place]
        met = bool(c.sleep_place.strip())
        out.append(
            CarerCheck(
                R18_SLEEP_PLACE,
                c.child_id,
                c.carer_id,
                met,
                CRITICAL if c.overnight else IMPORTANT,
                f"Sleeps: {c.sleep_place.strip()}"
                if met
                else f"Where the baby sleeps during care {where} is not recorded.",
                care_id=c.id,
            )
        )
    return out


def _events(graph: FamilyGraph, carer: CarerOfChild) -> list[tuple[date, str]]:
    """Changes after the birth that call for the core information again."""
    birth = graph.person(carer.child_id).birth_date
    assert birth is not None
    out: list[tuple[date, str]] = []
    if carer.since is not None and carer.since > birth:
        out.append((carer.since, "they became a carer"))
    moved = _residence_start(graph, carer.person_id)
    if moved is not None and moved > birth:
        out.append((moved, "they moved to a new address"))
    baby_moved = _residence_start(graph, carer.child_id)
    if baby_moved is not None and baby_moved > birth:
        out.append((baby_moved, "the baby moved to a new address"))
    for c in carer.care:
        if c.overnight and c.start is not None and c.start > birth:
            out.append((c.start, "overnight stays began"))
    return out


def latest_change(graph: FamilyGraph, carer: CarerOfChild) -> tuple[date, str] | None:
    """The latest change after the birth that calls for the core information again."""
    events = _events(graph, carer)
    return max(events) if events else None


def check_reoffer(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> CarerCheck | None:
    """Rule 19: information the carer had before a change, offered again after it.

    None when nothing has changed since the birth, or when the carer had none
    of the core information before the change (giving it for the first time is
    what rules 17 and 18 ask, so each gap is closed by exactly one answer).
    For a carer of a baby (:func:`carer_checks` asks that first).
    """
    if not graph.information_of(carer.person_id):
        return None  # never given or offered anything: no change to work out
    change = latest_change(graph, carer)
    if change is None:
        return None
    when, what = change
    had = [
        m
        for m in settings.core_materials
        if any(i.on < when and not i.declined for i in _records(graph, carer.person_id, m))
    ]
    if not had:
        return None
    missing = tuple(m for m in had if _offered(graph, carer.person_id, m, when) is None)
    if not missing:
        return CarerCheck(
            R19_REOFFER,
            carer.child_id,
            carer.person_id,
            True,
            _severity(carer),
            f"Core information offered again since {what} on {_d(when)}",
        )
    names = " and ".join(material_label(m) for m in missing)
    return CarerCheck(
        R19_REOFFER,
        carer.child_id,
        carer.person_id,
        False,
        _severity(carer),
        f"{names} not offered again since {what} on {_d(when)}.",
        materials=missing,
    )


def check_route(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> CarerCheck | None:
    """Rule 20, for a carer of a baby (:func:`carer_checks` asks that first).
    None for carers who live with the child."""
    if carer.lives_with:
        return None
    pid = carer.person_id
    invitations = sorted(graph.invitations_of(pid), key=lambda i: (i.contact_on, i.id))
    attended = [i for i in invitations if i.outcome is InvitationOutcome.ATTENDED]
    if attended:
        i = attended[-1]
        return CarerCheck(
            R20_ROUTE,
            carer.child_id,
            pid,
            True,
            _severity(carer),
            f"Came to the {_contact(i.contact_type)} on {_d(i.contact_on)}",
        )
    offers = sorted(
        (i for i in graph.information_of(pid) if i.how in ROUTES_FOR_CARERS_ELSEWHERE),
        key=lambda i: i.on,
    )
    if offers:
        o = offers[-1]
        return CarerCheck(
            R20_ROUTE,
            carer.child_id,
            pid,
            True,
            _severity(carer),
            f"{'Offered' if o.declined else 'Given'} directly: {INFO_HOW_LABELS[o.how].lower()}, {_d(o.on)}",
        )
    detail = "Not yet offered a joint appointment, copies of the materials or a telephone conversation."
    if invitations:
        i = invitations[-1]
        state = {
            InvitationOutcome.PENDING: "waiting for the appointment",
            InvitationOutcome.DECLINED: "declined; offer copies or a telephone call instead",
            InvitationOutcome.NO_REPLY: "no reply; offer copies or a telephone call instead",
        }.get(i.outcome, str(i.outcome))
        detail = f"Invited to the {_contact(i.contact_type)} on {_d(i.contact_on)}: {state}."
    return CarerCheck(R20_ROUTE, carer.child_id, pid, False, _severity(carer), detail)


def _contact(code: str) -> str:
    label = CONTACT_TYPE_LABELS.get(code, code)
    return label[0].lower() + label[1:]


def carer_checks(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> list[CarerCheck]:
    """Every check of rules 17 to 21 that applies to the carer (none unless
    the child is a baby: each check asks that first)."""
    if not is_baby(graph, carer.child_id, settings):
        return []
    return _baby_carer_checks(graph, carer, settings)


def _baby_carer_checks(graph: FamilyGraph, carer: CarerOfChild, settings: CarerSettings) -> list[CarerCheck]:
    """:func:`carer_checks` for a carer of a child known to be a baby (the
    checks called one by one, in the same order)."""
    out: list[CarerCheck] = []
    c = check_icon(graph, carer, settings)
    if c is not None:
        out.append(c)
    c = check_safer_sleep(graph, carer, settings)
    if c is not None:
        out.append(c)
    if carer.care:
        out.extend(check_sleep_places(graph, carer, settings))
    c = check_reoffer(graph, carer, settings)
    if c is not None:
        out.append(c)
    if not carer.lives_with:
        c = check_route(graph, carer, settings)
        if c is not None:
            out.append(c)
    return out


def checks_by_carer(
    graph: FamilyGraph, settings: CarerSettings
) -> list[tuple[CarerOfChild, list[CarerCheck]]]:
    """Every carer of every baby among the index children with their applicable
    checks, worked out once per graph and settings (the rules share them)."""
    key = ("checks_by_carer", settings)
    found: list[tuple[CarerOfChild, list[CarerCheck]]] | None = graph.memo.get(key)
    if found is None:
        found = graph.memo[key] = []
        net = graph.network
        for child_id in net.index_child_ids:
            if child_id in net.people and is_baby(graph, child_id, settings):
                found.extend(
                    [(c, _baby_carer_checks(graph, c, settings)) for c in carers_of(graph, child_id)]
                )
    return found


def unmet_checks_by_rule(graph: FamilyGraph, settings: CarerSettings) -> dict[str, list[CarerCheck]]:
    """The checks of :func:`checks_by_carer` that are not met, grouped by rule
    (``R17_ICON``...) in the same order, worked out once per graph and settings:
    the five rules 17 to 21 each take their own group instead of going through
    every check."""
    key = ("unmet_checks_by_rule", settings)
    found: dict[str, list[CarerCheck]] | None = graph.memo.get(key)
    if found is None:
        found = graph.memo[key] = {}
        for _carer, checks in checks_by_carer(graph, settings):
            for check in checks:
                if not check.met:
                    found.setdefault(check.rule, []).append(check)
    return found


def all_checks(network: Network, today: date, settings: CarerSettings | None = None) -> list[CarerCheck]:
    """Every applicable check for every carer of every index child."""
    s = settings or CarerSettings()
    graph = FamilyGraph(network, today)
    out: list[CarerCheck] = []
    for child_id in network.index_child_ids:
        if child_id not in network.people:
            continue
        for carer in carers_of(graph, child_id):
            out.extend(carer_checks(graph, carer, s))
    return out


def carer_summaries(
    network: Network, today: date, settings: CarerSettings | None = None, *, graph: FamilyGraph | None = None
) -> dict[int, list[CarerSummary]]:
    """For each index child, each carer with what they were given and what is still to give.

    A core material is "still to give" when a check asks for it, or when it has
    never been given to this carer (even if not yet due). ``graph``: the
    caller's graph of ``network`` on ``today`` (what it works out is kept in
    it), or None for a new one; ``ValueError`` for a graph of another network
    or day.
    """
    s = settings or CarerSettings()
    if graph is None:
        graph = FamilyGraph(network, today)
    elif graph.network is not network or graph.today != today:
        raise ValueError("carer_summaries: the graph is not of this network on this day")
    out: dict[int, list[CarerSummary]] = {}
    for child_id in network.index_child_ids:
        if child_id not in network.people:
            continue
        rows = []
        for carer in carers_of(graph, child_id):
            checks = tuple(carer_checks(graph, carer, s))
            missing: list[str] = []
            for c in checks:
                if not c.met:
                    missing.extend(m for m in c.materials if m not in missing)
            if is_baby(graph, child_id, s):
                for m in s.core_materials:
                    if m not in missing and _given(graph, carer.person_id, m, None) is None:
                        missing.append(m)
            given = tuple(
                sorted(
                    (i for i in network.information_given if i.person_id == carer.person_id),
                    key=lambda i: (i.on, i.id),
                )
            )
            invitations = tuple(
                sorted(
                    (i for i in network.invitations if i.person_id == carer.person_id),
                    key=lambda i: (i.contact_on, i.id),
                )
            )
            order = {m: n for n, m in enumerate(s.core_materials)}
            missing.sort(key=lambda m: order.get(m, len(order)))
            rows.append(CarerSummary(carer, given, invitations, checks, tuple(missing)))
        out[child_id] = rows
    return out
