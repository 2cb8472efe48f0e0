"""Reminders to non-responders, recurring programs and fatigue windows per segment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Contact, Customer
from surveys.campaigns import campaign_audience
from surveys.delivery import (
    campaign_launch,
    invitation_send,
    programs_roll,
    reminder_send,
    reminders_due,
    waves_dispatch_due,
)
from surveys.models import Campaign, Invitation, OutboxMessage
from surveys.services import response_submit_sms_score, survey_new_version, survey_publish
from tests.surveys.helpers import make_contacts

REMINDERS = [
    {"after_days": 3, "message": "Still 30 seconds? {link}"},
    {"after_days": 7, "message": "Last chance: {link}"},
]


def sent_wave(workspace, campaign, count, **fields):
    make_contacts(workspace, count)
    launched = campaign_launch(campaign=campaign(waves=1, strata=[], **fields))
    waves_dispatch_due()
    for pk in Invitation.objects.filter(campaign=launched).values_list("pk", flat=True):
        invitation_send(invitation_id=pk)
    return launched


def age(campaign, days):
    Invitation.objects.filter(campaign=campaign).update(
        sent_at=timezone.now() - timedelta(days=days),
        created_at=timezone.now() - timedelta(days=days),
    )


def remind(number):
    """Send what reminders_due queued (marked with an attempt time), as the worker would; the
    broker is in memory here."""
    ids = Invitation.objects.filter(
        reminders_sent=number - 1, next_attempt_at__isnull=False
    ).values_list("pk", flat=True)
    return sum(reminder_send(invitation_id=pk, number=number) for pk in ids)


def test_reminders_go_to_non_responders_only_once_each(workspace, campaign, published):
    launched = sent_wave(workspace, campaign, 6, reminders=REMINDERS)
    invitations = list(Invitation.objects.filter(campaign=launched).order_by("pk"))
    answered, opted_out, bounced, throttled = invitations[:4]
    response_submit_sms_score(invitation=answered, score=9)
    Contact.objects.filter(pk=opted_out.contact_id).update(sms_opted_out_at=timezone.now())
    Invitation.objects.filter(pk=bounced.pk).update(delivery="undelivered")
    age(launched, 2)
    assert reminders_due() == 0  # not due before three days
    age(launched, 4)
    # Surveyed again since (another campaign): throttled, no reminder for the old one.
    Invitation.objects.create(
        workspace=workspace, survey=published("csat"), contact=throttled.contact, is_test=False
    )
    assert reminders_due() == 2
    assert reminders_due() == 0  # queued already: a second run queues nothing new
    assert remind(1) == 2
    assert remind(1) == 0  # a duplicated task sends nothing twice
    reminders = OutboxMessage.objects.filter(sequence=1)
    assert {m.invitation_id for m in reminders} == {i.pk for i in invitations[4:]}
    first = reminders.first()
    assert (
        first.body.startswith("Still 30 seconds? ") and f"/r/{first.invitation.token}" in first.body
    )
    age(launched, 8)
    Invitation.objects.update(next_attempt_at=None)
    assert reminders_due() == 2  # the second reminder, to the same two
    assert remind(2) == 2
    assert OutboxMessage.objects.filter(sequence=2).count() == 2


def test_a_reminder_is_skipped_when_the_contact_answers_in_the_meantime(workspace, campaign):
    launched = sent_wave(workspace, campaign, 1, reminders=REMINDERS[:1])
    age(launched, 4)
    assert reminders_due() == 1
    invitation = Invitation.objects.get(campaign=launched)
    response_submit_sms_score(invitation=invitation, score=3)
    assert reminder_send(invitation_id=invitation.pk, number=1) is False
    assert not OutboxMessage.objects.filter(sequence=1).exists()


@pytest.mark.parametrize(
    ("reminders", "problem"),
    [
        ([{"after_days": 3, "message": "no link"}], "{link}"),
        ([{"after_days": 0, "message": "{link}"}], "from 1 to 60"),
        ([{"after_days": 5, "message": "{link}"}, {"after_days": 2, "message": "{link}"}], "after"),
        ([{"after_days": d, "message": "{link}"} for d in (1, 2, 3, 4)], "At most 3"),
        ("soon", "At most 3"),
    ],
)
def test_bad_reminders_are_refused_with_field_errors(
    reminders, problem, manager, api_as, published
):
    response = api_as(manager).post(
        "/api/v1/campaigns/",
        {"name": "R", "survey": published("nps").pk, "reminders": reminders},
        format="json",
    )
    assert response.status_code == 400
    assert problem in str(response.json()["reminders"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"send_days": [7]}, "send_days"),
        ({"send_start": "09:00"}, "send_end"),
        ({"send_start": "09:00", "send_end": "09:00"}, "send_end"),
        ({"fatigue_overrides": {"Enterprise": 30}}, "fatigue_segment"),
        ({"fatigue_segment": "plan", "fatigue_overrides": {"Enterprise": -1}}, "fatigue_overrides"),
        ({"fatigue_segment": "favourite colour"}, "fatigue_segment"),
        ({"repeat_months": 0}, "repeat_months"),
    ],
)
def test_bad_schedules_are_refused_with_field_errors(fields, field, manager, api_as, published):
    response = api_as(manager).post(
        "/api/v1/campaigns/", {"name": "S", "survey": published("nps").pk, **fields}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_fatigue_windows_can_differ_by_plan(workspace, campaign, published):
    make_contacts(workspace, 3)
    plans = dict(
        zip(["Enterprise", "Starter", "Team"], Customer.objects.order_by("pk"), strict=True)
    )
    for plan, customer in plans.items():
        Customer.objects.filter(pk=customer.pk).update(plan=plan)
    survey = published("csat")
    for contact in Contact.objects.all():  # everyone was surveyed 60 days ago
        Invitation.objects.create(
            workspace=workspace,
            survey=survey,
            contact=contact,
            created_at=timezone.now() - timedelta(days=60),
        )
    draft = campaign(fatigue_segment="plan", fatigue_overrides={"Enterprise": 120, "Starter": 30})
    audience = campaign_audience(draft)
    eligible = Contact.objects.filter(
        pk__in=[pk for ids in audience.eligible.values() for pk in ids]
    )
    assert set(eligible.values_list("customer__plan", flat=True)) == {"Starter"}
    assert audience.excluded["fatigue"] == 2  # Enterprise (120 days) and Team (default 90)


def test_a_quarterly_program_starts_each_period_once(workspace, campaign, manager):
    launched = sent_wave(workspace, campaign, 3, repeat_months=3, fatigue_days=30)
    launched.refresh_from_db()
    start = launched.launched_at
    assert programs_roll(now=start + timedelta(days=60)) == []
    age(launched, 95)
    # A new version of the survey was published in between: the next period uses it.
    newer = survey_publish(
        survey=survey_new_version(survey=launched.survey, user=manager.user), user=manager.user
    )
    [period2] = programs_roll(now=start + timedelta(days=93))
    assert (period2.program_id, period2.period, period2.status) == (launched.pk, 2, "launched")
    assert period2.survey == newer
    assert period2.seed != launched.seed
    assert Invitation.objects.filter(campaign=period2).count() == 3  # 95 days > 30-day window
    assert programs_roll(now=start + timedelta(days=93)) == []  # started once only
    assert Campaign.objects.filter(program=launched).count() == 1
    [period3] = programs_roll(now=start + timedelta(days=185))
    assert period3.period == 3
    assert Invitation.objects.filter(campaign=period3).count() == 0  # all asked in period 2


def test_a_programs_explicit_wave_times_move_with_each_period(workspace, campaign):
    make_contacts(workspace, 3)
    times = ["2026-01-10T09:00:00+00:00", "2026-01-12T09:00:00+00:00"]
    launched = campaign_launch(campaign=campaign(repeat_months=3, wave_times=times))
    [period2] = programs_roll(now=launched.launched_at + timedelta(days=120))
    due = [w.due_at.isoformat() for w in period2.wave_set.order_by("number")]
    assert due == ["2026-04-10T09:00:00+00:00", "2026-04-12T09:00:00+00:00"]
