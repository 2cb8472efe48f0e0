"""Publishing gates, frozen versions, acknowledgements, and the builder in the browser."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from surveys.models import Question, Survey
from surveys.rules.document import parse_document
from surveys.services import (
    PublishBlocked,
    invitation_create_test,
    response_submit,
    survey_create,
    survey_create_from_template,
    survey_document,
    survey_new_version,
    survey_publish,
    survey_save_draft,
)
from tests.surveys.helpers import MINIMAL

BAD = {
    "kind": "custom",
    "questions": [
        {
            "type": "rating",
            "text": "How satisfied are you with the speed and accuracy of support?",
            "scale": {"points": 5, "labels": ["Very dissatisfied", "Very satisfied"]},
        },
        {"type": "text", "text": "Why?", "required": False},
    ],
}


def test_a_survey_with_an_error_cannot_be_published(workspace, manager):
    survey = survey_create(workspace=workspace, user=manager.user, document=parse_document(BAD))
    with pytest.raises(PublishBlocked) as blocked:
        survey_publish(survey=survey, user=manager.user)
    assert [f.code for f in blocked.value.errors] == ["double-barrelled"]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_warnings_do_not_block_and_acknowledged_ones_keep_their_reason(workspace, manager):
    doc = parse_document(
        {
            "kind": "custom",
            "questions": [
                {
                    "type": "single_choice",
                    "text": "Which chat tool do you use most?",
                    "options": ["Slack", "Teams", "Other"],
                },
                {"type": "text", "text": "Why?", "required": False},
            ],
        }
    )
    survey = survey_create(workspace=workspace, user=manager.user, document=doc)
    survey = survey_publish(
        survey=survey,
        user=manager.user,
        acknowledgements={"randomize-unordered:0": "Matches last year's order"},
    )
    assert survey.status == Survey.Status.PUBLISHED
    [ack] = survey.acknowledgements
    assert (ack["code"], ack["question"], ack["reason"], ack["by"]) == (
        "randomize-unordered",
        0,
        "Matches last year's order",
        manager.user.email,
    )


def test_published_surveys_are_frozen(published):
    survey = published("csat")
    with pytest.raises(ValidationError):
        survey_save_draft(survey=survey, document=parse_document(BAD))
    with pytest.raises(ValidationError):
        survey_publish(survey=survey, user=None)  # publishing twice


def test_editing_a_published_survey_makes_a_new_version_and_answers_keep_theirs(
    published, contact, manager
):
    v1 = published("nps")
    invitation = invitation_create_test(survey=v1, contact=contact)
    primary = v1.questions.get(primary=True)
    response_submit(invitation=invitation, answers={str(primary.pk): "9"})
    v2 = survey_new_version(survey=v1, user=manager.user)
    assert (v2.version, v2.status, v2.lineage) == (2, "draft", v1.lineage)
    assert survey_new_version(survey=v1, user=manager.user) == v2  # one draft at a time
    doc = survey_document(v2)
    doc.questions[1].text = "What is the one thing we should change?"
    survey_save_draft(survey=v2, document=doc)
    survey_publish(survey=v2, user=manager.user)
    assert v1.questions.get(position=1).text == "What is the main reason for your score?"
    assert invitation.response.survey == v1
    assert invitation.response.score == 9


def test_survey_documents_round_trip(workspace, manager):
    doc = parse_document({**MINIMAL, "title": "Onboarding"})
    survey = survey_create(workspace=workspace, user=manager.user, document=doc)
    assert survey_document(survey).to_json() == doc.to_json()


# --- The builder ---------------------------------------------------------------------------


def builder_form(survey, **changes):
    """The builder's fields for the survey as stored, with ``changes`` applied."""
    data = {
        "title": survey.title,
        "locale": survey.locale,
        "questions-TOTAL": str(survey.questions.count()),
    }
    for question in survey.questions.all():
        prefix = f"questions-{question.position}-"
        data[prefix + "type"] = question.type
        data[prefix + "text"] = question.text
        if question.required:
            data[prefix + "required"] = "on"
        if question.primary:
            data["primary"] = str(question.position)
        if question.randomize:
            data[prefix + "randomize"] = "on"
        if question.is_choice:
            data[prefix + "options"] = "\n".join(o.label for o in question.options.all())
        if question.type == Question.Type.RATING:
            data[prefix + "points"] = str(question.scale_points)
            for k, label in enumerate(question.scale_labels):
                data[f"{prefix}label-{k}"] = label
        if question.type == Question.Type.NPS:
            data[prefix + "label-0"] = question.scale_labels[0]
            data[prefix + "label-10"] = question.scale_labels[-1]
    data.update(changes)
    return data


@pytest.fixture
def draft(workspace, manager):
    return survey_create_from_template(workspace=workspace, user=manager.user, kind="csat")


def test_manager_creates_a_survey_from_a_template(manager, browser_as):
    client = browser_as(manager)
    response = client.post(reverse("survey-list"), {"kind": "ces", "locale": "ko"})
    survey = Survey.objects.get()
    assert response["Location"] == reverse("survey-edit", kwargs={"survey_pk": survey.pk})
    assert (survey.kind, survey.locale) == ("ces", "ko")
    assert "쉽게" in survey.questions.get(primary=True).text
    assert client.get(response["Location"]).status_code == 200


def test_builder_lint_endpoint_returns_findings_without_saving(draft, manager, browser_as):
    client = browser_as(manager)
    data = builder_form(draft, **{"questions-0-text": "Was the agent friendly and fast?"})
    response = client.post(reverse("survey-lint", kwargs={"survey_pk": draft.pk}), data)
    found = {(f["code"], f["question"]) for f in response.json()["findings"]}
    assert ("double-barrelled", 0) in found
    assert ("unvalidated-wording", 0) in found
    fixes = {f["fix"] for f in response.json()["findings"]}
    assert "restore-wording" in fixes
    assert "friendly" not in draft.questions.get(position=0).text


def test_builder_save_and_one_click_fix(draft, manager, browser_as):
    client = browser_as(manager)
    url = reverse("survey-edit", kwargs={"survey_pk": draft.pk})
    client.post(url, builder_form(draft, **{"questions-0-text": "Was it good?", "action": "save"}))
    assert draft.questions.get(position=0).text == "Was it good?"
    response = client.post(url, builder_form(draft, action="fix:restore-wording:0"))
    assert response.status_code == 302
    assert draft.questions.get(position=0).text == "Overall, how satisfied are you with {company}?"


def test_builder_adds_moves_and_deletes_questions(draft, manager, browser_as):
    client = browser_as(manager)
    url = reverse("survey-edit", kwargs={"survey_pk": draft.pk})
    client.post(url, builder_form(draft, action="add:single_choice"))
    assert [q.type for q in draft.questions.all()] == ["rating", "text", "single_choice"]
    client.post(url, builder_form(draft, action="up:2"))
    assert [q.type for q in draft.questions.all()] == ["rating", "single_choice", "text"]
    client.post(url, builder_form(draft, action="fix:randomize:1"))
    assert draft.questions.get(position=1).randomize
    client.post(url, builder_form(draft, action="delete:1"))
    assert [q.type for q in draft.questions.all()] == ["rating", "text"]


def test_builder_refuses_an_incomplete_survey_and_keeps_what_was_typed(draft, manager, browser_as):
    client = browser_as(manager)
    data = builder_form(draft, **{"questions-0-text": "", "questions-1-text": "Kept text?"})
    response = client.post(reverse("survey-edit", kwargs={"survey_pk": draft.pk}), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "Kept text?" in body
    assert draft.questions.get(position=0).text.startswith("Overall")


def test_publish_page_lists_blocking_errors(workspace, manager, browser_as):
    survey = survey_create(workspace=workspace, user=manager.user, document=parse_document(BAD))
    client = browser_as(manager)
    url = reverse("survey-publish", kwargs={"survey_pk": survey.pk})
    assert "double-barrelled" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400
    survey.refresh_from_db()
    assert survey.status == "draft"


def test_publish_from_the_browser_stores_acknowledgements(draft, manager, browser_as):
    client = browser_as(manager)
    draft_url = reverse("survey-edit", kwargs={"survey_pk": draft.pk})
    client.post(draft_url, builder_form(draft, **{"questions-0-text": "How happy are you?"}))
    response = client.post(
        reverse("survey-publish", kwargs={"survey_pk": draft.pk}),
        {"ack-unvalidated-wording:0": "Our board asked for this wording"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.acknowledgements[0]["reason"] == "Our board asked for this wording"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_only_managers_build_surveys(role, member, browser_as, draft):
    client = browser_as(member(role))
    assert client.get(reverse("survey-list")).status_code == 200
    assert client.post(reverse("survey-list"), {"kind": "nps"}).status_code == 403
    assert client.get(reverse("survey-edit", kwargs={"survey_pk": draft.pk})).status_code == 403
    response = client.post(reverse("survey-publish", kwargs={"survey_pk": draft.pk}))
    assert response.status_code == 403
