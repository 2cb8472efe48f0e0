"""The sweep repairs what crashed workers and lost tasks leave behind; retries give up at last."""

from datetime import timedelta

from django.utils import timezone

from surveys import channels
from surveys.delivery import invitations_sweep
from surveys.models import Invitation
from surveys.tasks import MAX_ATTEMPTS, invitation_retry_task, invitations_send_task


def crash_while_sending(invitation, minutes_ago=30):
    """What a worker that died between its claim and the provider's answer leaves behind."""
    Invitation.objects.filter(pk=invitation.pk).update(
        delivery="sending", claimed_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_an_orphaned_sms_the_provider_has_is_marked_sent_not_resent(twilio, queued):
    [invitation] = queued()
    message = channels.send_sms(
        to=invitation.contact.phone, body=f"Hi https://x/r/{invitation.token}"
    )
    crash_while_sending(invitation)
    assert invitations_sweep()["found_sent"] == 1
    invitation.refresh_from_db()
    assert (invitation.delivery, invitation.provider_message_id) == ("sent", message)
    assert len(twilio.sent) == 1


def test_an_orphaned_sms_the_provider_never_got_is_queued_again(twilio, queued):
    [invitation] = queued()
    crash_while_sending(invitation)
    assert invitations_sweep()["requeued"] == 1
    invitation.refresh_from_db()
    assert invitation.delivery == "queued"
    invitations_send_task(invitation_ids=[invitation.pk])  # what the requeued task does
    assert twilio.received() == {invitation.contact.phone: 1}


def test_a_send_still_within_its_lease_is_left_alone(twilio, queued):
    [invitation] = queued()
    crash_while_sending(invitation, minutes_ago=1)
    assert invitations_sweep() == {"found_sent": 0, "requeued": 0, "interrupted": 0, "resent": 0}
    assert Invitation.objects.get(pk=invitation.pk).delivery == "sending"


def test_an_orphaned_email_fails_visibly_rather_than_risk_a_duplicate(twilio, queued):
    [invitation] = queued()
    Invitation.objects.filter(pk=invitation.pk).update(channel="email")
    crash_while_sending(invitation)
    assert invitations_sweep()["interrupted"] == 1
    invitation.refresh_from_db()
    assert invitation.delivery == "failed" and "interrupted" in invitation.failure_reason


def test_a_lost_task_is_queued_again_after_the_grace_period(twilio, queued):
    [invitation] = queued()
    Invitation.objects.filter(pk=invitation.pk).update(next_attempt_at=timezone.now())
    invitation.wave.status = "dispatched"
    invitation.wave.save()
    assert invitations_sweep()["resent"] == 0  # its task may still be on its way
    later = timezone.now() + timedelta(hours=1)
    assert invitations_sweep(now=later)["resent"] == 1


def test_retries_give_up_after_the_last_attempt(twilio, queued):
    [invitation] = queued()
    twilio.busy_next = 1
    invitation_retry_task(invitation.pk, MAX_ATTEMPTS)
    invitation.refresh_from_db()
    assert invitation.delivery == "failed"
    assert f"after {MAX_ATTEMPTS} tries" in invitation.failure_reason
    assert twilio.sent == []


def test_a_busy_provider_schedules_a_retry_instead_of_failing(twilio, queued):
    [invitation] = queued()
    twilio.busy_next = 1
    invitations_send_task(invitation_ids=[invitation.pk])
    invitation.refresh_from_db()
    assert invitation.delivery == "queued"
    assert invitation.next_attempt_at > timezone.now()  # the sweep waits for the retry task
