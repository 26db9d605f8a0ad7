"""``{% static %}`` with its URLs kept (kinmap.web.templatetags.kept_static):
the text Django's tag gives, and a new one once the settings change."""

from __future__ import annotations

from django.template import Context, Template
from django.templatetags.static import static
from django.test import override_settings

KEPT = Template('{% load kept_static %}{% static "kinmap.css" %}|{% static "a b.js" as s %}{{ s }}')


def _django() -> str:
    return f"{static('kinmap.css')}|{static('a b.js')}"


def test_the_same_text_as_djangos_tag_every_time() -> None:
    first = KEPT.render(Context())
    assert first == _django()
    assert KEPT.render(Context()) == first


def test_a_changed_setting_gives_the_new_url() -> None:
    before = KEPT.render(Context())
    with override_settings(STATIC_URL="/elsewhere/"):
        moved = KEPT.render(Context())
        assert moved == _django()
        assert moved.startswith("/elsewhere/kinmap.css|/elsewhere/a%20b.js")
    assert KEPT.render(Context()) == before
