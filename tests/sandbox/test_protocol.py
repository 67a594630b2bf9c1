"""The wire format: exact floats, plain data only, and conversion inside the student process."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from grader.sandbox.protocol import decode, encode, plain


def round_trip(obj: object) -> Any:
    return decode(encode(obj))


def test_float64_arrays_round_trip_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    special = [np.nan, np.inf, -np.inf, -0.0, 5e-324, np.finfo(np.float64).max, 0.1]
    array = np.concatenate([rng.standard_normal(1000) * 10.0 ** rng.integers(-300, 300, 1000), special])
    back = round_trip(array)
    assert isinstance(back, np.ndarray) and back.dtype == np.float64
    assert back.tobytes() == array.tobytes()


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (2, 3, 4)])
def test_array_shapes_survive(shape: tuple[int, ...]) -> None:
    array = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    back = round_trip(array)
    assert isinstance(back, np.ndarray) and back.shape == shape


def test_integer_and_bool_arrays_arrive_as_float64() -> None:
    back = round_trip({"y": np.array([0, 2, 1]), "mask": np.array([True, False])})
    assert isinstance(back, dict)
    assert back["y"].dtype == np.float64 and back["y"].tolist() == [0.0, 2.0, 1.0]
    assert back["mask"].tolist() == [1.0, 0.0]


def test_plain_values_keep_their_types_and_tuples_become_lists() -> None:
    data = {"n": 3, "x": 0.1, "flag": True, "s": "a\nb\u00e9", "none": None, "t": (1, [2.5, (3,)])}
    assert round_trip(data) == {**data, "t": [1, [2.5, [3]]]}
    assert type(round_trip({"flag": True})["flag"]) is bool


def test_special_floats_round_trip() -> None:
    nan, inf, neg_inf, neg_zero = round_trip([math.nan, math.inf, -math.inf, -0.0])
    assert math.isnan(nan) and inf == math.inf and neg_inf == -math.inf
    assert math.copysign(1.0, neg_zero) == -1.0


def test_encode_writes_exactly_one_line() -> None:
    line = encode({"text": "one\ntwo\r\n", "array": np.zeros((2, 2))})
    assert line.endswith(b"\n") and line.count(b"\n") == 1


@pytest.mark.parametrize(
    "obj",
    [object(), {1, 2}, 1j, {1: "int key"}, np.array(["a"]), np.array([1j]), np.float32(1.0), b"bytes"],
    ids=["object", "set", "complex", "int key", "str array", "complex array", "float32", "bytes"],
)
def test_encode_refuses_anything_but_plain_data(obj: object) -> None:
    with pytest.raises(TypeError, match="cannot send|dict keys|dtype"):
        encode({"value": obj})


def test_encode_refuses_the_reserved_array_key() -> None:
    with pytest.raises(TypeError, match="reserved"):
        encode({"__ndarray__": [1], "data": [1.0]})


@pytest.mark.parametrize(
    "line",
    [
        b"not json\n",
        b"\xff\xfe\n",
        b'{"__ndarray__": [3], "data": [1.0, 2.0]}\n',
        b'{"__ndarray__": [-1], "data": []}\n',
        b'{"__ndarray__": [2], "data": ["1", "2"]}\n',
        b'{"__ndarray__": [1], "data": [[1.0]]}\n',
        b'{"__ndarray__": [1], "data": [1.0], "extra": 0}\n',
        b'{"__ndarray__": "2", "data": [1.0, 2.0]}\n',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "garbage",
        "bad utf-8",
        "wrong size",
        "negative dim",
        "strings",
        "nested",
        "extra key",
        "bad shape",
        "deep",
    ],
)
def test_decode_rejects_malformed_messages_with_value_error(line: bytes) -> None:
    with pytest.raises(ValueError):
        decode(line)


class Liar:
    """A student object that pretends to be a number."""

    def __float__(self) -> float:
        return 42.0


class ArrayLike:
    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        return np.ones((2, 2))


def test_plain_converts_numpy_and_number_like_objects_to_floats() -> None:
    value = plain({"a": np.float32(0.5), "b": np.int64(3), "c": np.bool_(True), "d": Liar()})
    assert value == {"a": 0.5, "b": 3.0, "c": True, "d": 42.0}
    assert [type(v) for v in value.values()] == [float, float, bool, float]


def test_plain_converts_arrays_and_array_likes_to_float64() -> None:
    value = plain([np.arange(3), ArrayLike(), np.array([Liar(), Liar()], dtype=object)])
    assert [v.dtype for v in value] == [np.float64] * 3
    assert value[2].tolist() == [42.0, 42.0]


def test_plain_keeps_plain_values_and_turns_tuples_into_lists() -> None:
    assert plain((1, "s", None, False, {"k": (2.5,)})) == [1, "s", None, False, {"k": [2.5]}]


@pytest.mark.parametrize("obj", [object(), {1: 2}, {"set"}])
def test_plain_refuses_what_cannot_be_a_number(obj: object) -> None:
    with pytest.raises(TypeError):
        plain(obj)
