"""Requirements 17 to 21: safety information reaches every carer of a baby,
including those who live elsewhere.

The checks themselves live in :mod:`kinmap.core.carers` (the family page and
the carer pack use them too); this module wraps them as rules and contributes
them to the catalogue, so the engine runs them like any other requirement.
Importing :mod:`kinmap.core.rules` registers them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from datetime import date

from .. import carers as c
from ..carer_words import RULE_TEXT
from ..graph import FamilyGraph
from ..model import InformationGiven, Invitation, Network
from ..vocab import ICON, SAFER_SLEEP, InfoHow, InvitationOutcome
from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .catalogue import CATALOGUE, register
from .facts import MISSING_LABELS
from .remedies import register_remedy
from .scope import who

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CARE = SubjectKind.CARE

R17 = "R17-icon"
R18 = "R18-safer-sleep"
R18_PLACE = "R18-sleep-place"
R19 = "R19-core-information-again"
R20 = "R20-carers-elsewhere"

# What would resolve each gap, in the words a practitioner reads.
MISSING_LABELS.update(
    {
        "icon": "information about crying: ICON (babies cry, you can cope)",
        "safer_sleep": "safer sleep advice",
        "icon_again": "information about crying (ICON) offered again since the change",
        "safer_sleep_again": "safer sleep advice offered again since the change",
        "sleep_place": "where the baby sleeps",
        "carer_route": "a joint appointment, copies of the materials or a telephone conversation",
    }
)
# the carer checks' own keys (kinmap.core.carers) -> the requirement's id in the catalogue
CATALOGUE_IDS = {
    c.R17_ICON: R17,
    c.R18_SAFER_SLEEP: R18,
    c.R18_SLEEP_PLACE: R18_PLACE,
    c.R19_REOFFER: R19,
    c.R20_ROUTE: R20,
}

_MISSING_KEY = {"icon": "icon", "safer-sleep": "safer_sleep"}

_SEVERITY = {c.CRITICAL: Severity.CRITICAL, c.IMPORTANT: Severity.IMPORTANT, c.ROUTINE: Severity.ROUTINE}

Check = Callable[[c.CarerCheck], bool]


def _unmet_checks(ctx: Context, rule: str) -> list[c.CarerCheck]:
    """The unmet carer checks of ``rule`` for this family. The five rules look
    them up by their two thresholds in the graph's memo, so the settings and
    the carer module's cache key are built once per family, not once per rule."""
    params = ctx.params
    # keyed by the settings as given: equal values give equal thresholds
    key = ("carer_unmet", params.get("icon_by_days", 14), params.get("baby_under_days", 365))
    memo = ctx.graph.memo
    found: dict[str, list[c.CarerCheck]] | None = memo.get(key)
    if found is None:
        found = memo[key] = c.unmet_checks_by_rule(ctx.graph, _carer_settings(*_thresholds(params)))
    return found.get(rule, [])


def carer_settings(params: Mapping[str, object]) -> c.CarerSettings:
    """The carer checks' settings from rule 17's effective settings (its
    ``icon_by_days`` and ``baby_under_days``; missing ones take the defaults)."""
    return _carer_settings(*_thresholds(params))


def _thresholds(params: Mapping[str, object]) -> tuple[int, int]:
    """``icon_by_days`` and ``baby_under_days`` in whole days (defaults 14 and 365)."""
    icon, baby = params.get("icon_by_days", 14), params.get("baby_under_days", 365)
    return (
        int(icon) if isinstance(icon, (int, float)) else 14,  # a tuple: a faster test than int | float
        int(baby) if isinstance(baby, (int, float)) else 365,
    )


@functools.lru_cache(maxsize=64)
def _carer_settings(icon_by_days: int, baby_under_days: int) -> c.CarerSettings:
    """One settings object per pair of thresholds, so the per-graph caches of
    :mod:`kinmap.core.carers` find it by identity as well as by value."""
    return c.CarerSettings(icon_by_days=icon_by_days, baby_under_days=baby_under_days)


_ORDER = ("icon", "safer_sleep", "icon_again", "safer_sleep_again", "sleep_place", "carer_route")


def _run(ctx: Context, rule: str, missing: Callable[[c.CarerCheck], tuple[str, ...]]) -> list[Unmet]:
    """One gap per carer (information reaches a person, whichever baby they
    care for: the most severe of their checks, what all of them miss) and one
    per care arrangement for a sleep place."""
    checks = _unmet_checks(ctx, rule)
    if not checks:  # most families: no carer of a baby misses this one
        return []
    out: list[Unmet] = []
    by_person: dict[int, list[c.CarerCheck]] = {}
    for found in checks:
        if found.care_id is not None:
            out.append(
                ctx.unmet(
                    Subject(_CARE, found.care_id, found.child_id),
                    f"{_name(ctx, found.person_id)}: {found.detail}",
                    missing(found),
                    _SEVERITY[found.severity],
                )
            )
        else:
            by_person.setdefault(found.person_id, []).append(found)
    for pid, found_all in sorted(by_person.items()):
        # the first of the most severe checks, and what all of them miss
        first = found_all[0]
        severity = _SEVERITY[first.severity]
        keys = missing(first)
        for f in found_all[1:]:
            keys += missing(f)
            if _SEVERITY[f.severity].rank < severity.rank:
                first, severity = f, _SEVERITY[f.severity]
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"{_name(ctx, pid)}: {first.detail}",
                _in_order(keys),
                severity,
            )
        )
    return out


def _in_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of :data:`_ORDER` among ``keys``, each once, in that order
    (remembered for each tuple of keys: the carers of every family miss the
    same few)."""
    found = _IN_ORDER.get(keys)
    if found is None:
        found = tuple(k for k in _ORDER if k in keys)
        if len(_IN_ORDER) < 4096:
            _IN_ORDER[keys] = found
    return found


_IN_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {}


def _name(ctx: Context, pid: int) -> str:
    return who(ctx.scope.person(pid), "a carer whose name is not recorded")


def _materials(found: c.CarerCheck) -> tuple[str, ...]:
    materials = found.materials
    keys = _MATERIAL_KEYS.get(materials)
    if keys is None:
        keys = tuple(_MISSING_KEY.get(m, m) for m in materials)
        if len(_MATERIAL_KEYS) < 4096:
            _MATERIAL_KEYS[materials] = keys
    return keys


# the missing keys of each tuple of materials asked for so far (a carer check
# asks for one or two of the core materials)
_MATERIAL_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


def check_icon(ctx: Context) -> list[Unmet]:
    """Requirement 17. In scope: every carer of a baby (``kinmap.core.carers``:
    a current care arrangement, a parent or a parent's partner living with the
    child; alive). Satisfied by ICON given (not only offered) by the time the
    baby is ``icon_by_days`` old, or since a new carer started. Not satisfied
    by a decline, which is the answer kept against the gap."""
    return _run(ctx, c.R17_ICON, _materials)


def check_safer_sleep(ctx: Context) -> list[Unmet]:
    """Requirement 18. In scope: every carer who may settle the baby. Satisfied
    by safer sleep advice given. Not satisfied by an offer that was declined."""
    return _run(ctx, c.R18_SAFER_SLEEP, _materials)


def check_sleep_places(ctx: Context) -> list[Unmet]:
    """Requirement 18 (where the baby sleeps, kept as 21). In scope: every care
    arrangement overnight or away from the baby's home. Satisfied by the sleep
    place in words on the arrangement. Not satisfied by where the baby sleeps
    at home, which does not say where it sleeps during this care."""
    return _run(ctx, c.R18_SLEEP_PLACE, lambda _found: ("sleep_place",))


def check_reoffer(ctx: Context) -> list[Unmet]:
    """Requirement 19. In scope: a carer who had the core information before a
    change (a new carer, a new address, overnight stays). Satisfied by the
    information offered again after the change (a recorded decline shows it
    was). Not satisfied by what was given before the change."""
    return _run(ctx, c.R19_REOFFER, lambda found: tuple(f"{m}_again" for m in _materials(found)))


def check_route(ctx: Context) -> list[Unmet]:
    """Requirement 20. In scope: every carer who does not live with the child.
    Satisfied by a joint appointment attended, their own copies by post or
    email, or a telephone conversation (offered: a decline counts). Not
    satisfied by information given to the parent they care alongside."""
    return _run(ctx, c.R20_ROUTE, lambda _found: ("carer_route",))


_BABY = {"baby_under_days": 365}
_CRITICAL_WHEN = " Critical for a carer who has the baby overnight."

RULES: tuple[Rule, ...] = (
    Rule(
        id=R17,
        number=17,
        title=RULE_TEXT[c.R17_ICON]["title"],
        severity=Severity.IMPORTANT,
        applies_when="For every carer of a baby under {baby_under_days} old (parents and partners "
        "who live with the baby, and everyone with a care arrangement), from the time the baby "
        "is {icon_by_days} old, or from the day a new carer starts if that is later. A carer who "
        "had it before they started is asked again under rule 19." + _CRITICAL_WHEN,
        why_we_ask=RULE_TEXT[c.R17_ICON]["why_we_ask"],
        suggested_wording=RULE_TEXT[c.R17_ICON]["wording"],
        fact="ICON information given to this carer (in person, at a joint appointment, by post, by "
        "email or by telephone).",
        check=check_icon,
        params={"icon_by_days": 14, **_BABY},
    ),
    Rule(
        id=R18,
        number=18,
        title=RULE_TEXT[c.R18_SAFER_SLEEP]["title"],
        severity=Severity.IMPORTANT,
        applies_when="For every carer of a baby under {baby_under_days} old: anyone who looks "
        "after a baby may settle them to sleep." + _CRITICAL_WHEN,
        why_we_ask=RULE_TEXT[c.R18_SAFER_SLEEP]["why_we_ask"],
        suggested_wording=RULE_TEXT[c.R18_SAFER_SLEEP]["wording"],
        fact="Safer sleep advice given to this carer.",
        check=check_safer_sleep,
        params=dict(_BABY),
    ),
    Rule(
        id=R18_PLACE,
        number=21,
        title=RULE_TEXT[c.R18_SLEEP_PLACE]["title"],
        severity=Severity.IMPORTANT,
        applies_when="For every care arrangement of a baby under {baby_under_days} old that is "
        "overnight or away from the baby's home. Critical for overnight care.",
        why_we_ask=RULE_TEXT[c.R18_SLEEP_PLACE]["why_we_ask"],
        suggested_wording=RULE_TEXT[c.R18_SLEEP_PLACE]["wording"],
        fact="Where the baby sleeps, recorded on the care arrangement.",
        check=check_sleep_places,
        params=dict(_BABY),
    ),
    Rule(
        id=R19,
        number=19,
        title=RULE_TEXT[c.R19_REOFFER]["title"],
        severity=Severity.IMPORTANT,
        applies_when="For every carer of a baby under {baby_under_days} old who had ICON or safer "
        "sleep advice before a change after the birth: they became a carer, they or the baby "
        "moved to a new address, or overnight stays began." + _CRITICAL_WHEN,
        why_we_ask=RULE_TEXT[c.R19_REOFFER]["why_we_ask"],
        suggested_wording=RULE_TEXT[c.R19_REOFFER]["wording"],
        fact="The information they had before offered to this carer again (given, or offered and "
        "declined) on or after the latest change.",
        check=check_reoffer,
        params=dict(_BABY),
    ),
    Rule(
        id=R20,
        number=20,
        title=RULE_TEXT[c.R20_ROUTE]["title"],
        severity=Severity.IMPORTANT,
        applies_when="For every carer of a baby under {baby_under_days} old who does not live with the baby."
        + _CRITICAL_WHEN,
        why_we_ask=RULE_TEXT[c.R20_ROUTE]["why_we_ask"],
        suggested_wording=RULE_TEXT[c.R20_ROUTE]["wording"],
        fact="A joint appointment the carer came to, or information given or offered to them by "
        "post, by email, by telephone or at a joint appointment.",
        check=check_route,
        params=dict(_BABY),
    ),
)

if R17 not in CATALOGUE:
    register(*RULES)


# -- remedies, for tests and demonstrations (see kinmap.core.rules.remedies) ---------
# Each records the least that closes exactly its gap: information given in
# person at a contact (which rule 20 does not count as a route for carers who
# live elsewhere), an attended joint appointment, or a sleep place.


def _info_id(net: Network) -> int:
    return max([0, *(i.id for i in net.information_given)]) + 1


def _pid(unmet: Unmet) -> int:
    return int(unmet.subject.id)


def _give(net: Network, pid: int, material: str, day: date) -> Network:
    record = InformationGiven(_info_id(net), pid, material, day, InfoHow.IN_PERSON, by="remedy")
    return dataclasses.replace(net, information_given=(*net.information_given, record))


def _without_info(net: Network, keep: Callable[[InformationGiven], bool]) -> Network:
    return dataclasses.replace(net, information_given=tuple(i for i in net.information_given if keep(i)))


def _first_time(material: str) -> tuple[Callable[..., Network], Callable[..., Network]]:
    def supply(net: Network, unmet: Unmet, day: date) -> Network:
        return _give(net, _pid(unmet), material, day)

    def retract(net: Network, unmet: Unmet, day: date) -> Network:
        pid = _pid(unmet)
        return _without_info(
            net, lambda i: not (i.person_id == pid and i.material == material and not i.declined)
        )

    return supply, retract


def _again(material: str) -> tuple[Callable[..., Network], Callable[..., Network]]:
    def supply(net: Network, unmet: Unmet, day: date) -> Network:
        return _give(net, _pid(unmet), material, day)

    def retract(net: Network, unmet: Unmet, day: date) -> Network:
        pid = _pid(unmet)
        graph = FamilyGraph(net, day)
        settings = c.CarerSettings()
        changes = [
            change[0]
            for child in net.index_child_ids
            if child in net.people and c.is_baby(graph, child, settings)
            for carer in c.carers_of(graph, child)
            if carer.person_id == pid and (change := c.latest_change(graph, carer)) is not None
        ]
        since = min(changes)
        return _without_info(
            net, lambda i: not (i.person_id == pid and i.material == material and i.on >= since)
        )

    return supply, retract


def _supply_route(net: Network, unmet: Unmet, day: date) -> Network:
    new = max([0, *(i.id for i in net.invitations)]) + 1
    came = Invitation(new, _pid(unmet), day, "other", InvitationOutcome.ATTENDED, invited_on=day)
    return dataclasses.replace(net, invitations=(*net.invitations, came))


def _retract_route(net: Network, unmet: Unmet, day: date) -> Network:
    pid = _pid(unmet)
    net = dataclasses.replace(
        net,
        invitations=tuple(
            i for i in net.invitations if not (i.person_id == pid and i.outcome is InvitationOutcome.ATTENDED)
        ),
    )
    return _without_info(net, lambda i: not (i.person_id == pid and i.how in c.ROUTES_FOR_CARERS_ELSEWHERE))


def _sleep_place(value: str) -> Callable[..., Network]:
    def change(net: Network, unmet: Unmet, day: date) -> Network:
        care = tuple(
            dataclasses.replace(x, sleep_place=value) if x.id == unmet.subject.id else x for x in net.care
        )
        return dataclasses.replace(net, care=care)

    return change


register_remedy("icon", *_first_time(ICON))
register_remedy("safer_sleep", *_first_time(SAFER_SLEEP))
register_remedy("icon_again", *_again(ICON))
register_remedy("safer_sleep_again", *_again(SAFER_SLEEP))
register_remedy("carer_route", _supply_route, _retract_route)
register_remedy("sleep_place", _sleep_place("own cot in the bedroom"), _sleep_place(""))
