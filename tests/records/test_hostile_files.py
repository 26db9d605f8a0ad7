"""Malformed and hostile family files: whatever the bytes, the reader says what is
wrong in one line (a :class:`FamilyFileError`), ``kinmap import`` exits with
status 2 and no traceback, and nothing is saved."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.family_file import (
    MAX_FILE_BYTES,
    FamilyFileError,
    family_file_import,
    family_file_read,
)
from tests.conftest import run_kinmap
from tests.records.family_files import accounts, base, snapshot

AS = ("--as", "health.visitor", "--reason", "testing hostile files")

__all__ = ["accounts"]  # the fixture, shared with the other import tests

VALID = json.dumps(base())
THEO_AT = VALID.index('"Theo"')


def _nested(depth: int) -> bytes:
    return b'{"kinmap-family-file": 1, "networks": ' + b"[" * depth + b"]" * depth + b"}"


def _with(text: str, old: str, new: str) -> bytes:
    assert old in text
    return text.replace(old, new, 1).encode()


HOSTILE: list[tuple[str, bytes, str]] = [
    (
        "nested past Python's recursion limit",
        _nested(100_000),
        "file: is nested more than 20 levels deep: a family file is never so deep",
    ),
    (
        "nested deeper than any family file",
        _nested(50),
        "file: is nested more than 20 levels deep: a family file is never so deep",
    ),
    (
        "a 5,000-digit number",
        b'{"kinmap-family-file": 1, "networks": [' + b"9" * 5000 + b"]}",
        "file: has a number 5000 characters long: a family file's numbers are short",
    ),
    (
        "a 5,000-digit version",
        b'{"kinmap-family-file": ' + b"1" * 5000 + b"}",
        "file: has a number 5000 characters long: a family file's numbers are short",
    ),
    (
        "a float too large",
        b'{"kinmap-family-file": 1e999}',
        "file: has a number too large to read (1e999)",
    ),
    (
        "NaN",
        b'{"kinmap-family-file": NaN}',
        "file: has NaN, which is not a JSON number (RFC 8259 has no NaN or Infinity)",
    ),
    (
        "-Infinity",
        b'{"kinmap-family-file": 1, "description": -Infinity}',
        "file: has -Infinity, which is not a JSON number (RFC 8259 has no NaN or Infinity)",
    ),
    (
        "the version as true",
        b'{"kinmap-family-file": true}',
        "kinmap-family-file: version true is not supported (this kinmap reads versions 1, 2)",
    ),
    (
        "the version as 1.0",
        b'{"kinmap-family-file": 1.0}',
        "kinmap-family-file: version 1.0 is not supported (this kinmap reads versions 1, 2)",
    ),
    (
        "invalid UTF-8",
        VALID.encode().replace(b'"Theo"', b'"Th\xffo"'),
        f"file: is not UTF-8 text (byte {THEO_AT + 4} cannot be read)",
    ),
    (
        "UTF-16",
        VALID.encode("utf-16"),
        "file: is not UTF-8 text (byte 1 cannot be read)",
    ),
    (
        "a list, not an object",
        b"[1, 2]",
        "kinmap-family-file: is missing: this is not a kinmap family file (see docs/family-file.md)",
    ),
    (
        "a string, not an object",
        b'"kinmap-family-file"',
        "kinmap-family-file: is missing: this is not a kinmap family file (see docs/family-file.md)",
    ),
    (
        "a field given twice",
        _with(VALID, '"given_name": "Theo"', '"given_name": "Theo", "given_name": "Leo"'),
        'file: has the field "given_name" twice in one object: give each field once',
    ),
    (
        "a NUL character in a name",
        _with(VALID, '"Theo"', '"Th\\u0000eo"'),
        "people[0].given_name: contains a NUL character (U+0000), which is not allowed in text",
    ),
    (
        "a NUL character in a fact's key",
        _with(VALID, '"sex": "male"', '"facts": {"adult\\u0000": {"value": "none"}}, "sex": "male"'),
        "people[0].facts: a field name contains a NUL character (U+0000), which is not allowed in text",
    ),
    (
        "an unpaired surrogate",
        _with(VALID, '"Theo"', '"Th\\ud800eo"'),
        "people[0].given_name: contains an unpaired surrogate escape (like \\ud800), "
        "which is not a character",
    ),
    (
        "empty",
        b"",
        "line 1, column 1: not valid JSON: Expecting value",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), [(c, msg) for _, c, msg in HOSTILE], ids=[n for n, _, _ in HOSTILE]
)
def test_the_reader_refuses_in_one_line(accounts: User, content: bytes, message: str) -> None:
    before = snapshot()
    with pytest.raises(FamilyFileError) as info:
        family_file_import(family_file=family_file_read(content), actor=None, file_name="x.json")
    assert info.value.messages == [message]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"), [(c, msg) for _, c, msg in HOSTILE], ids=[n for n, _, _ in HOSTILE]
)
def test_the_import_command_refuses_with_status_2(
    accounts: User, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), *AS)
    assert info.value.returncode == 2
    assert str(info.value) == f"hostile.json was not imported, and nothing was saved: {message}"
    assert snapshot() == before


def test_a_byte_order_mark_is_ignored(accounts: User, tmp_path: Path) -> None:
    """RFC 8259 section 8.1: a reader may ignore a UTF-8 byte order mark, and
    editors on Windows write one."""
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + VALID.encode())
    call_command("import", str(path), *AS)
    assert m.Person.objects.count() == 4


def test_a_file_over_the_size_limit_is_refused_unread(accounts: User, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    padding = " " * (MAX_FILE_BYTES + 1 - len(VALID))
    path.write_bytes((VALID + padding).encode())
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), *AS)
    assert info.value.returncode == 2
    assert str(info.value) == "huge.json was not imported, and nothing was saved: file: is larger than 10 MiB"
    assert snapshot() == before
    # one byte less is read
    path.write_bytes((VALID + padding[1:]).encode())
    call_command("import", str(path), *AS)
    assert m.Person.objects.count() == 4


def test_a_missing_file_exits_with_status_2(accounts: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        call_command("import", str(tmp_path / "missing.json"), *AS)
    assert info.value.returncode == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_nested(100_000), "file: is nested more than 20 levels deep: a family file is never so deep"),
        (
            b'{"kinmap-family-file": 1, "networks": [' + b"9" * 5000 + b"]}",
            "file: has a number 5000 characters long: a family file's numbers are short",
        ),
    ],
    ids=["deep nesting", "5,000-digit number"],
)
def test_the_real_command_line_prints_one_line_and_exits_2(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    done = run_kinmap(tmp_path, "import", str(path), *AS)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"CommandError: hostile.json was not imported, and nothing was saved: {message}\n"


# -- any input at all ---------------------------------------------------------------

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TRICKY = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "2201-01-01",
        "2025-02-29",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-23:59",
        "2026-01-05T10:30:00",
        "p1",
        "n1",
        "h1",
        "health.visitor",
        "NMTH",
        "expected",
        "said-by",
        "",
        " ",
        "\x00",
        "x" * 5000,
    ]
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value can be put."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


class _Undo(Exception):
    pass


def _read_and_import(content: str | bytes, *, shift: bool) -> None:
    """Read and (if the reading passes) import, undoing the import afterwards.
    Only a FamilyFileError may come out."""
    try:
        ff = family_file_read(content, shift_to=timezone.localdate() if shift else None)
        with transaction.atomic():
            family_file_import(family_file=ff, actor=None, file_name="x.json")
            raise _Undo
    except (FamilyFileError, _Undo):
        pass


@PROPERTY
@given(content=st.binary(max_size=400))
def test_any_bytes_are_read_or_refused(accounts: User, content: bytes) -> None:
    _read_and_import(content, shift=False)


@PROPERTY
@given(value=json_values)
def test_any_json_is_read_or_refused(accounts: User, value: Any) -> None:
    _read_and_import(json.dumps(value), shift=False)


@PROPERTY
@given(data=st.data(), shift=st.booleans())
def test_a_valid_file_with_any_value_anywhere_is_read_or_refused(
    accounts: User, data: st.DataObject, shift: bool
) -> None:
    doc = base()
    doc["reference_date"] = "2026-01-05"
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    holder: Any = doc
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = data.draw(st.one_of(TRICKY, json_values))
    _read_and_import(json.dumps(doc), shift=shift)
