"""Text that came from a submission: bounded in length before the grader keeps or shows it.

Student code controls exception messages, printed output, names and findings. The
grader clips every such string when it receives it (so nothing unbounded is ever
stored or rendered) and makes it inert where it is shown.
"""

from __future__ import annotations

#: Longest student-controlled message kept (exception messages, probe complaints).
MESSAGE_CHARS = 2_000
#: Longest student-controlled traceback kept (the submission's own frames only).
TRACEBACK_CHARS = 8_000
#: Longest name kept (a name the submission defines, a label).
NAME_CHARS = 200
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS
