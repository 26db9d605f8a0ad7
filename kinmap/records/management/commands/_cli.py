"""Shared pieces of the commands that read or change family records: every one
runs as a named, active user with a reason, both kept in the audit trail."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


# A command refused for how it was asked (like a usage error): exit status 2.
REFUSED = 2


def add_accountability_arguments(parser: ArgumentParser, what: str) -> None:
    """``--as USER`` and ``--reason TEXT``, which every command that reads or
    changes family records demands (``what`` names the action, "the export")."""
    parser.add_argument(
        "--as", dest="username", help=f"your user name: {what} is recorded against it in the audit trail"
    )
    parser.add_argument("--reason", default="", help=f"why, in words: kept with {what} in the audit trail")


def accountable(options: dict[str, Any], command: str) -> tuple[str, str]:
    """The user name and reason a command that reads or changes family records
    runs under: a person is accountable, never "system". Checks only that both
    were given (no database needed); :func:`user_named` finds the user.
    Raises CommandError (exit status 2), one line, otherwise."""
    username = (options.get("username") or "").strip()
    reason = (options.get("reason") or "").strip()
    if not username:
        raise CommandError(
            f"kinmap {command} reads or changes family records: "
            "give your user name with --as USER, and why with --reason",
            returncode=REFUSED,
        )
    if not reason:
        raise CommandError(
            f'kinmap {command} needs a reason: say why with --reason "...", it is kept in the audit trail',
            returncode=REFUSED,
        )
    return username, reason


def user_named(username: str) -> User:
    """The active account with this user name, or CommandError (exit status 2)."""
    user = User.objects.filter(username=username).select_related("team").first()
    if user is None:
        raise CommandError(
            f'No user "{username}": give the user name of an existing account with --as', returncode=REFUSED
        )
    if not user.is_active:
        raise CommandError(
            f'User "{username}" can no longer sign in: give the user name of an active account with --as',
            returncode=REFUSED,
        )
    return user


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
