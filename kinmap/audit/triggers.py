"""Database triggers that make the audit table append-only: UPDATE and DELETE
of an audit event fail, and on PostgreSQL so does TRUNCATE of the table (a
statement trigger: TRUNCATE fires no row trigger). Installed by migrations
0002 (UPDATE, DELETE) and 0003 (TRUNCATE) on PostgreSQL and SQLite; SQLite has
no TRUNCATE (``DELETE FROM`` without a WHERE clause is refused like any DELETE).

One UPDATE is allowed: sealing (``services.audit_seal``), which sets the seal
columns (``seq``, ``prev_hash``, ``hash``) of an event that has none yet and
changes nothing else. A sealed event cannot be sealed again, and no content
column can change (PostgreSQL compares the whole row but the seal columns;
SQLite compares every column of CONTENT_COLUMNS, which a test keeps equal to
the model's). Reinstalled by migration 0004.

A role that owns the table can drop the triggers: in production the
application connects as a role that owns neither the table nor the triggers
(docs/access-and-audit.md), and signed checkpoints (``kinmap audit
checkpoint``) detect what someone with the owner's rights could still do.

On SQLite a later migration that alters ``audit_auditevent`` rebuilds the
table and loses its triggers: such a migration must call :func:`install` again.
"""

from __future__ import annotations

from typing import Any

MESSAGE = "audit events are append-only: UPDATE and DELETE are not allowed"

SEAL_COLUMNS = ("seq", "prev_hash", "hash")
CONTENT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "agency_name",
    "action",
    "object_type",
    "object_id",
    "network_id",
    "changes",
    "reason",
    "request_id",
    "channel",
)
_SEAL_KEYS = " - ".join(f"'{c}'" for c in SEAL_COLUMNS)
_CONTENT_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT_COLUMNS)

POSTGRES_INSTALL = [
    # TG_OP names the refused operation: UPDATE, DELETE or TRUNCATE.
    f"""
    CREATE OR REPLACE FUNCTION kinmap_audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
               AND (to_jsonb(NEW) - {_SEAL_KEYS}) = (to_jsonb(OLD) - {_SEAL_KEYS}) THEN
                RETURN NEW;  -- sealing an unsealed event, nothing else changed
            END IF;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update ON audit_auditevent;",
    """CREATE TRIGGER kinmap_audit_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION kinmap_audit_append_only();""",
    "DROP TRIGGER IF EXISTS kinmap_audit_no_truncate ON audit_auditevent;",
    """CREATE TRIGGER kinmap_audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION kinmap_audit_append_only();""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS kinmap_audit_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS kinmap_audit_append_only();",
]

SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update;",
    f"""CREATE TRIGGER kinmap_audit_no_update BEFORE UPDATE ON audit_auditevent
        WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR {_CONTENT_CHANGED}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS kinmap_audit_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update;",
    "DROP TRIGGER IF EXISTS kinmap_audit_no_delete;",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    return []


def install(connection: Any) -> None:
    """Install (or reinstall: every statement is idempotent) all the triggers
    for ``connection.vendor``; nothing on a database kinmap does not support."""
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, True):
            cur.execute(sql)


def remove(connection: Any) -> None:
    """Only for emptying a test database (Django's flush deletes every row on
    SQLite and truncates every table on PostgreSQL); never called by the
    application."""
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, False):
            cur.execute(sql)
