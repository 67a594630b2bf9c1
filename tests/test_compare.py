"""How a wrong array is described: shape, NaN, worst entry, constant factor."""

import numpy as np
import pytest

from grader.checks.compare import NEAR_MISS, compare, compare_arrays, near_miss
from grader.settings import Settings

TOL = Settings()


def test_equal_within_tolerance() -> None:
    e = np.arange(6.0).reshape(2, 3)
    assert compare_arrays(e + 1e-9, e, TOL, "dW") is None


def test_transposed_shape() -> None:
    found = compare_arrays(np.zeros((4, 3)), np.zeros((3, 4)), TOL, "dW1")
    assert found and found.message == "dW1 has shape (4, 3), expected (3, 4): transposed?"


@pytest.mark.parametrize(("got", "expected"), [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 4, 3), (4, 1))])
def test_broadcast_shape_suggests_summing(got: tuple[int, ...], expected: tuple[int, ...]) -> None:
    found = compare_arrays(np.zeros(got), np.zeros(expected), TOL, "grad")
    assert found and found.message.endswith("did you forget to sum over the broadcast axes?")


def test_an_extra_length_one_axis_is_named_and_the_values_are_judged_as_reshaped() -> None:
    expected = np.array([1.0, -2.0, 0.5])
    found = compare_arrays(expected.reshape(1, 3), expected, TOL, "db1")
    assert found and found.message == (
        "db1 has shape (1, 3), expected (3,): an extra length-1 axis (keepdims=True, or a reshape?); "
        "reshaped to (3,), its values are right"
    )
    found = compare_arrays(2 * expected.reshape(1, 3, 1), expected, TOL, "db1")
    assert found and found.message.startswith(
        "db1 has shape (1, 3, 1), expected (3,): 2 extra length-1 axes (keepdims=True, or a reshape?); "
        "reshaped to (3,), db1 is off: 3 of 3 entries differ"
    )


def test_a_missing_length_one_axis_is_named() -> None:
    found = compare_arrays(np.ones(4), np.ones((4, 1)), TOL, "mu")
    assert found and found.message == (
        "mu has shape (4,), expected (4, 1): a missing length-1 axis "
        "(keepdims=True forgotten, or a reshape?); reshaped to (4, 1), its values are right"
    )


def test_single_numbers_get_a_factor_only_when_it_is_whole() -> None:
    found = compare_arrays(-2.85595, 1.0, TOL, "dL/dx")
    assert found and "times" not in found.message
    found = compare_arrays(1.69, 5.07, TOL, "dL/dx")
    assert found and found.message.endswith("; it is the expected value divided by 3")


def test_nan_is_located() -> None:
    got = np.ones((2, 2))
    got[1, 0] = np.nan
    found = compare_arrays(got, np.ones((2, 2)), TOL, "p")
    assert found and found.message == "p is NaN at [1, 0] where a finite value was expected"


def test_worst_entry_and_constant_factor() -> None:
    expected = np.array([[1.0, -2.0], [0.5, 4.0]])
    found = compare_arrays(expected * 6, expected, TOL, "dW2")
    assert found is not None
    assert found.message.startswith("dW2 is off: 4 of 4 entries differ; max relative error 5 at [0, 0]")
    assert "tolerance rtol=1e-05, atol=1e-07" in found.message
    assert found.message.endswith("every entry is 6 times the expected value")


def test_opposite_sign_and_division() -> None:
    expected = np.array([1.0, 2.0, 3.0])
    assert compare_arrays(-expected, expected, TOL, "g").message.endswith("with the opposite sign")
    assert compare_arrays(expected / 4, expected, TOL, "g").message.endswith("divided by 4")


def test_structures_report_the_first_bad_field() -> None:
    expected = {"loss": 1.0, "cache": [np.zeros(2), np.ones(3)]}
    got = {"loss": 1.0, "cache": [np.zeros(2), np.zeros(3)]}
    found = compare(got, expected, TOL)
    assert found and found.name == "cache[1]"
    assert compare({"loss": 1.0}, expected, TOL).message == "cache is missing"


def test_a_near_miss_is_an_answer_close_to_the_correct_one_everywhere() -> None:
    expected = np.array([1.0, -2.0, 4.0])
    assert near_miss(expected * (1 + NEAR_MISS / 2), expected, TOL) == pytest.approx(NEAR_MISS / 2)
    assert near_miss(expected * 2, expected, TOL) is None
    assert near_miss(np.array([1.0, np.nan, 4.0]), expected, TOL) is None
    assert near_miss(expected[:2], expected, TOL) is None
