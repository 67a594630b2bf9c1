"""The student kit as a student gets it: the sdist and the wheel built from this checkout, and the
wheel installed in a fresh virtual environment, each made once per test session.

The sources are copied first (the files git tracks or would track), so building never writes into
the checkout; the wheel is built from the unpacked sdist, as `python -m build` does, so the sdist is
proven complete. The build needs setuptools in this interpreter (the `test` extra), no network;
installing the wheel fetches its dependencies from the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment holding the installed kit and nothing of this checkout."""

    root: Path
    install_s: float

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def environ(self) -> dict[str, str]:
        """This process's environment with the venv first on PATH and nothing pointing elsewhere."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        return {**env, "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(self.root)}

    def run(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        program = str(self.bin / argv[0])
        return subprocess.run(
            [program, *argv[1:]], cwd=cwd, env=self.environ(), capture_output=True, text=True, timeout=600
        )


def _sources(target: Path) -> Path:
    """A copy of the checkout's files that git tracks or would track (not .venv, caches, builds)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=COURSE, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source = COURSE / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _build(kind: str, source: Path, out: Path) -> Path:
    """`build_sdist` or `build_wheel` of setuptools' PEP 517 backend, run in `source`."""
    code = f"from setuptools import build_meta; print(build_meta.build_{kind}({str(out)!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("kit-build")
    sdist = _build("sdist", _sources(root / "checkout"), root / "dist")
    with tarfile.open(sdist) as archive:  # our own archive; the data filter where Python has it
        archive.extractall(
            root / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {})
        )
    (unpacked,) = (root / "unpacked").iterdir()
    return Built(sdist, _build("wheel", unpacked, root / "dist"))


@pytest.fixture(scope="session")
def kit_venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    root = tmp_path_factory.mktemp("kit-venv") / "venv"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    install = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(built.wheel)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    return Venv(root, time.perf_counter() - started)
