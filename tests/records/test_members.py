"""kinmap.records.members.member gives what calling the enumeration gives:
every member of the vocabularies the family page reads by its value or as
itself, the same ValueError for a value of no member."""

from __future__ import annotations

import enum

import pytest

from kinmap.core.vocab import DateAccuracy, NameKind, Sex, Source
from kinmap.gaps import models as gm
from kinmap.records.members import member

VOCABULARIES = [Source, Sex, DateAccuracy, NameKind, gm.GapState, gm.Severity]


@pytest.mark.parametrize("cls", VOCABULARIES)
def test_each_member_by_its_value_and_as_itself(cls: type[enum.Enum]) -> None:
    for m in cls:
        assert member(cls, m.value) is cls(m.value) is m
        assert member(cls, m) is m
        assert member(cls, str(m.value)) is cls(str(m.value))


@pytest.mark.parametrize("cls", VOCABULARIES)
def test_a_value_of_no_member_is_refused_as_the_class_refuses_it(cls: type[enum.Enum]) -> None:
    for value in ("no-such-code", None, ["unhashable"]):
        with pytest.raises(ValueError) as expected:
            cls(value)
        with pytest.raises(ValueError) as got:
            member(cls, value)
        assert str(got.value) == str(expected.value)


def test_a_class_with_missing_answers_as_it_does() -> None:
    class Colour(enum.Enum):
        RED = "red"

        @classmethod
        def _missing_(cls, value: object) -> Colour | None:
            return cls.RED if value == "crimson" else None

    assert member(Colour, "red") is member(Colour, "crimson") is Colour.RED
