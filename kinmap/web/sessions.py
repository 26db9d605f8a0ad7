"""Sessions that end after a time idle without a write to the database on
every request.

A session ends ``SESSION_COOKIE_AGE`` seconds (30 minutes) after the user's
last request: its expiry in the database is moved on as they use the service.
Django does that by saving the session on every request
(``SESSION_SAVE_EVERY_REQUEST``): three statements (begin, update, commit)
on every page, most of them moving the expiry on by a few seconds. Here the
expiry is moved on only when it would move by at least :func:`refresh_seconds`
(a thirtieth of the session's age, at most :data:`REFRESH_SECONDS`), and
whenever the session changes, so a session ends between 29/30 of its age and
its age after the last request: between 29 and 30 idle minutes.

``SESSION_ENGINE = "kinmap.web.sessions"`` (this module's
:class:`SessionStore`) and :class:`SessionMiddleware` in place of Django's
go together: the middleware needs the expiry the store read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db.models import Field, QuerySet
from django.db.models.query import MAX_GET_RESULTS
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .kept_queries import KeptQuery, Param

# How far the expiry must move, at most, before the session is saved for that alone (seconds).
REFRESH_SECONDS = 60


def refresh_seconds(age: int) -> float:
    """How far (seconds) the expiry of a session of ``age`` seconds must move
    before it is saved for that alone: a thirtieth of the age, at most
    :data:`REFRESH_SECONDS` (60 s for the 30-minute sessions)."""
    return min(REFRESH_SECONDS, age / 30)


class SessionStore(DbSessionStore):
    """Django's database sessions, keeping the expiry each was read with
    (``read_expiry``: an aware datetime, None before the session is read or
    when there was no live session to read)."""

    read_expiry: datetime | None = None

    def _get_session_from_db(self) -> Any:
        # Django's read (objects.get(session_key=..., expire_date__gt=now)),
        # its SQL compiled once per connection (kinmap.web.kept_queries)
        found = _LIVE_SESSION.all(key=self.session_key, now=timezone.now())
        if len(found) > 1:
            raise self.model.MultipleObjectsReturned(
                f"get() returned more than one session -- it returned {len(found)}!"
            )
        row = found[0] if found else None
        if row is None:
            self._session_key = None
        self.read_expiry = row.expire_date if row is not None else None
        return row


def _live_session() -> QuerySet[Any, Any]:
    """The session of a key (``Param`` "key") not expired by ``Param``
    "now", as Django's database store reads it (``get``: at most
    ``MAX_GET_RESULTS`` rows)."""
    model = SessionStore.get_model_class()
    key, expiry = (cast(Field[Any, Any], model._meta.get_field(n)) for n in ("session_key", "expire_date"))
    return model.objects.filter(session_key=Param("key", key), expire_date__gt=Param("now", expiry))[
        :MAX_GET_RESULTS
    ]


_LIVE_SESSION: KeptQuery[Any] = KeptQuery(_live_session)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, which also saves a session read on this
    request when its expiry in the database is at least
    :func:`refresh_seconds` behind where saving it now would put it."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        read_expiry = getattr(session, "read_expiry", None)
        if session is not None and read_expiry is not None and not session.modified:
            age = session.get_expiry_age()
            lag = timezone.now() + timedelta(seconds=age) - read_expiry
            if lag >= timedelta(seconds=refresh_seconds(age)):
                session.modified = True
        return super().process_response(request, response)
