"""Static files: WhiteNoise warns about a missing STATIC_ROOT only where it matters."""

from __future__ import annotations

import warnings
from pathlib import Path

from django.test import override_settings

from kinmap.web.middleware import StaticFilesMiddleware


def _warnings_building_middleware() -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        StaticFilesMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
    return [str(w.message) for w in caught]


def test_missing_static_root_is_quiet_while_the_finders_serve_the_files(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path / "not-collected", WHITENOISE_USE_FINDERS=True):
        assert not [m for m in _warnings_building_middleware() if "No directory at" in m]


def test_missing_static_root_still_warns_when_the_collected_files_are_served(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path / "not-collected", WHITENOISE_USE_FINDERS=False):
        assert [m for m in _warnings_building_middleware() if "No directory at" in m]


def test_the_files_are_served_through_the_finders(client) -> None:
    response = client.get("/assets/kinmap.css")
    assert response.status_code == 200
