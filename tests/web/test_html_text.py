"""kinmap.web.html_text.esc writes what the template language's autoescape
(``conditional_escape``) writes, for texts with and without characters to
escape, numbers and text already marked safe."""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from kinmap.web.html_text import esc


@given(st.text(alphabet=st.sampled_from("ab <>&\"'é\u2019\n")))
def test_esc_of_a_text_is_conditional_escape(value: str) -> None:
    assert esc(value) == str(conditional_escape(value))


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_esc_of_a_value_is_conditional_escape(value: object) -> None:
    assert esc(value) == str(conditional_escape(value))


def test_esc_leaves_safe_text_as_it_is() -> None:
    assert esc(mark_safe("<b>x</b>")) == "<b>x</b>"
    assert esc(SafeString("a & b")) == "a & b"
    assert esc("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
