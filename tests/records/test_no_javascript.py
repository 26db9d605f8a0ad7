"""Pages are server-rendered and work without JavaScript; the Content Security
Policy forbids inline scripts and styles, so templates must not have any."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kinmap

TEMPLATES = sorted(Path(kinmap.__file__).parent.glob("*/templates/**/*.html"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(Path(kinmap.__file__).parent)) for p in paths]


@pytest.mark.parametrize("template", TEMPLATES, ids=_ids(TEMPLATES))
def test_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline script: {tag}"
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"


@pytest.mark.parametrize("template", TEMPLATES, ids=_ids(TEMPLATES))
def test_forms_are_plain_posts_with_a_csrf_token(template: Path) -> None:
    """Forms that change something POST with a CSRF token; the only GET forms
    are filters and searches, which change nothing."""
    text = template.read_text()
    forms = re.findall(r"<form\b[^>]*>", text)
    for form in forms:
        assert 'method="post"' in form or 'method="get"' in form, form
    posts = sum('method="post"' in f for f in forms)
    assert posts == text.count("{% csrf_token %}")


def test_templates_were_found() -> None:
    assert len(TEMPLATES) > 10
