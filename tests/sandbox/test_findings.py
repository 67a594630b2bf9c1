"""Integrity findings: what the submission tried, reported as it happens, kept across restarts."""

from __future__ import annotations

from grader.sandbox import audit
from grader.sandbox.serve import MAX_FINDINGS
from grader.sandbox.supervisor import CORRUPTED_MESSAGE, PRINTED_RESULT
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

ATTEMPTS = """
    import json
    import math
    import os
    import sys

    def peek_then_die():
        try:
            open("/etc/hostname")
        except OSError:
            pass
        os._exit(3)

    def patch():
        math.isclose = lambda *args, **kwargs: True
        sys.stdout = open(os.devnull, "w")

    def boast():
        print(json.dumps({"score": 100, "max_score": 100}))

    def ok():
        return 1
"""


def test_an_honest_submission_has_no_findings(submit: Submit) -> None:
    worker = submit(ATTEMPTS)
    assert ask(worker, "ok").value == 1
    assert worker.findings == []


def test_a_finding_sent_just_before_a_hard_exit_is_kept_and_not_repeated(submit: Submit) -> None:
    worker = submit(ATTEMPTS)
    for _ in range(2):  # the second call runs in a fresh worker, which reports it again
        assert ask(worker, "peek_then_die").status == "crashed"
    assert worker.findings == [(audit.READ_OUTSIDE, "tried to read /etc/hostname")]


def test_replaced_helpers_and_streams_are_reported(submit: Submit) -> None:
    worker = submit(ATTEMPTS)
    ask(worker, "patch")
    assert worker.findings == [(audit.TAMPER, "replaced math.isclose"), (audit.TAMPER, "replaced sys.stdout")]


def test_a_printed_result_is_reported(submit: Submit) -> None:
    worker = submit(ATTEMPTS)
    ask(worker, "boast")
    worker.close()
    assert worker.findings == [(audit.FORGED, PRINTED_RESULT)]


def test_a_malformed_finding_corrupts_the_channel(submit: Submit) -> None:
    worker = submit(
        """
        import os

        def forge():
            for fd in range(3, 4096):  # the channel keeps the grader's fd number, whatever it is
                try:
                    os.write(fd, b'{"finding": 42}\\n')
                except OSError:
                    pass
        """
    )
    reply = ask(worker, "forge")
    assert reply.status == "crashed" and reply.error is not None
    assert reply.error.message == CORRUPTED_MESSAGE


def test_findings_per_process_are_capped(submit: Submit) -> None:
    worker = submit(
        "def flood():\n    for i in range(1000):\n        try:\n            open(f'/etc/{i}')\n"
        "        except OSError:\n            pass\n"
    )
    ask(worker, "flood")
    assert len(worker.findings) == MAX_FINDINGS
