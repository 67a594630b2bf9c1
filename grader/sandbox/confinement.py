"""OS defences the worker applies to itself before any student code runs.

Each step is best-effort: what the platform lacks is skipped, and only what was
actually applied is reported (the report must never claim a defence that is
not there). The order matters: namespaces need privileges that are dropped
next, and Landlock and seccomp need no_new_privs.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from pathlib import Path

from grader.sandbox import landlock, seccomp
from grader.sandbox.libc import call
from grader.sandbox.policy import Paths
from grader.text import format_size

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
CAPABILITY_VERSION_3 = 0x20080522
LAST_CAPABILITY = 63


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def die_with_parent(parent: int) -> None:
    """Be killed when the process ``parent`` dies (Linux), or leave now if it already has.

    Runs first in every process the grader starts. The kernel signals us when the
    *thread* that forked us ends, so parents fork from a thread that lives as long as
    they do (``grader.sandbox.process.from_lifelong_thread``); checking our parent
    after the prctl closes the race with a parent that died before it. The seccomp
    filter keeps student code from undoing it.
    """
    if sys.platform == "linux":
        call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def confine(
    paths: Paths,
    memory_bytes: int,
    file_bytes: int,
    cpu_seconds: int | None = None,
    open_files: int | None = None,
) -> list[str]:
    """Apply every available defence; return human-readable names of those now active.

    ``cpu_seconds`` (a backstop to the grader's deadlines: a process that outlived its
    grader dies of it) and ``open_files`` (pipes and socket pairs hold memory) are
    not limited when None.
    """
    limits = _rlimits(memory_bytes, file_bytes, cpu_seconds, open_files)
    if sys.platform != "linux":
        return limits
    active = [*_isolate_network(), *_drop_capabilities(), *limits]
    if call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        active += ["no new privileges", *landlock.restrict(paths), *seccomp.restrict()]
    return active


def _rlimits(
    memory_bytes: int, file_bytes: int, cpu_seconds: int | None, open_files: int | None
) -> list[str]:
    wanted = [
        ("RLIMIT_AS", memory_bytes, f"rlimit address space {format_size(memory_bytes)}"),
        ("RLIMIT_FSIZE", file_bytes, f"rlimit file size {format_size(file_bytes)}"),
        ("RLIMIT_CORE", 0, "no core dumps"),
    ]
    if cpu_seconds is not None:
        wanted.append(("RLIMIT_CPU", cpu_seconds, f"rlimit CPU time {cpu_seconds} s"))
    if open_files is not None:
        wanted.append(("RLIMIT_NOFILE", open_files, f"rlimit {open_files} open files"))
    active = []
    for name, limit, label in wanted:
        if _set_rlimit(name, limit):
            active.append(label)
    return active


def _set_rlimit(name: str, limit: int) -> bool:
    which = getattr(resource, name, None)
    if which is None:
        return False
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(which, (limit, limit))
    except (OSError, ValueError):
        return False
    return True


def _isolate_network() -> list[str]:
    """Enter a fresh network namespace (loopback only, down): no network at all.

    Unprivileged, this needs a user namespace too, which the kernel grants only to
    a single-threaded process: the supervisor pins BLAS to one thread for that.
    """
    if call("unshare", CLONE_NEWNET) == 0:
        return ["network namespace (no network)"]
    uid, gid = os.getuid(), os.getgid()
    if call("unshare", CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return []
    # Map our ids so files the student creates still get a valid owner.
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:
        pass
    return ["network namespace (no network)"]


def _drop_capabilities() -> list[str]:
    """Give up every capability (as root, or in the user namespace made above).

    Without them root cannot raise the rlimits set next, mount, load kernel
    modules, reboot or signal other users' processes; it stays uid 0 for files.
    """
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    before = (_CapData * 2)()
    if call("capget", ctypes.byref(header), before) != 0 or not any(d.permitted for d in before):
        return []
    for capability in range(LAST_CAPABILITY + 1):
        call("prctl", PR_CAPBSET_DROP, capability, 0, 0, 0)  # fails harmlessly past the last one
    call("prctl", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if call("capset", ctypes.byref(header), (_CapData * 2)()) != 0:
        return []
    return ["all capabilities dropped"]
