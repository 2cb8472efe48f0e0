"""Reads of the surveys app, each scoped to a workspace."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.models import Workspace
from surveys.models import Campaign, Invitation, OutboxMessage, Survey


def survey_list(*, workspace: Workspace) -> QuerySet[Survey]:
    """The newest version of every survey of the workspace."""
    newest = Survey.objects.filter(lineage=OuterRef("lineage")).order_by("-version")
    return (
        Survey.objects.filter(workspace=workspace)
        .filter(pk=Subquery(newest.values("pk")[:1]))
        .annotate(response_count=Count("responses"))
        .order_by("-created_at", "-id")
    )


def survey_get(*, workspace: Workspace, pk: int) -> Survey:
    return Survey.objects.get(workspace=workspace, pk=pk)


def survey_versions(*, survey: Survey) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(workspace=survey.workspace, lineage=survey.lineage)
        .annotate(response_count=Count("responses"))
        .order_by("-version")
    )


def invitation_list(*, survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey).select_related("contact")


def invitation_by_token(*, token: str) -> Invitation | None:
    """The public answer page's lookup: by unguessable token only, never by id."""
    if not token or len(token) > 32:
        return None
    return (
        Invitation.objects.select_related("survey__workspace", "contact")
        .filter(token=token)
        .first()
    )


def survey_all_versions(*, workspace: Workspace) -> QuerySet[Survey]:
    return Survey.objects.filter(workspace=workspace).order_by("-created_at", "-id")


def campaign_list(*, workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace).select_related("survey")


def campaign_get(*, workspace: Workspace, pk: int) -> Campaign | None:
    return campaign_list(workspace=workspace).filter(pk=pk).first()


def outbox_list(*, workspace: Workspace) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(workspace=workspace).select_related("invitation")
