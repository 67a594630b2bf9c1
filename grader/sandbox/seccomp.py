"""A seccomp filter: the submission may start no process or program and signal no other process.

Without children nothing can escape the worker's process group or outlive it, a
fork bomb is impossible, and ``os.kill(os.getppid(), 9)`` fails even on kernels
without Landlock's signal scoping. Threads stay allowed. IP sockets are refused
too, in case no network namespace could be made, and so are new namespaces,
ptrace and io_uring. The grader measures the worker's memory from outside
(``/proc/<pid>``), so nothing may hide memory from that or make those files
unreadable: no ``memfd_create``, System V or POSIX message queue or shared memory
segment, no larger pipe buffers, no paging out on purpose, no
``prctl(PR_SET_DUMPABLE)``; and the parent-death signal set at start stays. File
metadata is no more writable than the files (Landlock does not cover it): no
chmod, chown, times or extended attributes. The filter is a small BPF program
over the syscall number and its first three arguments; it needs no_new_privs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
from collections.abc import Sequence

from grader.sandbox.libc import call

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
LOAD_WORD, JUMP, JUMP_EQUAL, JUMP_AT_LEAST, JUMP_ANY_BIT, RETURN = 0x20, 0x05, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
# Offsets in struct seccomp_data: nr, arch, then the low words of args[0..2] (little endian).
NR, ARCH, ARG0, ARG1, ARG2 = 0, 4, 16, 24, 32
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
F_SETPIPE_SZ = 1031
MADV_COLD, MADV_PAGEOUT = 20, 21

#: Per architecture: its audit id and the numbers of the syscalls the filter decides.
ARCHITECTURES = {
    "x86_64": (
        0xC000003E,
        dict(fork=57, vfork=58, clone=56, clone3=435, execve=59, execveat=322, kill=62, tkill=200,
             tgkill=234, rt_sigqueueinfo=129, rt_tgsigqueueinfo=297, pidfd_send_signal=424, ptrace=101,
             process_vm_readv=310, process_vm_writev=311, socket=41, unshare=272, setns=308,
             io_uring_setup=425, prctl=157, fcntl=72, madvise=28, process_madvise=440,
             memfd_create=319, memfd_secret=447, shmget=29, msgget=68, mq_open=240,
             chmod=90, fchmod=91, fchmodat=268, fchmodat2=452, chown=92, fchown=93, lchown=94,
             fchownat=260, utime=132, utimes=235, futimesat=261, utimensat=280, setxattr=188,
             lsetxattr=189, fsetxattr=190, setxattrat=463, removexattr=197, lremovexattr=198,
             fremovexattr=199, removexattrat=466),
    ),
    "aarch64": (
        0xC00000B7,
        dict(clone=220, clone3=435, execve=221, execveat=281, kill=129, tkill=130, tgkill=131,
             rt_sigqueueinfo=138, rt_tgsigqueueinfo=240, pidfd_send_signal=424, ptrace=117,
             process_vm_readv=270, process_vm_writev=271, socket=198, unshare=97, setns=268,
             io_uring_setup=425, prctl=167, fcntl=25, madvise=233, process_madvise=440,
             memfd_create=279, memfd_secret=447, shmget=194, msgget=186, mq_open=180,
             fchmod=52, fchmodat=53, fchmodat2=452, fchown=55, fchownat=54, utimensat=88,
             setxattr=5, lsetxattr=6, fsetxattr=7, setxattrat=463, removexattr=14, lremovexattr=15,
             fremovexattr=16, removexattrat=466),
    ),
}  # fmt: skip
ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}
DENIED = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "tkill",
    "pidfd_send_signal",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "unshare",  # new namespaces are the first step of most container escapes
    "setns",
    "io_uring_setup",  # io_uring performs syscalls that no seccomp filter sees
    # Memory that the process's RSS does not show, or that outlives it.
    "memfd_create",
    "memfd_secret",
    "shmget",
    "msgget",
    "mq_open",
    "process_madvise",
    # File metadata: Landlock leaves it writable on every file the grading user owns.
    *("chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat"),
    *("utime", "utimes", "futimesat", "utimensat"),
    *("setxattr", "lsetxattr", "fsetxattr", "setxattrat"),
    *("removexattr", "lremovexattr", "fremovexattr", "removexattrat"),
)
#: Signals may go to this process only: the first argument is the target's pid.
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
#: Syscalls refused for some values of one argument: (syscall, the argument's offset, the values).
REFUSED_ARGUMENTS = (
    ("prctl", ARG0, (PR_SET_DUMPABLE, PR_SET_PDEATHSIG)),  # unreadable /proc files; outliving the grader
    ("fcntl", ARG1, (F_SETPIPE_SZ,)),  # a pipe holds 64 KiB, not 1 MiB
    ("madvise", ARG2, (MADV_COLD, MADV_PAGEOUT)),  # memory parked in swap, out of the RSS
)
IP_FAMILIES = (socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_PACKET", 17))
LABEL = (
    "seccomp: no new processes or programs, no signals to other processes, no IP sockets, no namespaces, "
    "no memory hidden from the grader's measurements, no changes to file permissions or attributes"
)


class _Instruction(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


Instruction = tuple[int, int, int, int]


def restrict() -> list[str]:
    """Install the filter on this process (inherited by its threads); [] where unsupported."""
    machine = platform.machine().lower()
    known = ARCHITECTURES.get(ALIASES.get(machine, machine))
    if known is None:
        return []
    code = program(*known, pid=os.getpid())
    instructions = (_Instruction * len(code))(*(_Instruction(*i) for i in code))
    fprog = _Program(len(code), instructions)
    if call("prctl", PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return []
    return [LABEL]


def program(arch: int, numbers: dict[str, int], pid: int) -> list[Instruction]:
    """The BPF program: refuse the denied numbers, then a block per syscall decided by an argument."""
    deny = _return(ERRNO | errno.EPERM)
    code = [
        _load(ARCH),
        (JUMP_EQUAL, 1, 0, arch),
        deny,
        _load(NR),
        (JUMP_AT_LEAST, 0, 1, X32_SYSCALL_BIT),
        deny,
        *_if_any([numbers[name] for name in DENIED if name in numbers], deny),
    ]
    code += _when(numbers["clone3"], [_return(ERRNO | errno.ENOSYS)])  # so libc falls back to clone
    code += _when(numbers["clone"], [_load(ARG0), (JUMP_ANY_BIT, 0, 1, CLONE_THREAD), _return(ALLOW), deny])
    for name in SELF_ONLY:
        code += _when(numbers[name], [_load(ARG0), (JUMP_EQUAL, 0, 1, pid), _return(ALLOW), deny])
    for name, offset, values in REFUSED_ARGUMENTS:
        code += _when(numbers[name], [_load(offset), *_if_any(values, deny), _return(ALLOW)])
    refused = _return(ERRNO | errno.EACCES)
    code += _when(numbers["socket"], [_load(ARG0), *_if_any(IP_FAMILIES, refused), _return(ALLOW)])
    return [*code, _return(ALLOW)]


def _if_any(values: Sequence[int], then: Instruction) -> list[Instruction]:
    """``if loaded in values: then`` (a return), one comparison per value; else go on after it."""
    n = len(values)
    return [*((JUMP_EQUAL, n - i, 0, value) for i, value in enumerate(values)), (JUMP, 0, 0, 1), then]


def _when(number: int | None, body: list[Instruction]) -> list[Instruction]:
    """``if nr == number: body`` (the body always returns); nothing for a syscall the arch lacks."""
    if number is None:
        return []
    return [_load(NR), (JUMP_EQUAL, 0, len(body), number), *body]


def _load(offset: int) -> Instruction:
    return (LOAD_WORD, 0, 0, offset)


def _return(value: int) -> Instruction:
    return (RETURN, 0, 0, value)
