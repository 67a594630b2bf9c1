"""Landlock (Linux 5.13+): the kernel itself enforces the file policy, the network and signal scope.

Landlock can only allow, never deny: everything the ruleset handles is refused
unless a rule grants it. A private folder inside a readable one (the course's
``reference/`` next to the ``grader/`` package in a checkout, or in site-packages)
is carved out by granting its siblings one by one instead of their parent.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Iterator

from grader.sandbox.libc import syscall
from grader.sandbox.policy import Paths, beneath

# linux/landlock.h; the syscall numbers are shared by all common architectures.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE = 1 << 4, 1 << 5
FS_MAKE_ANY = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
FS_MAKE_SOCK = 1 << 9
FS_REFER, FS_TRUNCATE = 1 << 13, 1 << 14
#: The rights that make sense on a file (a rule on a file with directory rights is refused).
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE
READ = FS_READ_FILE | FS_READ_DIR
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

WRITES = "Landlock: no file writes, not even in the temporary directory (Unix sockets only)"
READS = "Landlock: reads only Python, the grader, system libraries and the temporary directory"
NO_TCP = "Landlock: no TCP"
NO_SIGNALS = "Landlock: no signals or abstract sockets to processes outside the sandbox"


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def restrict(paths: Paths) -> list[str]:
    """Restrict this process (and its future children) to ``paths``; needs no_new_privs set.

    Returns the labels of what is now enforced, or [] when Landlock is unavailable.
    """
    abi = syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    if abi < 1:
        return []
    write = FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_ANY
    write |= (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(
        handled_access_fs=write | READ,
        handled_access_net=(NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
        scoped=(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    ruleset = syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        return []
    try:
        # Files written would park data outside the memory the grader measures: the worker's
        # directory is read-only, but for the Unix sockets a notebook kernel listens on.
        rules = [
            (paths.workdir, FS_MAKE_SOCK | READ),
            (os.devnull, FS_WRITE_FILE | FS_TRUNCATE | FS_READ_FILE),
        ]
        for root in paths.readable:
            rules += read_rules(root, paths.private)
        for path, access in rules:
            _allow(ruleset, path, access & attr.handled_access_fs)  # a path that fails stays closed
        if syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0:
            return []
    finally:
        os.close(ruleset)
    return [WRITES, READS] + [NO_TCP] * bool(attr.handled_access_net) + [NO_SIGNALS] * bool(attr.scoped)


def read_rules(root: str, private: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    """Rules letting the sandbox read beneath ``root`` except inside ``private``.

    A directory holding a private folder is only made listable (which lists the
    names beneath it, not their contents); its other entries are granted one by
    one, except symbolic links, which could lead anywhere.
    """
    if any(beneath(root, secret) for secret in private):
        return
    if not any(beneath(secret, root) for secret in private):
        yield root, READ
        return
    yield root, FS_READ_DIR
    with os.scandir(root) as entries:
        for entry in entries:
            if not entry.is_symlink():
                yield from read_rules(entry.path, private)


def _allow(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_RIGHTS
        rule = _PathBeneathAttr(allowed_access=access, parent_fd=fd)
        syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)
