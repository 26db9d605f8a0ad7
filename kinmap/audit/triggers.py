"""Database triggers that make the audit table append-only: UPDATE and DELETE
of an audit event fail. Installed by migration 0002 on PostgreSQL and SQLite.

PostgreSQL's TRUNCATE does not fire row triggers; in production the
application's database role should also be refused TRUNCATE (and own neither
the table nor the triggers), and ``kinmap audit verify`` detects a trail cut
short against the chain head.

On SQLite a later migration that alters ``audit_auditevent`` rebuilds the
table and loses its triggers: such a migration must call :func:`install` again.
"""

from __future__ import annotations

from typing import Any

MESSAGE = "audit events are append-only: UPDATE and DELETE are not allowed"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION kinmap_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update ON audit_auditevent;",
    """CREATE TRIGGER kinmap_audit_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION kinmap_audit_append_only();""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS kinmap_audit_no_update ON audit_auditevent;",
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
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, True):
            cur.execute(sql)


def remove(connection: Any) -> None:
    """Only for emptying a test database (Django's flush deletes every row on
    SQLite); never called by the application."""
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, False):
            cur.execute(sql)
