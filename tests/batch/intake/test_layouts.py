"""Each LMS's export recognised, its students named after the LMS and their files mapped back."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch.intake import Found, Intake, Limits, gather
from grader.batch.intake.names import Mapped, exercise_file, identity
from grader.batch.intake.stage import NESTED_ZIP, UNKNOWN_NAME
from grader.errors import UsageError
from tests.batch.intake.exports import bomb, source, zipped

SMALL = Limits(total_bytes=1 << 20, file_bytes=256 << 10, files=50)


def take(source_path: Path, tmp_path: Path, layout: str = "auto") -> Intake:
    return gather(source_path, tmp_path / "staging", layout, export_limits=SMALL, student_limits=SMALL)


def found(intake: Intake) -> dict[str, list[Found]]:
    return {s.student: s.found for s in intake.students}


@pytest.mark.parametrize(
    ("name", "mapped"),
    [
        ("exercise11.py", Mapped("exercise11.py", 0)),
        ("Exercise11 (1).py", Mapped("exercise11.py", 1)),
        ("exercise11-2.py", Mapped("exercise11.py", 2)),
        ("EXERCISE_12.IPYNB", Mapped("exercise12.ipynb", 0)),
        ("my exercise 13(3).py", Mapped("exercise13.py", 3)),
        ("exercise11_v2.py", Mapped("exercise11.py", 0)),
        ("exercise111.py", None),
        ("notes.txt", None),
        ("exercise11.py.txt", None),
    ],
)
def test_renamed_files_map_back_to_the_course_names(name: str, mapped: Mapped | None) -> None:
    assert exercise_file(name) == mapped


def test_identities_are_safe_folder_names() -> None:
    assert identity("José García", "123") == "Jose_Garcia_123"
    assert identity("ann@uni.edu") == "ann@uni.edu"
    assert identity("../../etc", "") == "etc"
    assert identity("") == "student"


def canvas_export(tmp_path: Path) -> Path:
    return zipped(
        tmp_path / "submissions.zip",
        {
            "smithjohn_1001_5001_exercise11.py": source("forgot_divide_by_n"),
            "smithjohn_1001_5001_exercise11-1.py": source("correct"),
            "garcíajosé_LATE_1002_5002_Exercise11 (1).py": source("no_relu_mask"),
            "leeann_1003_5003_work.zip": zipped(
                tmp_path / "work.zip",
                {"work/sub/exercise11.py": source("correct"), "work/inner.zip": b"PK", "__MACOSX/x": "y"},
            ).read_bytes(),
            "kimbo_1004_5004_notes.txt": "my notes",
            "index.html": "<p>Canvas</p>",
        },
    )


def test_a_canvas_export_keeps_the_latest_resubmission_and_the_late_flag(tmp_path: Path) -> None:
    intake = take(canvas_export(tmp_path), tmp_path)
    assert (intake.layout, intake.detected) == ("canvas", True)
    assert found(intake) == {
        "smithjohn_1001": [
            Found("smithjohn_1001_5001_exercise11-1.py", "exercise11.py", "resubmission 1, the latest of 2"),
            Found(
                "smithjohn_1001_5001_exercise11.py",
                note="an earlier resubmission: "
                "smithjohn_1001_5001_exercise11-1.py is graded as exercise11.py",
            ),
        ],
        "garciajose_1002": [
            Found("garcíajosé_LATE_1002_5002_Exercise11 (1).py", "exercise11.py", "resubmission 1")
        ],
        "leeann_1003": [
            Found("leeann_1003_5003_work.zip/work/inner.zip", note=NESTED_ZIP),
            Found("leeann_1003_5003_work.zip/work/sub/exercise11.py", "exercise11.py"),
        ],
        "kimbo_1004": [Found("kimbo_1004_5004_notes.txt", note=UNKNOWN_NAME)],
    }
    assert intake.strays == [("index.html", "not a submission of this layout")]
    assert (intake.folder / "smithjohn_1001" / "exercise11.py").read_text() == source("correct")
    assert intake.lms("garciajose_1002", "exercise11") == {
        "layout": "canvas",
        "name": "garcíajosé",
        "user_id": "1002",
        "submission_id": "5002",
        "late": True,
        "files": {"exercise11.py": "garcíajosé_LATE_1002_5002_Exercise11 (1).py"},
    }
    assert intake.lms("smithjohn_1001", "exercise11")["late"] is False  # type: ignore[index]


def test_the_table_says_what_each_file_became_and_why_not(tmp_path: Path) -> None:
    table = take(canvas_export(tmp_path), tmp_path).table()
    assert table.startswith("layout: canvas (detected)\n4 students, 6 files: 3 to grade, 3 left out\n")
    assert (
        "garciajose_1002  LATE\n"
        "  garcíajosé_LATE_1002_5002_Exercise11 (1).py  -> exercise11.py  (resubmission 1)\n" in table
    )
    assert f"  kimbo_1004_5004_notes.txt  --  ({UNKNOWN_NAME})" in table
    assert "not a student's: index.html (not a submission of this layout)" in table


def test_a_students_zip_bomb_is_refused_and_the_others_are_staged(tmp_path: Path) -> None:
    export = zipped(
        tmp_path / "submissions.zip",
        {
            "bomberbob_1_2_exercise11.zip": bomb(tmp_path / "b.zip", 2 * SMALL.file_bytes).read_bytes(),
            "evilen_3_4_exercise11.zip": zipped(tmp_path / "e.zip", {"../escape.py": "x"}).read_bytes(),
            "smithjohn_5_6_exercise11.py": source("correct"),
        },
    )
    intake = take(export, tmp_path)
    notes = {s.student: [f.note for f in s.found] for s in intake.students}
    assert notes["bomberbob_1"] == [
        "refused: bomberbob_1_2_exercise11.zip: exercise11.py is more than 256.0 KiB unpacked (a zip bomb?)"
    ]
    assert notes["evilen_3"] == [
        "refused: evilen_3_4_exercise11.zip: the entry ../escape.py points outside the folder it unpacks to"
    ]
    assert sorted(p.name for p in (intake.folder / "smithjohn_5").iterdir()) == ["exercise11.py"]
    assert not list((intake.folder / "bomberbob_1").iterdir())
    assert not (tmp_path / "escape.py").exists()


def test_a_refused_export_is_a_usage_error(tmp_path: Path) -> None:
    export = zipped(tmp_path / "submissions.zip", {"a_1_2_exercise11.py": "x", "../../evil.py": "x"})
    with pytest.raises(
        UsageError, match=r"the export is refused: submissions\.zip: the entry \.\./\.\./evil\.py"
    ):
        take(export, tmp_path)


def test_a_moodle_export_names_students_by_full_name_and_id(tmp_path: Path) -> None:
    export = zipped(
        tmp_path / "moodle.zip",
        {
            "José García_4242_assignsubmission_file_/exercise11.py": source("correct"),
            "José García_4242_assignsubmission_file_/exercise11.ipynb": "{}",
            "Ann Lee_77_assignsubmission_file_/Ann Lee/Exercise11 (2).py": source("correct"),
            "Ann Lee_77_assignsubmission_file_/Ann Lee/exercise11.py": source("raises"),
        },
        utf8=False,
    )
    intake = take(export, tmp_path)
    assert intake.layout == "moodle"
    assert found(intake)["Ann_Lee_77"][0] == Found(
        "Ann Lee_77_assignsubmission_file_/Ann Lee/Exercise11 (2).py",
        "exercise11.py",
        "resubmission 2, the latest of 2",
    )
    assert sorted(p.name for p in (intake.folder / "Jose_Garcia_4242").iterdir()) == [
        "exercise11.ipynb",
        "exercise11.py",
    ]
    assert intake.lms("Jose_Garcia_4242", "exercise11")["participant_id"] == "4242"  # type: ignore[index]


def test_a_gradescope_group_submission_gives_every_member_the_files(tmp_path: Path) -> None:
    export = tmp_path / "assignment_1_export"
    (export / "submission_900").mkdir(parents=True)
    (export / "submission_900" / "exercise11.py").write_text(source("correct"))
    (export / "submission_901").mkdir()
    (export / "submission_901" / "Exercise11.PY").write_text(source("raises"))
    (export / "submission_metadata.yml").write_text(
        "submission_900:\n  :submitters:\n"
        "  - :name: Ann Lee\n    :sid: '1'\n    :email: ann@uni.edu\n"
        "  - :name: Bob Ray\n    :sid: '2'\n    :email: bob@uni.edu\n"
        "submission_901:\n  :submitters:\n  - :name: Zoë Ünal\n    :sid: '3'\n"
    )
    intake = take(zipped(tmp_path / "gs.zip", _tree(tmp_path, export)), tmp_path)
    assert intake.layout == "gradescope"
    assert [s.student for s in intake.students] == ["ann@uni.edu", "bob@uni.edu", "Zoe_Unal"]
    for member in ("ann@uni.edu", "bob@uni.edu"):
        assert (intake.folder / member / "exercise11.py").read_text() == source("correct")
    assert intake.lms("bob@uni.edu", "exercise11") == {
        "layout": "gradescope",
        "submission_id": "900",
        "email": "bob@uni.edu",
        "name": "Bob Ray",
        "sid": "2",
        "group": ["ann@uni.edu", "bob@uni.edu"],
        "files": {"exercise11.py": "submission_900/exercise11.py"},
    }


def test_github_classroom_repositories_are_named_by_login(tmp_path: Path) -> None:
    for login, matrix in (("ann-lee", "correct"), ("bob", "raises")):
        repo = tmp_path / "class" / f"hw11-{login}"
        (repo / ".git").mkdir(parents=True)
        (repo / ".git" / "exercise11.py").write_text("not the work")
        (repo / "src").mkdir()
        (repo / "src" / "exercise11.py").write_text(source(matrix))
    intake = take(tmp_path / "class", tmp_path)
    assert intake.layout == "classroom"
    assert found(intake) == {
        "ann-lee": [Found("hw11-ann-lee/src/exercise11.py", "exercise11.py")],
        "bob": [Found("hw11-bob/src/exercise11.py", "exercise11.py")],
    }


def test_a_plain_class_folder_is_read_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    intake = take(tmp_path / "class", tmp_path)
    assert (intake.layout, intake.folder, intake.staged) == ("folders", tmp_path / "class", False)
    assert not (tmp_path / "staging").exists()


def test_the_layout_given_overrides_detection(tmp_path: Path) -> None:
    intake = take(canvas_export(tmp_path), tmp_path, layout="folders")
    assert (intake.layout, intake.detected, intake.students) == ("folders", False, [])
    with pytest.raises(UsageError, match="--layout blackboard: expected one of auto, folders, canvas"):
        take(canvas_export(tmp_path), tmp_path, layout="blackboard")


def _tree(base: Path, folder: Path) -> dict[str, str | bytes]:
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
