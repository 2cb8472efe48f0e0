"""Response quality flags: gibberish comments, speeding, the same person answering twice."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accounts.models import Contact, Role
from metrics.models import FollowUpCase
from metrics.quality import comment_is_gibberish, response_flags
from metrics.services import case_alert_send, case_open_for_response
from surveys.models import Invitation, Response
from tests.metrics.helpers import answered


@pytest.mark.parametrize(
    "comment",
    ["asdfgh", "asdfghjkl", "aaaaaaa", "jkjkjkjkjk", "n/a", "-", "zxcvbnm qwerty", "!!!!!!"],
)
def test_mashing_and_empty_comments_are_flagged(comment):
    assert comment_is_gibberish(comment)


@pytest.mark.parametrize(
    "comment",
    [
        "Support took four days to answer.",
        "ok",
        "Great",
        "The asdf key on my keyboard is sticky, otherwise fine",
        "배송이 너무 느려요",
        "客服回覆很慢",
        "",
        "Rhythm",
    ],
)
def test_real_comments_are_not_flagged(comment):
    assert not comment_is_gibberish(comment)


def test_a_response_far_faster_than_the_median_is_flagged_once_there_are_100(workspace):
    answered({"nps": [8] * 101}, workspace=workspace)
    responses = list(Response.objects.order_by("pk"))
    for index, response in enumerate(responses):
        seconds = 60 + (index % 11) * 3  # 60 to 90 seconds
        Response.objects.filter(pk=response.pk).update(
            opened_at=response.submitted_at - dt.timedelta(seconds=seconds)
        )
    fast = Response.objects.get(pk=responses[-1].pk)
    fast.opened_at = fast.submitted_at - dt.timedelta(seconds=4)
    assert "answered implausibly fast" in response_flags(fast)
    normal = Response.objects.get(pk=responses[0].pk)
    assert response_flags(normal) == []


def test_speed_is_not_judged_before_100_responses(workspace):
    answered({"nps": [8] * 20}, workspace=workspace)
    response = Response.objects.first()
    response.opened_at = response.submitted_at - dt.timedelta(seconds=1)
    assert "answered implausibly fast" not in response_flags(response)


def test_two_answers_from_one_mailbox_in_a_campaign_are_flagged(workspace, campaign):
    answered({"nps": [9, 9, 9]}, workspace=workspace)
    first, second, third = Response.objects.order_by("pk")
    Invitation.objects.filter(pk__in=[first.invitation_id, second.invitation_id]).update(
        campaign=campaign()
    )
    Contact.objects.filter(pk=first.contact_id).update(email="mina.park@gmail.com")
    Contact.objects.filter(pk=second.contact_id).update(email="minapark+nps@googlemail.com")
    Contact.objects.filter(pk=third.contact_id).update(email="mina.park+x@gmail.com")
    second = Response.objects.select_related("contact", "invitation").get(pk=second.pk)
    assert "the same mailbox answered this campaign already" in response_flags(second)
    first = Response.objects.select_related("contact", "invitation").get(pk=first.pk)
    assert response_flags(first) == []  # the earlier answer stands
    third = Response.objects.select_related("contact", "invitation").get(pk=third.pk)
    assert response_flags(third) == []  # not in that campaign


class _Slack(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_new_case_is_posted_to_the_slack_webhook(workspace, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    server = HTTPServer(("127.0.0.1", 0), _Slack)
    threading.Thread(target=server.handle_request, daemon=True).start()
    workspace.slack_webhook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    workspace.save()
    member(Role.AGENT)
    answered({"nps": [1]}, workspace=workspace)
    case = case_open_for_response(response=Response.objects.get())
    case_alert_send(case_id=case.pk)
    server.server_close()
    [message] = _Slack.received
    assert "score 1" in message["text"] and f"/cases/{case.pk}/" in message["text"]
    assert FollowUpCase.objects.count() == 1
