"""The respondent's page /r/<token>: no login, no JavaScript needed, one response only."""

import re
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys.models import Invitation, Response
from surveys.rules.document import parse_document
from surveys.services import (
    invitation_create_test,
    option_order,
    response_submit,
    survey_archive,
    survey_create,
    survey_publish,
)


def url(invitation):
    return reverse("answer", kwargs={"token": invitation.token})


def test_tokens_are_unguessable_and_short_enough_for_sms(invitation):
    assert len(invitation.token) == 22  # 16 random bytes (128 bits), URL-safe base64
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", invitation.token)


def test_opening_records_opened_and_answering_takes_two_taps(invitation):
    client = Client()
    page = client.get(url(invitation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html  # works without JavaScript
    assert html.count('type="radio"') == 11
    assert "<fieldset" in html and "<legend>" in html
    assert "not anonymous" in html
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED
    primary, _why = invitation.survey.questions.all()
    response = client.post(url(invitation), {f"q{primary.pk}": "3"})
    assert response.status_code == 302
    assert "Thank you" in client.get(url(invitation)).content.decode()
    stored = Response.objects.get(invitation=invitation)
    assert (stored.score, stored.comment, stored.contact) == (3, "", invitation.contact)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED


def test_page_weight_is_small(invitation):
    from django.contrib.staticfiles import finders

    html = Client().get(url(invitation)).content
    css = Path(finders.find("pulse/answer.css")).read_bytes()
    assert len(html) + len(css) < 50 * 1024


def test_missing_answer_shows_the_page_again_with_the_error(invitation):
    response = Client().post(url(invitation), {})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("value", ["11", "-1", "seven", "3.5"])
def test_out_of_range_scores_are_refused(invitation, value):
    primary = invitation.survey.questions.get(primary=True)
    response = Client().post(url(invitation), {f"q{primary.pk}": value})
    assert response.status_code == 400
    assert "from 0 to 10" in response.content.decode()


def test_second_submit_does_not_create_second_response(invitation):
    primary = invitation.survey.questions.get(primary=True)
    first = response_submit(invitation=invitation, answers={str(primary.pk): "9"})
    second = response_submit(invitation=invitation, answers={str(primary.pk): "3"})
    assert (first.created, second.created) == (True, False)
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get().score == 9


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_make_one_response(postgres, workspace, manager, contact):
    from surveys.services import survey_create_from_template

    survey = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=manager.user, kind="nps"),
        user=None,
    )
    invitation = invitation_create_test(survey=survey, contact=contact)
    primary = survey.questions.get(primary=True)
    barrier = threading.Barrier(8)
    results = []

    def submit(score):
        try:
            barrier.wait()
            results.append(
                response_submit(
                    invitation=Invitation.objects.get(pk=invitation.pk),
                    answers={str(primary.pk): str(score)},
                ).created
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert Response.objects.filter(invitation=invitation).count() == 1


@pytest.mark.django_db
def test_unknown_token_gets_a_friendly_404():
    response = Client().get(reverse("answer", kwargs={"token": "nope"}))
    assert response.status_code == 404
    assert "could not find this survey" in response.content.decode()


def test_archived_survey_says_it_has_closed(invitation):
    survey_archive(survey=invitation.survey)
    response = Client().get(url(invitation))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    primary = invitation.survey.questions.get(primary=True)
    assert Client().post(url(invitation), {f"q{primary.pk}": "9"}).status_code == 410
    assert not Response.objects.exists()


def test_page_is_in_the_surveys_language(published, contact):
    invitation = invitation_create_test(survey=published("nps", "ko"), contact=contact)
    html = Client().get(url(invitation)).content.decode()
    assert 'lang="ko"' in html
    assert "보내기" in html and "추천" in html
    invitation = invitation_create_test(survey=published("csat", "zh-Hant"), contact=contact)
    html = Client().post(url(invitation), {}).content.decode()
    assert "請回答這個問題。" in html


CHOICE = {
    "kind": "custom",
    "questions": [
        {
            "type": "single_choice",
            "text": "Which tool do you use most?",
            "randomize": True,
            "options": ["Slack", "Teams", "Email", "Zoom", "Meet", "Webex", "Other"],
        },
        {
            "type": "single_choice",
            "text": "How often do you use it?",
            "randomize": False,
            "options": ["Never", "Rarely", "Sometimes", "Often", "Always"],
        },
        {"type": "text", "text": "Why?", "required": False},
    ],
}


@pytest.fixture
def choice_survey(workspace, manager):
    survey = survey_create(workspace=workspace, user=manager.user, document=parse_document(CHOICE))
    return survey_publish(survey=survey, user=None)


def _shown(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="q\d+" value="\d+">\s*([^<]+)</label>', html)


def test_unordered_options_shuffle_per_respondent_and_other_stays_last(choice_survey, customer):
    from tests.factories import ContactFactory

    orders = set()
    for _ in range(6):
        invitation = invitation_create_test(
            survey=choice_survey, contact=ContactFactory(customer=customer)
        )
        first = _shown(Client().get(url(invitation)).content.decode())
        again = _shown(Client().get(url(invitation)).content.decode())
        assert first == again  # a reload shows the same order
        tools, frequency = first[:7], first[7:]
        assert tools[-1] == "Other"
        assert frequency == ["Never", "Rarely", "Sometimes", "Often", "Always"]  # never shuffled
        orders.add(tuple(tools))
    assert len(orders) > 1  # different respondents, different orders


def test_the_order_shown_is_stored_with_the_response(choice_survey, contact):
    invitation = invitation_create_test(survey=choice_survey, contact=contact)
    tools, frequency, _why = choice_survey.questions.all()
    shown = [o.pk for o in option_order(invitation, tools)]
    result = response_submit(
        invitation=invitation,
        answers={
            str(tools.pk): str(shown[0]),
            str(frequency.pk): str(frequency.options.first().pk),
        },
    )
    assert result.response.option_order == {str(tools.pk): shown}
    assert str(frequency.pk) not in result.response.option_order


def test_a_foreign_option_id_is_refused(choice_survey, contact):
    invitation = invitation_create_test(survey=choice_survey, contact=contact)
    tools, frequency, _ = choice_survey.questions.all()
    response = Client().post(
        url(invitation),
        {f"q{tools.pk}": str(frequency.options.first().pk), f"q{frequency.pk}": "x"},
    )
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_test_invitations_need_a_published_survey_and_a_known_contact(
    published, manager, browser_as, contact
):
    survey = published("nps")
    client = browser_as(manager)
    detail = reverse("survey-detail", kwargs={"survey_pk": survey.pk})
    assert client.post(detail, {"contact": "nobody@example.com"}).status_code == 400
    assert client.post(detail, {"contact": contact.email}).status_code == 302
    assert survey.invitations.get().contact == contact
