"""Launch and send: one invitation per contact, each sent exactly once, opt-outs honoured."""

import time
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from surveys.delivery import campaign_launch, invitation_send, waves_dispatch_due
from surveys.models import Campaign, Invitation, OutboxMessage, Wave
from surveys.tasks import invitations_send_task
from tests.surveys.helpers import make_contacts


def test_launch_stores_the_plan_and_queues_one_invitation_per_contact(workspace, campaign):
    make_contacts(workspace, 30)
    launched = campaign_launch(
        campaign=campaign(), first_wave_at=timezone.now(), interval=timedelta(hours=2)
    )
    waves = list(Wave.objects.filter(campaign=launched))
    assert [w.number for w in waves] == [1, 2]
    assert waves[1].due_at - waves[0].due_at == timedelta(hours=2)
    assert sum(sum(w.planned.values()) for w in waves) == 30
    invitations = Invitation.objects.filter(campaign=launched)
    assert invitations.count() == 30
    assert set(invitations.values_list("delivery", flat=True)) == {"queued"}
    with pytest.raises(Exception, match="launched already"):
        campaign_launch(campaign=launched)
    with pytest.raises(IntegrityError):
        Invitation.objects.create(
            workspace=workspace,
            survey=launched.survey,
            contact=invitations.first().contact,
            campaign=launched,
        )


def test_sending_twice_sends_once_and_fills_the_link(workspace, campaign):
    make_contacts(workspace, 1)
    launched = campaign_launch(campaign=campaign(waves=1))
    invitation = Invitation.objects.get(campaign=launched)
    assert invitation_send(invitation_id=invitation.pk) is True
    assert invitation_send(invitation_id=invitation.pk) is False
    message = OutboxMessage.objects.get()
    assert f"/r/{invitation.token}" in message.body
    assert workspace.name in message.body
    invitation.refresh_from_db()
    assert (invitation.delivery, message.to) == ("sent", invitation.contact.phone)


def test_an_opt_out_after_queueing_stops_the_sms(workspace, campaign):
    make_contacts(workspace, 1)
    launched = campaign_launch(campaign=campaign(waves=1))
    invitation = Invitation.objects.get(campaign=launched)
    Contact.objects.update(sms_opted_out_at=timezone.now())  # STOP arrives
    assert invitation_send(invitation_id=invitation.pk) is False
    invitation.refresh_from_db()
    assert (invitation.delivery, invitation.failure_reason) == ("failed", "opted out of SMS")
    assert not OutboxMessage.objects.exists()


def test_sms_then_email_uses_email_without_a_phone(workspace, campaign):
    make_contacts(workspace, 2)
    Contact.objects.filter(email="p0@example.com").update(phone="")
    launched = campaign_launch(campaign=campaign(channel="sms_then_email", waves=1))
    channels = dict(
        Invitation.objects.filter(campaign=launched).values_list("contact__email", "channel")
    )
    assert channels == {"p0@example.com": "email", "p1@example.com": "sms"}


def test_a_wave_of_2000_goes_out_exactly_once_through_the_real_worker(
    celery_worker, workspace, campaign
):
    make_contacts(workspace, 4000)
    launched = campaign_launch(
        campaign=campaign(), first_wave_at=timezone.now(), interval=timedelta(days=1)
    )
    first = Wave.objects.get(campaign=launched, number=1)
    planned = sum(first.planned.values())
    assert planned >= 1999  # 4,000 over 2 waves, within 1 per stratum
    assert waves_dispatch_due() == planned  # wave 2 is not due yet
    assert waves_dispatch_due() == 0  # a second beat finds nothing to claim
    ids = list(first.invitations.values_list("pk", flat=True))
    invitations_send_task.delay(ids[:500])  # a duplicated task on top
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not Invitation.objects.filter(wave=first, delivery__in=["queued", "sending"]).exists():
            break
        time.sleep(0.5)
    time.sleep(1)  # let the duplicated task finish too
    assert Invitation.objects.filter(wave=first, delivery="sent").count() == planned
    assert OutboxMessage.objects.filter(invitation__wave=first).count() == planned
    assert OutboxMessage.objects.count() == planned  # nothing of wave 2, nothing twice
    assert Wave.objects.get(pk=first.pk).status == Wave.Status.DISPATCHED


def test_manager_launches_from_the_campaign_page_and_sees_progress(
    workspace, campaign, manager, browser_as
):
    make_contacts(workspace, 9)
    made = campaign()
    client = browser_as(manager)
    url = reverse("campaign-detail", kwargs={"campaign_pk": made.pk})
    assert client.post(url).status_code == 302
    assert Campaign.objects.get(pk=made.pk).status == "launched"
    waves_dispatch_due()
    for invitation in Invitation.objects.filter(campaign=made, wave__number=1):
        invitation_send(invitation_id=invitation.pk)
    page = client.get(url).content.decode()
    assert "Answered" in page and "Dispatched" in page
    outbox = client.get(reverse("outbox")).content.decode()
    assert outbox.count("/r/") >= 4


def test_the_browser_form_takes_reminders_send_window_and_program(
    workspace, manager, browser_as, published
):
    survey = published("nps")
    form = {
        "name": "Quarterly NPS",
        "survey": survey.pk,
        "channel": "sms",
        "strata": ["industry"],
        "waves": 3,
        "wave_interval_hours": 48,
        "fatigue_days": 90,
        "fatigue_segment": "plan",
        "fatigue_overrides": '{"Enterprise": 120}',
        "message": "{company} asks: {link}",
        "quiet_start": "20:00",
        "quiet_end": "09:00",
        "send_days": ["0", "1", "2", "3", "4"],
        "send_start": "09:00",
        "send_end": "17:00",
        "repeat_months": 3,
        "reminder_1_days": 3,
        "reminder_1_message": "Reminder: {link}",
        "reminder_2_days": "",
    }
    client = browser_as(manager)
    response = client.post(reverse("campaign-list"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Campaign.objects.get(name="Quarterly NPS")
    assert made.reminders == [{"after_days": 3, "message": "Reminder: {link}"}]
    assert (made.send_days, made.repeat_months, made.wave_interval_hours) == (
        [0, 1, 2, 3, 4],
        3,
        48,
    )
    assert made.fatigue_overrides == {"Enterprise": 120}
    bad = client.post(reverse("campaign-list"), {**form, "name": "Bad", "reminder_1_message": "x"})
    assert bad.status_code == 400
    assert "{link}" in bad.content.decode()
    assert not Campaign.objects.filter(name="Bad").exists()


def test_progress_counts_delivery_and_response_rate_per_channel(
    workspace, campaign, manager, browser_as
):
    make_contacts(workspace, 4)
    Contact.objects.filter(email="p0@example.com").update(phone="")
    launched = campaign_launch(campaign=campaign(channel="sms_then_email", waves=1))
    waves_dispatch_due()
    for invitation in Invitation.objects.filter(campaign=launched):
        invitation_send(invitation_id=invitation.pk)
    sms = Invitation.objects.filter(campaign=launched, channel="sms")
    Invitation.objects.filter(pk=sms[0].pk).update(delivery="delivered", status="answered")
    Invitation.objects.filter(pk=sms[1].pk).update(delivery="undelivered")
    url = reverse("campaign-progress", kwargs={"campaign_pk": launched.pk})
    data = browser_as(manager).get(url).json()
    [wave] = data["waves"]
    assert (wave["planned"], wave["sent"], wave["delivered"], wave["failed"]) == (4, 4, 1, 1)
    assert wave["answered"] == 1
    rates = {c["channel"]: c for c in data["channels"]}
    assert rates["sms"]["rate"] == round(100 / 3, 1)
    assert (rates["email"]["sent"], rates["email"]["rate"]) == (1, 0.0)
    page = browser_as(manager).get(reverse("campaign-detail", kwargs={"campaign_pk": launched.pk}))
    assert "Response rate by channel" in page.content.decode()


def test_explicit_wave_times_set_each_wave(workspace, manager, browser_as, published):
    make_contacts(workspace, 9)
    workspace.time_zone = "UTC"
    workspace.save()
    form = {
        "name": "Timed",
        "survey": published("nps").pk,
        "channel": "sms",
        "waves": 3,
        "wave_interval_hours": 24,
        "fatigue_days": 90,
        "message": "{link}",
        "quiet_start": "00:00",
        "quiet_end": "00:00",
        "wave_times": "2026-12-01 09:00\n2026-12-03 09:00\n2026-12-08T09:00:00+09:00",
    }
    client = browser_as(manager)
    assert client.post(reverse("campaign-list"), form).status_code == 302
    launched = campaign_launch(campaign=Campaign.objects.get(name="Timed"))
    due = [w.due_at.isoformat() for w in launched.wave_set.order_by("number")]
    assert due == [
        "2026-12-01T09:00:00+00:00",  # the workspace's zone (UTC) when none is written
        "2026-12-03T09:00:00+00:00",
        "2026-12-08T00:00:00+00:00",
    ]
    bad = client.post(reverse("campaign-list"), {**form, "name": "Bad", "wave_times": "soon"})
    assert bad.status_code == 400 and "not a date and time" in bad.content.decode()


@pytest.mark.parametrize(
    ("times", "problem"),
    [
        (["2026-12-01T09:00:00+00:00"], "one time per wave"),
        (["2026-12-03T09:00:00+00:00", "2026-12-01T09:00:00+00:00"], "after the one before"),
        (["2026-12-01T09:00:00", "2026-12-02T09:00:00"], "date and time"),  # no offset
        ("tomorrow", "date and time"),
    ],
)
def test_bad_wave_times_are_refused_by_the_api(times, problem, manager, api_as, published):
    response = api_as(manager).post(
        "/api/v1/campaigns/",
        {"name": "T", "survey": published("nps").pk, "waves": 2, "wave_times": times},
        format="json",
    )
    assert response.status_code == 400
    assert problem in str(response.json()["wave_times"])
