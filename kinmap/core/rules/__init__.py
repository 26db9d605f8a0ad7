"""The information-requirement rules engine (plain Python, no Django).

>>> from kinmap.core.rules import evaluate
>>> gaps = evaluate(network, today)            # doctest: +SKIP

Each :class:`Unmet` is one gap: a requirement of the catalogue
(:mod:`kinmap.core.rules.catalogue`) not met for one subject, with a stable
``key``. See :mod:`kinmap.core.rules.facts` for where answers are recorded and
:mod:`kinmap.core.rules.inputs` for the process inputs.
"""

# Requirements 17 to 21 (safety information for every carer) add themselves to
# the catalogue when imported.
from . import safety_info  # noqa: F401
from .base import Context, Rule, RuleSettings, Severity, Subject, SubjectKind, Unmet
from .catalogue import CATALOGUE, register, rules
from .engine import Engine, Explanation, evaluate, explain
from .inputs import Decline, GapHistory, ProcessInputs, SharingDecision

__all__ = [
    "CATALOGUE",
    "Context",
    "Decline",
    "Engine",
    "Explanation",
    "GapHistory",
    "ProcessInputs",
    "Rule",
    "RuleSettings",
    "Severity",
    "SharingDecision",
    "Subject",
    "SubjectKind",
    "Unmet",
    "evaluate",
    "explain",
    "register",
    "rules",
]
