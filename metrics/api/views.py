"""API edges of metrics: scores with filters and breakdowns, responses, and cases."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import WorkspaceViewSet, call_service
from accounts.roles import Capability
from metrics import selectors, services
from metrics.api.serializers import (
    CaseEventSerializer,
    CaseSerializer,
    MetricsSerializer,
    NoteSerializer,
    ResponseSerializer,
)
from metrics.forms import BREAKDOWNS, DashboardForm
from metrics.models import FollowUpCase
from surveys.models import Response as SurveyResponse

_filters = [
    OpenApiParameter("survey", str, description="A survey's lineage id (all its versions)."),
    OpenApiParameter("campaign", int),
    OpenApiParameter("period", str, enum=["30", "90", "365"], description="Last N days."),
    OpenApiParameter("segment", str, description="name=value, e.g. industry=Retail"),
    OpenApiParameter("exclude_flagged", bool),
]


def _dashboard_form(view: WorkspaceViewSet, request: Request) -> DashboardForm:
    form = DashboardForm(request.query_params, workspace=view.workspace)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors.get_json_data(escape_html=True))
    return form


class MetricsViewSet(WorkspaceViewSet):
    """Scores of the workspace's responses: NPS, CSAT or CES with a 95 % margin of error."""

    write_capability = Capability.VIEW  # read-only: other methods get a 405
    serializer_class = MetricsSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=["nps", "csat", "ces"], description="Default nps."),
            OpenApiParameter("by", str, enum=BREAKDOWNS, description="Break down by this."),
            OpenApiParameter("trend", str, enum=["month", "quarter", "wave"]),
            *_filters,
        ],
        responses=MetricsSerializer,
    )
    @action(detail=False, methods=["get"])
    def scores(self, request: Request) -> Response:
        form = _dashboard_form(self, request)
        kind = request.query_params.get("kind", "nps")
        if kind not in selectors.KINDS:
            raise serializers.ValidationError({"kind": ["Choose nps, csat or ces."]})
        responses = selectors.response_scope(workspace=self.workspace, filters=form.filters())
        score = selectors.score_summary(responses=responses, kind=kind)
        body: dict[str, Any] = {"kind": kind, "score": score.as_dict() if score else None}
        if form.cleaned_data.get("by"):
            body["breakdown"] = [
                {"value": row["value"], "score": row["score"].as_dict()}
                for row in selectors.score_breakdown(
                    responses=responses, kind=kind, by=form.cleaned_data["by"]
                )
            ]
        if form.cleaned_data.get("trend"):
            body["trend"] = [
                {**row, "score": row["score"].as_dict()}
                for row in selectors.score_trend(
                    responses=responses, kind=kind, period=form.cleaned_data["trend"]
                )
            ]
        return Response(_finite(body))


def _finite(value: Any) -> Any:
    """JSON has no infinity: a margin that cannot be computed (one answer) becomes null."""
    if isinstance(value, float) and (value != value or value in {float("inf"), float("-inf")}):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


@extend_schema(parameters=_filters)
class ResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Responses with their segment attributes (the dashboard's filters apply)."""

    serializer_class = ResponseSerializer
    queryset = SurveyResponse.objects.none()
    lookup_url_kwarg = "response_pk"
    lookup_value_regex = r"\d+"
    write_capability = Capability.VIEW  # read-only: other methods get a 405

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        if getattr(self, "swagger_fake_view", False):
            return SurveyResponse.objects.none()
        form = _dashboard_form(self, self.request)
        return (
            selectors.response_scope(workspace=self.workspace, filters=form.filters())
            .select_related("survey", "invitation", "contact__customer")
            .order_by("-submitted_at", "-id")
        )


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=FollowUpCase.Status.values),
        OpenApiParameter("mine", bool, description="Only cases assigned to me."),
        OpenApiParameter("reason", str, enum=FollowUpCase.Reason.values),
    ]
)
class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, WorkspaceViewSet
):
    """Follow-up cases: list and read (any role), change status, outcome, owner or record the
    first contact (agents, managers, admins). Every change lands on the case's timeline."""

    serializer_class = CaseSerializer
    queryset = FollowUpCase.objects.none()
    lookup_url_kwarg = "case_pk"
    lookup_value_regex = r"\d+"
    write_capability = Capability.WORK_CASES
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[FollowUpCase]:
        if getattr(self, "swagger_fake_view", False):
            return FollowUpCase.objects.none()
        params = self.request.query_params
        status_ = params.get("status", "")
        reason = params.get("reason", "")
        if status_ and status_ not in FollowUpCase.Status.values:
            raise serializers.ValidationError({"status": ["Unknown status."]})
        if reason and reason not in FollowUpCase.Reason.values:
            raise serializers.ValidationError({"reason": ["Unknown reason."]})
        return selectors.case_list(
            workspace=self.workspace,
            assignee=self.request.user if params.get("mine") in {"1", "true"} else None,
            status=status_,
            reason=reason,
        ).prefetch_related("events__actor")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        serializer = self.get_serializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = {k: data[k] for k in ("status", "outcome", "assignee") if k in data}
        call_service(
            services.case_update,
            case=case,
            actor=request.user,
            first_contacted=bool(data.get("first_contacted")),
            **changes,
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=NoteSerializer, responses={201: CaseEventSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, case_pk: str) -> Response:
        """Add a note to the case's timeline."""
        case = self.get_object()
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        event = call_service(
            services.case_add_note, case=case, actor=request.user, text=note.validated_data["text"]
        )
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)
