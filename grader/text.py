"""Text that came from a submission: bounded in length, and inert wherever it is shown.

Student code controls exception messages (and the names of its exception types),
what it prints, the names it defines, integrity findings, notebook cell errors, the
submission's file name and, in a batch, the student's name (a folder or file name).

**Bounded.** The grader clips every such string when it receives it (`clip`), and
every output clips it again, to one of the limits below, when it shows it: no output
grows with what a submission writes. Messages and findings show as `message_line`
(`SHOWN_CHARS`), names as `name_line` (`NAME_CHARS`), quoted source lines as
`LINE_CHARS`, what the submission printed as `fenced` (plain text) or `bounded` (a
page's box) within `PRINTED_CHARS`; the result JSON keeps what the output cap kept.

**Inert.** Where it is shown, student text cannot act on the reader's terminal or
pass for the grader's own words (`inert`, `one_line`, `fenced`):

- every line break (``\\r\\n``, ``\\r``, ``\\v``, ``\\f``, ``\\x1c``–``\\x1e``, NEL,
  U+2028, U+2029: what a terminal or ``str.splitlines`` breaks on) becomes ``\\n``;
- every other control character is shown, never sent: C0 as its Unicode control
  picture (ESC as ␛, BEL as ␇, NUL as ␀) and DEL as ␡, so an escape sequence
  (ANSI colours, OSC titles, clear-screen) reads as text, ``␛[2J``; C1 controls,
  bidirectional formatting characters (which reorder what a line seems to say),
  lone surrogates (which no UTF-8 file can hold) and the non-characters U+FFFE and
  U+FFFF (which XML cannot hold) become U+FFFD. Tabs stay;
- a fragment inside a grader line (`one_line`; `message_line` and `name_line`
  for messages and names) never starts a line of its own: each run of line breaks
  shows as `` ⏎ ``;
- a block of the student's own (`fenced`: what it printed) keeps its lines, each
  behind a fence, so none of them can pass for a grader line.

The stand-ins are not reversible (``a\\x1b`` and ``a␛`` look alike): where an exact
value matters to a machine (the student's identity as the key of ``results.jsonl``,
a folder on disk, a link to it) the output keeps it there and shows it to people
through these functions. HTML pages are made inert by their template environment
too (`grader.report.page`), on top of jinja2's escaping of markup. What no function
here can prevent: a terminal that wraps a long line may start a screen row with
student text; it still follows a grader's prefix on the same line.
"""

from __future__ import annotations

import re

#: Longest student-controlled message kept (exception messages, probe complaints).
MESSAGE_CHARS = 2_000
#: Longest student-controlled traceback kept (the submission's own frames only).
TRACEBACK_CHARS = 8_000
#: Longest name kept (a name the submission defines, a label).
NAME_CHARS = 200
#: Longest message shown in an output: a grader sentence quoting a clipped student message, a path.
SHOWN_CHARS = 4_000
#: Longest part of what the submission printed that an output shows (the default output cap).
PRINTED_CHARS = 64 * 1024
#: Longest line of the submission's source that a report quotes.
LINE_CHARS = 300
ELLIPSIS = "…"
#: How a run of line breaks shows inside one line.
NEWLINE_MARK = " ⏎ "
#: What precedes each line of a fenced block.
FENCE = "  │ "
REPLACEMENT = "\ufffd"

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _stand_ins() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x09}  # tab stays
    table[0x7F] = "\u2421"
    table.update((code, REPLACEMENT) for code in range(0x80, 0xA0))
    table.update((code, REPLACEMENT) for code in range(0xD800, 0xE000))
    table.update((ord(c), REPLACEMENT) for c in BIDI_CONTROLS + "\ufffe\uffff")
    table.update((ord(c), "\n") for c in LINE_BREAKS)
    return table


#: ``str.translate`` table: one character in, at most one out, so `inert` never lengthens text.
STAND_INS = _stand_ins()
NEWLINES = re.compile("\n+")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 submission`, `3 submissions`: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def format_size(n: int) -> str:
    """``2147483648`` -> ``"2.0 GiB"``: sizes as messages and reports show them."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def inert(text: str) -> str:
    """``text`` with line breaks as ``\\n`` and every other control character shown, not sent."""
    return text.replace("\r\n", "\n").translate(STAND_INS)


def one_line(text: str, limit: int) -> str:
    """Student text for inside a grader line: inert, on one line, at most ``limit`` characters."""
    flat = NEWLINES.sub(NEWLINE_MARK, inert(clip(text, limit)).strip("\n"))
    return clip(flat, limit)


def message_line(text: str | None) -> str:
    """A message as every output shows it: a grader sentence quoting student text, a finding, a path."""
    return one_line(text or "", SHOWN_CHARS)


def name_line(text: str) -> str:
    """A name as every output shows it: the submission's file, a student, a rule, a function."""
    return one_line(text, NAME_CHARS)


def bounded(text: str, limit: int) -> str:
    """Student text that keeps its lines where it is shown on its own: inert, at most ``limit`` characters."""
    return inert(clip(text, limit))


def fenced(text: str, limit: int) -> str:
    """What the student printed, each line behind `FENCE`: inert, at most ``limit`` characters."""
    lines = bounded(text, limit).removesuffix("\n").split("\n")
    return clip("\n".join(FENCE + line for line in lines), limit)
