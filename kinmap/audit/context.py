"""Who is acting and in which request: set by the middleware (web), the API and
the command line, read when an audit event is written."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    request_id: str
    channel: str  # "web", "api", "cli"


_current: ContextVar[AuditContext | None] = ContextVar("kinmap_audit_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_context(ctx: AuditContext | None) -> object:
    return _current.set(ctx)


def reset_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> AuditContext:
    ctx = _current.get()
    return ctx or AuditContext(request_id="", channel="")
