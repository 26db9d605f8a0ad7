"""How a server stores kinmap's static files."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _pattern_text(pattern: Any) -> str:
    return pattern if isinstance(pattern, str) else str(pattern[0])


def _without_source_maps(patterns: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Django's patterns for the names a CSS or JavaScript file refers to, less
    the ``sourceMappingURL`` comments."""
    return tuple(
        (ext, tuple(p for p in pats if "sourceMappingURL" not in _pattern_text(p))) for ext, pats in patterns
    )


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed (gzip, Brotli) storage with content-hashed names,
    leaving ``sourceMappingURL`` comments alone: the GOV.UK Frontend bundles
    name source maps that the release does not ship, and a missing referenced
    file stops ``collectstatic``. Every ``url()`` and ``@import`` is still
    rewritten to its hashed name."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
