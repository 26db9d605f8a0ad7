"""Report the size of the access walks in the test run's summary."""

from __future__ import annotations

from typing import Any

# test name -> (URL/role pairs checked, unexpected allows); filled by the walks
WALKS: dict[str, tuple[int, int]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not WALKS:
        return
    terminalreporter.section("access walks")
    for name, (pairs, allows) in sorted(WALKS.items()):
        terminalreporter.write_line(f"{name}: {pairs} URL/role pairs checked, {allows} unexpected allows")
