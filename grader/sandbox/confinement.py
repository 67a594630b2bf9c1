"""OS defences the worker applies to itself before any student code runs.

Each step is best-effort: what the platform lacks is skipped, and only what was
actually applied is reported (the report must never claim a defence that is
not there). Linux extras use raw syscalls through ctypes, so no dependency.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys
from pathlib import Path

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38

# Landlock (linux/landlock.h); the syscall numbers are shared by all common arches.
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_WRITE_FILE = 1 << 1
FS_REMOVE_DIR, FS_REMOVE_FILE = 1 << 4, 1 << 5
FS_MAKE_ANY = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
FS_REFER, FS_TRUNCATE = 1 << 13, 1 << 14
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def confine(workdir: Path, memory_bytes: int, file_bytes: int) -> list[str]:
    """Apply every available defence; return human-readable names of those now active."""
    active: list[str] = []
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        active += _isolate_network(libc)
        active += _landlock(libc, workdir)
    active += _rlimits(memory_bytes, file_bytes)
    return active


def _rlimits(memory_bytes: int, file_bytes: int) -> list[str]:
    wanted = [
        ("RLIMIT_AS", memory_bytes, f"rlimit address space {format_size(memory_bytes)}"),
        ("RLIMIT_FSIZE", file_bytes, f"rlimit file size {format_size(file_bytes)}"),
        ("RLIMIT_CORE", 0, "no core dumps"),
    ]
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


def _isolate_network(libc: ctypes.CDLL) -> list[str]:
    """Enter a fresh network namespace (loopback only, down): no network at all.

    Unprivileged, this needs a user namespace too, which the kernel grants only to
    a single-threaded process: the supervisor pins BLAS to one thread for that.
    """
    if libc.unshare(CLONE_NEWNET) == 0:
        return ["network namespace (no network)"]
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return []
    # Map our ids so files the student creates still get a valid owner.
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:
        pass
    return ["network namespace (no network)"]


def _landlock(libc: ctypes.CDLL, workdir: Path) -> list[str]:
    """Allow writes only beneath ``workdir`` (and /dev/null); block TCP and outside signals."""
    abi = _syscall(libc, SYS_LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    if abi < 1:
        return []
    write_access = FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_ANY
    write_access |= (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(
        handled_access_fs=write_access,
        handled_access_net=(NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
        scoped=(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    ruleset = _syscall(libc, SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        return []
    try:
        allowed = [
            _allow(libc, ruleset, str(workdir), write_access),
            _allow(libc, ruleset, os.devnull, write_access & (FS_WRITE_FILE | FS_TRUNCATE)),
        ]
        if not all(allowed) or libc.prctl(*_words(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) != 0:
            return []
        if _syscall(libc, SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            return ["no new privileges"]
    finally:
        os.close(ruleset)
    active = ["no new privileges", "Landlock: writes only in the temporary directory"]
    if attr.handled_access_net:
        active.append("Landlock: no TCP")
    if attr.scoped:
        active.append("Landlock: no signals or abstract sockets to processes outside the sandbox")
    return active


def _allow(libc: ctypes.CDLL, ruleset: int, path: str, access: int) -> bool:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        rule = _PathBeneathAttr(allowed_access=access, parent_fd=fd)
        added = _syscall(
            libc, SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0
        )
        return added == 0
    finally:
        os.close(fd)


def _syscall(libc: ctypes.CDLL, number: int, *args: object) -> int:
    """``syscall(number, ...)``: variadic, so ints must be widened to machine words by hand."""
    return int(libc.syscall(*_words(number, *args)))


def _words(*args: object) -> list[object]:
    return [ctypes.c_long(a) if isinstance(a, int) else a for a in args]


def format_size(n: int) -> str:
    """``2147483648`` -> ``"2.0 GiB"``: limits as the report shows them."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"
