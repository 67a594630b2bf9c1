"""The layouts of the LMSs' submission exports: how each is recognised, and who handed in what.

Each reader takes the export's folder (unpacked) and returns its `Submission`s, one per
student, each with the LMS's ids kept for the gradebook and the pieces (files, folders,
zips) the student handed in, plus the entries that are nobody's submission:

- **canvas** ("Download Submissions"): flat files `<lastfirst>[_LATE]_<userid>_<submissionid>_<name>`;
- **moodle**: folders `<Full Name>_<id>_assignsubmission_<plugin>_/` (older Moodles: flat files
  with the same prefix);
- **gradescope** ("Export Submissions"): folders `submission_<id>/` and `submission_metadata.yml`
  naming each one's submitters; every member of a group gets the submission;
- **classroom** (GitHub Classroom): one cloned repository `<assignment>-<login>/` per student;
- **folders**: a folder per student, named as the student.

`detect` tells them apart by names alone, most specific first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.batch.intake.names import identity

LAYOUTS = ("folders", "canvas", "moodle", "gradescope", "classroom")
CANVAS = re.compile(r"(?P<name>[^_]+?)(?P<late>_late)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)", re.I)
MOODLE = re.compile(
    r"(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<file>.*)"
)
GRADESCOPE_METADATA = "submission_metadata.yml"
GRADESCOPE = re.compile(r"submission_(?P<id>\d+)")
#: The metadata's most readable identity of a submitter, first found first.
SUBMITTER_KEYS = ("email", "name", "sid")
NOT_A_SUBMISSION = "not a submission of this layout"


@dataclass(frozen=True)
class Piece:
    """A file, folder or zip one student handed in, as the export holds it."""

    #: Its name in the export, as the table shows it.
    shown: str
    #: The student's own name for it (the LMS's prefix taken off).
    bare: str
    path: Path


@dataclass
class Submission:
    """One student's part of the export."""

    student: str
    #: What the LMS needs back (ids, name) and its late flag; empty for plain folders.
    lms: dict[str, Any]
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Export:
    """Who handed in what, and the entries that are nobody's submission (name, why)."""

    submissions: list[Submission] = field(default_factory=list)
    strays: list[tuple[str, str]] = field(default_factory=list)


def detect(root: Path) -> str:
    """The layout of the export in `root`, from the names of its entries."""
    names = _entries(root)
    files = [n for n in names if not (root / n).is_dir()]
    folders = [n for n in names if (root / n).is_dir()]
    if GRADESCOPE_METADATA in names:
        return "gradescope"
    if any(MOODLE.fullmatch(n) for n in names):
        return "moodle"
    if files and 2 * sum(bool(CANVAS.fullmatch(n)) for n in files) >= len(files) > len(folders):
        return "canvas"
    if folders and all(os.path.lexists(root / f / ".git") for f in folders):
        return "classroom"
    return "folders"


def read(layout: str, root: Path) -> Export:
    """The export in `root` read as `layout`."""
    readers: dict[str, Callable[[Path], Export]] = {
        "folders": folders,
        "canvas": canvas,
        "moodle": moodle,
        "gradescope": gradescope,
        "classroom": classroom,
    }
    return readers[layout](root)


def folders(root: Path) -> Export:
    export = Export()
    for name in _entries(root):
        if (root / name).is_dir() and not (root / name).is_symlink():
            piece = Piece(name, name, root / name)
            export.submissions.append(Submission(identity(name), {}, [piece]))
        else:
            export.strays.append((name, "not a student folder"))
    return export


def canvas(root: Path) -> Export:
    export = Export()
    by_user: dict[str, Submission] = {}
    for name in _entries(root):
        found = CANVAS.fullmatch(name)
        if found is None or (root / name).is_dir():
            export.strays.append((name, NOT_A_SUBMISSION))
            continue
        user = found["user"]
        if user not in by_user:
            lms = {"layout": "canvas", "name": found["name"], "user_id": user}
            lms |= {"submission_id": found["submission"], "late": False}
            by_user[user] = Submission(identity(found["name"], user), lms)
            export.submissions.append(by_user[user])
        submission = by_user[user]
        submission.lms["late"] |= bool(found["late"])
        submission.pieces.append(Piece(name, found["file"], root / name))
    return export


def moodle(root: Path) -> Export:
    export = Export()
    by_id: dict[str, Submission] = {}
    for name in _entries(root):
        found = MOODLE.fullmatch(name)
        if found is None:
            export.strays.append((name, NOT_A_SUBMISSION))
            continue
        participant = found["id"]
        if participant not in by_id:
            lms = {"layout": "moodle", "name": found["name"], "participant_id": participant}
            by_id[participant] = Submission(identity(found["name"], participant), lms)
            export.submissions.append(by_id[participant])
        by_id[participant].pieces.append(Piece(name, found["file"] or name, root / name))
    return export


def gradescope(root: Path) -> Export:
    export = Export()
    metadata = _metadata(root / GRADESCOPE_METADATA)
    for name in _entries(root):
        found = GRADESCOPE.fullmatch(name)
        if name == GRADESCOPE_METADATA:
            continue
        if found is None or not (root / name).is_dir():
            export.strays.append((name, NOT_A_SUBMISSION))
            continue
        submitters = _submitters(metadata.get(name)) or [{"name": name}]
        emails = [s.get("email", "") for s in submitters]
        for person in submitters:
            lms = {"layout": "gradescope", "submission_id": found["id"], **person}
            if len(submitters) > 1:
                lms["group"] = emails
            who = next((person[k] for k in SUBMITTER_KEYS if person.get(k)), name)
            export.submissions.append(Submission(identity(who), lms, [Piece(name, name, root / name)]))
    return export


def classroom(root: Path) -> Export:
    export = Export()
    names = [n for n in _entries(root) if (root / n).is_dir() and not (root / n).is_symlink()]
    prefix = _assignment_prefix(names)
    export.strays += [(n, "not a repository folder") for n in _entries(root) if n not in names]
    for name in names:
        login = name[len(prefix) :] or name
        lms = {"layout": "classroom", "login": login, "repository": name}
        export.submissions.append(Submission(identity(login), lms, [Piece(name, name, root / name)]))
    return export


def _assignment_prefix(names: list[str]) -> str:
    """`hw11-` of `hw11-ann` and `hw11-bob`: the common start of the names, up to its last `-`."""
    if len(names) < 2:
        return ""
    common = os.path.commonprefix(names)
    return common[: common.rfind("-") + 1]


def _metadata(path: Path) -> dict[str, Any]:
    """Gradescope's metadata with Ruby's `:key` symbols read as plain keys; {} when unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return _plain(data) if isinstance(data, dict) else {}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _submitters(entry: Any) -> list[dict[str, str]]:
    """Each submitter's email, name and sid (those given, as text)."""
    people = entry.get("submitters") if isinstance(entry, dict) else None
    if not isinstance(people, list):
        return []
    return [
        {k: str(p[k]) for k in SUBMITTER_KEYS if p.get(k) is not None} for p in people if isinstance(p, dict)
    ]


def _entries(root: Path) -> list[str]:
    """The names directly under `root`, hidden ones and macOS's droppings left out."""
    return sorted(n for n in os.listdir(root) if not n.startswith(".") and n != "__MACOSX")
