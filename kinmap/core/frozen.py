"""``filled_directly``: a faster ``__init__`` for a frozen dataclass.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class
sets each field through ``object.__setattr__``, one call per field. The gap
engine makes its gaps, their subjects and the carer checks by the thousand
(dozens per family), and those calls were a large part of its time. This
decorator replaces the generated ``__init__`` with one of the same signature
that fills the instance dictionary directly. Equality, hashing, ``repr``,
``dataclasses.replace`` and type checking (which reads the dataclass fields)
are unchanged; the instance stays frozen (assignment still raises).
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T", bound=type)

_DICT = "_filled_directly_dict"


def filled_directly(cls: T) -> T:
    """Give the frozen dataclass ``cls`` an ``__init__`` that stores each
    field straight into the instance ``__dict__``; returns ``cls``.

    Raises TypeError for a class this would get wrong: not a frozen
    dataclass, one with ``__slots__`` (no instance dictionary), a
    ``__post_init__``, a field left out of ``__init__`` or a default factory.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__} must be a frozen dataclass")
    if "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} must have no __slots__ and no __post_init__")
    args: list[str] = []
    lines: list[str] = []
    env: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.default_factory is not dataclasses.MISSING or f.name in ("self", _DICT):
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields, with or without a default")
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            env[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    {_DICT}[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(args)}):\n    {_DICT} = self.__dict__\n" + "\n".join(lines)
    exec(source, env)  # noqa: S102 - the source is made above from the field names only
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    return cls
