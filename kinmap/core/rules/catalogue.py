"""The catalogue of information requirements.

Rules live in small modules grouped by what they ask about; this module
collects them. Adding a requirement never changes the engine: write a module
with a ``RULES`` tuple and register it here (or call :func:`register` from
that module). Requirements 17 to 21 (information given to carers) will arrive
that way.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import adults, carers, household, parents, process, sources, young_parents
from .base import Rule


class Catalogue:
    """An ordered registry of rules, keyed by their stable ids."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        self.version = 0  # bumped on every change, so engines know to rebuild
        self.register(*rules)

    def register(self, *rules: Rule) -> None:
        """Add rules. An id can be registered only once."""
        for rule in rules:
            if rule.id in self._rules:
                raise ValueError(f"Rule {rule.id} is already in the catalogue")
            self._rules[rule.id] = rule
        self.version += 1

    def get(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id]
        except KeyError:
            known = ", ".join(sorted(self._rules))
            raise ValueError(f"Unknown rule {rule_id!r} (known rules: {known})") from None

    def rules(self) -> tuple[Rule, ...]:
        """Every rule, by catalogue number then id."""
        return tuple(sorted(self._rules.values(), key=lambda r: (r.number, r.id)))

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __len__(self) -> int:
        return len(self._rules)


CATALOGUE = Catalogue(
    parents.RULES
    + household.RULES
    + adults.RULES
    + carers.RULES
    + sources.RULES
    + process.RULES
    + young_parents.RULES
)


def register(*rules: Rule) -> None:
    """Add rules to the product catalogue."""
    CATALOGUE.register(*rules)


def rules() -> tuple[Rule, ...]:
    return CATALOGUE.rules()
