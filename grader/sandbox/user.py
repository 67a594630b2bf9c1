"""The worker's own user: where Landlock and seccomp are missing, file permissions still guard the course.

``GRADER_WORKER_USER=<name>`` asks for it, and it applies only when the grader runs as root
(only root can start a process as another user). Every worker and notebook kernel then runs
as that user, which owns its own directory and nothing else: what only the grader's user may
read (a course kept in a folder of mode 0700, as the Gradescope image keeps it) is out of the
submission's reach however it asks (ctypes, a C extension, a library), and so are the grader's
processes for its signals. Read where the worker starts, not among the grading settings: it is
a property of the machine the grader runs on, not of a rubric or a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from grader.errors import UsageError

ENVIRONMENT = "GRADER_WORKER_USER"


@dataclass(frozen=True)
class WorkerUser:
    """An account the workers run as."""

    name: str
    uid: int
    gid: int

    @property
    def defence(self) -> str:
        """How the defences list names it."""
        return f"separate user {self.name} (uid {self.uid}): reads only what every user may"

    def become(self) -> None:
        """Turn this process, a fork of the grader's (root), into the user, without supplementary groups.

        Call it before the parent-death signal is set: a change of ids clears that signal. The
        kernel also makes the process undumpable: its /proc files become root's, which the grader
        (root) still reads and a sibling worker of the same user cannot.
        """
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)


def worker_user(environ: Mapping[str, str] = os.environ) -> WorkerUser | None:
    """The user `GRADER_WORKER_USER` names, when it is set and the grader runs as root; else None.

    A name that is no user (or is root) is a UsageError: grading on as root would lose the
    defence without a word.
    """
    name = environ.get(ENVIRONMENT, "")
    if not name or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # POSIX only, like the switch itself

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise UsageError(f"{ENVIRONMENT}={name}: no such user") from None
    if entry.pw_uid == 0:
        raise UsageError(f"{ENVIRONMENT}={name}: the workers' user must not be root")
    return WorkerUser(name, entry.pw_uid, entry.pw_gid)
