"""Golden HTML for hand-built results covering every part of the report.

Rendered at the real time; the normaliser removes the time, durations, hashes and
temporary paths. Regenerate deliberately with GRADER_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from grader.report.page import render
from grader.result import Result
from tests.report import samples
from tests.report.goldens import assert_golden, normalise

SAMPLES: dict[str, tuple[Callable[[], Result], dict[str, str] | None]] = {
    "mlp_failed.html": (samples.mlp_result, samples.SOURCES),
    "engine_graph.html": (samples.engine_result, None),
    "could_not_run.html": (samples.broken_result, samples.SOURCES),
    "hostile.html": (samples.hostile_result, samples.source_with_payload()),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_report_matches_golden(name: str) -> None:
    make, source = SAMPLES[name]
    assert_golden(name, render(make(), source))


def test_normaliser_removes_time_duration_hash_and_temp_paths() -> None:
    html = normalise(render(samples.engine_result()))
    assert "cd" * 32 not in html
    assert "/tmp/grader-worker" not in html and "/TMP/exercise12.py:7" in html
    assert "<time data-volatile>…</time>" in html
