"""API edges of surveys: lint a document, create and edit drafts, publish."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import WorkspaceViewSet, call_service
from accounts.roles import Capability
from surveys import selectors, services
from surveys.api.serializers import (
    CampaignSerializer,
    LintResultSerializer,
    PlanSerializer,
    PublishSerializer,
    SurveyDocumentSerializer,
    SurveySerializer,
)
from surveys.campaigns import plan_json
from surveys.models import Campaign, Survey
from surveys.rules import lint
from surveys.rules.document import DocumentError, SurveyDoc, parse_document

_INVALID = OpenApiResponse(description="The document is not a survey: path → problem.")


def _document(request: Request) -> SurveyDoc | Response:
    try:
        return parse_document(request.data)
    except DocumentError as error:
        return Response(error.problems, status=status.HTTP_400_BAD_REQUEST)


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Surveys (every version). Drafts are edited by sending the whole document."""

    serializer_class = SurveySerializer
    queryset = Survey.objects.none()
    lookup_url_kwarg = "survey_pk"
    lookup_value_regex = r"\d+"
    write_capability = Capability.MANAGE_SURVEYS
    action_capabilities = {"lint": Capability.VIEW}

    def get_queryset(self) -> QuerySet[Survey]:
        return selectors.survey_all_versions(workspace=self.workspace)

    @extend_schema(
        request=SurveyDocumentSerializer, responses={201: SurveySerializer, 400: _INVALID}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft (version 1) from a survey document."""
        doc = _document(request)
        if isinstance(doc, Response):
            return doc
        survey = services.survey_create(workspace=self.workspace, user=request.user, document=doc)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SurveyDocumentSerializer, responses={200: SurveySerializer, 400: _INVALID}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace a draft's questions with the document's. Published versions are frozen."""
        survey = self.get_object()
        doc = _document(request)
        if isinstance(doc, Response):
            return doc
        survey = call_service(services.survey_save_draft, survey=survey, document=doc)
        return Response(SurveySerializer(survey).data)

    @extend_schema(
        request=PublishSerializer, responses={200: SurveySerializer, 400: LintResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, survey_pk: str) -> Response:
        """Publish a draft; a 400 lists the errors that block it."""
        survey = self.get_object()
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            survey = call_service(
                services.survey_publish,
                survey=survey,
                user=request.user,
                acknowledgements=body.validated_data.get("acknowledgements"),
            )
        except services.PublishBlocked as blocked:
            return Response(
                {"findings": [f.to_json() for f in blocked.errors], "notes": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(SurveySerializer(survey).data)

    @extend_schema(request=None, responses={201: SurveySerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, survey_pk: str) -> Response:
        """The survey's draft: the existing one, or a copy of this version as the next one."""
        draft = services.survey_new_version(survey=self.get_object(), user=request.user)
        return Response(SurveySerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SurveyDocumentSerializer, responses={200: LintResultSerializer, 400: _INVALID}
    )
    @action(detail=False, methods=["post"])
    def lint(self, request: Request) -> Response:
        """Findings for a survey document. Nothing is saved."""
        doc = _document(request)
        if isinstance(doc, Response):
            return doc
        result = lint(doc)
        return Response({"findings": [f.to_json() for f in result.findings], "notes": result.notes})


class CampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, WorkspaceViewSet
):
    """Campaigns: a published survey, an audience, strata, a sample and waves."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()
    lookup_url_kwarg = "campaign_pk"
    lookup_value_regex = r"\d+"
    write_capability = Capability.MANAGE_CAMPAIGNS

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list(workspace=self.workspace)

    def perform_create(self, serializer: CampaignSerializer) -> None:
        serializer.instance = call_service(
            services.campaign_create,
            workspace=self.workspace,
            user=self.request.user,
            data=dict(serializer.validated_data),
        )

    @extend_schema(responses=PlanSerializer)
    @action(detail=True, methods=["get"])
    def plan(self, request: Request, campaign_pk: str) -> Response:
        """The wave plan: eligible audience, exclusions by reason, wave × stratum counts."""
        return Response(plan_json(self.get_object()))
