"""The seccomp program itself, for every architecture it knows: well formed, whatever runs here."""

from __future__ import annotations

import pytest

from grader.sandbox.seccomp import (
    ARCHITECTURES,
    JUMP,
    JUMP_ANY_BIT,
    JUMP_AT_LEAST,
    JUMP_EQUAL,
    RETURN,
    program,
)

CONDITIONAL = {JUMP_EQUAL, JUMP_AT_LEAST, JUMP_ANY_BIT}


@pytest.mark.parametrize("machine", ARCHITECTURES)
def test_every_jump_lands_inside_the_program_and_every_path_returns(machine: str) -> None:
    code = program(*ARCHITECTURES[machine], pid=1234)
    assert len(code) < 128  # a small filter: every syscall runs through it
    for at, (op, true, false, k) in enumerate(code):
        targets = {true, false} if op in CONDITIONAL else {k} if op == JUMP else set()
        assert all(0 <= offset <= 255 and at + 1 + offset < len(code) for offset in targets), (at, op)
    assert code[-1][0] == RETURN
