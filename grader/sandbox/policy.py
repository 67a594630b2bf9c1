"""What a submission may read and write: one policy, enforced by Landlock and by the audit hook.

The grader computes it (it knows where the course is) and the worker applies it.
Reads are allowed beneath the Python installation, the grader package, the
system libraries and the worker's own directory, never inside the course's
``reference/`` and ``rubrics/``; writes nowhere but the null device, not even in
the worker's directory (a file is memory that the grader's measurement of the
process does not see). So a submission reads neither the solutions nor other
students' files, and it writes nowhere at all.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: What an interpreter may still need to read beyond its own installation (shared libraries).
SYSTEM_READABLE = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/dev/urandom", os.devnull)
#: Folders of the course holding what students must not see: solutions, hidden checks and seeds.
SECRET_FOLDERS = ("reference", "rubrics")
PYTHON_PATHS = ("stdlib", "platstdlib", "purelib", "platlib")


@dataclass(frozen=True)
class Paths:
    """Resolved absolute paths; ``private`` wins over ``readable``."""

    workdir: str
    readable: tuple[str, ...]
    private: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paths:
        return cls(str(data["workdir"]), tuple(data["readable"]), tuple(data["private"]))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def is_private(self, path: str) -> bool:
        return any(beneath(path, secret) for secret in self.private)

    def may_read(self, path: str) -> bool:
        return not self.is_private(path) and any(beneath(path, root) for root in self.readable)

    def may_write(self, path: str) -> bool:
        """Only the null device: Landlock grants the worker's directory Unix sockets, no files."""
        return path == os.devnull


def beneath(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or inside it (both resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def sandbox_paths(workdir: Path, grader_root: Path, extra: Iterable[str] = ()) -> Paths:
    """The policy for a worker in ``workdir`` running the ``grader`` package found in ``grader_root``.

    ``extra`` are further import roots (tests put their own probes there).
    """
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    python |= {sysconfig.get_path(name) for name in PYTHON_PATHS}
    readable = [str(workdir), str(grader_root / "grader"), *sorted(python), *extra, *SYSTEM_READABLE]
    private = [str(grader_root / name) for name in SECRET_FOLDERS] + _installed_reference()
    return Paths(os.path.realpath(workdir), _roots(readable), _roots(private))


def _installed_reference() -> list[str]:
    """Where ``import reference`` would load the solutions from, if anywhere (e.g. site-packages)."""
    try:
        spec = importlib.util.find_spec("reference")
    except (ImportError, ValueError):
        return []
    return list(spec.submodule_search_locations or []) if spec else []


def _roots(paths: Iterable[str]) -> tuple[str, ...]:
    """Existing paths, resolved, without those already inside another one."""
    found = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    return tuple(p for p in found if not any(p != q and beneath(p, q) for q in found))
