"""The correct answers a check compares with: computed from the reference, or the course's shipped values.

Points for a gradient require the right function (SPEC §6): a gradient check compares the
submission's gradient with central differences of the *correct* function, never only of
its own. On the course autograder those come from the reference solution, evaluated in
the grader; where the course ships without solutions (the student kit) they come from
`rubrics/exerciseNN.truth.json`, which `grade assign` writes from the reference for the
visible checks that need it — the correct function's values at the public check points,
never code and never a hidden case — so both give the same verdict on every visible check.

The same goes for naming a classic mistake. The course runs the mistake's wrong variant of the
reference on the case; the kit cannot, so for each public case of a visible gradient check the
file also holds what each listed mistake returns (or raises) there, except for mistakes whose
relation to the correct gradient the course declares (`grader.relations`), which need no data.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import relations
from grader.course import Variants
from grader.errors import MutantError
from grader.probes.base import PERTURB, Case, Probe
from grader.rubric import Check, Rubric
from grader.sandbox.protocol import jsonable, plain, revive
from grader.settings import for_check, resolve

SCHEMA = "grader.truth/1"
SUFFIX = ".truth.json"
#: The key of a case's entry holding its mistakes' outcomes (gradient checks only).
MISTAKES = "mistakes"


def data_path(rubric_path: Path) -> Path:
    """Where the shipped correct values of a rubric's exercise live: next to the rubric."""
    return rubric_path.with_name(rubric_path.stem + SUFFIX)


def digest(inputs: Mapping[str, Any]) -> str:
    """A fingerprint of a case's inputs: shipped values are used only for the very same case."""
    text = json.dumps(jsonable(dict(inputs)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_trusted(module: Any, probe: Probe, inputs: Mapping[str, Any]) -> Any:
    """A probe on trusted code (the reference, a variant), as the plain data the worker would send."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return plain(probe(module, dict(inputs)))


@dataclass(frozen=True)
class Raised:
    """A mistake's outcome that is an exception, as the worker reports a submission's: type and message."""

    type: str
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> Raised:
        return cls(type(exc).__name__, str(exc))


def outcome_of(module: Any, probe: Probe, inputs: Mapping[str, Any]) -> Any:
    """What a probe returns on trusted code (a mistake's variant), or what it raised: a variant's
    failure is evidence too (a submission raising the same names the same mistake)."""
    try:
        return run_trusted(module, probe, inputs)
    except Exception as exc:
        return Raised.of(exc)


def numerical(module: Any, probe: Probe, inputs: Mapping[str, Any], eps: float) -> Any:
    """The correct function's value at the check point and its central differences (a gradient check)."""
    assert probe.build is not None, "not a gradient-check probe"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return plain(probe.build(module, dict(inputs)).numerical(eps))


@dataclass
class Truth:
    """The correct answers for one exercise's checks, from its reference or its shipped values."""

    reference: Any = None
    #: check id -> case label -> {"inputs": digest, "eps": e or None, "value": ...}, and for a gradient
    #: check "mistakes": misconception id -> {"returns": ...} or {"raises": {"type", "message"}}
    shipped: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    #: The exercise, whose relations (`grader.relations`) name mistakes from the correct gradient.
    exercise: str = ""
    _known: dict[tuple[str, str, float | None], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, rubric: Rubric, reference: Any) -> Truth:
        """The truth for `rubric`: its reference if any, and the values shipped next to it if any."""
        path = data_path(rubric.path)
        data = read(path) if path.is_file() else {}
        shipped = data["checks"] if data.get("exercise") == rubric.exercise else {}
        return cls(reference, shipped, rubric.exercise)

    def gradient(self, check: Check, probe: Probe, case: Case, eps: float) -> Any:
        """`{"loss", "numeric"}` of the correct function at the case, or None where nothing knows it."""
        stored = self._stored(check, case)
        if stored is not None and (self.reference is None or stored["eps"] == eps):
            return stored["value"]
        if self.reference is None:
            return None
        return self._memo(
            (check.id, case.label, eps), lambda: numerical(self.reference, probe, case.inputs, eps)
        )

    def value(self, check: Check, probe: Probe, case: Case) -> Any:
        """What the probe gives on the correct solution, or None where nothing knows it."""
        stored = self._stored(check, case)
        if stored is not None:
            return stored["value"]
        if self.reference is None:
            return None
        return self._memo(
            (check.id, case.label, None), lambda: run_trusted(self.reference, probe, case.inputs)
        )

    def mistake(self, check: Check, case: Case, ident: str) -> Any:
        """What the misconception `ident` returns (or a `Raised`) on `case` without its variant: by its
        relation to the correct gradient, else its shipped outcome; None where neither is known.

        A case whose entry lists no mistakes (written before they were shipped) names none, so a
        mistake listed earlier on the check can never be passed over for a later one.
        """
        inputs = _without_request(case.inputs)
        stored = self._stored(check, Case(case.label, inputs))
        if stored is None or MISTAKES not in stored:
            return None
        relation = relations.declared(self.exercise, check.probe, ident)
        if relation is not None:
            return {"grads": relation(inputs, stored["value"]["numeric"])}
        return _revived(stored[MISTAKES].get(ident))

    def _stored(self, check: Check, case: Case) -> Mapping[str, Any] | None:
        entry = self.shipped.get(check.id, {}).get(case.label)
        return entry if entry is not None and entry.get("inputs") == digest(case.inputs) else None

    def _memo(self, key: tuple[str, str, float | None], compute: Any) -> Any:
        if key not in self._known:
            self._known[key] = compute()
        return self._known[key]


def shipped_values(rubric: Rubric, probes: Any, reference: Any) -> dict[str, Any]:
    """What a course without solutions needs: the values of the visible gradient and truth-backed
    checks, and the outcomes of the mistakes their gradient checks name (see `_mistakes`).

    The variants are the course's, beside the reference (`reference/mistakes/`).
    """
    base = resolve(rubric=rubric.defaults)
    variants = Variants(Path(reference.__file__).resolve().parents[1], rubric.exercise, reference)
    checks: dict[str, Any] = {}
    for check in rubric.checks:
        probe = getattr(probes, check.probe or "", None)
        if check.visibility != "visible" or probe is None or not _needs_truth(probe):
            continue
        eps = for_check(base, check.overrides).eps if probe.kind == "gradcheck" else None
        checks[check.id] = {}
        for case in probe.cases(check.seed, check.cases):
            entry = {"inputs": digest(case.inputs), "eps": eps, "value": _value(reference, probe, case, eps)}
            if probe.kind == "gradcheck":
                entry[MISTAKES] = _mistakes(rubric.exercise, check, probe, case, reference, variants)
            checks[check.id][case.label] = entry
    return {"schema": SCHEMA, "exercise": rubric.exercise, "checks": checks}


def _mistakes(
    exercise: str, check: Check, probe: Probe, case: Case, reference: Any, variants: Mapping[str, Any]
) -> dict[str, Any]:
    """Each of the check's misconceptions with what its variant returns or raises on the public `case`,
    except those a declared relation gives, which are checked against the variant here instead.

    Gradient checks are the only visible checks the kit judges that name a mistake by its variant's
    outcome (references need the reference; properties and resources name what they observe).
    """
    shipped: dict[str, Any] = {}
    for ident in check.misconceptions:
        variant, relation = variants.get(ident), relations.declared(exercise, check.probe, ident)
        if variant is None and relation is not None:
            raise MutantError(
                f"{check.id}: a relation is declared for {ident!r}, which has no variant to check it"
            )
        if variant is None:
            continue
        wrong = outcome_of(variant, probe, case.inputs)
        if relation is None:
            shipped[ident] = {"raises": asdict(wrong)} if isinstance(wrong, Raised) else {"returns": wrong}
        elif isinstance(wrong, Raised) or not same(
            relation(case.inputs, run_trusted(reference, probe, case.inputs)["grads"]), wrong["grads"]
        ):
            raise MutantError(
                f"{check.id}, {case.label}: the relation declared for {ident!r} (grader/relations.py) "
                "does not give what its variant returns: ship its outcomes instead"
            )
    return shipped


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(jsonable(dict(data)), indent=1, sort_keys=True) + "\n"


def read(path: Path) -> dict[str, Any]:
    """A shipped truth file; {} when it is not one (of another schema, or unreadable JSON)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_hook=revive)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def same(a: Any, b: Any) -> bool:
    """Whether two truths agree: the same structure and values to the last few bits (another numpy
    build may round the last bit differently, which changes no verdict)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str | bool) or a is None or isinstance(b, str | bool) or b is None:
        return a == b
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-10, atol=1e-13, equal_nan=True))


def _needs_truth(probe: Probe) -> bool:
    return probe.kind == "gradcheck" or (probe.kind == "property" and probe.truth)


def _revived(shipped: Mapping[str, Any] | None) -> Any:
    """A shipped mistake's outcome as `outcome_of` gives it: plain data, or a `Raised`."""
    if shipped is None:
        return None
    if "raises" in shipped:
        return Raised(**shipped["raises"])
    return shipped["returns"]


def _without_request(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A case's own inputs: a gradient check's request to the worker rides along with them in replies."""
    return {key: value for key, value in inputs.items() if key != PERTURB}


def _value(reference: Any, probe: Probe, case: Case, eps: float | None) -> Any:
    if eps is not None:
        return numerical(reference, probe, case.inputs, eps)
    return run_trusted(reference, probe, case.inputs)
