"""The file policy: what a submission may read and write, and the Landlock rules that enforce it."""

from __future__ import annotations

import os
from pathlib import Path

from grader.sandbox.landlock import FS_READ_DIR, READ, read_rules
from grader.sandbox.policy import Paths, sandbox_paths
from grader.sandbox.process import GRADER_ROOT


def test_the_course_secrets_are_private_and_the_grader_readable(tmp_path: Path) -> None:
    paths = sandbox_paths(tmp_path, GRADER_ROOT)
    assert paths.is_private(str(GRADER_ROOT / "reference" / "exercise11.py"))
    assert paths.is_private(str(GRADER_ROOT / "rubrics" / "exercise11.yaml"))
    assert paths.may_read(str(GRADER_ROOT / "grader" / "probes" / "exercise11.py"))
    assert paths.may_read(str(tmp_path / "exercise11.py"))
    assert not paths.may_read(str(GRADER_ROOT / "tests" / "students" / "exercise11" / "correct.py"))
    assert not paths.may_read(str(tmp_path.parent / "another-student.py"))


def test_nothing_is_writable_but_the_null_device(tmp_path: Path) -> None:
    paths = Paths(str(tmp_path), (str(tmp_path),), ())
    assert not paths.may_write(str(tmp_path / "scratch" / "file.txt"))
    assert not paths.may_write(str(tmp_path))
    assert not paths.may_write("/tmp")
    assert paths.may_write(os.devnull)


def test_a_private_folder_is_carved_out_of_a_readable_one(tmp_path: Path) -> None:
    for name in ("grader/probes", "reference/mistakes", "rubrics", "tests"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "README.md").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "reference")
    private = (str(tmp_path / "reference"), str(tmp_path / "rubrics"))
    rules = dict(read_rules(str(tmp_path), private))
    assert rules == {
        str(tmp_path): FS_READ_DIR,
        str(tmp_path / "grader"): READ,
        str(tmp_path / "tests"): READ,
        str(tmp_path / "README.md"): READ,
    }


def test_a_root_without_private_folders_is_one_rule(tmp_path: Path) -> None:
    assert list(read_rules(str(tmp_path), ("/elsewhere",))) == [(str(tmp_path), READ)]
