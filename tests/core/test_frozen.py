"""filled_directly: the faster __init__ of the engine's frozen dataclasses."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from kinmap.core.carers import CarerCheck
from kinmap.core.frozen import filled_directly
from kinmap.core.rules import Severity, Subject, SubjectKind, Unmet


@dataclass(frozen=True)
class Plain:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()


@filled_directly
@dataclass(frozen=True)
class Fast:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1,), {}), ((1, "y"), {}), ((1,), {"c": (2, 3)}), ((), {"a": 4, "b": "z", "c": (5,)})],
)
def test_made_the_same_as_by_the_generated_init(args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    slow, fast = Plain(*args, **kwargs), Fast(*args, **kwargs)
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)
    assert repr(fast).replace("Fast", "Plain") == repr(slow)
    assert fast == Fast(*args, **kwargs) and hash(fast) == hash(Fast(*args, **kwargs))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.a = 9  # type: ignore[misc]
    assert dataclasses.replace(fast, b="w").b == "w"


def test_missing_and_unknown_arguments_are_refused_as_before() -> None:
    with pytest.raises(TypeError):
        Fast()
    with pytest.raises(TypeError):
        Fast(1, d=2)


def test_the_engines_values_keep_their_fields_and_defaults() -> None:
    s = Subject(SubjectKind.PERSON, 7)
    assert (s.kind, s.id, s.child_id) == (SubjectKind.PERSON, 7, None)
    u = Unmet("R01-birth-mother", s, Severity.CRITICAL, "words")
    assert u.missing == ()
    assert u == Unmet("R01-birth-mother", Subject(SubjectKind.PERSON, 7), Severity.CRITICAL, "words")
    assert u.key == "R01-birth-mother:person:7" == u.key  # worked out once, kept
    other = dataclasses.replace(u, subject=Subject(SubjectKind.CHILD, 8, 9))
    assert other.key == "R01-birth-mother:child:8:9" and u.key == "R01-birth-mother:person:7"
    assert u == Unmet("R01-birth-mother", s, Severity.CRITICAL, "words")  # the kept key is no field
    check = CarerCheck("17", 1, 2, False, "critical", "ICON not given.")
    assert (check.care_id, check.materials) == (None, ())


@pytest.mark.parametrize(
    "make",
    [
        lambda: dataclass(type("NotFrozen", (), {"__annotations__": {"a": int}})),
        lambda: dataclass(frozen=True, slots=True)(type("Slotted", (), {"__annotations__": {"a": int}})),
        lambda: dataclass(frozen=True)(
            type("Factory", (), {"__annotations__": {"a": list[int]}, "a": field(default_factory=list)})
        ),
    ],
)
def test_a_class_it_would_get_wrong_is_refused(make: object) -> None:
    with pytest.raises(TypeError):
        filled_directly(make())  # type: ignore[operator]
