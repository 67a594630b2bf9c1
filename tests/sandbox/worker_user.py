"""The account tests start workers as (`GRADER_WORKER_USER`), and when they cannot.

Only root starts a process as another user: elsewhere the tests of the switch are skipped,
except in CI, which runs as root and must run them. The worker user must also be able to run
the interpreter the grader runs with; one under a private home (pyenv in /root) it cannot,
which is the machine's setup, not the grader's: those tests are then skipped, saying so.
"""

from __future__ import annotations

import getpass
import os
import pwd
import subprocess
import sys

import pytest

#: Every Debian-like system has it, and it owns nothing of ours.
USER = "nobody"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")


def switchable_user() -> pwd.struct_passwd:
    """The account to start workers as, where this process may; else the test is skipped (failed in CI)."""
    if os.geteuid() != 0:
        reason = f"the tests run as {getpass.getuser()}, not root: only root starts workers as another user"
        if IN_CI:
            pytest.fail(f"{reason}, and CI runs as root")
        pytest.skip(reason)
    return pwd.getpwnam(USER)


def worker_user_runs_python() -> pwd.struct_passwd:
    """`switchable_user()`, skipping the test where that user cannot run this interpreter."""
    user = switchable_user()
    try:
        subprocess.run([sys.executable, "-I", "-S", "-c", ""], user=user.pw_uid, check=True, timeout=60)
    except (PermissionError, subprocess.CalledProcessError) as exc:
        pytest.skip(
            f"{USER} cannot run {sys.executable} ({exc}): the grader must run from an interpreter "
            "every user can run (docs/security.md)"
        )
    return user
