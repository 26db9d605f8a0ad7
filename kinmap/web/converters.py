"""URL path converters, registered once in ``kinmap.urls``.

Every object id in a URL is an ``<id:...>``: digits within the range of the
database's primary keys (Django's ``BigAutoField``: a PostgreSQL ``bigint``,
a SQLite ``INTEGER``, both signed 64-bit). An id outside that range matches no
URL, so it answers 404 like a missing or forbidden object, before any view
runs and before the database sees it.
"""

from __future__ import annotations

# The largest value of a signed 64-bit integer: the upper bound of BigAutoField
# (PostgreSQL documentation, "Numeric Types"; SQLite "Datatypes", INTEGER).
MAX_ID = 2**63 - 1


def is_object_id(value: int) -> bool:
    """Whether ``value`` could be the primary key of a row (1 to :data:`MAX_ID`)."""
    return 1 <= value <= MAX_ID


class ObjectIdConverter:
    """``<id:name>``: a positive integer no larger than :data:`MAX_ID`, given to
    the view as an ``int``. Anything else does not match (404)."""

    # At most 19 digits: MAX_ID has 19; the range check in to_python does the rest.
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not is_object_id(number):
            raise ValueError(f"{value} is not an object id")  # Django answers 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
