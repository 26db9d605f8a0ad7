"""An enumeration's member by its value, as ``Cls(value)`` gives it, from the
class's own dict of values to members.

Calling an enumeration (``Source("said-by")``) goes through ``EnumType.__call__``
and ``Enum.__new__`` before the same dict look-up: about 4,700 instructions
a value, and the family page turns some hundred and fifty stored codes into
members (each person's sex and accuracies, each period's accuracies, each
source of a fact, each gap's state and severity). :func:`member` looks the
value up in that dict directly and leaves anything it does not find to the class.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def member(cls: type[E], value: Any) -> E:
    """``cls(value)``: ``value`` itself if it is a member of ``cls``, else the
    member whose value it is (the canonical one, as ``cls(value)`` gives),
    from the class's own map of values to members (``_value2member_map_``,
    which ``Enum.__new__`` reads first too); a value of no member goes to
    ``cls(value)``, which raises ``ValueError`` (or answers as the class's
    ``_missing_`` does)."""
    if type(value) is cls:
        return value
    try:
        found = cls._value2member_map_.get(value)
    except TypeError:  # not hashable: the class looks it up its own way
        found = None
    return found if found is not None else cls(value)  # type: ignore[return-value]
