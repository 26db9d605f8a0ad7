"""Which match model is in force: the one ``kinmap match`` trained, written to
``settings.KINMAP_MATCH_MODEL_PATH``, else the starting weights shipped in
``kinmap/matching/default_model.json`` (documented in the README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from kinmap.core.matching import MatchModel
from kinmap.core.matching.score import complete_model

DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
_cache: dict[tuple[str, float], MatchModel] = {}


def trained_model_path() -> Path:
    """``settings.KINMAP_MATCH_MODEL_PATH`` as a Path (default ``var/match-model.json``)."""
    return Path(getattr(settings, "KINMAP_MATCH_MODEL_PATH", "var/match-model.json"))


def model_in_force() -> dict[str, Any]:
    """The trained model (Splink's JSON, as a dict) if its file exists, else the
    shipped default; a trained model lacking a level the default has (one
    trained before the level was added) gets the default's
    (:func:`~kinmap.core.matching.score.complete_model`). Raises OSError or
    ValueError (bad JSON)."""
    default: dict[str, Any] = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    path = trained_model_path()
    if not path.is_file():
        return default
    return complete_model(json.loads(path.read_text(encoding="utf-8")), default)


def current_match_model() -> MatchModel:
    """:func:`model_in_force` as a :class:`MatchModel`. Cached per file and
    modification time, so a newly trained model is used at once. Raises
    ``pydantic.ValidationError`` or ValueError for a trained file that is not a
    Splink model (a broken model is an operator's error, not ignored)."""
    path = trained_model_path()
    if not path.is_file():
        path = DEFAULT_MODEL_PATH
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = MatchModel.model_validate(model_in_force())
    return _cache[key]
