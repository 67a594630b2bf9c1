"""Checks where students work: `grader.check()` and the `%grade` magic in a running notebook.

The kernel's definitions are graded as they are now, by the student kit's visible checks, in a
forked copy of the kernel (`grader.inline.fork`), and the feedback is shown inline
(`grader.inline.display`). See `grader.inline.check`.
"""
