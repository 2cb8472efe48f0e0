"""Email tracking webhooks (through anymail, here Postmark's) move delivery and consent."""

import base64
import json

import pytest
from django.test import Client

from accounts.models import Contact
from surveys.delivery import campaign_launch, invitation_send, waves_dispatch_due
from surveys.models import Invitation
from tests.surveys.helpers import make_contacts

URL = "/hooks/anymail/postmark/tracking/"


@pytest.fixture
def emailed(settings, workspace, campaign):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    make_contacts(workspace, 1)
    launched = campaign_launch(campaign=campaign(waves=1, strata=[], channel="email"))
    waves_dispatch_due()
    invitation = Invitation.objects.get(campaign=launched)
    invitation_send(invitation_id=invitation.pk)
    return invitation


SECRET = "hook:s3cret"


def post(event, secret=SECRET):
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return Client().post(
        URL, json.dumps(event), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def event(invitation, record_type, **extra):
    return {
        "RecordType": record_type,
        "MessageID": "pm-1",
        "Recipient": invitation.contact.email,
        "Email": invitation.contact.email,
        "DeliveredAt": "2026-11-26T10:00:00Z",
        "BouncedAt": "2026-11-26T10:00:00Z",
        "Metadata": {"invitation": str(invitation.pk)},
        **extra,
    }


def test_delivered_moves_the_invitation_once(emailed):
    assert post(event(emailed, "Delivery")).status_code == 200
    assert post(event(emailed, "Delivery")).status_code == 200
    emailed.refresh_from_db()
    assert emailed.delivery == "delivered"


def test_a_hard_bounce_marks_undelivered_with_the_reason(emailed):
    post(event(emailed, "Bounce", Type="HardBounce", ID=42))
    emailed.refresh_from_db()
    assert emailed.delivery == "undelivered"
    assert "bounced" in emailed.failure_reason
    assert Contact.objects.get(pk=emailed.contact_id).email_unsubscribed_at is None


@pytest.mark.parametrize(
    "record",
    [
        {"RecordType": "SpamComplaint", "Type": "SpamComplaint"},
        {
            "RecordType": "SubscriptionChange",
            "SuppressSending": True,
            "SuppressionReason": "ManualSuppression",
            "ChangedAt": "2026-11-26T10:00:00Z",
        },
    ],
)
def test_a_complaint_or_unsubscribe_withdraws_email_consent(emailed, record):
    post({**event(emailed, "x"), **record})
    assert Contact.objects.get(pk=emailed.contact_id).email_unsubscribed_at is not None


def test_a_webhook_without_the_secret_is_refused(emailed):
    response = post(event(emailed, "Delivery"), secret="hook:wrong")
    assert response.status_code in {400, 401, 403}
    response = Client().post(
        URL, json.dumps(event(emailed, "Delivery")), content_type="application/json"
    )
    assert response.status_code in {400, 401, 403}
    emailed.refresh_from_db()
    assert emailed.delivery == "sent"


def test_an_event_for_an_unknown_message_changes_nothing(emailed):
    unknown = {**event(emailed, "Delivery"), "Metadata": {}, "MessageID": "someone-else"}
    assert post(unknown).status_code == 200
    emailed.refresh_from_db()
    assert emailed.delivery == "sent"
