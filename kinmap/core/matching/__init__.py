"""Record linkage of people, pure: name normalisation and sound-alike keys
(:mod:`.names`), blocking keys (:mod:`.keys`), the comparisons and their level
labels (:mod:`.compare`) and a Fellegi-Sunter scorer over a model in Splink's
saved JSON format (:mod:`.score`). No Django."""

from .compare import COMPARISONS, ESTIMATE_TOLERANCE_DAYS, LEVELS, compare
from .keys import blocking_keys, lookup_keys
from .names import fold, name_parts, normalise_name, phonetic_keys
from .record import MatchRecord
from .score import (
    CERTAIN_PROBABILITY,
    POSSIBLE_PROBABILITY,
    MatchModel,
    MatchScore,
    load_model,
    score_pair,
)

__all__ = [
    "CERTAIN_PROBABILITY",
    "COMPARISONS",
    "ESTIMATE_TOLERANCE_DAYS",
    "LEVELS",
    "POSSIBLE_PROBABILITY",
    "MatchModel",
    "MatchRecord",
    "MatchScore",
    "blocking_keys",
    "compare",
    "fold",
    "load_model",
    "lookup_keys",
    "name_parts",
    "normalise_name",
    "phonetic_keys",
    "score_pair",
]
