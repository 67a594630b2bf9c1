"""What a complete answer looks like, and the check that a worker's reply is one.

The worker is untrusted: whatever arrives from it is validated against a spec built in
the grader (from the case, the rubric or the correct solution's answer) before anything
is compared. A reply that no probe could have produced (a missing or extra key, a string
where a number belongs, a thousand-dimensional array) is `Malformed`; honest probes only
ever send well-formed replies, so the grader treats it as a forged answer. Whether the
*values* are right (shapes, finiteness, tolerances) is the comparison's job, which says
so in words a student can act on.

Specs are plain data so that probes (imported by the worker too) can declare them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Largest array accepted from a worker (elements) and its largest number of dimensions.
MAX_ELEMENTS = 4_000_000
MAX_DIMENSIONS = 8
#: Largest count (of calls, of caches) a probe can honestly report.
MAX_COUNT = 2**62


class Malformed(ValueError):
    """A reply that does not have the structure the grader asked for; the message says where."""


class Spec:
    """The structure one part of an answer must have."""

    def check(self, value: Any, where: str) -> Any:
        """``value`` in a canonical form (float, int, bool, ndarray, dict, list), or raise Malformed."""
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Spec):
    """A real number (NaN and infinities included: whether they are right is the comparison's call)."""

    def check(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Malformed(f"{where} should be a number, got {_kind(value)}")
        return float(value)


@dataclass(frozen=True)
class Integer(Spec):
    """A count: a whole number from 0 up."""

    def check(self, value: Any, where: str) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise Malformed(f"{where} should be a whole number in [0, {MAX_COUNT}], got {_kind(value)}")
        return value


@dataclass(frozen=True)
class Flag(Spec):
    def check(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise Malformed(f"{where} should be true or false, got {_kind(value)}")
        return value


@dataclass(frozen=True)
class Array(Spec):
    """Real numbers of any shape up to the bounds (or `ndim` dimensions, `size` numbers); `whole`: integers.

    Shapes are not fixed here: a wrong shape is a student's mistake, reported by the comparison.
    """

    ndim: int | None = None
    #: An exact number of elements (for counts the probe itself decides, not the student).
    size: int | None = None
    whole: bool = False
    max_elements: int = MAX_ELEMENTS

    def check(self, value: Any, where: str) -> np.ndarray:
        if isinstance(value, bool | str | dict) or value is None:
            raise Malformed(f"{where} should be an array of numbers, got {_kind(value)}")
        if isinstance(value, list) and _nested_size(value) > self.max_elements:
            raise Malformed(f"{where} has more than {self.max_elements} numbers")
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Malformed(f"{where} should be an array of numbers, got a ragged or mixed list") from None
        if array.size > self.max_elements or array.ndim > MAX_DIMENSIONS:
            raise Malformed(f"{where} is too large ({array.size} numbers in {array.ndim} dimensions)")
        if self.ndim is not None and array.ndim != self.ndim:
            raise Malformed(f"{where} should have {self.ndim} dimensions, got {array.ndim}")
        if self.size is not None and array.size != self.size:
            raise Malformed(f"{where} should hold {self.size} numbers, got {array.size}")
        if self.whole and not (np.isfinite(array).all() and (array == np.round(array)).all()):
            raise Malformed(f"{where} should hold whole numbers")
        return array


@dataclass(frozen=True)
class Record(Spec):
    """A mapping with exactly these keys."""

    fields: Mapping[str, Spec]

    def check(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Malformed(f"{where} should be a mapping, got {_kind(value)}")
        extra = sorted(set(value) - set(self.fields))
        if extra:
            raise Malformed(f"{where} has unexpected keys: {', '.join(map(repr, extra[:5]))}")
        missing = [key for key in self.fields if key not in value]
        if missing:
            raise Malformed(f"{where} lacks {', '.join(map(repr, missing))}")
        return {key: spec.check(value[key], f"{where}[{key!r}]") for key, spec in self.fields.items()}


@dataclass(frozen=True)
class Items(Spec):
    """A list of items of one spec, at most ``max_items`` long."""

    item: Spec
    max_items: int = 10_000

    def check(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise Malformed(f"{where} should be a list, got {_kind(value)}")
        if len(value) > self.max_items:
            raise Malformed(f"{where} has {len(value)} items, more than {self.max_items}")
        return [self.item.check(item, f"{where}[{i}]") for i, item in enumerate(value)]


def like(expected: Any) -> Spec:
    """The spec of an answer shaped like ``expected`` (the correct solution's answer).

    Arrays may differ in shape (that is a mistake to explain, not a forgery), numbers may be
    arrays, and strings, flags and nulls must have the same type.
    """
    if isinstance(expected, Mapping):
        return Record({str(key): like(value) for key, value in expected.items()})
    if isinstance(expected, list) and not numeric_list(expected):
        return Fixed(tuple(like(item) for item in expected))
    if isinstance(expected, bool):
        return Flag()
    if isinstance(expected, str) or expected is None:
        return _Same(expected)
    return Array()


@dataclass(frozen=True)
class Fixed(Spec):
    """A list of exactly one item per spec, each item of its own spec."""

    items: tuple[Spec, ...]

    def check(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list) or len(value) != len(self.items):
            raise Malformed(f"{where} should be a list of {len(self.items)} items, got {_kind(value)}")
        return [
            spec.check(item, f"{where}[{i}]")
            for i, (spec, item) in enumerate(zip(self.items, value, strict=True))
        ]


@dataclass(frozen=True)
class _Same(Spec):
    value: Any

    def check(self, value: Any, where: str) -> Any:
        if type(value) is not type(self.value):
            raise Malformed(f"{where} should be {_kind(self.value)}, got {_kind(value)}")
        return value


def numeric_list(items: list[Any]) -> bool:
    """Whether a list is an array of numbers (rather than a list of parts)."""
    try:
        np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _nested_size(value: list[Any]) -> int:
    """How many leaves a nested list has, counted without recursion (it may be deep)."""
    count, todo = 0, [value]
    while todo:
        for item in todo.pop():
            if isinstance(item, list):
                todo.append(item)
            else:
                count += 1
    return count


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"
