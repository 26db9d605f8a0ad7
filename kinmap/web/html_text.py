"""Text for HTML written in Python, as the template language writes it.

``esc(value)`` is what ``{{ value }}`` gives in an autoescaped template (and
``django.utils.html.conditional_escape``): text already marked safe as it is,
anything else as text with ``< > & " '`` escaped, numbers without
separators (kinmap does not turn on ``USE_THOUSAND_SEPARATOR``). It skips
Django's lazy-text wrapper, which costs more than the escaping when a page
writes a few hundred values (the family page's rows and gap lines).
"""

from __future__ import annotations

import re
from html import escape as _escape
from typing import Any

# what html.escape changes (with quote=True): a text without any is itself
_SPECIAL = re.compile("[&<>\"']")


def esc(value: Any) -> str:
    """``value`` escaped for HTML text or a quoted attribute, unless it is
    already safe (has ``__html__``); the same text as ``conditional_escape``.
    A plain text with nothing to escape (most names and words) is given back
    as it is, and a whole number as its digits, without ``html.escape``'s
    five replacements."""
    kind = type(value)
    if kind is str:
        return _escape(value) if _SPECIAL.search(value) else value
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape(str(value))
