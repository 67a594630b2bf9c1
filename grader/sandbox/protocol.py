"""The wire format between grader and worker: one JSON object per line, plain data only.

Nothing here can execute code on decode (no pickle, no object revival beyond
float64 arrays), so the grader can decode whatever a hostile worker writes.
Floats survive exactly: ``json`` writes them with ``repr``, and NaN/inf as
``NaN``/``Infinity``.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where arrays are met, not here: the grader imports this module to
# start the worker, and should not pay for numpy before the worker is on its way.

ARRAY_KEY = "__ndarray__"
#: The probe name of the request that asks the worker to exit.
SHUTDOWN = "__shutdown__"
#: Key of a line the worker sends whenever the submission tries something forbidden.
FINDING = "finding"
#: Longest rule or message of a finding that travels.
FINDING_CHARS = 300


def encode(obj: Any) -> bytes:
    """Serialise plain data to one newline-terminated JSON line.

    Accepts None, bool, int, float, str, lists/tuples, dicts with str keys and
    real-valued numpy arrays (sent as float64); anything else is a TypeError.
    """
    text = json.dumps(jsonable(obj), allow_nan=True, separators=(",", ":"))
    return text.encode("ascii") + b"\n"


def decode(line: bytes) -> Any:
    """Parse one line written by :func:`encode`; malformed input raises ValueError."""
    try:
        return json.loads(line, object_hook=revive)
    except RecursionError:
        raise ValueError("message is nested too deeply") from None


def plain(obj: Any) -> Any:
    """Turn a probe's return value into data :func:`encode` accepts.

    Runs in the student process, so objects that only pretend to be numbers
    (``__float__``, ``__array__``) are converted there, never in the grader.
    """
    import numpy as np

    if obj is None:
        return None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (np.ndarray, np.generic)):
        return _as_float64(obj)
    for kind in (bool, int, float, str):
        if isinstance(obj, kind):
            return kind(obj)
    if isinstance(obj, dict):
        return {_str_key(key): plain(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(item) for item in obj]
    return _as_float64(obj)


def _as_float64(obj: Any) -> np.ndarray | float:
    import numpy as np

    array = np.asarray(obj, dtype=np.float64)
    return float(array) if array.ndim == 0 else array


def _str_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"dict keys must be str to be sent, got {type(key).__name__}")
    return str(key)


def jsonable(obj: Any) -> Any:
    """Plain data as JSON-ready values: arrays become {ARRAY_KEY: shape, "data": [...]} (see revive)."""
    if obj is None or isinstance(obj, str):
        return obj
    for kind in (bool, int, float):
        if isinstance(obj, kind):
            return kind(obj)
    if isinstance(obj, (list, tuple)):
        return [jsonable(item) for item in obj]
    if isinstance(obj, dict):
        return _jsonable_dict(obj)
    if type(obj).__name__ == "ndarray" and type(obj).__module__ == "numpy":
        return _jsonable_array(obj)
    raise TypeError(
        f"cannot send {type(obj).__name__!r}: only None, bool, int, float, str, "
        "lists, dicts with str keys and real numpy arrays travel (use plain() first)"
    )


def _jsonable_dict(obj: dict) -> dict[str, Any]:
    if ARRAY_KEY in obj:
        raise TypeError(f"the dict key {ARRAY_KEY!r} is reserved for arrays")
    for key in obj:
        if not isinstance(key, str):
            raise TypeError(f"dict keys must be str to be sent, got {type(key).__name__}")
    return {str(key): jsonable(value) for key, value in obj.items()}


def _jsonable_array(array: np.ndarray) -> dict[str, Any]:
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot send a numpy array of dtype {array.dtype}: only real numbers")
    flat = array.astype("float64").ravel()
    return {ARRAY_KEY: list(array.shape), "data": flat.tolist()}


def revive(obj: dict[str, Any]) -> Any:
    """``json.loads``' object hook: the arrays `jsonable` wrote, back as float64 ndarrays."""
    if ARRAY_KEY not in obj:
        return obj
    shape, data = obj[ARRAY_KEY], obj.get("data")
    if set(obj) != {ARRAY_KEY, "data"} or not _is_shape(shape) or not isinstance(data, list):
        raise ValueError("malformed array in message")
    import numpy as np

    values = np.array(data)
    if values.ndim != 1 or len(data) != math.prod(shape) or values.dtype.kind not in "if":
        raise ValueError("malformed array data in message")
    return values.astype(np.float64).reshape(shape)


def _is_shape(shape: Any) -> bool:
    return isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)
