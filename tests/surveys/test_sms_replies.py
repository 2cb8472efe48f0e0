"""Answering by SMS: a 0–10 reply scores the open NPS invitation, the next reply is the why."""

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from surveys.delivery import campaign_launch, invitation_send, waves_dispatch_due
from surveys.models import InboundSms, Invitation, Response
from tests.surveys.helpers import make_contacts

TOKEN = "reply-token"
SITE = "https://pulse.example"


@pytest.fixture
def texted(settings, workspace, campaign):
    """An NPS invitation sent by SMS (to the outbox); text(body) replies from its phone."""
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = SITE
    make_contacts(workspace, 1)
    launched = campaign_launch(campaign=campaign(waves=1, strata=[]))
    waves_dispatch_due()
    invitation = Invitation.objects.get(campaign=launched)
    invitation_send(invitation_id=invitation.pk)
    counter = iter(range(1000))

    def text(body, sid=None):
        params = {
            "From": invitation.contact.phone,
            "To": "+15005550006",
            "Body": body,
            "MessageSid": sid or f"SM{next(counter)}",
        }
        url = f"{SITE}/hooks/twilio/inbound"
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        reply = Client().post("/hooks/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert reply.status_code == 200
        return reply.content.decode()

    text.invitation = invitation
    return text


@pytest.mark.parametrize("body", ["9", " 9 ", "9.", "10", "0"])
def test_a_number_reply_records_the_score_and_asks_why(texted, body):
    reply = texted(body)
    response = Response.objects.get(invitation=texted.invitation)
    assert (response.score, response.source) == (int(body.strip(" .")), "sms")
    assert "Thank you!" in reply and "?" in reply  # the survey's open question follows
    invitation = Invitation.objects.get(pk=texted.invitation.pk)
    assert invitation.status == "answered"


def test_the_next_reply_becomes_the_comment_once(texted):
    texted("3")
    assert "Thank you, we have your answer" in texted("Support never called me back")
    response = Response.objects.get(invitation=texted.invitation)
    assert response.comment == "Support never called me back"
    assert "Support never called me back" in response.answers.values()
    texted("Also the app is slow")  # the conversation is over: a hint, not a second comment
    response.refresh_from_db()
    assert response.comment == "Support never called me back"


def test_a_repeated_webhook_changes_nothing_more(texted):
    first = texted("8", sid="SMsame")
    again = texted("8", sid="SMsame")
    assert first == again
    assert InboundSms.objects.filter(sid="SMsame").count() == 1
    assert Response.objects.filter(invitation=texted.invitation).count() == 1
    assert Invitation.objects.get(pk=texted.invitation.pk).awaiting_sms_comment is True


@pytest.mark.parametrize("body", ["11", "-1", "nine", "9 out of 10", "", "7/10"])
def test_anything_else_gets_the_link(texted, body):
    reply = texted(body)
    assert f"{SITE}/r/{texted.invitation.token}" in reply
    assert not Response.objects.exists()
    assert InboundSms.objects.get().meaning == "other"


def test_a_second_score_does_not_replace_the_first(texted):
    texted("9")
    texted("Fast and friendly")
    reply = texted("2")
    assert Response.objects.get().score == 9
    assert "/r/" not in reply  # no open invitation left to point at
