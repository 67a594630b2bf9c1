"""An autograder image built once per test session: the zip unpacked, then setup.sh run as Gradescope runs it.

Into a temporary root in place of /autograder, with apt-get skipped (GRADER_SKIP_APT=1) and the
system's `python3` (a PATH such as Gradescope's), so the workers' user can run the venv built from
it. Creating the venv and installing the grader with its dependencies takes the package registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.distribution.gradescope import build
from grader.sandbox.user import ENVIRONMENT
from tests.outputs.schemas import assert_gradescope
from tests.sandbox.worker_user import USER

COURSE = Path(__file__).resolve().parents[2]
#: Two exercises, so that two notebooks make the grader start a fork server.
EXERCISES = ("exercise11", "exercise12")
#: The PATH of an image, without a developer's own interpreters.
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
SETUP_TIMEOUT_S = 900
RUN_TIMEOUT_S = 300


@dataclass(frozen=True)
class Image:
    """An autograder laid out at `root` as on Gradescope: source/, venv/, course/, and per run
    submission/ and results/. `user` is the workers' user where the tests are root, else None."""

    root: Path
    user: str | None
    setup_s: float

    def run(self, files: Mapping[str, str]) -> dict[str, Any]:
        """Hand in `files` (name → text) as one submission and run run_autograder; its results.json."""
        for folder in ("submission", "results"):
            shutil.rmtree(self.root / folder, ignore_errors=True)
        (self.root / "submission").mkdir()
        for name, text in files.items():
            (self.root / "submission" / name).write_text(text)
        env = {**os.environ, **({ENVIRONMENT: self.user} if self.user else {})}
        done = subprocess.run(
            ["bash", str(self.root / "source" / "run_autograder"), str(self.root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
        assert done.returncode == 0, done.stderr
        data: dict[str, Any] = json.loads((self.root / "results" / "results.json").read_text())
        assert_gradescope(data)
        return data


@pytest.fixture(scope="session")
def image() -> Iterator[Image]:
    root = Path(tempfile.mkdtemp(prefix="autograder-"))
    root.chmod(0o755)  # as /autograder: the workers' user passes through it to the venv
    try:
        build(root / "autograder.zip", COURSE, [COURSE / "rubrics" / f"{e}.yaml" for e in EXERCISES])
        with zipfile.ZipFile(root / "autograder.zip") as archive:
            archive.extractall(root / "source")
        env = {**os.environ, "PATH": SYSTEM_PATH, "GRADER_SKIP_APT": "1", ENVIRONMENT: USER}
        started = time.perf_counter()
        done = subprocess.run(
            ["bash", str(root / "source" / "setup.sh"), str(root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT_S,
        )
        assert done.returncode == 0, f"setup.sh failed:\n{done.stderr[-4000:]}"
        yield Image(root, USER if os.geteuid() == 0 else None, time.perf_counter() - started)
    finally:
        shutil.rmtree(root, ignore_errors=True)
