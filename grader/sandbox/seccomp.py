"""A seccomp filter: the submission may start no process or program and signal no other process.

Without children nothing can escape the worker's process group or outlive it, a
fork bomb is impossible, and ``os.kill(os.getppid(), 9)`` fails even on kernels
without Landlock's signal scoping. Threads stay allowed. IP sockets are refused
too, in case no network namespace could be made, and so are new namespaces,
ptrace and io_uring. The filter is a small BPF program over the syscall number
and its first argument; it needs no_new_privs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket

from grader.sandbox.libc import call

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
LOAD_WORD, JUMP_EQUAL, JUMP_AT_LEAST, JUMP_ANY_BIT, RETURN = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
# Offsets in struct seccomp_data: nr, arch, then the low word of args[0] (little endian).
NR, ARCH, ARG0 = 0, 4, 16
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000

#: Per architecture: its audit id and the numbers of the syscalls the filter decides.
ARCHITECTURES = {
    "x86_64": (
        0xC000003E,
        dict(fork=57, vfork=58, clone=56, clone3=435, execve=59, execveat=322, kill=62, tkill=200,
             tgkill=234, rt_sigqueueinfo=129, rt_tgsigqueueinfo=297, pidfd_send_signal=424, ptrace=101,
             process_vm_readv=310, process_vm_writev=311, socket=41, unshare=272, setns=308,
             io_uring_setup=425),
    ),
    "aarch64": (
        0xC00000B7,
        dict(clone=220, clone3=435, execve=221, execveat=281, kill=129, tkill=130, tgkill=131,
             rt_sigqueueinfo=138, rt_tgsigqueueinfo=240, pidfd_send_signal=424, ptrace=117,
             process_vm_readv=270, process_vm_writev=271, socket=198, unshare=97, setns=268,
             io_uring_setup=425),
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
)
#: Signals may go to this process only: the first argument is the target's pid.
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
IP_FAMILIES = (socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_PACKET", 17))
LABEL = "seccomp: no new processes or programs, no signals to other processes, no IP sockets, no namespaces"


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
    """The BPF program: a block per decided syscall, each reloading the number; else allow."""
    deny = _return(ERRNO | errno.EPERM)
    code = [
        _load(ARCH),
        (JUMP_EQUAL, 1, 0, arch),
        deny,
        _load(NR),
        (JUMP_AT_LEAST, 0, 1, X32_SYSCALL_BIT),
        deny,
    ]
    for name in DENIED:
        code += _when(numbers.get(name), [deny])
    code += _when(numbers["clone3"], [_return(ERRNO | errno.ENOSYS)])  # so libc falls back to clone
    code += _when(numbers["clone"], [_load(ARG0), (JUMP_ANY_BIT, 0, 1, CLONE_THREAD), _return(ALLOW), deny])
    for name in SELF_ONLY:
        code += _when(numbers[name], [_load(ARG0), (JUMP_EQUAL, 0, 1, pid), _return(ALLOW), deny])
    families = [(JUMP_EQUAL, len(IP_FAMILIES) - i, 0, family) for i, family in enumerate(IP_FAMILIES)]
    refused = _return(ERRNO | errno.EACCES)
    code += _when(numbers["socket"], [_load(ARG0), *families, _return(ALLOW), refused])
    return [*code, _return(ALLOW)]


def _when(number: int | None, body: list[Instruction]) -> list[Instruction]:
    """``if nr == number: body`` (the body always returns); nothing for a syscall the arch lacks."""
    if number is None:
        return []
    return [_load(NR), (JUMP_EQUAL, 0, len(body), number), *body]


def _load(offset: int) -> Instruction:
    return (LOAD_WORD, 0, 0, offset)


def _return(value: int) -> Instruction:
    return (RETURN, 0, 0, value)
