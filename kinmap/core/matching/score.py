"""Score a pair of records with a Fellegi-Sunter model (Fellegi and Sunter 1969)
in Splink's saved model format, and say why in words.

match weight = log2(prior odds) + sum over comparisons of log2(m / u) of the
level the pair is at; probability = 2**w / (1 + 2**w). A comparison not made
(either side missing: Splink's null level) adds 0.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .compare import (
    ADDRESS,
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    LEVELS,
    NHS_NUMBER,
    PHONE,
    POSTCODE,
    compare,
    compare_family_name,
    compare_given_name,
)
from .record import MatchRecord

#: m or u below this is taken as this, so that a level never seen in training
#: gives a large finite weight rather than infinity.
_FLOOR = 1e-9


class ComparisonLevel(BaseModel):
    """One level of a comparison, as Splink writes it (extra keys ignored)."""

    model_config = ConfigDict(extra="ignore")
    label_for_charts: str = ""
    m_probability: float | None = None
    u_probability: float | None = None
    is_null_level: bool = False


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

    _weights: dict[str, dict[str, float]] | None = PrivateAttr(default=None)

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


def load_model(path: Path) -> MatchModel:
    """Read a model from a JSON file. Raises OSError, ValueError (bad JSON) or
    ``pydantic.ValidationError`` (wrong shape)."""
    return MatchModel.model_validate(json.loads(path.read_text(encoding="utf-8")))


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

_WHAT = {
    NHS_NUMBER: "NHS number",
    DATE_OF_BIRTH: "date of birth",
    POSTCODE: "postcode",
    PHONE: "phone number",
}


def _name_phrase(given: str | None, family: str | None) -> str | None:
    g = LEVELS[GIVEN_NAME].index(given) if given else None
    f = LEVELS[FAMILY_NAME].index(family) if family else None
    if g == 0 and f == 0:
        return "same name"
    if g is not None and f is not None and g < 3 and f < 3:
        return "similar name" if max(g, f) == 1 else "name sounds alike"
    for idx, level in ((f, family), (g, given)):
        if idx is not None and idx < 3 and level:
            return level
    return None


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


def _weigh(levels: dict[str, str | None], weights: dict[str, dict[str, float]]) -> list[Contribution]:
    return [
        Contribution(name, level, weights.get(name, {}).get(level, 0.0) if level else 0.0)
        for name, level in levels.items()
    ]


def _name_weight(cs: list[Contribution]) -> float:
    return sum(c.weight for c in cs if c.comparison in (GIVEN_NAME, FAMILY_NAME))


def score_pair(a: MatchRecord, b: MatchRecord, model: MatchModel) -> MatchScore:
    """Score ``a`` against ``b`` with ``model``. The names are compared as given
    and with ``b``'s given and family names swapped; the better name weight is
    used (``names_swapped`` says which). Symmetric in ``a`` and ``b``."""
    weights = model.level_weights()
    prior = model.probability_two_random_records_match
    base = math.log2(prior / (1 - prior))
    levels = compare(a, b)
    straight = _weigh(levels, weights)

    def crossed(x: MatchRecord, y: MatchRecord) -> list[Contribution]:
        names = {GIVEN_NAME: compare_given_name(x, y), FAMILY_NAME: compare_family_name(x, y)}
        return _weigh({**levels, **names}, weights)

    # both crossings, so that the choice is the same for (a, b) and (b, a)
    crossings = sorted(
        (crossed(a, b.swapped()), crossed(a.swapped(), b)),
        key=lambda cs: (-_name_weight(cs), [c.level or "" for c in cs]),
    )
    swapped = _name_weight(crossings[0]) > _name_weight(straight) + 1e-9
    chosen = crossings[0] if swapped else straight
    weight = base + sum(c.weight for c in chosen)
    probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -1000 else 0.0
    reasons, against = _reasons({c.comparison: c.level for c in chosen})
    if swapped:
        reasons = ("given and family names swapped", *reasons)
    return MatchScore(weight, probability, tuple(chosen), reasons, against, swapped)
