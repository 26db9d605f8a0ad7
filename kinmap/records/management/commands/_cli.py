"""Shared pieces of the commands that read or change family records: every one
runs as a named, active user with a reason, both kept in the audit trail."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError

from kinmap.accounts.models import Role, User
from kinmap.audit.context import AuditContext, new_request_id, reset_context, set_context
from kinmap.records import models as m
from kinmap.records.access import visible_network_ids


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


def networks_visible_to(actor: User, ids: list[int]) -> list[m.FamilyNetwork]:
    """The family networks numbered ``ids`` (in order of number), each one
    ``actor`` may see on the pages now by the one access rule of
    :mod:`kinmap.records.access` (a practitioner or supervisor whose team the
    family is allocated to, or with break-glass access to it). Otherwise
    CommandError (exit status 2), one line naming the numbers refused, worded
    alike for a family that does not exist, one the user may not see and a
    number that could not be a family's, so that the command line tells no
    more than the pages. Two queries for the access, one for the networks."""
    visible = visible_network_ids(actor)
    networks = list(m.FamilyNetwork.objects.filter(pk__in=[i for i in ids if i in visible]).order_by("pk"))
    refused = sorted(set(ids) - {n.pk for n in networks})
    if refused:
        raise CommandError(
            f'No family network {", ".join(str(i) for i in refused)} that "{actor.username}" may see',
            returncode=REFUSED,
        )
    return networks


def require_role(actor: User, allowed: bool, doing: str, who: str) -> None:
    """Refuse (CommandError, exit status 2, one line) unless ``allowed``: whether
    ``actor`` has the role the pages require for the same action. ``doing``
    names the action ("run the batch match") and ``who`` those who may
    ("supervisors and information officers in a team")."""
    if not allowed:
        role = Role(actor.role).label.lower() if actor.role in Role.values else actor.role
        raise CommandError(
            f'User "{actor.username}" ({role}) may not {doing}: only {who} may', returncode=REFUSED
        )


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
