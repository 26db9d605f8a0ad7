"""``cached``: a property worked out once per object, without a lock.

:func:`functools.cached_property` takes a lock on every first access in
Python 3.11 (the lock was removed in 3.12, python/cpython#101890). The core's
graphs and scopes are built per family and never shared between threads, and
the gap engine reads a dozen such properties per family, so the lock is pure
cost there. This descriptor keeps the value on the instance like
``cached_property`` does (an instance attribute of the same name); later reads
never reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached(Generic[T]):
    """A read-only property computed on first access and stored on the instance."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached[T]:
        if instance is None:
            return self
        value = self.func(instance)
        _set(instance, self.name, value)
        return value


# The value is set as an instance attribute (object.__setattr__, which a
# read-only class's own __setattr__ cannot refuse), not through
# ``instance.__dict__``: in Python 3.11 asking for an instance's ``__dict__``
# makes a dictionary of its attributes for good, after which no read of any of
# its attributes is specialised by the interpreter (each goes the slow, generic
# way, several times the cost: a graph's ``network`` and ``today`` are read
# hundreds of times a family).
_set = object.__setattr__
