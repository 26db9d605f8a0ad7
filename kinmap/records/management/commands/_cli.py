"""Shared pieces of the family-file commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from kinmap.accounts.models import User
from kinmap.audit.context import AuditContext, new_request_id, reset_context, set_context


@contextmanager
def cli_audit_context() -> Iterator[None]:
    """Every audit event of one command run shares a request id, on the cli channel."""
    token = set_context(AuditContext(request_id=new_request_id(), channel="cli"))
    try:
        yield
    finally:
        reset_context(token)


def user_named(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f'No user "{username}": give the user name of an existing account with --as')
    return user


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
