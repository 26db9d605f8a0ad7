"""The rules' settings in words, and a rule's text as its settings make it.

Every setting a partnership can change (a rule's ``params``, and the
thresholds for flagging gaps to supervisors) has a label and a hint in words,
and a way to say its value ("14 days", "1 year", "3 times"), so that no page
shows a setting's name ("icon_by_days"). A rule's ``applies_when`` names its
settings as ``{name}`` placeholders; :func:`applies_text` fills them with the
values in force, so that changing when ICON is due to 10 days makes the
requirement say "10 days" wherever it is shown.

Plain Python, no Django. The ages follow the catalogue (PRODUCT.md): a baby is
a child younger than one year (365 days).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .base import ParamValue, Rule

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class ParamText:
    """A setting in words: ``label`` (names it, before its value), ``hint``
    (what changing it does) and ``unit`` ("days", "years" or "times")."""

    label: str
    hint: str
    unit: str


PARAMS: dict[str, ParamText] = {
    "critical_under_days": ParamText(
        "Critical for babies younger than",
        "A gap about a child younger than this, in days, is critical (365 days is 1 year)",
        "days",
    ),
    "baby_under_days": ParamText(
        "Applies while the baby is younger than",
        "The requirement applies to the carers of a child younger than this, in days (365 days is 1 year)",
        "days",
    ),
    "icon_by_days": ParamText(
        "ICON due by",
        "How old the baby is, in days, when every carer should have had the ICON information",
        "days",
    ),
    "min_times_prompted": ParamText(
        "Times asked before a request to another agency is considered",
        "A critical gap still open after it has been asked about this many times",
        "times",
    ),
    "after_contacts": ParamText(
        "Contacts before a critical gap is flagged",
        "A critical gap still open after this many contacts is flagged to supervisors",
        "times",
    ),
    "after_days": ParamText(
        "Days before a critical gap is flagged",
        "A critical gap still open this many days after it opened is flagged to supervisors",
        "days",
    ),
    "critical_under_years": ParamText(
        "Critical for a parent younger than",
        "A birth parent younger than this, in years, at the birth makes the young-parent gap critical",
        "years",
    ),
    "after_declines": ParamText(
        "Declines before a gap is flagged",
        "Any gap that families have declined to answer this many times is flagged to supervisors",
        "times",
    ),
}


def param_text(name: str) -> ParamText:
    """The words for a setting; an unknown one gets a label made from its name
    (a local rule's setting), never the raw name."""
    found = PARAMS.get(name)
    if found is not None:
        return found
    words = name.replace("_", " ").strip().capitalize()
    return ParamText(words, "", "")


def _plural(n: int | float, one: str, many: str) -> str:
    return f"{n:g} {one if n == 1 else many}"


def value_words(name: str, value: ParamValue) -> str:
    """A setting's value in words: "14 days", "1 year", "3 times", "yes"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    unit = param_text(name).unit
    if unit == "days":
        if isinstance(value, int) and value > 0 and value % 365 == 0:
            return _plural(value // 365, "year", "years")
        return _plural(value, "day", "days")
    if unit == "years":
        return _plural(value, "year", "years")
    if unit == "times":
        return _plural(value, "time", "times")
    return f"{value:g}"


def placeholders(text: str) -> set[str]:
    """The settings a text names as ``{name}``."""
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, params: Mapping[str, ParamValue]) -> str:
    """``text`` with each ``{name}`` replaced by the value of that setting in words.
    Raises KeyError for a placeholder that is not one of ``params``."""
    return _PLACEHOLDER.sub(lambda m: value_words(m.group(1), params[m.group(1)]), text)


def applies_text(rule: Rule, params: Mapping[str, ParamValue] | None = None) -> str:
    """When ``rule`` applies, in words, with the settings in force (``params``:
    the effective settings; None: the rule's defaults)."""
    return fill(rule.applies_when, {**rule.params, **(params or {})})


def settings_words(params: Mapping[str, ParamValue]) -> list[tuple[str, str]]:
    """Each setting as (label, value in words), in the order given."""
    return [(param_text(k).label, value_words(k, v)) for k, v in params.items()]
