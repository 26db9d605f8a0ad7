"""Errors services raise when a change is refused. Nothing has been saved."""

from __future__ import annotations

from collections.abc import Iterable

from kinmap.core.text import text_error
from kinmap.core.validation import Problem


class RecordError(Exception):
    """A change was refused. ``problems`` name the field at fault and say why."""

    def __init__(self, problems: Iterable[Problem] | str, *, field: str = "__all__") -> None:
        if isinstance(problems, str):
            problems = [Problem("record", 0, field, problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


class StaleEdit(RecordError):
    """The record changed after the page that edits it was loaded."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(
            f"This {what} has changed since this page loaded. Your changes have not been saved: "
            "check the record as it is now, then make your change again.",
        )


def check_version(saved: int, expected: int | None, what: str) -> None:
    """Refuse a change to a record unless it was based on the version saved now.

    ``saved`` is the version of the row as locked in the change's transaction;
    ``expected`` the version the change was based on (the hidden version field
    of the form that made it). A change that does not say which version it was
    based on (``None``) is refused just as one based on an old version is, so
    the guard cannot be skipped by leaving the field out. Raises
    :class:`StaleEdit` naming ``what`` ("person", "care arrangement" ...).
    """
    if expected is None or saved != expected:
        raise StaleEdit(what)


def refuse_hidden_characters(value: str, field: str, label: str, *, multiline: bool = False) -> None:
    """Raise :class:`RecordError` naming ``field`` (labelled ``label`` in the
    message: "The reason") if ``value`` has a hidden character
    (:func:`kinmap.core.text.hidden_character`: zero-width, text direction and
    other invisible characters that would make free text read other than it is
    stored). Line breaks and tabs are allowed with ``multiline``. Every service
    that keeps free text another person will read calls this before saving."""
    err = text_error(value or "", what=label, multiline=multiline)
    if err:
        raise RecordError(err, field=field)
