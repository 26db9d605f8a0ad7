"""Score a pair of records with a Fellegi-Sunter model (Fellegi and Sunter 1969)
in Splink's saved model format, and say why in words.

match weight = log2(prior odds) + sum over comparisons of log2(m / u) of the
level the pair is at; probability = 2**w / (1 + 2**w). A comparison not made
(either side missing: Splink's null level) adds 0.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .compare import (
    ADDRESS,
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    LEVELS,
    NAME_MOVED,
    NAMES_SWAPPED,
    NHS_NUMBER,
    PHONE,
    POSTCODE,
    compare,
)
from .names import normalise_name
from .record import MatchRecord

#: m or u below this is taken as this, so that a level never seen in training
#: gives a large finite weight rather than infinity.
_FLOOR = 1e-9


class ComparisonLevel(BaseModel):
    """One level of a comparison, as Splink writes it (extra keys ignored);
    ``tf_adjustment_column`` names the column whose term frequency adjusts the
    level's weight (Splink's term-frequency adjustment), else None."""

    model_config = ConfigDict(extra="ignore")
    label_for_charts: str = ""
    m_probability: float | None = None
    u_probability: float | None = None
    is_null_level: bool = False
    tf_adjustment_column: str | None = None
    tf_adjustment_weight: float = 1.0
    tf_minimum_u_value: float = 0.0


class Comparison(BaseModel):
    """One comparison: its output column name (Splink's ``output_column_name``)
    and its levels."""

    model_config = ConfigDict(extra="ignore")
    output_column_name: str
    comparison_levels: list[ComparisonLevel]


class MatchModel(BaseModel):
    """A Splink model's settings as saved to JSON (``linker.misc.save_model_to_json``):
    the prior and each comparison's levels. Raises ``pydantic.ValidationError``
    on a document not of this shape."""

    model_config = ConfigDict(extra="ignore")
    probability_two_random_records_match: float = Field(gt=0, lt=1)
    comparisons: list[Comparison]
    #: Each term-frequency column's table, written by ``kinmap match`` with the
    #: model: ``{column: {value: share of the records with that value}}``.
    kinmap_term_frequencies: dict[str, dict[str, float]] = Field(default_factory=dict)

    _weights: dict[str, dict[str, float]] | None = PrivateAttr(default=None)
    _tf: dict[tuple[str, str], ComparisonLevel] | None = PrivateAttr(default=None)

    def level_weights(self) -> dict[str, dict[str, float]]:
        """log2(m/u) for each comparison's labelled, non-null level:
        ``{comparison: {label: weight}}``. Worked out once per model."""
        if self._weights is None:
            self._weights = self._level_weights()
        return self._weights

    def _level_weights(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for c in self.comparisons:
            levels = out.setdefault(c.output_column_name, {})
            for lv in c.comparison_levels:
                if lv.is_null_level or lv.m_probability is None or lv.u_probability is None:
                    continue
                levels[lv.label_for_charts] = math.log2(
                    max(lv.m_probability, _FLOOR) / max(lv.u_probability, _FLOOR)
                )
        return out

    def tf_adjustment(self, comparison: str, level: str | None, a: MatchRecord, b: MatchRecord) -> float:
        """The term-frequency adjustment in bits of ``comparison`` at ``level``
        for ``a`` and ``b``, as Splink works it out (``_tf_adjustment_sql`` of
        Splink 5's comparison level): ``weight * (log2(u) - log2(tf))``, tf the
        larger of the two records' values' shares in the model's table (one
        side's when the other's value is not in it), at least the level's
        ``tf_minimum_u_value``; 0 when the level has no adjustment, the model
        no table, or neither value is in it. A common name then counts less
        than a rare one."""
        lv = self._tf_levels().get((comparison, level or ""))
        if lv is None or lv.tf_adjustment_column not in TF_VALUES:
            return 0.0
        table = self.kinmap_term_frequencies.get(lv.tf_adjustment_column)
        if not table or not lv.tf_adjustment_weight:
            return 0.0
        value = TF_VALUES[lv.tf_adjustment_column]
        found = [tf for tf in (table.get(value(a)), table.get(value(b))) if tf is not None]
        if not found:
            return 0.0
        tf = max(*found, lv.tf_minimum_u_value)
        u = max(lv.u_probability or _FLOOR, _FLOOR)
        return lv.tf_adjustment_weight * (math.log2(u) - math.log2(max(tf, _FLOOR)))

    def _tf_levels(self) -> dict[tuple[str, str], ComparisonLevel]:
        if self._tf is None:
            self._tf = {
                (c.output_column_name, lv.label_for_charts): lv
                for c in self.comparisons
                for lv in c.comparison_levels
                if lv.tf_adjustment_column and not lv.is_null_level
            }
        return self._tf


#: The value of a record in each term-frequency column of the batch's table
#: (``kinmap.merging.splink_model.splink_row``): the current names, normalised.
TF_VALUES: dict[str, Callable[[MatchRecord], str]] = {
    "given_name": lambda r: normalise_name(r.given_name),
    "family_name": lambda r: normalise_name(r.family_name),
}


def load_model(path: Path) -> MatchModel:
    """Read a model from a JSON file. Raises OSError, ValueError (bad JSON) or
    ``pydantic.ValidationError`` (wrong shape)."""
    return MatchModel.model_validate(json.loads(path.read_text(encoding="utf-8")))


def complete_model(model: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    """``model`` (Splink's saved JSON, as a dict) with every level of
    ``default`` it lacks (matched by comparison and ``label_for_charts``) put
    in at the same position: a model trained before a level was added (given
    and family names swapped) then weighs that level with the default's m and
    u rather than as 0. Returns a new dict; ``model`` is not changed."""
    out = copy.deepcopy(model)
    by_name = {c.get("output_column_name"): c for c in out.get("comparisons", [])}
    for dc in default.get("comparisons", []):
        c = by_name.get(dc.get("output_column_name"))
        if c is None:
            continue
        have = {lv.get("label_for_charts") for lv in c.get("comparison_levels", [])}
        for i, lv in enumerate(dc.get("comparison_levels", [])):
            if lv.get("label_for_charts") not in have:
                c["comparison_levels"].insert(min(i, len(c["comparison_levels"])), copy.deepcopy(lv))
    return out


@dataclass(frozen=True)
class Contribution:
    """One comparison's part in a score: its level (None: not compared) and
    log2(m/u) weight in bits."""

    comparison: str
    level: str | None
    weight: float


@dataclass(frozen=True)
class MatchScore:
    """The score of a pair: match weight in bits, probability in [0, 1], each
    comparison's contribution, and the reasons for and against in words."""

    weight: float
    probability: float
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    against: tuple[str, ...]
    names_swapped: bool = False

    @property
    def levels(self) -> dict[str, str | None]:
        """Each comparison's level label, keyed by comparison name."""
        return {c.comparison: c.level for c in self.contributions}

    @property
    def reason_text(self) -> str:
        """The reasons as one phrase: "same name and date of birth, same postcode"."""
        return ", ".join(self.reasons)

    @property
    def certain(self) -> bool:
        """Whether the pair may be linked without a person deciding: the same NHS
        number, or probability at least :data:`CERTAIN_PROBABILITY` with the same
        given name, family name and exact date of birth and no NHS number that
        differs. Twins (same family name and date of birth, different given
        names) and a parent and child of the same name (different dates) are
        never certain."""
        lv = self.levels
        if lv[NHS_NUMBER] == LEVELS[NHS_NUMBER][0]:
            return True
        return (
            self.probability >= CERTAIN_PROBABILITY
            and lv[NHS_NUMBER] is None
            and lv[GIVEN_NAME] == LEVELS[GIVEN_NAME][0]
            and lv[FAMILY_NAME] == LEVELS[FAMILY_NAME][0]
            and lv[DATE_OF_BIRTH] == LEVELS[DATE_OF_BIRTH][0]
            and not self.names_swapped
        )


#: Probability at or above which a pair with the same name and date of birth is
#: certain (see :attr:`MatchScore.certain`).
CERTAIN_PROBABILITY = 0.999
#: Probability at or above which a pair is shown as a possible match.
POSSIBLE_PROBABILITY = 0.5

#: Position of the "similar" level of both name comparisons, and the first
#: position past the levels at which the names agree (same, swapped, similar,
#: sounds alike).
_SIMILAR, _DIFFERENT = 2, 4

_WHAT = {
    NHS_NUMBER: "NHS number",
    DATE_OF_BIRTH: "date of birth",
    POSTCODE: "postcode",
    PHONE: "phone number",
}


def _name_phrase(given: str | None, family: str | None) -> str | None:
    if NAMES_SWAPPED in (given, family):
        return NAMES_SWAPPED
    g = LEVELS[GIVEN_NAME].index(given) if given else None
    f = LEVELS[FAMILY_NAME].index(family) if family else None
    if g == 0 and f == 0:
        return "same name"
    if g is not None and f is not None and g < _DIFFERENT and f < _DIFFERENT:
        return "similar name" if max(g, f) == _SIMILAR else "name sounds alike"
    for idx, level in ((f, family), (g, given)):
        if idx is not None and idx < _DIFFERENT and level:
            return level
    return NAME_MOVED if given == NAME_MOVED else None


def _reasons(levels: dict[str, str | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Phrases for the levels in favour and against; "same" phrases next to each
    other are joined ("same name and date of birth")."""
    phrases: list[str] = []
    against: list[str] = []
    if nhs := levels[NHS_NUMBER]:
        (phrases if nhs == LEVELS[NHS_NUMBER][0] else against).append(nhs)
    if name := _name_phrase(levels[GIVEN_NAME], levels[FAMILY_NAME]):
        phrases.append(name)
    against.extend(LEVELS[c][-1] for c in (GIVEN_NAME, FAMILY_NAME) if levels[c] == LEVELS[c][-1])
    for c in (DATE_OF_BIRTH, POSTCODE, PHONE, ADDRESS):
        lv = levels[c]
        if lv is None:
            continue
        if lv == LEVELS[c][-1]:
            against.append(lv)
        elif c == DATE_OF_BIRTH and lv == LEVELS[c][1]:
            phrases.append("date of birth with day and month swapped")
        elif c == DATE_OF_BIRTH and lv == LEVELS[c][3]:
            phrases.append("date of birth within the estimate's tolerance")
        else:
            phrases.append(lv)
    joined: list[str] = []
    for p in phrases:
        if joined and joined[-1].startswith("same ") and p.startswith("same ") and "NHS" not in joined[-1]:
            joined[-1] = f"{joined[-1]} and {p.removeprefix('same ')}"
        else:
            joined.append(p)
    return tuple(joined), tuple(against)


def _weigh(
    levels: dict[str, str | None], model: MatchModel, a: MatchRecord, b: MatchRecord
) -> list[Contribution]:
    weights = model.level_weights()
    return [
        Contribution(
            name,
            level,
            weights.get(name, {}).get(level, 0.0) + model.tf_adjustment(name, level, a, b) if level else 0.0,
        )
        for name, level in levels.items()
    ]


def score_pair(a: MatchRecord, b: MatchRecord, model: MatchModel) -> MatchScore:
    """Score ``a`` against ``b`` with ``model``: every comparison's level
    (:func:`~.compare.compare`, the levels the batch's Splink model puts the
    pair at), weighed by the model, a common name less than a rare one when
    the model has term frequencies (:meth:`MatchModel.tf_adjustment`). Given
    and family names the other way round are their own level in both name
    comparisons (``names_swapped``).
    Symmetric in ``a`` and ``b``."""
    prior = model.probability_two_random_records_match
    base = math.log2(prior / (1 - prior))
    chosen = _weigh(compare(a, b), model, a, b)
    weight = base + sum(c.weight for c in chosen)
    probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -1000 else 0.0
    levels = {c.comparison: c.level for c in chosen}
    reasons, against = _reasons(levels)
    swapped = levels[GIVEN_NAME] == NAMES_SWAPPED
    return MatchScore(weight, probability, tuple(chosen), reasons, against, swapped)
