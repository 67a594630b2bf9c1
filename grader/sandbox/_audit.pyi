from collections.abc import Callable, Sequence
from typing import Any

def add_hook(handler: Callable[[str, tuple[Any, ...]], None], events: Sequence[str]) -> None: ...
