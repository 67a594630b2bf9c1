"""Shared fixtures."""

from pathlib import Path

import pytest


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty directory, so reports written by default land nowhere that matters."""
    monkeypatch.chdir(tmp_path)
