"""Wrong variants of a reference module, made by editing its source.

A classic mistake is literally the reference with a line changed, so a variant is
written as text replacements on the reference's source. Each replacement must match
exactly the expected number of times: when the reference changes, the variant fails
loudly instead of silently turning into a second correct solution.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Sequence

from grader.errors import MutantError


def mutate(
    reference: types.ModuleType, name: str, edits: Sequence[tuple[str, str] | tuple[str, str, int]]
) -> types.ModuleType:
    """A new module: `reference`'s source with each `(old, new[, count])` edit applied."""
    source = inspect.getsource(reference)
    for edit in edits:
        old, new = edit[0], edit[1]
        count = edit[2] if len(edit) == 3 else 1
        found = source.count(old)
        if found != count:
            raise MutantError(
                f"variant {name!r} of {reference.__name__}: {old!r} occurs {found} times, expected {count}"
            )
        source = source.replace(old, new)
    module = types.ModuleType(f"{reference.__name__}.{name}")
    module.__file__ = f"<variant {name}>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def override(reference: types.ModuleType, name: str, **functions: object) -> types.ModuleType:
    """A new module: `reference`'s names with some functions replaced by wrong versions."""
    module = types.ModuleType(f"{reference.__name__}.{name}")
    module.__dict__.update({k: v for k, v in vars(reference).items() if not k.startswith("__")})
    module.__dict__.update(functions)
    return module
