"""Sign-in throttling, built on django-axes with its database handler, so that
every worker process sees the same failures and a restart forgets nothing.

Two locks, each with its own limit (settings ``LOGIN_FAILURE_LIMIT`` and
``LOGIN_CLIENT_FAILURE_LIMIT``), both lifted after ``LOGIN_COOLOFF_MINUTES``
without a failure:

* one user name from one client address: failures from elsewhere never lock
  the real user out of their usual client;
* one client address across every user name: one client cannot try user name
  after user name.

The lockout page is the GOV.UK sign-in page with an error summary, and every
refused sign-in is written to the audit trail by the sign-in view.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.http import HttpRequest

from kinmap.web.kept_queries import KeptQuery, Param, first_of

from .models import User


def locked_out_message() -> str:
    """The message on the sign-in page while a lock holds (GOV.UK error message style)."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return (
        "Too many failed attempts to sign in. "
        f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again"
    )


def typed_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name a sign-in is counted against (``AXES_USERNAME_CALLABLE``):
    as typed, trimmed and in lower case, as user names are stored, so that
    changing its case does not start a fresh count; cut to the longest user
    name an account can have, so that a name typed longer (never an account's)
    is still counted, in axes' table of at most 255 characters, rather than
    failing the sign-in page."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    longest = User._meta.get_field("username").max_length or 150
    return str(raw).strip().lower()[:longest]


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from: ``REMOTE_ADDR``, or, when
    ``KINMAP_CLIENT_ADDRESS_HEADER`` names a header that a trusted proxy in front
    of kinmap sets (such as ``X-Forwarded-For``), the right-most address in that
    header (the one the proxy added; any to its left could be forged by the
    client). Falls back to ``REMOTE_ADDR`` when the header is missing or not an
    IP address. Returns a string, "" when nothing is known."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    header = settings.CLIENT_ADDRESS_HEADER
    if not header:
        return remote
    raw = str(request.META.get("HTTP_" + header.upper().replace("-", "_"), "") or "")
    candidate = raw.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class SignInThrottle(AxesDatabaseHandler):
    """The axes database handler, with a separate (higher) limit for one
    client address across user names, and a successful sign-in clearing only
    that user name's failures from that client."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures counted against ``LOGIN_FAILURE_LIMIT`` (axes' single
        limit): those of this user name from this client, or the limit itself
        once the client has reached ``LOGIN_CLIENT_FAILURE_LIMIT`` across user
        names."""
        # AXES_LOCKOUT_PARAMETERS: the user name with the client, then the client alone
        per_name, per_client = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_client >= settings.LOGIN_CLIENT_FAILURE_LIMIT:
            return max(per_name, settings.LOGIN_FAILURE_LIMIT)
        return int(per_name)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """After a successful sign-in, forget this user name's failures from this
        client only (never the client's failures with other user names)."""
        per_name = self.get_user_attempts(request, credentials)[0]
        count, _ = AccessAttempt.objects.filter(pk__in=per_name.values("pk")).delete()
        return count


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-in while a lock holds. A call to ``authenticate`` with no
    request (the test client's ``login``, a shell) has no client to throttle
    and is let through to the next backend."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class UserBackend(ModelBackend):
    """Django's own backend, but the signed-in user of each request is read with
    their team and its agency (one query instead of three): every family page
    asks which team the user is in (the access rule) and which agency (the
    audit record, the masked-detail entitlement)."""

    def get_user(self, user_id: Any) -> User | None:
        user = _SIGNED_IN.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


# the user with their team and its agency, first by pk (as ``first()``),
# compiled once per connection (kinmap.web.kept_queries)
_SIGNED_IN: KeptQuery[User] = KeptQuery(
    lambda: first_of(
        User._default_manager.select_related("team__agency").filter(pk=Param("pk", User._meta.pk))
    )
)
