"""The browser tests' Chromium: one for the whole run, each page in a tab of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.report.browser import Browser, find_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A running Chromium; a missing one skips the test, except in CI where it must be installed."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("chromium is not installed, but CI must run the browser tests (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser(executable) as running:
        yield running
