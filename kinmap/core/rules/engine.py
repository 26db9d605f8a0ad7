"""The gap engine: evaluate the catalogue over one family network.

:func:`evaluate` returns every unmet requirement in a fixed order (most severe
first, then by catalogue number, then by subject), so the same record always
gives the same list. It builds the :class:`~kinmap.core.graph.FamilyGraph`
and the rules' :class:`~kinmap.core.rules.scope.Scope` once per network; every
rule then works from indexes, so a family is evaluated in time linear in the
size of its record. For many families with the same settings, build one
:class:`Engine` and call :meth:`Engine.evaluate` for each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..graph import FamilyGraph
from ..model import Network
from .base import SEVERITY_LABELS, Context, ParamValue, Rule, RuleSettings, Severity, Unmet
from .catalogue import CATALOGUE
from .inputs import ProcessInputs
from .scope import Scope
from .wording import applies_text, settings_words

DEFAULT_SETTINGS = RuleSettings()
NO_PROCESS = ProcessInputs()


class Engine:
    """The rules a partnership runs, with their effective thresholds, ready to
    evaluate any number of networks. Settings are checked once, here."""

    def __init__(
        self, settings: RuleSettings = DEFAULT_SETTINGS, rules: Sequence[Rule] | None = None
    ) -> None:
        chosen = tuple(rules) if rules is not None else CATALOGUE.rules()
        settings.validate(chosen)
        plan = [(rule, settings.effective_params(rule)) for rule in chosen if settings.is_enabled(rule.id)]
        self._first = [(r, p) for r, p in plan if not r.after_others]
        self._after = [(r, p) for r, p in plan if r.after_others]
        self._enabled = frozenset(r.id for r, _ in plan)
        # rule id -> (its own usual severity, the partnership's), where they differ
        self._usual = {
            r.id: (r.severity, settings.usual_severity(r))
            for r, _ in plan
            if settings.usual_severity(r) is not r.severity
        }
        # a rule's place in the catalogue order (number, then id), for sorting
        self._position = {r.id: i for i, r in enumerate(sorted(chosen, key=lambda r: (r.number, r.id)))}

    @property
    def enabled(self) -> frozenset[str]:
        return self._enabled

    def evaluate(
        self,
        network: Network,
        today: date,
        process: ProcessInputs = NO_PROCESS,
        graph: FamilyGraph | None = None,
    ) -> list[Unmet]:
        """The unmet requirements of ``network`` on ``today``; ``graph``: the
        network's graph on ``today`` when the caller has it already (what it
        works out is kept, so the caller can reuse it)."""
        if not self._enabled:
            return []
        graph = graph if graph is not None else FamilyGraph(network, today)
        scope = Scope(graph)
        found: list[Unmet] = []
        # One context for the family, pointed at each rule in turn: a rule's
        # gaps are all taken (extend) before the next rule runs, and no gap
        # keeps its context.
        first_rule, first_params = (self._first or self._after)[0]
        ctx = Context(graph, scope, first_rule, first_params, process, (), self._enabled)
        for rule, params in self._first:
            ctx.rule, ctx.params = rule, params
            found.extend(rule.check(ctx))
        ctx.prior = tuple(found)
        for rule, params in self._after:
            ctx.rule, ctx.params = rule, params
            found.extend(rule.check(ctx))
        if self._usual:
            found = [self._with_usual(u) for u in found]
        if len(found) < 2:
            return found
        # The keys of :meth:`_order`, made in one loop (no call per gap), then
        # the gaps put in the order of their keys: a stable sort of the
        # positions, as ``found.sort(key=self._order)`` would be. Each gap's
        # and subject's fields are read from its instance dictionary, where
        # ``filled_directly`` keeps them: in Python 3.11 no read of an
        # attribute of an instance whose dictionary has been made is
        # specialised, and two dictionaries and six keys cost about a third
        # of eight such reads (callgrind).
        rank, position = _RANK, self._position
        keys: list[tuple[int, int, str, int, str, int]] = []
        add = keys.append
        for u in found:
            fields = u.__dict__
            subject = fields["subject"].__dict__
            i, child = subject["id"], subject["child_id"]
            if child is None:
                child = -1
            if isinstance(i, int):
                add((rank[fields["severity"]], position[fields["rule_id"]], subject["kind"], i, "", child))
            else:
                add((rank[fields["severity"]], position[fields["rule_id"]], subject["kind"], -1, i, child))
        return [found[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]

    def _with_usual(self, u: Unmet) -> Unmet:
        own, usual = self._usual.get(u.rule_id, (None, None))
        if usual is None or u.severity is not own:
            return u
        return Unmet(u.rule_id, u.subject, usual, u.detail, u.missing)

    def _order(self, u: Unmet) -> tuple[int, int, str, int, str, int]:
        """Severity, catalogue place, then :meth:`Subject.sort_key` laid out
        flat (the same order; one tuple and no call per gap). :meth:`evaluate`
        makes the same keys inline; a test holds the two to the same order."""
        s = u.subject
        i, child = s.id, s.child_id
        child_key = -1 if child is None else child
        if isinstance(i, int):
            return (_RANK[u.severity], self._position[u.rule_id], s.kind, i, "", child_key)
        return (_RANK[u.severity], self._position[u.rule_id], s.kind, -1, i, child_key)


_RANK = {s: s.rank for s in Severity}


_default: tuple[int, Engine] | None = None


def _default_engine() -> Engine:
    """The engine for the default settings, rebuilt when the catalogue changes."""
    global _default
    if _default is None or _default[0] != CATALOGUE.version:
        _default = (CATALOGUE.version, Engine())
    return _default[1]


def evaluate(
    network: Network,
    today: date,
    settings: RuleSettings = DEFAULT_SETTINGS,
    process: ProcessInputs = NO_PROCESS,
) -> list[Unmet]:
    """Every unmet requirement for ``network`` on ``today``, most severe first."""
    engine = _default_engine() if settings == DEFAULT_SETTINGS else Engine(settings)
    return engine.evaluate(network, today, process)


@dataclass(frozen=True)
class Explanation:
    """What a practitioner or a partnership administrator reads about a rule."""

    id: str
    number: int
    title: str
    severity: Severity
    applies_when: str
    why_we_ask: str
    suggested_wording: str
    fact: str
    params: Mapping[str, ParamValue]

    def as_text(self) -> str:
        lines = [
            f"{self.number}. {self.title} ({SEVERITY_LABELS[self.severity].lower()})",
            f"When it applies: {self.applies_when}",
            f"Why we ask: {self.why_we_ask}",
            f"How to ask: {self.suggested_wording}",
            f"What resolves it: {self.fact}",
        ]
        if self.params:
            words = settings_words(dict(sorted(self.params.items())))
            lines.append("Settings: " + "; ".join(f"{label}: {value}" for label, value in words))
        return "\n".join(lines)


def explain(rule_id: str, settings: RuleSettings = DEFAULT_SETTINGS) -> Explanation:
    """A rule's words and effective settings, for display: when it applies says
    the settings in force (``wording.applies_text``). Unknown ids raise ValueError."""

    rule = CATALOGUE.get(rule_id)
    return Explanation(
        id=rule.id,
        number=rule.number,
        title=rule.title,
        severity=settings.usual_severity(rule),
        applies_when=applies_text(rule, settings.effective_params(rule)),
        why_we_ask=rule.why_we_ask,
        suggested_wording=rule.suggested_wording,
        fact=rule.fact,
        params=settings.effective_params(rule),
    )
