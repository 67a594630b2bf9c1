"""JUnit XML, read back with a JUnit parser as a CI dashboard would."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from junitparser import Error, Failure, JUnitXml, Skipped

from grader.outputs import junit
from grader.visibility import PENDING
from tests.report import samples


def parse(text: str) -> JUnitXml:
    return JUnitXml.fromstring(text)


def test_one_testcase_per_check_with_failures_errors_and_skips() -> None:
    xml = parse(junit.dumps([samples.mlp_result()]))
    (suite,) = list(xml)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 1, 2, 2)
    outcomes = {case.name.split(":")[0]: [type(r) for r in case.result] for case in suite}
    assert outcomes == {
        "mlp_forward.reference": [],
        "mlp_backward.gradcheck": [Failure],
        "mlp_backward.reference": [Skipped],  # a hidden check before release: no verdict
        "mlp_backward.shapes": [Error],
        "mlp.speed": [Error],
        "mlp.hidden_speed": [Skipped],
    }


def test_failures_carry_message_mistake_and_hint() -> None:
    suite = next(iter(parse(junit.dumps([samples.mlp_result()]))))
    case = next(c for c in suite if c.name.startswith("mlp_backward.gradcheck"))
    (failure,) = case.result
    assert failure.message.startswith("dW1 is off")
    assert "Mistake: Forgot to divide by N" in failure.text and samples.HINT in failure.text


def test_hidden_checks_reveal_nothing() -> None:
    text = junit.dumps([samples.mlp_result()])
    assert samples.SECRET not in text
    suite = next(iter(parse(text)))
    case = next(c for c in suite if c.name.startswith("mlp_backward.reference"))
    assert case.name.endswith("[–/4]")  # neither pass nor fail, nor points, before release
    assert isinstance(case.result[0], Skipped) and case.result[0].message == PENDING["hidden"]


def test_after_release_a_hidden_check_shows_in_full() -> None:
    result = samples.mlp_result()
    result.released = True
    suite = next(iter(parse(junit.dumps([result]))))
    case = next(c for c in suite if c.name.startswith("mlp_backward.reference"))
    assert case.name.endswith("[1.5/4]") and isinstance(case.result[0], Failure)
    assert samples.SECRET in case.result[0].message


def test_one_suite_per_submission_and_totals_on_the_root() -> None:
    xml = parse(junit.dumps([samples.mlp_result(), samples.engine_result()]))
    assert [suite.name for suite in xml] == ["exercise11 (exercise11.py)", "exercise12 (exercise12.py)"]
    assert (xml.tests, xml.failures) == (8, 3)


def test_control_characters_in_student_text_keep_the_xml_valid() -> None:
    result = samples.hostile_result()
    result.checks[0].message = "bad\x00byte \x1b[31mred\x1b[0m \ud800\uffff"
    result.stdout = "\x0b\x1b]0;title\x07"
    text = junit.dumps([result])
    suite = next(iter(parse(text)))
    assert next(iter(suite)).result[0].message == "bad␀byte ␛[31mred␛[0m \ufffd\ufffd"
    assert ET.fromstring(text).findtext(".//system-out", "").endswith("│ ␛]0;title␇")
