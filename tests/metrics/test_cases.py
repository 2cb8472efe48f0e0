"""Follow-up cases: exactly one per unhappy answer, assigned, due by the SLA, worked to a close."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from metrics.models import CaseEvent, FollowUpCase
from metrics.services import (
    add_business_days,
    case_add_note,
    case_alert_send,
    case_mark_contacted,
    case_open_for_response,
    case_priority,
    case_set_status,
    cases_bulk_reassign,
)
from surveys.services import invitation_create_test, response_submit, response_submit_sms_score

MONDAY_NOON = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def answer(published, contact, kind, score):
    survey = published(kind)
    invitation = invitation_create_test(survey=survey, contact=contact)
    primary = survey.questions.get(primary=True)
    answers = {str(q.pk): ["x"] for q in survey.questions.filter(type="text", required=True)}
    answers[str(primary.pk)] = [str(score)]
    return response_submit(invitation=invitation, answers=answers).response


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        ("nps", 6, True),
        ("nps", 7, False),
        ("nps", 0, True),
        ("csat", 2, True),
        ("csat", 3, False),
        ("ces", 3, True),
        ("ces", 4, False),
    ],
)
def test_an_unhappy_answer_opens_one_case(kind, score, opens, published, contact, member):
    member(Role.AGENT)
    response = answer(published, contact, kind, score)
    assert FollowUpCase.objects.filter(response=response).exists() is opens
    case_open_for_response(response=response)  # the response saved again
    assert FollowUpCase.objects.filter(response=response).count() == (1 if opens else 0)


def test_a_second_submit_and_an_sms_score_do_not_open_a_second_case(published, contact):
    response = answer(published, contact, "nps", 2)
    response_submit_sms_score(invitation=response.invitation, score=1)
    assert FollowUpCase.objects.count() == 1
    case = FollowUpCase.objects.get()
    assert (case.score, case.customer, case.reason) == (2, contact.customer, "nps_detractor")
    assert case.events.values_list("kind", flat=True).first() == "opened"


def test_the_customer_owner_gets_the_case_if_they_work_cases(published, contact, member):
    owner = member(Role.MANAGER)
    contact.customer.owner = owner
    contact.customer.save()
    member(Role.AGENT)
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 3))
    assert case.assignee == owner.user


def test_otherwise_agents_take_turns(published, member, customer):
    from tests.factories import ContactFactory

    viewer_owner = member(Role.VIEWER)
    customer.owner = viewer_owner  # a viewer cannot work cases: round-robin instead
    customer.save()
    agents = sorted([member(Role.AGENT).user for _ in range(3)], key=lambda u: u.pk)
    assignees = [
        FollowUpCase.objects.get(
            response=answer(published, ContactFactory(customer=customer), "nps", 1)
        ).assignee
        for _ in range(4)
    ]
    assert assignees == [agents[0], agents[1], agents[2], agents[0]]


def test_nobody_to_assign_leaves_the_case_in_the_team_queue(published, contact):
    case = FollowUpCase.objects.get(response=answer(published, contact, "csat", 1))
    assert case.assignee is None


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (MONDAY_NOON, 2, dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)),  # Wednesday
        (MONDAY_NOON.replace(day=26), 2, dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)),  # Thu → Mon
        (MONDAY_NOON.replace(day=28), 2, dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)),  # Sat → Wed
        (MONDAY_NOON.replace(day=27), 0, dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)),
    ],
)
def test_due_dates_count_business_days(start, days, due):
    assert add_business_days(start, days, zone="UTC") == due


def test_the_workspace_sla_sets_the_due_date(published, contact, workspace):
    workspace.case_sla_days = 5
    workspace.save()
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 4))
    assert dt.timedelta(days=5) <= case.due_at - case.created_at <= dt.timedelta(days=7, minutes=1)


def test_priority_weighs_score_and_arr():
    assert case_priority(kind="nps", score=0, arr=Decimal(300_000)) == 1
    assert case_priority(kind="nps", score=6, arr=Decimal(300_000)) == 2
    assert case_priority(kind="nps", score=2, arr=None) == 3
    assert case_priority(kind="nps", score=6, arr=Decimal(1000)) == 4


def test_an_agent_works_a_case_to_a_close_with_a_timeline(published, contact, member):
    agent = member(Role.AGENT).user
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 2))
    case_add_note(case=case, actor=agent, text="Called, left a voicemail")
    case_mark_contacted(case=case, actor=agent)
    first = case.first_contacted_at
    case_mark_contacted(case=case, actor=agent)  # only the first contact counts
    case.refresh_from_db()
    assert (case.status, case.first_contacted_at) == ("in_progress", first)
    with pytest.raises(ValidationError, match="how it ended"):
        case_set_status(case=case, status="resolved", actor=agent)
    case_set_status(case=case, status="resolved", actor=agent, outcome="fixed")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at is not None) == ("resolved", "fixed", True)
    kinds = list(case.events.values_list("kind", "actor"))
    assert ("note", agent.pk) in kinds and ("contacted", agent.pk) in kinds
    assert kinds[-1] == ("status", agent.pk)
    assert CaseEvent.objects.filter(case=case, kind="contacted").count() == 1


def test_a_viewer_reads_but_cannot_work_cases(published, contact, member):
    viewer = member(Role.VIEWER).user
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 2))
    with pytest.raises(PermissionDenied):
        case_add_note(case=case, actor=viewer, text="hi")
    with pytest.raises(PermissionDenied):
        case_set_status(case=case, status="closed", actor=viewer)


def test_bulk_reassign_only_to_case_workers(published, contact, member, workspace):
    manager, agent, viewer = (member(r).user for r in (Role.MANAGER, Role.AGENT, Role.VIEWER))
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 2))
    assert (
        cases_bulk_reassign(workspace=workspace, case_ids=[case.pk], assignee=agent, actor=manager)
        == 1
    )
    assert FollowUpCase.objects.get().assignee == agent
    with pytest.raises(ValidationError):
        cases_bulk_reassign(workspace=workspace, case_ids=[case.pk], assignee=viewer, actor=manager)
    assert FollowUpCase.objects.get().assignee == agent


def test_the_assignee_gets_an_email_alert(published, contact, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = member(Role.AGENT).user
    case = FollowUpCase.objects.get(response=answer(published, contact, "nps", 5))
    case_alert_send(case_id=case.pk)
    [alert] = mail.outbox
    assert alert.to == [agent.email]
    assert "score 5" in alert.subject and f"/cases/{case.pk}/" in alert.body
