"""Reads of the metrics app: which responses count, their scores, breakdowns and trends, and
the case queues. Every score is one SQL aggregate with conditional counts; nothing loads
responses into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from accounts.models import User, Workspace
from metrics import scoring
from metrics.models import FollowUpCase
from surveys.campaigns import segment_lookup
from surveys.models import Invitation, Response

KINDS = ("nps", "csat", "ces")
ARR_BANDS = [(0, "< 10k"), (10_000, "10k–50k"), (50_000, "50k–250k"), (250_000, "≥ 250k")]
# Breakdowns beyond the customer and contact segments.
DIMENSIONS = {
    "campaign": "invitation__campaign__name",
    "wave": "invitation__wave__number",
    "channel": "invitation__channel",
    "survey": "survey__title",
    "month": "month",
    "quarter": "quarter",
    "arr_band": "arr_band",
}


@dataclass(frozen=True)
class Filters:
    """What the dashboard and the API narrow responses by; every field optional."""

    survey_lineage: str | None = None
    campaign: int | None = None
    since: datetime | None = None
    segment: tuple[str, str] | None = None  # ("industry", "Retail")
    exclude_flagged: bool = False


def response_scope(*, workspace: Workspace, filters: Filters | None = None) -> QuerySet[Response]:
    """The workspace's scored responses, narrowed by ``filters``."""
    filters = filters or Filters()
    responses = Response.objects.filter(workspace=workspace, score__isnull=False, is_test=False)
    if filters.survey_lineage:
        responses = responses.filter(survey__lineage=filters.survey_lineage)
    if filters.campaign:
        responses = responses.filter(invitation__campaign_id=filters.campaign)
    if filters.since:
        responses = responses.filter(submitted_at__gte=filters.since)
    if filters.segment:
        name, value = filters.segment
        responses = responses.filter(**{_path(name): value})
    if filters.exclude_flagged:
        responses = responses.filter(quality_flags=[])
    return responses


def _path(name: str) -> str:
    """The ORM path from a response to a breakdown dimension or segment attribute."""
    if name in DIMENSIONS:
        return DIMENSIONS[name]
    return "contact__" + segment_lookup(name)


def _aggregates(kind: str) -> dict[str, Any]:
    n = Count("id")
    if kind == "nps":
        return {
            "n": n,
            "promoters": Count("id", filter=Q(score__gte=9)),
            "passives": Count("id", filter=Q(score__in=[7, 8])),
            "detractors": Count("id", filter=Q(score__lte=6)),
        }
    squares = Sum(F("score") * F("score"))
    if kind == "csat":
        return {
            "n": n,
            "satisfied": Count("id", filter=Q(score__gte=4)),
            "total": Sum("score"),
            "squares": squares,
        }
    if kind == "ces":
        return {
            "n": n,
            "agreeing": Count("id", filter=Q(score__gte=5)),
            "total": Sum("score"),
            "squares": squares,
        }
    raise ValueError(f"unknown score kind {kind!r}")


def _score(kind: str, row: dict[str, Any]) -> scoring.Score | None:
    values = {k: row[k] or 0 for k in _aggregates(kind)}
    return {
        "nps": scoring.nps_from_counts,
        "csat": scoring.csat_from_counts,
        "ces": scoring.ces_from_counts,
    }[kind](**values)


def score_summary(*, responses: QuerySet[Response], kind: str) -> scoring.Score | None:
    """The score of these responses' surveys of ``kind``; None when there are none."""
    row = responses.filter(survey__kind=kind).aggregate(**_aggregates(kind))
    return _score(kind, row)


def _annotated(responses: QuerySet[Response], by: str) -> tuple[QuerySet[Response], str]:
    if by == "month":
        return responses.annotate(month=TruncMonth("submitted_at")), "month"
    if by == "quarter":
        return responses.annotate(quarter=TruncQuarter("submitted_at")), "quarter"
    if by == "arr_band":
        whens = [
            When(customer_arr__gte=Decimal(low), then=Value(label))
            for low, label in reversed(ARR_BANDS)
        ]
        band = Case(*whens, default=Value("unknown"), output_field=CharField())
        return responses.annotate(
            customer_arr=F("contact__customer__arr"), arr_band=band
        ), "arr_band"
    return responses, _path(by)


def score_breakdown(*, responses: QuerySet[Response], kind: str, by: str) -> list[dict[str, Any]]:
    """One row per value of ``by`` (a segment, campaign, wave, channel, month or quarter):
    ``{"value": …, "score": Score}``, in the dimension's order. One GROUP BY query."""
    annotated, path = _annotated(responses.filter(survey__kind=kind), by)
    rows = annotated.values(path).annotate(**_aggregates(kind)).order_by(path)
    return [{"value": _label(row[path]), "score": _score(kind, row)} for row in rows if row["n"]]


def _label(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def score_trend(*, responses: QuerySet[Response], kind: str, period: str) -> list[dict[str, Any]]:
    """Scores per month or quarter, each with its change from the period before and whether
    that change exceeds the combined margin of error."""
    if period not in {"month", "quarter", "wave"}:
        raise ValueError("period is month, quarter or wave")
    rows = score_breakdown(responses=responses, kind=kind, by=period)
    previous = None
    for row in rows:
        score = row["score"]
        row["change"] = round(score.value - previous.value, 2) if previous else None
        row["significant"] = scoring.change_is_significant(previous, score) if previous else False
        previous = score
    return rows


def response_rate_by_channel(
    *, workspace: Workspace, filters: Filters | None = None
) -> list[dict[str, Any]]:
    """Invitations sent and answered per channel (campaign invitations only)."""
    filters = filters or Filters()
    invitations = Invitation.objects.filter(workspace=workspace, campaign__isnull=False)
    if filters.campaign:
        invitations = invitations.filter(campaign_id=filters.campaign)
    if filters.survey_lineage:
        invitations = invitations.filter(survey__lineage=filters.survey_lineage)
    rows = (
        invitations.values("channel")
        .annotate(
            sent=Count("id", filter=Q(delivery__in=["sent", "delivered", "undelivered"])),
            answered=Count("id", filter=Q(status="answered")),
        )
        .order_by("channel")
    )
    return [
        {**row, "rate": round(100 * row["answered"] / row["sent"], 1) if row["sent"] else None}
        for row in rows
    ]


def latest_comments(
    *, responses: QuerySet[Response], group: str = "", limit: int = 20
) -> QuerySet[Response]:
    """Recent responses with a comment; ``group`` narrows to promoters, passives or
    detractors (NPS) — or to the unhappy answers of any kind ("detractors")."""
    commented = responses.exclude(comment="").select_related(
        "contact", "contact__customer", "survey"
    )
    groups = {
        "promoters": Q(survey__kind="nps", score__gte=9),
        "passives": Q(survey__kind="nps", score__in=[7, 8]),
        "detractors": Q(survey__kind="nps", score__lte=6)
        | Q(survey__kind="csat", score__lte=2)
        | Q(survey__kind="ces", score__lte=3),
    }
    if group in groups:
        commented = commented.filter(groups[group])
    return commented.order_by("-submitted_at")[:limit]


def promoters(*, responses: QuerySet[Response], limit: int = 50) -> QuerySet[Response]:
    """Promoters (NPS 9–10), newest first: candidates for references and reviews."""
    return (
        responses.filter(survey__kind="nps", score__gte=9)
        .select_related("contact", "contact__customer")
        .order_by("-submitted_at")[:limit]
    )


# --- Cases -----------------------------------------------------------------------------------


def case_list(
    *,
    workspace: Workspace,
    assignee: User | None = None,
    status: str = "",
    reason: str = "",
    segment: tuple[str, str] | None = None,
    open_only: bool = False,
    unassigned: bool = False,
    assignee_id: int | None = None,
) -> QuerySet[FollowUpCase]:
    cases = FollowUpCase.objects.filter(workspace=workspace).select_related(
        "contact", "customer", "assignee", "response"
    )
    if assignee is not None:
        cases = cases.filter(assignee=assignee)
    if assignee_id is not None:
        cases = cases.filter(assignee_id=assignee_id)
    if unassigned:
        cases = cases.filter(assignee=None)
    if status:
        cases = cases.filter(status=status)
    if open_only:
        cases = cases.filter(status__in=[FollowUpCase.Status.OPEN, FollowUpCase.Status.IN_PROGRESS])
    if reason:
        cases = cases.filter(reason=reason)
    if segment:
        name, value = segment
        cases = cases.filter(**{"contact__" + segment_lookup(name): value})
    return cases.order_by("due_at", "priority", "id")


def case_get(*, workspace: Workspace, pk: int) -> FollowUpCase | None:
    return (
        FollowUpCase.objects.filter(workspace=workspace, pk=pk)
        .select_related("contact", "customer", "assignee", "response", "response__survey")
        .first()
    )


def loop_metrics(*, workspace: Workspace) -> dict[str, Any]:
    """Open and overdue cases, median time to first contact, closure rate, and how the score
    moved for contacts who answered again after their case."""
    now = timezone.now()
    cases = FollowUpCase.objects.filter(workspace=workspace)
    counts = cases.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=["open", "in_progress"])),
        overdue=Count("id", filter=Q(status__in=["open", "in_progress"], due_at__lt=now)),
        closed=Count("id", filter=Q(status__in=["resolved", "closed"])),
    )
    # The median needs the individual durations; only contacted cases, as seconds.
    waits = sorted(
        (first - created).total_seconds()
        for created, first in cases.exclude(first_contacted_at=None)
        .values_list("created_at", "first_contacted_at")
        .iterator(chunk_size=5000)
    )
    moved = _score_moves(workspace)
    return {
        **counts,
        "closure_rate": round(100 * counts["closed"] / counts["total"], 1)
        if counts["total"]
        else None,
        "median_hours_to_first_contact": round(median(waits) / 3600, 1) if waits else None,
        "answered_again": moved["count"],
        "average_score_change": moved["average"],
    }


def _score_moves(workspace: Workspace) -> dict[str, Any]:
    """For contacts with a case who answered the same kind of survey again afterwards: how
    many, and the average change from the case's score to their latest later score."""
    later = (
        Response.objects.filter(
            contact_id=OuterRef("contact_id"),
            survey__kind=OuterRef("response__survey__kind"),
            submitted_at__gt=OuterRef("created_at"),
            score__isnull=False,
        )
        .order_by("-submitted_at")
        .values("score")[:1]
    )
    row = (
        FollowUpCase.objects.filter(workspace=workspace)
        .annotate(later=Subquery(later))
        .exclude(later=None)
        .aggregate(count=Count("id"), change=Avg(F("later") - F("score")))
    )
    return {
        "count": row["count"],
        "average": round(row["change"], 1) if row["change"] is not None else None,
    }
