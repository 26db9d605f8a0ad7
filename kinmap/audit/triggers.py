"""Database triggers that make the audit table append-only: UPDATE and DELETE
of an audit event fail, and on PostgreSQL so does TRUNCATE of the table (a
statement trigger: TRUNCATE fires no row trigger). Installed by migrations
0002 (UPDATE, DELETE) and 0003 (TRUNCATE) on PostgreSQL and SQLite; SQLite has
no TRUNCATE (``DELETE FROM`` without a WHERE clause is refused like any DELETE).

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

POSTGRES_INSTALL = [
    # TG_OP names the refused operation: UPDATE, DELETE or TRUNCATE.
    """
    CREATE OR REPLACE FUNCTION kinmap_audit_append_only() RETURNS trigger AS $$
    BEGIN
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
    f"""CREATE TRIGGER IF NOT EXISTS kinmap_audit_no_update BEFORE UPDATE ON audit_auditevent
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
