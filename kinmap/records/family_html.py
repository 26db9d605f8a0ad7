"""The family page's repeated rows written in Python: the people around each
child, the care arrangements, the households and their stays, the
relationships, parental responsibility and the care orders.

A family of ten has some hundred of these rows; the template language would
resolve some thirty variables and tags for each. Each function here gives
the same text, byte for byte, as the loop of ``records/family.html`` it
replaced (``tests/records/test_family_html.py`` keeps those loops and
compares), escaping every value as the template's autoescape would. The rows
are the dicts and :class:`~kinmap.records.presenters.PersonLine` objects of
:func:`~kinmap.records.presenters.family_page_context`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from kinmap.web.html_text import esc

from .presenters import ChildSection, PersonLine

_HIDDEN = '<span class="govuk-visually-hidden">'
_SECONDARY = '<span class="govuk-body-s kinmap-secondary">'
_GREY_TAG = '<span class="govuk-tag govuk-tag--grey">'
_LINK = '<a class="govuk-link" href="'
_OVERNIGHT = '<strong class="govuk-tag govuk-tag--orange">Overnight</strong>'


_e = esc  # as ``{{ value }}`` writes it (kinmap.web.html_text)


def _cap(value: str) -> str:
    """The ``capfirst`` filter."""
    return value and value[0].upper() + value[1:]


def _safe(parts: Iterable[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - every value in the parts went through _e


def _person_line(p: PersonLine, editable: bool) -> str:
    name = _e(p.name)
    return (
        f'\n    <div class="govuk-summary-list__row kinmap-person-line" data-person="{_e(p.id)}">\n'
        f'      <dt class="govuk-summary-list__key"><a class="govuk-link" href="{_e(p.url)}">{name}</a><br>'
        f'<span class="govuk-body-s govuk-!-font-weight-regular kinmap-secondary">{_e(p.age)}</span></dt>\n'
        '      <dd class="govuk-summary-list__value">\n'
        f'        <span class="kinmap-description">{_e(p.description)}</span>\n'
        "        "
        + (
            f'<br><span class="govuk-body-s kinmap-secondary">{_e(_cap(p.other_names))}</span>'
            if p.other_names
            else ""
        )
        + "\n        "
        + (
            f'<br><span class="govuk-body-s kinmap-secondary kinmap-elsewhere">{_e(p.elsewhere)}</span>'
            if p.elsewhere
            else ""
        )
        + "\n        "
        + (
            f'<br><span class="govuk-body-s kinmap-secondary">Telephone: {_e(p.phone)}</span>'
            if p.phone
            else ""
        )
        + "\n      </dd>\n      "
        + (
            f'<dd class="govuk-summary-list__actions">{_LINK}{_e(p.ask_url)}">Ask another '
            f'agency<span class="govuk-visually-hidden"> about {name}</span></a></dd>'
            if editable
            else ""
        )
        + "\n    </div>\n    "
    )


def child_groups_html(sec: ChildSection, editable: bool) -> SafeString:
    """The groups of people around one child (who lives with them, who lives
    elsewhere, who else matters), each with its heading and count, its people
    or what to ask when nobody is recorded."""
    sid = _e(sec.id)
    parts = []
    for key, label, people, empty in sec.groups:
        k = _e(key)
        parts.append(
            f'\n  <h3 class="govuk-heading-s govuk-!-margin-bottom-2" id="group-{sid}-{k}">{_e(label)} '
            f'<span class="govuk-body-s govuk-!-font-weight-regular">({len(people)})</span></h3>\n  '
        )
        if people:
            parts.append(
                '\n  <dl class="govuk-summary-list kinmap-people" '
                f'aria-labelledby="group-{sid}-{k}" data-group="{k}">\n    '
            )
            parts.extend(_person_line(p, editable) for p in people)
            parts.append("\n  </dl>\n  ")
        else:
            parts.append(
                f'\n  <p class="govuk-body govuk-!-margin-bottom-6 kinmap-empty" data-group="{k}">'
                f"{_e(empty)}</p>\n  "
            )
        parts.append("\n  ")
    return _safe(parts)


def _row(key: str, value: str) -> str:
    return (
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd></div>'
    )


def care_html(care: Sequence[Mapping[str, Any]]) -> SafeString:
    """The care arrangements, a summary card each, or what to ask when none is
    recorded."""
    parts = []
    for c in care:
        carer, child = _e(c["carer"]), _e(c["child"])
        change = (
            '<ul class="govuk-summary-card__actions">\n'
            f'      <li class="govuk-summary-card__action"><a class="govuk-link" href="{_e(c["url"])}">Change'
            f'<span class="govuk-visually-hidden"> care of {child} by {carer}</span></a></li>\n'
            "    </ul>"
            if c["changeable"]
            else ""
        )
        overnight = _OVERNIGHT if c["overnight"] else "No"
        supervised = "Yes: another adult is always there" if c["supervised"] else "No"
        sleep = _row("Where the baby sleeps", _e(c["sleep_place"])) if c["sleep_place"] else ""
        since = _e(c["since"]) + (f", ended {_e(c['end'])}" if c["end"] else "")
        parts.append(
            f'\n<div class="govuk-summary-card" data-care="{_e(c["id"])}">\n'
            '  <div class="govuk-summary-card__title-wrapper">\n'
            f'    <h3 class="govuk-summary-card__title">{carer} cares for {child}</h3>\n'
            f"    {change}\n"
            "  </div>\n"
            '  <div class="govuk-summary-card__content">\n'
            '    <dl class="govuk-summary-list">\n'
            f"      {_row('Where', _e(c['place']))}\n"
            f"      {_row('How often', _e(c['frequency']))}\n"
            f"      {_row('Overnight', overnight)}\n"
            f"      {_row('Supervised', supervised)}\n"
            f"      {sleep}\n"
            f"      {_row('Since', since)}\n"
            '      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Source</dt>'
            f'<dd class="govuk-summary-list__value govuk-body-s">{_e(c["source"])}</dd></div>\n'
            "    </dl>\n"
            "  </div>\n"
            "</div>\n"
        )
    if not parts:
        return mark_safe(
            '\n<p class="govuk-body kinmap-empty">No care arrangements recorded. Ask who looks after the '
            "child, where, how often and whether overnight, including anyone who lives elsewhere.</p>\n"
        )
    return _safe(parts)


def _stay(s: Mapping[str, Any]) -> str:
    name = _e(s["name"])
    change = (
        f'<a class="govuk-link" href="{_e(s["url"])}">Change<span class="govuk-visually-hidden"> when {name} '
        "lived here</span></a>"
        if s["changeable"]
        else ""
    )
    return (
        '\n      <div class="govuk-summary-list__row">\n'
        f'        <dt class="govuk-summary-list__key">{name}</dt>\n'
        f'        <dd class="govuk-summary-list__value">{_e(s["words"])}</dd>\n'
        f'        <dd class="govuk-summary-list__actions">{change}</dd>\n'
        "      </div>\n      "
    )


def households_html(households: Sequence[Mapping[str, Any]]) -> SafeString:
    """The households, a summary card each with who lives or lived there and
    when, or what to ask when no address is recorded."""
    parts = []
    for h in households:
        address = _e(h["address"])
        change = (
            '<ul class="govuk-summary-card__actions">\n'
            f'      <li class="govuk-summary-card__action">{_LINK}{_e(h["url"])}">Change '
            f'address<span class="govuk-visually-hidden"> {address}</span></a></li>\n'
            "    </ul>"
            if h["changeable"]
            else ""
        )
        masked = " kinmap-masked" if h["masked"] else ""
        parts.append(
            f'\n<div class="govuk-summary-card" data-household="{_e(h["id"])}">\n'
            '  <div class="govuk-summary-card__title-wrapper">\n'
            f'    <h3 class="govuk-summary-card__title{masked}">{address}</h3>\n'
            f"    {change}\n"
            "  </div>\n"
            '  <div class="govuk-summary-card__content">\n'
            '    <dl class="govuk-summary-list">\n      '
            + "".join(_stay(s) for s in h["stays"])
            + "\n    </dl>\n"
            "  </div>\n"
            "</div>\n"
        )
    if not parts:
        return mark_safe(
            '\n<p class="govuk-body kinmap-empty">No addresses recorded. Record where the child lives, and '
            "where each parent and carer lives.</p>\n"
        )
    return _safe(parts)


def relationships_html(relationships: Sequence[Mapping[str, Any]]) -> SafeString:
    """The rows of the relationships table: the relationship in a sentence
    with its dates, its source, and the links to change or remove it."""
    parts = []
    for r in relationships:
        sentence = _e(r["sentence"])
        dates = (
            f'<br><span class="govuk-body-s kinmap-secondary">{_e(r["dates"])}</span>' if r["dates"] else ""
        )
        actions = (
            f'\n      {_LINK}{_e(r["edit_url"])}">Change{_HIDDEN}'
            f" relationship: {sentence}</span></a>\n"
            f'      {_LINK}{_e(r["remove_url"])}">Remove{_HIDDEN}'
            f" relationship: {sentence}</span></a>\n    "
            if r["changeable"]
            else ""
        )
        parts.append(
            '\n  <tr class="govuk-table__row">\n'
            f'    <td class="govuk-table__cell">{sentence}{dates}</td>\n'
            f'    <td class="govuk-table__cell govuk-body-s">{_e(r["source"])}</td>\n'
            f'    <td class="govuk-table__cell kinmap-actions">{actions}</td>\n'
            "  </tr>\n  "
        )
    return _safe(parts)


def _changeable_row(key: str, value: str, change: str) -> str:
    """A row of a summary list with the link to change it (``change``, empty
    when it may not be changed); the key and value already escaped."""
    return (
        '\n  <div class="govuk-summary-list__row">\n'
        f'    <dt class="govuk-summary-list__key">{key}</dt>\n'
        f'    <dd class="govuk-summary-list__value">{value}</dd>\n'
        f'    <dd class="govuk-summary-list__actions">{change}</dd>\n'
        "  </div>\n  "
    )


def pr_html(pr: Sequence[Mapping[str, Any]]) -> SafeString:
    """The rows of parental responsibility: who holds it, on what basis, for
    which child and when, and the link to change it."""
    parts = []
    for x in pr:
        person, child = _e(x["person"]), _e(x["child"])
        basis = _e(x["basis"])
        state = basis if x["now"] == "Now" else f"{_GREY_TAG}{_e(x['now'])}</span> {basis}"
        dates = f". {_e(x['dates'])}" if x["dates"] else ""
        change = (
            f'{_LINK}{_e(x["url"])}">Change{_HIDDEN} parental '
            f"responsibility of {person} for {child}</span></a>"
            if x["changeable"]
            else ""
        )
        parts.append(_changeable_row(person, f"{state}<br>{_SECONDARY}for {child}{dates}</span>", change))
    return _safe(parts)


def care_orders_html(care_orders: Sequence[Mapping[str, Any]]) -> SafeString:
    """The rows of the care orders: the local authority, the order in a
    sentence with its state, dates and source, and the link to change it."""
    parts = []
    for o in care_orders:
        state = "" if o["now"] == "Now" else f"{_GREY_TAG}{_e(o['now'])}</span> "
        dates = f". {_e(o['dates'])}" if o["dates"] else ""
        source = f". {_e(o['source'])}" if o["source"] else ""
        change = (
            f'{_LINK}{_e(o["url"])}">Change{_HIDDEN} the care order for {_e(o["child"])}</span></a>'
            if o["changeable"]
            else ""
        )
        authority = f"{_e(o['authority'])}<br>{_SECONDARY}local authority</span>"
        order = f"{state}{_e(o['sentence'])}.<br>{_SECONDARY}Care order{dates}{source}</span>"
        parts.append(_changeable_row(authority, order, change))
    return _safe(parts)
