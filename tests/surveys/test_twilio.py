"""SMS through the real twilio SDK against a fake Twilio on loopback; signed webhooks."""

import pytest
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import Contact
from surveys import channels
from surveys.delivery import invitation_send
from tests.surveys.conftest import SITE, TOKEN


def test_sms_goes_through_the_sdk_with_link_and_status_callback(twilio, queued):
    [invitation] = queued()
    assert invitation_send(invitation_id=invitation.pk) is True
    [sent] = twilio.sent
    assert sent["To"] == invitation.contact.phone
    assert sent["From"] == "+15005550006"
    assert f"{SITE}/r/{invitation.token}" in sent["Body"]
    assert sent["StatusCallback"] == f"{SITE}/hooks/twilio/status"
    invitation.refresh_from_db()
    assert (invitation.delivery, invitation.provider_message_id) == ("sent", sent["sid"])


def test_a_busy_provider_puts_the_invitation_back_for_a_retry(twilio, queued):
    [invitation] = queued()
    twilio.busy_next = 1
    with pytest.raises(channels.ProviderBusy):
        invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.delivery == "queued"
    assert invitation_send(invitation_id=invitation.pk) is True
    assert (twilio.requests, len(twilio.sent)) == (2, 1)


def test_an_unsubscribed_number_fails_and_opts_the_contact_out(twilio, queued):
    [invitation] = queued()
    twilio.refuse[invitation.contact.phone] = 21610
    assert invitation_send(invitation_id=invitation.pk) is False
    invitation.refresh_from_db()
    assert invitation.delivery == "failed"
    assert "21610" in invitation.failure_reason
    assert Contact.objects.get(pk=invitation.contact_id).sms_opted_out_at is not None


def test_an_invalid_number_fails_without_opting_out(twilio, queued):
    [invitation] = queued()
    twilio.refuse[invitation.contact.phone] = 21211
    invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.delivery == "failed"
    assert Contact.objects.get(pk=invitation.contact_id).sms_opted_out_at is None


def post_signed(path, params, token=TOKEN):
    signature = RequestValidator(token).compute_signature(f"{SITE}{path}", params)
    return Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_status_callbacks_are_verified_and_idempotent(twilio, queued):
    [invitation] = queued()
    invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    params = {"MessageSid": invitation.provider_message_id, "MessageStatus": "delivered"}
    assert Client().post("/hooks/twilio/status", params).status_code == 403  # unsigned
    assert post_signed("/hooks/twilio/status", params, token="wrong").status_code == 403
    invitation.refresh_from_db()
    assert invitation.delivery == "sent"
    assert post_signed("/hooks/twilio/status", params).status_code == 204
    assert post_signed("/hooks/twilio/status", params).status_code == 204
    late = {"MessageSid": invitation.provider_message_id, "MessageStatus": "undelivered"}
    post_signed("/hooks/twilio/status", late)  # out of order: delivered stays
    invitation.refresh_from_db()
    assert invitation.delivery == "delivered"


@pytest.mark.parametrize("word", ["STOP", " stop ", "Unsubscribe", "QUIT", "end"])
def test_stop_opts_out_and_halts_queued_sms(word, twilio, queued):
    first, second = queued(2)
    phone = first.contact.phone
    response = post_signed("/hooks/twilio/inbound", {"From": phone, "To": "+1500", "Body": word})
    assert response.status_code == 200
    assert Contact.objects.get(pk=first.contact_id).sms_opted_out_at is not None
    first.refresh_from_db()
    assert first.delivery == "failed"
    assert invitation_send(invitation_id=first.pk) is False
    assert invitation_send(invitation_id=second.pk) is True  # the other contact still gets it
    assert [m["To"] for m in twilio.sent] == [second.contact.phone]


def test_start_opts_back_in_and_help_answers(twilio, queued):
    [invitation] = queued()
    Contact.objects.update(sms_opted_out_at=timezone.now())
    phone = invitation.contact.phone
    post_signed("/hooks/twilio/inbound", {"From": phone, "To": "+1500", "Body": "START"})
    assert Contact.objects.get(pk=invitation.contact_id).sms_opted_out_at is None
    response = post_signed("/hooks/twilio/inbound", {"From": phone, "To": "+1500", "Body": "help"})
    assert "reply STOP" in response.content.decode()
    assert response["Content-Type"].startswith("text/xml")


def test_inbound_needs_a_valid_signature(queued, twilio):
    [invitation] = queued()
    response = Client().post(
        "/hooks/twilio/inbound", {"From": invitation.contact.phone, "Body": "STOP"}
    )
    assert response.status_code == 403
    assert Contact.objects.get(pk=invitation.contact_id).sms_opted_out_at is None
