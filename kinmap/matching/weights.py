"""Which match model is in force: the one ``kinmap match`` trained, written to
``settings.KINMAP_MATCH_MODEL_PATH``, else the starting weights shipped in
``kinmap/matching/default_model.json`` (documented in the README)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kinmap.core.matching import MatchModel, load_model

DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
_cache: dict[tuple[str, float], MatchModel] = {}


def trained_model_path() -> Path:
    """``settings.KINMAP_MATCH_MODEL_PATH`` as a Path (default ``var/match-model.json``)."""
    return Path(getattr(settings, "KINMAP_MATCH_MODEL_PATH", "var/match-model.json"))


def current_match_model() -> MatchModel:
    """The trained model if its file exists, else the shipped default. Cached per
    file and modification time, so a newly trained model is used at once.
    Raises ``pydantic.ValidationError`` or ValueError for a trained file that is
    not a Splink model (a broken model is an operator's error, not ignored)."""
    path = trained_model_path()
    if not path.is_file():
        path = DEFAULT_MODEL_PATH
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = load_model(path)
    return _cache[key]
