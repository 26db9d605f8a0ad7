"""Paths made without a ``reverse()`` for each.

A family page links to every person, stay, relationship and order it shows
(about a hundred links for a family of ten), and ``{% url %}`` resolves the
URL pattern again for each one. :func:`path_for` reverses each URL name once
in the process, with stand-in ids, and puts the ids in the stand-ins' places:
the same text ``reverse()`` gives, for URLs whose arguments are all object
ids (``<id:...>``, kinmap.web.converters). The paths are kept by URL name,
URL configuration and script prefix, so a change of either is a new path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from .converters import MAX_ID
from .request_memo import memoised

# Ids that are never real ones (the largest ids a URL may carry): reversed in
# the ids' places, then replaced by the ids themselves.
_STAND_INS = tuple(str(MAX_ID - i) for i in range(3))

_pieces: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _place() -> tuple[str, object]:
    """The script prefix and URL configuration paths are made for now."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def _split(name: str, count: int) -> tuple[str, ...]:
    # read once in a reading request (both are set before its middleware
    # runs, and no request has a URL configuration of its own here): each is
    # a thread's or task's own value, slow to look up, and a family page makes
    # some forty paths
    key = (name, count, *memoised(("url-place",), _place))
    pieces = _pieces.get(key)
    if pieces is None:
        if count > len(_STAND_INS):
            raise ValueError(f"{name}: at most {len(_STAND_INS)} ids")
        rest = reverse(name, args=list(_STAND_INS[:count]))
        found = []
        for stand_in in reversed(_STAND_INS[:count]):  # the last id first, from the end
            if rest.count(stand_in) != 1:
                raise ValueError(f"{name}: an id is not once in its path {rest}")
            rest, _, tail = rest.rpartition(stand_in)
            found.append(tail)
        pieces = _pieces[key] = (rest, *reversed(found))
    return pieces


def path_for(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for a URL whose arguments are all object
    ids (``int``), from the pieces kept for ``name``. Raises
    ``NoReverseMatch`` as ``reverse`` does for a name that takes other
    arguments, and ``ValueError`` for more than three ids."""
    pieces = _split(name, len(ids))
    if not ids:
        return pieces[0]
    out = [pieces[0]]
    for object_id, piece in zip(ids, pieces[1:], strict=True):
        out.append(str(int(object_id)))
        out.append(piece)
    return "".join(out)


class NetworkLinks:
    """The paths of one network's objects by URL name: ``links("person", 7)``
    is ``reverse("person", args=[network_id, 7])``. Raises ``NoReverseMatch``
    as ``reverse`` does for a name that takes other arguments."""

    def __init__(self, network_id: int) -> None:
        self.network_id = network_id
        self._pieces: dict[str, tuple[str, ...]] = {}

    def __call__(self, name: str, object_id: int) -> str:
        pieces = self._pieces.get(name)
        if pieces is None:  # looked up once a name (the script prefix is the request's)
            pieces = self._pieces[name] = _split(name, 2)
        return f"{pieces[0]}{int(self.network_id)}{pieces[1]}{int(object_id)}{pieces[2]}"
