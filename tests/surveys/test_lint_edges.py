"""The lint API and the lint_survey command: one rule set, three edges."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.surveys.helpers import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
BAD = {
    "questions": [
        {
            "type": "rating",
            "text": "Was support fast and friendly?",
            "scale": {"points": 5, "labels": ["Bad", ""]},
        }
    ]
}


@pytest.mark.parametrize("path", ["/api/v1/surveys/lint", "/api/v1/surveys/lint/"])
def test_lint_api_returns_findings_and_saves_nothing(path, member, api_as):
    api = api_as(member(Role.VIEWER))
    response = api.post(path, MINIMAL, format="json")
    assert response.status_code == 200
    assert response.json() == {"findings": [], "notes": []}
    response = api.post(path, BAD, format="json")
    assert {f["code"] for f in response.json()["findings"]} >= {
        "double-barrelled",
        "scale-unlabelled",
    }
    from surveys.models import Survey

    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "$"),
        ({"questions": []}, "questions"),
        ({"questions": [{"type": "grid", "text": "x"}]}, "questions[0].type"),
        ({"questions": [{"type": "rating", "text": "x"}]}, "questions[0].scale"),
        (
            {"questions": [{"type": "single_choice", "text": "x", "options": ["a"]}]},
            "questions[0].options",
        ),
        ({"kind": "poll", "questions": [{"type": "text", "text": "x"}]}, "kind"),
    ],
)
def test_lint_api_names_what_is_wrong_with_a_bad_document(document, path, manager, api_as):
    response = api_as(manager).post("/api/v1/surveys/lint", document, format="json")
    assert response.status_code == 400
    assert path in response.json()


def test_survey_api_creates_drafts_and_publishes(manager, api_as):
    api = api_as(manager)
    response = api.post(reverse("api-survey-list"), BAD, format="json")
    assert response.status_code == 201
    survey = response.json()
    publish = reverse("api-survey-publish", kwargs={"survey_pk": survey["id"]})
    response = api.post(publish, {}, format="json")
    assert response.status_code == 400
    assert "double-barrelled" in {f["code"] for f in response.json()["findings"]}
    detail = reverse("api-survey-detail", kwargs={"survey_pk": survey["id"]})
    assert api.put(detail, MINIMAL, format="json").status_code == 200
    response = api.post(publish, {"acknowledgements": {}}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert api.put(detail, MINIMAL, format="json").status_code == 400  # frozen


def _lint_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "lint_survey", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_exit_codes_and_output(tmp_path):
    clean = _lint_cli("-", stdin=json.dumps(MINIMAL))
    assert (clean.returncode, json.loads(clean.stdout)) == (0, [])
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(BAD))
    bad = _lint_cli(str(path))
    assert bad.returncode == 1
    assert {f["code"] for f in json.loads(bad.stdout)} >= {"double-barrelled"}
    broken = _lint_cli("-", stdin='{"questions": [{"type": "grid"}]}')
    assert broken.returncode == 2
    assert "questions[0].type" in broken.stderr
    assert _lint_cli("-", stdin="not json").returncode == 2
    assert _lint_cli(str(tmp_path / "missing.json")).returncode == 2
