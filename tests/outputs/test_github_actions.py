"""The GitHub Actions example grades, fails below a threshold, and always uploads the reports."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "github-actions" / "grade.yml"


def test_the_workflow_grades_with_a_threshold_and_uploads_the_reports() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    grade = next(step for step in steps if step.get("name") == "Grade")
    assert grade["run"].startswith("grade .") and "--min-score" in grade["run"]
    assert "--html grade-reports" in grade["run"]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "grade-reports/"
    assert 0 < float(workflow["env"]["MIN_SCORE"]) <= 1
