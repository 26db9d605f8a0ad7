"""Links to the objects of one family network, made without a ``reverse()``
for each.

A family page links to every person, stay, relationship and order it shows
(about a hundred links for a family of ten); ``{% url %}`` resolves the URL
pattern again for each one. :class:`NetworkLinks` reverses each URL name once,
with a stand-in object id, and puts each object's id in the stand-in's place:
the same text ``reverse()`` gives, for URLs of the form
``.../<id:network_id>/.../<id:object_id>/...`` (kinmap.web.converters).
"""

from __future__ import annotations

from django.urls import reverse

from .converters import MAX_ID

# An object id that is never a real one (the largest id a URL may carry):
# reversed in the object's place, then replaced by the object's own id.
_STAND_IN = str(MAX_ID)


class NetworkLinks:
    """The paths of one network's objects by URL name: ``links("person", 7)``
    is ``reverse("person", args=[network_id, 7])``. Raises ``NoReverseMatch``
    as ``reverse`` does for a name that takes other arguments."""

    def __init__(self, network_id: int) -> None:
        self.network_id = network_id
        self._split: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, object_id: int) -> str:
        split = self._split.get(name)
        if split is None:
            path = reverse(name, args=[self.network_id, _STAND_IN])
            head, found, tail = path.rpartition(_STAND_IN)
            if not found:
                raise ValueError(f"{name}: the object id is not in its path {path}")
            split = self._split[name] = (head, tail)
        return f"{split[0]}{int(object_id)}{split[1]}"
