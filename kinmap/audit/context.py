"""Who is acting and in which request: set by the middleware (web), the API and
the command line, read when an audit event is written."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AuditContext:
    request_id: str
    channel: str  # "web", "api", "cli"
    # Family networks whose read has already been audited in this request, so
    # that a page that loads a network several times records one "view".
    networks_read: set[int] = field(default_factory=set, compare=False, hash=False)


_current: ContextVar[AuditContext | None] = ContextVar("kinmap_audit_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


# Outside a request (a management command, a shell) every event of the process
# shares one id; the channel comes from KINMAP_CHANNEL, which the ``kinmap``
# command sets to "cli".
_PROCESS_ID = new_request_id()


def set_context(ctx: AuditContext | None) -> object:
    return _current.set(ctx)


def reset_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> AuditContext:
    ctx = _current.get()
    if ctx is not None:
        return ctx
    return AuditContext(request_id=_PROCESS_ID, channel=os.environ.get("KINMAP_CHANNEL", ""))


@contextlib.contextmanager
def command_context(channel: str = "cli") -> Iterator[AuditContext]:
    """Run a management command (or any batch job) as one audited "request"."""
    ctx = AuditContext(request_id=new_request_id(), channel=channel)
    token = set_context(ctx)
    try:
        yield ctx
    finally:
        reset_context(token)
