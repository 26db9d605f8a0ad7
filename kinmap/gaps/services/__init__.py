"""Changes to gaps, contacts, supervisors' decisions and rule settings.

Every service takes keyword-only arguments, runs in one transaction, refuses
bad input with a :class:`RecordError` naming the field at fault (and saves
nothing), and writes an audit event.

:func:`gaps_recompute` runs inside the transaction of every change to a family
(registered with ``kinmap.records.services.on_family_change``), so the gaps on
every page and worklist are those of the family as it is now.

The services live by what they are about, and are all imported from here:
``recompute`` (running the rules and bringing the gaps up to date, with
``process_inputs``, what happened at contacts), ``contacts``, ``outcomes``
(answers to gaps and what happened to each at a contact), ``supervision``
(supervisors' decisions) and ``rule_settings``; ``common`` holds the checks
and locks they share.
"""

from .contacts import contact_close, contact_confirm_household, contact_mark_seen, contact_open
from .outcomes import Answer, contact_not_asked_rest, contact_record_outcome, gap_answer
from .process_inputs import process_inputs, process_inputs_many
from .recompute import (
    RecomputeResult,
    gaps_plan_many,
    gaps_recompute,
    gaps_recompute_hook,
    gaps_recompute_locked,
    gaps_recompute_many,
    subject_name,
)
from .rule_settings import WORDS_MAX, rule_setting_change
from .supervision import ActionData, gap_not_applicable_agree, supervisor_decision_record

__all__ = [
    "WORDS_MAX",
    "ActionData",
    "Answer",
    "RecomputeResult",
    "contact_close",
    "contact_confirm_household",
    "contact_mark_seen",
    "contact_not_asked_rest",
    "contact_open",
    "contact_record_outcome",
    "gap_answer",
    "gap_not_applicable_agree",
    "gaps_plan_many",
    "gaps_recompute",
    "gaps_recompute_hook",
    "gaps_recompute_locked",
    "gaps_recompute_many",
    "process_inputs",
    "process_inputs_many",
    "rule_setting_change",
    "subject_name",
    "supervisor_decision_record",
]
