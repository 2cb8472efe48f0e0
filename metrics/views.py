"""Browser pages of the metrics app: the dashboard, the case queues, one case, and exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views import View

from accounts.exports import csv_stream
from accounts.mixins import WorkspaceMixin
from accounts.models import User
from accounts.roles import Capability
from metrics import charts, selectors, services
from metrics.forms import CaseFilterForm, CaseUpdateForm, DashboardForm, NoteForm, case_workers
from metrics.models import FollowUpCase

SCALES = {"nps": (-100, 100), "csat": (0, 100), "ces": (1, 7)}
PAGE_SIZE = 50


class DashboardView(WorkspaceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = DashboardForm(request.GET or None, workspace=self.workspace)
        filters = form.filters()
        responses = selectors.response_scope(workspace=self.workspace, filters=filters)
        by = form.value("by", "industry")
        period = form.value("trend", "quarter")
        cards = [
            {
                "kind": k,
                "label": k.upper(),
                "score": selectors.score_summary(responses=responses, kind=k),
            }
            for k in selectors.KINDS
        ]
        nps = cards[0]["score"]
        # Unless asked, show the trend and segments of the first kind that has answers.
        kind = form.value("kind", "") or next((c["kind"] for c in cards if c["score"]), "nps")
        trend = selectors.score_trend(responses=responses, kind=kind, period=period)
        low, high = SCALES[kind]
        rows = selectors.score_breakdown(responses=responses, kind=kind, by=by)
        sort = form.value("sort", "value")
        if sort == "score":
            rows.sort(key=lambda r: r["score"].value)
        elif sort == "n":
            rows.sort(key=lambda r: -r["score"].n)
        context = {
            "form": form,
            "cards": cards,
            "kind": kind,
            "by": by,
            "nps_bar": charts.nps_bar(nps) if nps else "",
            "trend": trend,
            "trend_chart": charts.trend_line(
                [(r["value"], r["score"]) for r in trend],
                title=f"{kind.upper()} by {period}",
                low=low,
                high=high,
            ),
            "rows": rows,
            "channels": selectors.response_rate_by_channel(
                workspace=self.workspace, filters=filters
            ),
            "comments": selectors.latest_comments(
                responses=responses, group=form.value("comments", "")
            ),
            "loop": selectors.loop_metrics(workspace=self.workspace),
            "flagged": responses.exclude(quality_flags=[]).count(),
            "query": request.GET.urlencode(),
        }
        return render(request, "metrics/dashboard.html", context)


class PromotersView(WorkspaceMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        responses = selectors.response_scope(workspace=self.workspace)
        return render(
            request,
            "metrics/promoters.html",
            {"promoters": selectors.promoters(responses=responses, limit=200)},
        )


class CaseListView(WorkspaceMixin, View):
    """The team queue, or "my cases" with ?mine=1; bulk reassign by POST."""

    write_capability = Capability.WORK_CASES

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CaseFilterForm(request.GET or None, workspace=self.workspace)
        mine = request.GET.get("mine") == "1"
        cases = selectors.case_list(
            workspace=self.workspace,
            assignee=request.user if mine else None,
            **form.selector_kwargs(),
        )
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "metrics/case_list.html",
            {
                "form": form,
                "page": page,
                "mine": mine,
                "workers": case_workers(self.workspace),
                "query": request.GET.urlencode(),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("case") if i.isdecimal()]
        raw = request.POST.get("assignee", "")
        assignee = None
        if raw.isdecimal():
            assignee = User.objects.filter(pk=int(raw)).first()
        if not ids or (raw and assignee is None):
            messages.error(request, "Tick some cases and choose who takes them.")
            return redirect("case-list")
        try:
            moved = services.cases_bulk_reassign(
                workspace=self.workspace, case_ids=ids, assignee=assignee, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Reassigned {moved} case{'s' if moved != 1 else ''}.")
        return redirect(request.POST.get("next") or "case-list")


class CaseDetailView(WorkspaceMixin, View):
    write_capability = Capability.WORK_CASES

    def _case(self, case_pk: int) -> FollowUpCase:
        case = selectors.case_get(workspace=self.workspace, pk=case_pk)
        if case is None:
            raise Http404("No such case in this workspace.")
        return case

    def get(self, request: HttpRequest, case_pk: int, **forms: Any) -> HttpResponse:
        case = self._case(case_pk)
        return render(
            request,
            "metrics/case_detail.html",
            {
                "case": case,
                "events": case.events.select_related("actor"),
                "note_form": forms.get("note_form") or NoteForm(),
                "update_form": forms.get("update_form")
                or CaseUpdateForm(initial={"status": case.status, "outcome": case.outcome}),
                "workers": case_workers(self.workspace),
            },
            status=400 if forms else 200,
        )

    def post(self, request: HttpRequest, case_pk: int) -> HttpResponse:
        case = self._case(case_pk)
        action = request.POST.get("action", "")
        try:
            if action == "note":
                form = NoteForm(request.POST)
                if not form.is_valid():
                    return self.get(request, case_pk, note_form=form)
                services.case_add_note(
                    case=case, actor=request.user, text=form.cleaned_data["text"]
                )
            elif action == "contacted":
                services.case_mark_contacted(case=case, actor=request.user)
            elif action == "status":
                form = CaseUpdateForm(request.POST)
                if not form.is_valid():
                    return self.get(request, case_pk, update_form=form)
                services.case_set_status(
                    case=case,
                    status=form.cleaned_data["status"],
                    outcome=form.cleaned_data["outcome"],
                    actor=request.user,
                )
            elif action == "assign":
                raw = request.POST.get("assignee", "")
                assignee = User.objects.filter(pk=int(raw)).first() if raw.isdecimal() else None
                services.case_assign(case=case, assignee=assignee, actor=request.user)
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as error:
            form = CaseUpdateForm(request.POST)
            form.is_valid()
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return self.get(request, case_pk, update_form=form)
        return redirect("case-detail", case_pk=case.pk)


# --- Exports -----------------------------------------------------------------------------------


RESPONSE_COLUMNS = [
    ("submitted_at", "submitted_at"),
    ("survey", "survey__title"),
    ("kind", "survey__kind"),
    ("version", "survey__version"),
    ("score", "score"),
    ("comment", "comment"),
    ("source", "source"),
    ("quality_flags", "quality_flags"),
    ("campaign", "invitation__campaign__name"),
    ("wave", "invitation__wave__number"),
    ("channel", "invitation__channel"),
    ("contact_external_id", "contact__external_id"),
    ("customer", "contact__customer__name"),
    ("industry", "contact__customer__industry"),
    ("region", "contact__customer__region"),
    ("plan", "contact__customer__plan"),
    ("arr", "contact__customer__arr"),
    ("contact_attributes", "contact__attributes"),
]


class ResponseExportView(WorkspaceMixin, View):
    """Every response the dashboard's filters select, with its segment attributes; streamed
    with a server-side cursor, so a million rows never sit in memory."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        form = DashboardForm(request.GET or None, workspace=self.workspace)
        responses = selectors.response_scope(workspace=self.workspace, filters=form.filters())
        rows = (
            responses.order_by("submitted_at", "pk")
            .values_list(*(path for _, path in RESPONSE_COLUMNS))
            .iterator(chunk_size=2000)
        )
        return csv_stream([name for name, _ in RESPONSE_COLUMNS], rows, "responses.csv")


CASE_COLUMNS = [
    ("case", "pk"),
    ("created_at", "created_at"),
    ("status", "status"),
    ("outcome", "outcome"),
    ("reason", "reason"),
    ("priority", "priority"),
    ("score", "score"),
    ("comment", "response__comment"),
    ("assignee", "assignee__email"),
    ("due_at", "due_at"),
    ("first_contacted_at", "first_contacted_at"),
    ("closed_at", "closed_at"),
    ("customer", "customer__name"),
    ("industry", "customer__industry"),
    ("region", "customer__region"),
    ("plan", "customer__plan"),
    ("contact_external_id", "contact__external_id"),
]


class CaseExportView(WorkspaceMixin, View):
    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        cases = selectors.case_list(workspace=self.workspace).order_by("pk")
        rows = cases.values_list(*(p for _, p in CASE_COLUMNS)).iterator(chunk_size=2000)
        return csv_stream([n for n, _ in CASE_COLUMNS], rows, "cases.csv")
