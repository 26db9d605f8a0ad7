"""A network's links, and paths by URL name and ids, made once per URL name
in the process, are the paths reverse() gives."""

from __future__ import annotations

import pytest
from django.template import TemplateSyntaxError, engines
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from kinmap.web.converters import MAX_ID
from kinmap.web.links import NetworkLinks, path_for

NAMES = [
    "person",
    "request-new",
    "residence-edit",
    "household-edit",
    "care-edit",
    "relationship-edit",
    "relationship-remove",
    "pr-edit",
    "care-order-edit",
]


@pytest.mark.parametrize("network_id", [1, 594, MAX_ID])
def test_each_link_is_what_reverse_gives(network_id: int) -> None:
    links = NetworkLinks(network_id)
    for name in NAMES:
        for object_id in (1, 7, 12345, MAX_ID):
            assert links(name, object_id) == reverse(name, args=[network_id, object_id])


def test_a_name_without_an_object_id_is_refused() -> None:
    with pytest.raises(NoReverseMatch):
        NetworkLinks(3)("person-add", 4)


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("my-families", ()),
        ("notifications", ()),
        ("family", (594,)),
        ("chronology", (MAX_ID,)),
        ("genogram-svg", (1,)),
        ("contact", (594, 12)),
        ("contact", (MAX_ID, MAX_ID - 1)),
    ],
)
def test_a_path_by_name_and_ids_is_what_reverse_gives(name: str, ids: tuple[int, ...]) -> None:
    assert path_for(name, *ids) == path_for(name, *ids) == reverse(name, args=list(ids))


def test_a_path_follows_the_script_prefix() -> None:
    assert path_for("family", 7) == "/families/7/"
    set_script_prefix("/kinmap/")
    try:
        assert path_for("family", 7) == reverse("family", args=[7]) == "/kinmap/families/7/"
    finally:
        clear_script_prefix()
    assert path_for("family", 7) == "/families/7/"


def test_the_template_tag_writes_what_the_url_tag_writes() -> None:
    source = "{% url 'contact' a b %} {% url 'my-families' %} {% url 'family' a %}"
    url = engines["django"].from_string(source).render({"a": 3, "b": 40})
    id_url = engines["django"].from_string(source.replace("{% url", "{% id_url")).render({"a": 3, "b": 40})
    assert id_url == url == "/families/3/contacts/40/ / /families/3/"
    # a name from a variable, and without autoescape, as {% url %} gives them
    source = "{% url name a %}{% autoescape off %} {% url 'family' a %}{% endautoescape %}"
    context = {"a": 3, "name": "chronology"}
    url = engines["django"].from_string(source).render(context)
    id_url = engines["django"].from_string(source.replace("{% url", "{% id_url")).render(context)
    assert id_url == url == "/families/3/chronology/ /families/3/"


@pytest.mark.parametrize(
    "tag", ["{% id_url %}", "{% id_url 'family' a as path %}", "{% id_url 'family' id=a %}"]
)
def test_the_template_tag_takes_a_name_and_ids_only(tag: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string(tag)


def test_a_name_taking_other_arguments_is_refused() -> None:
    with pytest.raises(NoReverseMatch):
        path_for("family")
