"""Demo feedback for the demo workspace: two campaigns sent to the outbox over the last three
quarters, answers through the real answer path (so cases and flags are real), and some cases
worked. Deterministic (seeded), so every fresh `make run` shows the same dashboard."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User, Workspace
from metrics.models import CaseEvent, FollowUpCase
from metrics.services import alerts_muted, case_mark_contacted, case_set_status
from surveys.delivery import campaign_launch, invitation_send, waves_dispatch_due
from surveys.models import Invitation, Question, Response
from surveys.services import (
    campaign_create,
    response_submit,
    survey_create_from_template,
    survey_publish,
)

COMMENTS = {
    "low": [
        "Support took four days to answer my ticket.",
        "The invoice export keeps failing.",
        "Too expensive for what we use.",
        "The new dashboard is slow to load.",
        "asdfghjkl",
    ],
    "mid": ["Works, but onboarding was confusing.", "Fine overall.", "Reporting could be better."],
    "high": [
        "Great support team, always quick.",
        "The integrations save us hours every week.",
        "Easy to roll out to the whole team.",
    ],
}
# Mean NPS score per wave: the scores improve over the three quarters.
WAVE_MEAN = {1: 6.4, 2: 7.2, 3: 7.9}
DAYS_AGO = {1: 200, 2: 110, 3: 20}
# The demo sends at whatever hour `make run` starts; the answers are dated in the past anyway.
QUIET_OFF = {"quiet_start": time(0), "quiet_end": time(0)}


def seed_feedback(*, workspace: Workspace, manager: User, agent: User) -> None:
    with alerts_muted():
        _seed(workspace, manager, agent)


def _seed(workspace: Workspace, manager: User, agent: User) -> None:
    rng = random.Random(2026)
    nps = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=manager, kind="nps"),
        user=manager,
    )
    relationship = campaign_create(
        workspace=workspace,
        user=manager,
        data={
            "name": "Relationship NPS",
            "survey": nps,
            "channel": "sms_then_email",
            "strata": ["industry"],
            "sample_count": 450,
            "waves": 3,
            **QUIET_OFF,
            "reminders": [{"after_days": 3, "message": "A quick reminder: {link}"}],
        },
    )
    _send_and_answer(relationship, rng, kind="nps")
    csat = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=manager, kind="csat"),
        user=manager,
    )
    support = campaign_create(
        workspace=workspace,
        user=manager,
        data={
            "name": "Support CSAT",
            "survey": csat,
            "channel": "email",
            "sample_count": 200,
            "waves": 1,
            "fatigue_days": 0,
            **QUIET_OFF,
        },
    )
    _send_and_answer(support, rng, kind="csat")
    _work_cases(workspace, agent, rng)


def _send_and_answer(campaign, rng: random.Random, *, kind: str) -> None:
    campaign_launch(campaign=campaign, first_wave_at=timezone.now() - timedelta(days=1))
    waves_dispatch_due(now=timezone.now())
    questions = list(campaign.survey.questions.all())
    primary = next(q for q in questions if q.primary)
    text = next((q for q in questions if q.type == Question.Type.TEXT), None)
    invitations = Invitation.objects.filter(campaign=campaign).select_related("wave", "contact")
    for invitation in invitations.order_by("pk"):
        invitation_send(invitation_id=invitation.pk)
        if rng.random() > 0.48:
            continue  # no answer
        wave = invitation.wave.number
        if kind == "nps":
            score = max(0, min(10, round(rng.gauss(WAVE_MEAN[wave], 2.4))))
            band = "low" if score <= 6 else "mid" if score <= 8 else "high"
        else:
            score = rng.choices([1, 2, 3, 4, 5], weights=[6, 8, 14, 38, 34])[0]
            band = "low" if score <= 2 else "mid" if score == 3 else "high"
        answers = {str(primary.pk): [str(score)]}
        for question in questions:
            if question.type in {Question.Type.SINGLE_CHOICE, Question.Type.MULTI_CHOICE}:
                option = rng.choice(list(question.options.all()))
                answers[str(question.pk)] = [str(option.pk)]
        if text is not None and rng.random() < 0.6:
            answers[str(text.pk)] = [rng.choice(COMMENTS[band])]
        response_submit(invitation=invitation, answers=answers)
        _backdate(invitation, days=DAYS_AGO[wave] if kind == "nps" else 35, rng=rng)


def _backdate(invitation: Invitation, *, days: int, rng: random.Random) -> None:
    sent = timezone.now() - timedelta(days=days, hours=rng.randint(0, 72))
    answered = sent + timedelta(minutes=rng.randint(2, 600))
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            sent_at=sent, created_at=sent, answered_at=answered
        )
        Response.objects.filter(invitation=invitation).update(
            submitted_at=answered, opened_at=answered - timedelta(seconds=rng.randint(20, 240))
        )
        FollowUpCase.objects.filter(response__invitation=invitation).update(
            created_at=answered, due_at=answered + timedelta(days=2)
        )
        CaseEvent.objects.filter(case__response__invitation=invitation).update(created_at=answered)


def _work_cases(workspace: Workspace, agent: User, rng: random.Random) -> None:
    """Most older cases contacted and closed; the newest still open, some overdue."""
    for case in FollowUpCase.objects.filter(workspace=workspace).order_by("created_at"):
        age = (timezone.now() - case.created_at).days
        if age < 25 and rng.random() < 0.7:
            continue
        if case.assignee_id is None:
            FollowUpCase.objects.filter(pk=case.pk).update(assignee=agent)
            case.assignee = agent
        case_mark_contacted(case=case, actor=agent)
        contacted = case.created_at + timedelta(hours=rng.randint(2, 60))
        FollowUpCase.objects.filter(pk=case.pk).update(first_contacted_at=contacted)
        if age >= 25:
            outcome = rng.choice(["fixed", "explained", "churn_risk", "no_reply"])
            case_set_status(case=case, status="resolved", outcome=outcome, actor=agent)
