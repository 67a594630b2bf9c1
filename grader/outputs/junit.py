"""JUnit XML for CI dashboards: one testsuite per submission, one testcase per check.

CI logs are read by students, so hidden checks show their title and points only.
Every text goes through `grader.text.inert`, whose output XML 1.0 can always hold
(no C0 control but tab and newline, no surrogate, no U+FFFE/U+FFFF); student text is
also bounded and kept off lines of its own (`grader.visibility`): the file
name, the one-line messages, the fenced prints in ``system-out``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader import visibility
from grader.result import CheckResult, Result
from grader.text import inert, name_line

#: What a check's status becomes in JUnit: a failure (wrong answer) or an error (it did not run through).
ELEMENTS = {"failed": "failure", "error": "error", "timeout": "error", "skipped": "skipped"}


def dumps(results: Sequence[Result]) -> str:
    root = ET.Element("testsuites", name="grade")
    for result in results:
        root.append(_suite(result))
    _count(root, [(r, c) for r in results for c in r.checks], sum(r.duration_s for r in results))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(result: Result) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{result.exercise} ({name_line(result.submission)})")
    _count(suite, [(result, c) for c in result.checks], result.duration_s)
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("score", f"{visibility.shown_score(result):g}"),
        ("max_score", f"{result.max_score:g}"),
        ("pending_points", f"{visibility.pending_points(result):g}"),
        ("status", result.status),
        ("sha256", result.sha256),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    for check in result.checks:
        suite.append(_case(result, check))
    if visibility.stdout_shown(result):
        ET.SubElement(suite, "system-out").text = visibility.printed(result)
    return suite


def _case(result: Result, check: CheckResult) -> ET.Element:
    """One testcase; a withheld check is `skipped`, saying when its result is released."""
    withheld = visibility.withheld(result, check)
    points = "–" if withheld else f"{check.points:g}"
    case = ET.Element(
        "testcase",
        name=f"{check.id}: {check.title} [{points}/{check.max_points:g}]",
        classname=result.exercise,
        time=f"{check.duration_s:.3f}",
    )
    element = "skipped" if withheld else ELEMENTS.get(check.status)
    if element:
        text = visibility.feedback(result, check)
        first_line = text.partition("\n")[0]
        status = ET.SubElement(case, element, message=inert(first_line), type=check.status)
        status.text = inert(text)
    return case


def _count(element: ET.Element, checks: Sequence[tuple[Result, CheckResult]], seconds: float) -> None:
    statuses = ["skipped" if visibility.withheld(r, c) else ELEMENTS.get(c.status) for r, c in checks]
    element.set("tests", str(len(checks)))
    for name, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        element.set(attribute, str(statuses.count(name)))
    element.set("time", f"{seconds:.3f}")
