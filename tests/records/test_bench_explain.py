"""The bench's SQL floor (``explain_ms``) explains every statement a page sent:
each one of a text sent together, and a prepared statement run by name."""

from __future__ import annotations

import pytest
from django.db import connection

from kinmap.records.bench_area import explain_ms

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE here is PostgreSQL's"),
]


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the statements ``explain_ms`` explains."""
    seen: list[str] = []
    real = connection.cursor

    def cursor() -> object:
        c = real()
        execute = c.execute

        def recording(sql: str, params: object = None) -> object:
            seen.append(sql)
            return execute(sql, params)

        c.execute = recording  # type: ignore[method-assign]
        return c

    monkeypatch.setattr(connection, "cursor", cursor)
    return seen


def test_each_statement_of_a_text_and_each_prepared_one_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    with connection.cursor() as c:
        c.execute(
            "PREPARE kinmap_test_explain(int[]) AS SELECT n FROM generate_series(1, 3) AS n WHERE n = ANY($1)"
        )
    try:
        seen = _calls(monkeypatch)
        total = explain_ms(
            [
                "SELECT 1;\nSELECT 2",
                "PREPARE kinmap_other AS SELECT 3;\nEXECUTE kinmap_test_explain('{1,2}')",
                "UPDATE django_migrations SET app = app",
            ]
        )
    finally:
        monkeypatch.undo()
        with connection.cursor() as c:
            c.execute("DEALLOCATE kinmap_test_explain")
    assert [sql for sql in seen if sql.startswith("EXPLAIN")] == [
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1",
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 2",
        "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE kinmap_test_explain('{1,2}')",
    ]
    assert total >= 0
