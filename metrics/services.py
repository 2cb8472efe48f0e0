"""Writes of the metrics app: follow-up cases, from opening to close, with their timeline.

Every action records a ``CaseEvent`` (who, what, when) in the same transaction; alerts go
after commit through a Celery task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from accounts.roles import Capability, membership_can
from metrics.models import CaseEvent, FollowUpCase
from metrics.quality import response_flags
from surveys.models import Response

logger = logging.getLogger(__name__)

# The unhappy answers: kind → (highest score that opens a case, reason, severe at or below).
THRESHOLDS = {
    "nps": (6, FollowUpCase.Reason.NPS_DETRACTOR, 3),
    "csat": (2, FollowUpCase.Reason.CSAT_LOW, 1),
    "ces": (3, FollowUpCase.Reason.CES_HIGH_EFFORT, 1),
}
CASE_WORKER_ROLES = {Role.AGENT, Role.MANAGER}


def response_recorded(*, response: Response) -> FollowUpCase | None:
    """What follows a new response (called by ``surveys.services`` in its transaction): its
    quality flags, and a follow-up case when the answer is unhappy."""
    flags = response_flags(response)
    if flags != response.quality_flags:
        Response.objects.filter(pk=response.pk).update(quality_flags=flags)
        response.quality_flags = flags
    return case_open_for_response(response=response)


def case_reason(kind: str, score: int | None) -> str | None:
    if score is None or kind not in THRESHOLDS:
        return None
    highest, reason, _ = THRESHOLDS[kind]
    return reason if score <= highest else None


def case_priority(*, kind: str, score: int, arr: Decimal | None) -> int:
    """1 (most urgent) to 4: a severe score and a large account come first."""
    severe = score <= THRESHOLDS[kind][2]
    size = 2 if (arr or 0) >= 250_000 else 1 if (arr or 0) >= 50_000 else 0
    return 5 - ((2 if severe else 1) + size)


def add_business_days(start: datetime, days: int, *, zone: str) -> datetime:
    """``start`` plus ``days`` working days (Monday–Friday) in ``zone``, same local time."""
    local = start.astimezone(ZoneInfo(zone))
    while local.weekday() >= 5:  # a case opened at the weekend starts on Monday
        local += timedelta(days=1)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local


def case_open_for_response(*, response: Response) -> FollowUpCase | None:
    """Open the one case of an unhappy response (NPS 0–6, CSAT 1–2, CES 1–3); None for the
    others. Running it twice returns the same case (one case per response, by constraint)."""
    reason = case_reason(response.survey.kind, response.score)
    if reason is None:
        return None
    existing = FollowUpCase.objects.filter(response=response).first()
    if existing is not None:
        return existing
    contact = response.contact
    customer = contact.customer
    try:
        with transaction.atomic():
            workspace = Workspace.objects.select_for_update().get(pk=response.workspace_id)
            assignee = _assignee(workspace, customer.owner if customer else None)
            case = FollowUpCase.objects.create(
                workspace=workspace,
                response=response,
                customer=customer,
                contact=contact,
                score=response.score,
                reason=reason,
                priority=case_priority(
                    kind=response.survey.kind,
                    score=response.score,
                    arr=customer.arr if customer else None,
                ),
                assignee=assignee,
                due_at=add_business_days(
                    timezone.now(), workspace.case_sla_days, zone=workspace.time_zone
                ),
            )
            CaseEvent.objects.create(
                case=case, kind=CaseEvent.Kind.OPENED, text=case.get_reason_display()
            )
            if assignee is not None:
                CaseEvent.objects.create(
                    case=case, kind=CaseEvent.Kind.ASSIGNED, text=f"Assigned to {assignee.email}"
                )
    except IntegrityError:  # a concurrent call opened it
        return FollowUpCase.objects.get(response=response)
    if _alerts_muted.get():
        FollowUpCase.objects.filter(pk=case.pk).update(alerted_at=timezone.now())
    else:
        # robust: with the broker away the answer is still recorded, and beat's
        # cases_alert_pending sends the alert later (alerted_at stays empty till then)
        transaction.on_commit(lambda: _alert_later(case.pk), robust=True)
    return case


_alerts_muted: ContextVar[bool] = ContextVar("alerts_muted", default=False)


@contextmanager
def alerts_muted() -> Iterator[None]:
    """Open cases without alerting anyone (the demo's cases, dated in the past)."""
    token = _alerts_muted.set(True)
    try:
        yield
    finally:
        _alerts_muted.reset(token)


def _alert_later(case_id: int) -> None:
    from metrics.tasks import case_alert_task

    case_alert_task.delay(case_id)


def cases_alert_pending(*, now: datetime | None = None) -> int:
    """Queue the alerts of new cases that were never sent (the broker was away when the case
    opened, or the task was lost); beat runs it every minute. Returns how many."""
    now = now or timezone.now()
    ids = list(
        FollowUpCase.objects.filter(
            alerted_at=None,
            created_at__lt=now - timedelta(minutes=2),
            created_at__gt=now - timedelta(days=2),
        ).values_list("pk", flat=True)[:500]
    )
    for case_id in ids:
        _alert_later(case_id)
    return len(ids)


def _assignee(workspace: Workspace, owner: Membership | None) -> User | None:
    """The customer's owner if they work cases here as agent or manager; else the next agent
    in turn (round-robin by user id after the last case's agent); else nobody."""
    workers = Membership.objects.filter(workspace=workspace, user__is_active=True)
    if owner is not None and workers.filter(pk=owner.pk, role__in=CASE_WORKER_ROLES).exists():
        return owner.user
    agents = list(
        workers.filter(role=Role.AGENT).order_by("user_id").values_list("user_id", flat=True)
    )
    if not agents:
        return None
    last = (
        FollowUpCase.objects.filter(workspace=workspace, assignee_id__in=agents)
        .order_by("-created_at", "-id")
        .values_list("assignee_id", flat=True)
        .first()
    )
    following = [a for a in agents if last is not None and a > last]
    return User.objects.get(pk=following[0] if following else agents[0])


# --- Working a case ----------------------------------------------------------------------------


def _worker(workspace: Workspace, user: User) -> Membership:
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if not membership_can(membership, Capability.WORK_CASES):
        raise PermissionDenied("Only agents, managers and admins work cases.")
    return membership


def case_assign(*, case: FollowUpCase, assignee: User | None, actor: User) -> FollowUpCase:
    """Give the case to a colleague who may work cases (or to nobody)."""
    _worker(case.workspace, actor)
    if assignee is not None:
        try:
            _worker(case.workspace, assignee)
        except PermissionDenied:
            raise ValidationError(
                {"assignee": ["Choose an agent, manager or admin of this workspace."]}
            ) from None
    with transaction.atomic():
        FollowUpCase.objects.filter(pk=case.pk).update(assignee=assignee)
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.ASSIGNED,
            text=f"Assigned to {assignee.email}" if assignee else "Unassigned",
        )
    case.assignee = assignee
    if assignee is not None and assignee != actor:
        transaction.on_commit(lambda: _alert_later(case.pk), robust=True)
    return case


def cases_bulk_reassign(
    *, workspace: Workspace, case_ids: list[int], assignee: User | None, actor: User
) -> int:
    """Reassign several cases of the workspace at once; returns how many."""
    cases = list(FollowUpCase.objects.filter(workspace=workspace, pk__in=case_ids))
    with transaction.atomic():
        for case in cases:
            case_assign(case=case, assignee=assignee, actor=actor)
    return len(cases)


def case_add_note(*, case: FollowUpCase, actor: User, text: str) -> CaseEvent:
    _worker(case.workspace, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write a note."]})
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEvent.Kind.NOTE, text=text[:5000]
    )


def case_mark_contacted(*, case: FollowUpCase, actor: User) -> FollowUpCase:
    """Record the first contact with the customer (once) and start work on the case."""
    _worker(case.workspace, actor)
    now = timezone.now()
    with transaction.atomic():
        if FollowUpCase.objects.filter(pk=case.pk, first_contacted_at=None).update(
            first_contacted_at=now
        ):
            CaseEvent.objects.create(case=case, actor=actor, kind=CaseEvent.Kind.CONTACTED)
            case.first_contacted_at = now
        if case.status == FollowUpCase.Status.OPEN:
            _change_status(case, FollowUpCase.Status.IN_PROGRESS, actor, "")
    return case


_UNCHANGED = object()


def case_update(
    *,
    case: FollowUpCase,
    actor: User,
    status: str | None = None,
    outcome: str | None = None,
    assignee: User | object | None = _UNCHANGED,
    first_contacted: bool = False,
) -> FollowUpCase:
    """Several changes to a case at once (the API's PATCH), applied in the order a person
    would make them — first contact, owner, status — each on the timeline, all or nothing."""
    with transaction.atomic():
        if first_contacted:
            case_mark_contacted(case=case, actor=actor)
        if assignee is not _UNCHANGED and assignee != case.assignee:
            case_assign(case=case, assignee=assignee, actor=actor)
        if status is not None or outcome is not None:
            case_set_status(
                case=case,
                status=status if status is not None else case.status,
                outcome=outcome if outcome is not None else case.outcome,
                actor=actor,
            )
    return case


ALLOWED = {
    "open": {"in_progress", "resolved", "closed"},
    "in_progress": {"open", "resolved", "closed"},
    "resolved": {"open"},
    "closed": {"open"},
}


def case_set_status(
    *, case: FollowUpCase, status: str, actor: User, outcome: str = ""
) -> FollowUpCase:
    """Move a case along open → in progress → resolved | closed without action (or reopen
    it). Resolving needs an outcome."""
    _worker(case.workspace, actor)
    if status not in FollowUpCase.Status.values:
        raise ValidationError({"status": [f"Unknown status {status!r}."]})
    if status == case.status:
        return case
    if status not in ALLOWED[case.status]:
        raise ValidationError(
            {"status": [f"A {case.get_status_display().lower()} case cannot become {status}."]}
        )
    if status == FollowUpCase.Status.RESOLVED and outcome not in FollowUpCase.Outcome.values:
        raise ValidationError({"outcome": ["Say how it ended to resolve the case."]})
    with transaction.atomic():
        _change_status(case, status, actor, outcome)
    return case


def _change_status(case: FollowUpCase, status: str, actor: User, outcome: str) -> None:
    closing = status in {FollowUpCase.Status.RESOLVED, FollowUpCase.Status.CLOSED}
    case.status = status
    case.outcome = outcome if closing else ""
    case.closed_at = timezone.now() if closing else None
    case.save(update_fields=["status", "outcome", "closed_at"])
    label = case.get_status_display()
    if case.outcome:
        label += f" ({case.get_outcome_display().lower()})"
    CaseEvent.objects.create(case=case, actor=actor, kind=CaseEvent.Kind.STATUS, text=label)


# --- Alerts ------------------------------------------------------------------------------------


def case_alert_send(*, case_id: int) -> None:
    """Email the assignee about their case, and post it to the workspace's Slack webhook when
    one is set. Email goes through the configured backend (so it fails loudly to be retried);
    Slack is best effort."""
    import json
    import urllib.request

    from django.conf import settings
    from django.core.mail import send_mail

    case = FollowUpCase.objects.select_related("workspace", "assignee", "contact", "customer").get(
        pk=case_id
    )
    link = f"{settings.SITE_URL}/cases/{case.pk}/"
    who = case.customer.name if case.customer else case.contact.name or "a contact"
    summary = f"{case.get_reason_display()} from {who}: score {case.score}"
    if case.assignee is not None:
        send_mail(
            subject=f"[Pulse] New case for you: {summary}",
            message=(
                f"{summary}\n\nComment: {case.response.comment or '(none)'}\n"
                f"Due: {case.due_at:%Y-%m-%d %H:%M %Z}\nPriority: {case.priority}\n\n{link}\n"
            ),
            from_email=None,
            recipient_list=[case.assignee.email],
        )
    if case.workspace.slack_webhook_url:
        body = json.dumps({"text": f"{summary} — <{link}|case #{case.pk}>"}).encode()
        request = urllib.request.Request(  # noqa: S310 - an https URL the admin configured
            case.workspace.slack_webhook_url,
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                pass
        except OSError as error:
            logger.warning("Slack alert for case %s failed: %s", case.pk, error)
    FollowUpCase.objects.filter(pk=case.pk, alerted_at=None).update(alerted_at=timezone.now())
