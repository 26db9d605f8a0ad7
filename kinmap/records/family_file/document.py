"""The family file as a JSON document: the version, the problems a reader
reports (:class:`Issue`, :class:`FamilyFileError`) and reading the JSON with
the limits untrusted input needs (:func:`json_document_load`)."""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kinmap.core.limits import text_problem

FORMAT_KEY = "kinmap-family-file"
FORMAT_VERSION = 2  # 2 adds the family's history (gaps, contacts, decisions)
READABLE_VERSIONS = (1, 2)

MASKED_INCLUDED = "included"
MASKED_WITHHELD = "withheld"

# -- problems ----------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem with a family file: the record, the field, what is wrong."""

    where: str  # 'people[3] (id "p4")', 'relationships[2]', '' for the file itself
    field: str  # 'birth_date', 'provenance.birth_date.recorded_at', '' for the whole record
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.where, self.field, self.message) if part)


class FamilyFileError(Exception):
    """The file was refused. Nothing has been saved."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @property
    def messages(self) -> list[str]:
        return [str(i) for i in self.issues]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(choices: Sequence[str]) -> str:
    return ", ".join(choices)


# -- the JSON document ---------------------------------------------------------

# A family file of the six demo families is under 100 kB; 10 MiB carries
# hundreds of families and keeps a mistaken or hostile file from exhausting memory.
MAX_FILE_BYTES = 10 * 1024 * 1024
# The format nests at most six deep (file, people, person, provenance, field,
# provenance entry); anything deeper is not a family file.
MAX_DEPTH = 20
# The only number in the format is the version; JSON numbers longer than this are
# refused before Python converts them (RFC 8259 section 6 lets a reader set limits).
MAX_NUMBER_CHARS = 20
_TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep: a family file is never so deep"


class _Refused(Exception):
    """The JSON document cannot be a family file; ``message`` says why, in words."""

    def __init__(self, message: str, where: str = "file") -> None:
        super().__init__(message)
        self.message, self.where = message, where


def _number_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"has a number {len(text)} characters long: a family file's numbers are short")
    return int(text)


def _number_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"has a number {len(text)} characters long: a family file's numbers are short")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"has a number too large to read ({text})")
    return value


def _number_constant(name: str) -> Any:
    raise _Refused(f"has {name}, which is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"has the field {_show(key)} twice in one object: give each field once")
        out[key] = value
    return out


def _walk_check(raw: Any) -> None:
    """Every value is nested at most MAX_DEPTH deep and every string (key or
    value) is storable text. Iterative, so no input can exhaust the stack."""
    stack: list[tuple[Any, int, str]] = [(raw, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            raise _Refused(_TOO_DEEP)
        if isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}" if path else key
                problem = text_problem(key)
                if problem:
                    raise _Refused(f"a field name {problem}", path or "file")
                stack.append((item, depth + 1, inner))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(value))
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise _Refused(problem, path)


def json_document_load(content: str | bytes) -> Any:
    """Parse a family file's JSON text (UTF-8 bytes, or text) with the limits a
    reader of untrusted input needs; raise :class:`FamilyFileError` with one
    issue saying what is wrong, never any other exception.

    Refused: more than :data:`MAX_FILE_BYTES`; bytes that are not UTF-8 (a UTF-8
    byte order mark is ignored, as RFC 8259 section 8.1 allows); invalid JSON
    (with its line and column); NaN and Infinity; numbers longer than
    :data:`MAX_NUMBER_CHARS` (Python refuses integers over 4,300 digits with a
    ValueError of its own) or too large for a float; a field given twice in one
    object (RFC 8259 leaves it undefined which one wins); nesting deeper than
    :data:`MAX_DEPTH`; text with a NUL character or an unpaired surrogate escape
    (neither can be stored by PostgreSQL)."""
    size = len(content) if isinstance(content, bytes) else len(content.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise FamilyFileError([Issue("file", "", f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")])
    if isinstance(content, bytes):
        try:
            text = content.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FamilyFileError(
                [Issue("file", "", f"is not UTF-8 text (byte {exc.start + 1} cannot be read)")]
            ) from None
    else:
        text = content.removeprefix("\ufeff")
    try:
        raw = json.loads(
            text,
            parse_int=_number_int,
            parse_float=_number_float,
            parse_constant=_number_constant,
            object_pairs_hook=_object,
        )
        _walk_check(raw)
    except json.JSONDecodeError as exc:
        raise FamilyFileError(
            [Issue(f"line {exc.lineno}, column {exc.colno}", "", f"not valid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise FamilyFileError([Issue("file", "", _TOO_DEEP)]) from None
    except _Refused as refused:
        raise FamilyFileError([Issue(refused.where, "", refused.message)]) from None
    return raw
