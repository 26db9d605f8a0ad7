"""A network's links made once per URL name are the paths reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from kinmap.web.converters import MAX_ID
from kinmap.web.links import NetworkLinks

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
