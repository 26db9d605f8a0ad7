"""``kinmap bench_area`` keeps what it measured when a later stage stops it:
its JSON is written after each stage, marked unfinished until the end."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management.base import CommandError

from kinmap.records.management.commands import bench_area as command


def test_a_run_stopped_by_the_http_stage_keeps_the_figures_before_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    b = command.b
    monkeypatch.setattr(command, "ensure_database", lambda: None)
    monkeypatch.setattr(command, "bind_free", lambda bind: None)
    monkeypatch.setattr(command, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(
        command, "connection", SimpleNamespace(vendor="postgresql", settings_dict={"NAME": "bench"})
    )
    monkeypatch.setattr(b, "caseload", lambda **k: {"synth_families_per_s": 1234.5})
    monkeypatch.setattr(b, "vacuum", lambda: 0.5)
    monkeypatch.setattr(b, "bench_user", lambda password: object())
    monkeypatch.setattr(b, "pages_for", lambda user: SimpleNamespace(paths={"family": "/f/"}))
    monkeypatch.setattr(b, "in_process", lambda user, paths, runs: {"family": {"in_process_median_ms": 9.5}})
    monkeypatch.setattr(b, "engine_figures", lambda user: {"engine_families_per_s": 4321.0})

    def stopped(*args: Any) -> Any:
        raise CommandError("the load driver failed")

    cmd = command.Command()
    monkeypatch.setattr(cmd, "serve_and_drive", stopped)
    out = tmp_path / "bench-area.json"
    with pytest.raises(CommandError):
        cmd.handle(families=10, teams=1, seed=1, requests=1, clients="1", bind="x", runs=1, out=str(out))
    kept = json.loads(out.read_text())
    assert kept["finished"] is False
    assert kept["synth_families_per_s"] == 1234.5
    assert kept["family_page_in_process_median_ms"] == 9.5
    assert kept["engine_families_per_s"] == 4321.0
    assert kept["vacuum_s"] == 0.5
    assert "goals" not in kept


def test_a_port_another_server_holds_stops_the_bench_before_it_starts() -> None:
    """A server already listening where the bench would serve (a runserver
    left running) once answered the bench's sign-in in place of its own
    gunicorn, on another database: the bench now refuses the port at once."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        bind = f"127.0.0.1:{other.getsockname()[1]}"
        with pytest.raises(CommandError, match=f"already listening on {bind}"):
            command.bind_free(bind)
    command.bind_free(bind)  # free again once the other server has gone
    with pytest.raises(CommandError, match="host:port"):
        command.bind_free("8765")


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
def test_vacuum_vacuums_and_analyzes_every_table_and_says_how_long_it_took() -> None:
    from django.db import connection

    from kinmap.accounts.models import Agency

    if connection.vendor != "postgresql":
        pytest.skip("kinmap bench_area runs on PostgreSQL only")
    Agency.objects.create(name="Vacuumed")
    seconds = command.b.vacuum()
    assert isinstance(seconds, float) and seconds >= 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE relname IN (%s, %s) AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL",
            [Agency._meta.db_table, "gaps_gap"],
        )
        assert sorted(r[0] for r in cursor.fetchall()) == ["accounts_agency", "gaps_gap"]
