"""``{% static %}`` with each file's URL worked out once in the process.

Django's tag asks the static files storage for the URL on every use (joining
and quoting it again: about a twentieth of a millisecond each, seven on every
page). The URL of a path depends only on the storage and the settings (the
manifest of hashed names is read once, when the storage is made), so it is
kept by path, and forgotten when a setting changes (as Django makes the
storage anew then). ``{% load kept_static %}`` in place of ``{% load static %}``;
the same text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import StaticNode

register = template.Library()

_urls: dict[str, str] = {}


class KeptStaticNode(StaticNode):
    """Django's ``StaticNode``, its URLs kept by path."""

    @classmethod
    def handle_simple(cls, path: str) -> str:
        url = _urls.get(path)
        if url is None:
            url = _urls[path] = super().handle_simple(path)
        return url


@register.tag("static")
def do_static(parser: template.base.Parser, token: template.base.Token) -> KeptStaticNode:
    """``{% static "path" %}`` or ``{% static "path" as name %}``, as Django's."""
    return KeptStaticNode.handle_token(parser, token)  # type: ignore[return-value]


def _forget(**kwargs: Any) -> None:
    _urls.clear()


setting_changed.connect(_forget, dispatch_uid="kinmap-kept-static")
