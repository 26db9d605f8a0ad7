"""The building blocks of the information-requirement rules.

A :class:`Rule` is a named check over one family network: it says when it
applies, why we ask (words a practitioner can say aloud to a parent), how to
ask, and what recording resolves it. Its ``check`` is a small pure function
from a :class:`Context` to the :class:`Unmet` requirements it finds. Each
``Unmet`` is one *gap*: one requirement not met for one :class:`Subject`, with
a stable :attr:`Unmet.key` that the Django shell uses to keep the gap's history
of prompts and answers.

:class:`RuleSettings` is how a partnership tunes the catalogue: switch rules on
or off and change their thresholds, with clear errors for anything it does not
recognise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from ..frozen import filled_directly
from ..graph import FamilyGraph
from ..memo import cached
from ..model import Network, Person
from .inputs import Decline, GapHistory, ProcessInputs, SharingDecision
from .scope import Scope

ParamValue = int | float | bool


class Severity(StrEnum):
    CRITICAL = "critical"
    IMPORTANT = "important"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """0 for the most severe: sorting by rank puts critical gaps first."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> Severity:
        """The more severe of the two (the ranks read from their table, not
        through :attr:`rank`: the rules ask a dozen times a family)."""
        rank = _SEVERITY_RANK
        return self if rank[self] <= rank[other] else other


_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.IMPORTANT: 1, Severity.ROUTINE: 2}

# Members of enumerations read in the checks, as module constants (reading a
# member such as ``Severity.CRITICAL`` in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CRITICAL = Severity.CRITICAL
_ROUTINE = Severity.ROUTINE


def most_severe(severities: Iterable[Severity]) -> Severity:
    """The most severe of some severities (routine if there are none)."""
    return min(severities, key=lambda s: s.rank, default=_ROUTINE)


SEVERITY_LABELS = {
    Severity.CRITICAL: "Critical",
    Severity.IMPORTANT: "Important",
    Severity.ROUTINE: "Routine",
}


class SubjectKind(StrEnum):
    """What a gap is about."""

    PERSON = "person"
    CHILD = "child"  # an index child, for requirements about the child's family
    RELATIONSHIP = "relationship"
    CARE = "care"
    HOUSEHOLD = "household"
    RESIDENCE = "residence"
    RESPONSIBILITY = "parental-responsibility"
    CARE_ORDER = "care-order"  # the local authority's parental responsibility under a care order
    NETWORK = "network"
    DECLINE = "decline"
    SHARING = "sharing-decision"
    GAP = "gap"  # another gap (rule 14 is about critical gaps left open)


_PERSON = SubjectKind.PERSON  # a module constant: see _CRITICAL above


# Subjects and gaps are made by the thousand (about forty per family), so they
# are frozen dataclasses whose __init__ fills the instance dictionary directly
# (kinmap.core.frozen.filled_directly): the generated one for a frozen class
# calls object.__setattr__ once per field, which made up about a quarter of the
# engine's time. Equality, hashing, repr and dataclasses.replace are as before.


@filled_directly
@dataclass(frozen=True)
class Subject:
    """The stable identity of what a gap is about.

    ``id`` is the record id (a person, a household, a care arrangement...), or
    for a gap about another gap, that gap's key. ``child_id`` narrows a subject
    to one child where the same record can have a gap per child (parental
    responsibility is per adult *and* child).
    """

    kind: SubjectKind
    id: int | str
    child_id: int | None = None

    @property
    def key(self) -> str:
        # ``_value_``: the member's value as a plain attribute (``.value`` is a
        # property of Enum, a call each read; Python's enum HOWTO, "_sunder_ names")
        base = f"{self.kind._value_}:{self.id}"
        return base if self.child_id is None else f"{base}:{self.child_id}"

    def sort_key(self) -> tuple[str, int, str, int]:
        """Kind (a string enumeration: it sorts as its value), number, text, child."""
        i = self.id
        if isinstance(i, int):
            return (self.kind, i, "", -1 if self.child_id is None else self.child_id)
        return (self.kind, -1, i, -1 if self.child_id is None else self.child_id)


@filled_directly
@dataclass(frozen=True)
class Unmet:
    """One requirement not met for one subject: a gap.

    ``detail`` is short and specific ("Date of birth not recorded for Daniel
    Brook") and never contains a masked detail; ``missing`` names what would
    resolve it, as keys of :data:`kinmap.core.rules.facts.MISSING_LABELS`.
    """

    rule_id: str
    subject: Subject
    severity: Severity
    detail: str
    missing: tuple[str, ...] = ()

    @cached
    def key(self) -> str:
        """``rule_id:subject_kind:subject_id[:child_id]``: the gap's identity
        (worked out once: a gap's key is read several times as its gaps are
        reconciled and dated)."""
        return f"{self.rule_id}:{self.subject.key}"


CheckFn = Callable[["Context"], Iterable[Unmet]]


@dataclass(frozen=True, eq=False)
class Rule:
    """An information requirement.

    ``number`` is the requirement's number in the product catalogue (1-21;
    local rules may use higher numbers). ``severity`` is the usual severity;
    a check may raise it for a subject (see ``applies_when``). ``params`` are
    the default thresholds a partnership can tune. A rule with
    ``after_others`` runs after all other rules and sees their gaps in
    :attr:`Context.prior` (rule 14 asks about long-open critical gaps).
    """

    id: str
    number: int
    title: str
    severity: Severity
    applies_when: str
    why_we_ask: str
    suggested_wording: str
    fact: str
    check: CheckFn
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    after_others: bool = False

    def __post_init__(self) -> None:
        if not self.id or ":" in self.id:
            raise ValueError(f"A rule id must be a non-empty string without ':', not {self.id!r}")
        if self.number < 1:
            raise ValueError(f"Rule {self.id} must have a number of 1 or more, not {self.number}")
        for name, value in self.params.items():
            _check_param(self.id, name, value, value)
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


#: The largest value a rule's setting may take: ten years in days, as for the
#: escalation settings (``kinmap.core.escalation``). Every setting is a number of
#: days, weeks, years or times; a larger one is a typing slip, and a date that
#: many days on would overflow the calendar.
PARAM_MAX = 3650


def _type_words(default: ParamValue) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    return "a number"


def _check_param(rule_id: str, name: str, value: object, default: ParamValue) -> None:
    """Raise ValueError unless ``value`` can stand in for ``default``."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        raise ValueError(f"Setting {name!r} of rule {rule_id} must be {_type_words(default)}, not {value!r}")
    if not isinstance(value, bool) and isinstance(value, int | float) and value < 0:
        raise ValueError(f"Setting {name!r} of rule {rule_id} must not be negative (got {value})")
    if not isinstance(value, bool) and isinstance(value, int | float) and value > PARAM_MAX:
        raise ValueError(f"Setting {name!r} of rule {rule_id} must be at most {PARAM_MAX} (got {value})")


@dataclass(frozen=True)
class RuleSettings:
    """A partnership's choice of rules and thresholds.

    ``enabled`` (None: every rule) lists the rules that run; ``disabled`` is
    taken away from them. ``params`` overrides thresholds per rule id:
    ``{"R14-agency-request": {"min_times_prompted": 2}}``.
    """

    enabled: frozenset[str] | None = None
    disabled: frozenset[str] = frozenset()
    params: Mapping[str, Mapping[str, ParamValue]] = field(default_factory=dict)
    # the partnership's usual severity for a rule, in place of the rule's own:
    # ``{"R05-current-partner": Severity.CRITICAL}`` (see ``usual_severity``)
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Accept any iterable of ids (a list from a settings form, say).
        if self.enabled is not None:
            object.__setattr__(self, "enabled", frozenset(self.enabled))
        object.__setattr__(self, "disabled", frozenset(self.disabled))

    def is_enabled(self, rule_id: str) -> bool:
        return (self.enabled is None or rule_id in self.enabled) and rule_id not in self.disabled

    def effective_params(self, rule: Rule) -> dict[str, ParamValue]:
        """The rule's defaults with this partnership's overrides applied."""
        overrides = self.params.get(rule.id, {})
        for name, value in overrides.items():
            if name not in rule.params:
                known = ", ".join(sorted(rule.params)) or "none"
                raise ValueError(f"Rule {rule.id} has no setting {name!r} (its settings: {known})")
            _check_param(rule.id, name, value, rule.params[name])
        return {**rule.params, **overrides}

    def usual_severity(self, rule: Rule) -> Severity:
        """The rule's usual severity for this partnership. A gap the rule finds
        at its own usual severity gets this one instead; a gap it raises above
        its usual (critical, for a baby) stays as raised."""
        return self.severity.get(rule.id, rule.severity)

    def validate(self, rules: Iterable[Rule]) -> None:
        """Raise ValueError with a clear message if these settings do not fit ``rules``."""
        by_id = {r.id: r for r in rules}
        named = set(self.disabled) | set(self.params) | set(self.enabled or ()) | set(self.severity)
        unknown = sorted(named - by_id.keys())
        if unknown:
            raise ValueError(
                f"Unknown rule {', '.join(map(repr, unknown))} in the rule settings "
                f"(known rules: {', '.join(sorted(by_id))})"
            )
        both = sorted((self.enabled or frozenset()) & self.disabled)
        if both:
            raise ValueError(f"Rule {', '.join(both)} is both enabled and disabled: choose one")
        for rule_id in sorted(self.params):
            self.effective_params(by_id[rule_id])
        for rule_id, value in sorted(self.severity.items()):
            if value not in tuple(Severity):
                raise ValueError(f"Severity of rule {rule_id} must be one of critical, important, routine")


@dataclass(slots=True)
class Context:
    """What a rule's check sees: one network on one day, the rule's own
    parameters, the process inputs, and (for ``after_others`` rules) the gaps
    the other rules found."""

    graph: FamilyGraph
    scope: Scope
    rule: Rule
    params: Mapping[str, ParamValue]
    process: ProcessInputs = field(default_factory=ProcessInputs)
    prior: tuple[Unmet, ...] = ()
    enabled: frozenset[str] = frozenset()
    #: the subjects of :meth:`person_subject`, by person id
    person_subjects: dict[int, Subject] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.graph.today

    @property
    def network(self) -> Network:
        return self.graph.network

    # process inputs, by name
    @property
    def last_contact_on(self) -> date | None:
        return self.process.last_contact_on

    @property
    def last_roster_confirmed(self) -> Mapping[int, date]:
        return self.process.last_roster_confirmed

    @property
    def declines(self) -> tuple[Decline, ...]:
        return self.process.declines

    @property
    def gap_history(self) -> Mapping[str, GapHistory]:
        return self.process.gap_history

    @property
    def sharing_decisions(self) -> tuple[SharingDecision, ...]:
        return self.process.sharing_decisions

    def person_subject(self, person_id: int) -> Subject:
        """``Subject(SubjectKind.PERSON, person_id)``, made once for the
        context's family: a subject is a value (equal, hashed and shown by its
        fields, and frozen), so the gaps of every rule about one person can
        share it. A family's rules find about seventeen gaps about some eight
        people, and making a subject costs about as much as a dozen
        dictionary look-ups."""
        found = self.person_subjects.get(person_id)
        if found is None:
            found = self.person_subjects[person_id] = Subject(_PERSON, person_id)
        return found

    def int_param(self, name: str) -> int:
        value = self.params[name]
        return int(value)

    def unmet(
        self,
        subject: Subject,
        detail: str,
        missing: tuple[str, ...] = (),
        severity: Severity | None = None,
    ) -> Unmet:
        """A gap of this rule, at the rule's usual severity unless told otherwise."""
        return Unmet(self.rule.id, subject, severity or self.rule.severity, detail, missing)

    def severity_if_critical(self, critical: bool) -> Severity:
        return _CRITICAL if critical else self.rule.severity

    def child_severity(self, child: Person) -> Severity:
        """Critical for a baby (younger than ``critical_under_days``), else the usual."""
        if self.scope.is_baby(child, int(self.params["critical_under_days"])):
            return _CRITICAL
        return self.rule.severity
