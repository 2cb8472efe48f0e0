"""Browser edges of surveys: list, builder with live findings, publish, test links, and the
public answer page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_protect

from accounts import throttle
from accounts.mixins import WorkspaceMixin
from accounts.roles import Capability
from surveys import delivery, selectors, services
from surveys.campaigns import plan_json
from surveys.catalog import LOCALES
from surveys.forms import TestInvitationForm, builder_rows, document_from_post
from surveys.forms_campaign import CampaignForm
from surveys.models import Campaign, Invitation, Question, Survey
from surveys.rules import LintResult, lint
from surveys.rules.document import DocumentError, SurveyDoc, parse_document


def _survey_or_404(workspace: Any, survey_pk: int) -> Survey:
    try:
        return selectors.survey_get(workspace=workspace, pk=survey_pk)
    except Survey.DoesNotExist:
        raise Http404("No such survey in this workspace.") from None


def findings_json(result: LintResult) -> dict[str, Any]:
    return {
        "findings": [
            {**f.to_json(), "fix": f.fix, "fix_label": services.FIX_LABELS.get(f.fix or "", "")}
            for f in result.findings
        ],
        "notes": result.notes,
    }


class SurveyListView(WorkspaceMixin, View):
    write_capability = Capability.MANAGE_SURVEYS

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "surveys/survey_list.html",
            {
                "surveys": selectors.survey_list(workspace=self.workspace),
                "locales": LOCALES,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("kind", "")
        locale = request.POST.get("locale", "en")
        if kind not in Survey.Kind.values or locale not in LOCALES:
            messages.error(request, "Choose a template and a language.")
            return redirect("survey-list")
        survey = services.survey_create_from_template(
            workspace=self.workspace, user=request.user, kind=kind, locale=locale
        )
        return redirect("survey-edit", survey_pk=survey.pk)


class SurveyDetailView(WorkspaceMixin, View):
    write_capability = Capability.MANAGE_SURVEYS

    def get(
        self, request: HttpRequest, survey_pk: int, form: Any = None, status: int = 200
    ) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        result = lint(services.survey_document(survey))
        return render(
            request,
            "surveys/survey_detail.html",
            {
                "survey": survey,
                "questions": survey.questions.prefetch_related("options"),
                "result": result,
                "versions": selectors.survey_versions(survey=survey),
                "invitations": selectors.invitation_list(survey=survey)[:20],
                "invite_form": form or TestInvitationForm(workspace=self.workspace),
                "site_url": settings.SITE_URL,
            },
            status=status,
        )

    def post(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        """Survey actions: a new version, archive, or a test invitation."""
        survey = _survey_or_404(self.workspace, survey_pk)
        action = request.POST.get("action")
        if action == "new-version":
            draft = services.survey_new_version(survey=survey, user=request.user)
            return redirect("survey-edit", survey_pk=draft.pk)
        if action == "archive":
            try:
                services.survey_archive(survey=survey)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("survey-detail", survey_pk=survey.pk)
            messages.success(
                request,
                f"Version {survey.version} is archived; its links now say the survey has closed.",
            )
            return redirect("survey-detail", survey_pk=survey.pk)
        form = TestInvitationForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                invitation = services.invitation_create_test(
                    survey=survey, contact=form.cleaned_data["contact"]
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    f"Test link for {invitation.contact}: {settings.SITE_URL}/r/{invitation.token}",
                )
                return redirect("survey-detail", survey_pk=survey.pk)
        return self.get(request, survey_pk, form=form, status=400)


class SurveyBuilderView(WorkspaceMixin, View):
    read_capability = Capability.MANAGE_SURVEYS
    write_capability = Capability.MANAGE_SURVEYS

    def get(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        if not survey.is_draft:
            messages.info(request, "Published versions are frozen. Make a new version to edit.")
            return redirect("survey-detail", survey_pk=survey.pk)
        doc = services.survey_document(survey)
        return self._render(request, survey, doc, lint(doc), problems={})

    def post(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        if not survey.is_draft:
            return redirect("survey-detail", survey_pk=survey.pk)
        raw = document_from_post(request.POST, kind=survey.kind)
        action = request.POST.get("action", "save")
        raw = services.document_apply_action(raw, action=action)
        try:
            doc = parse_document(raw)
            if action.startswith("fix:"):
                _, fix, question = action.split(":", 2)
                doc = services.document_apply_fix(doc, fix=fix, question=int(question))
            services.survey_save_draft(survey=survey, document=doc)
        except DocumentError as error:
            return self._render(
                request, survey, None, None, problems=error.problems, raw=raw, status=400
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("survey-edit", survey_pk=survey.pk)
        if action == "publish":
            return redirect("survey-publish", survey_pk=survey.pk)
        messages.success(request, "Saved.")
        return redirect(reverse("survey-edit", kwargs={"survey_pk": survey.pk}) + _anchor(action))

    def _render(
        self,
        request: HttpRequest,
        survey: Survey,
        doc: SurveyDoc | None,
        result: LintResult | None,
        *,
        problems: dict[str, str],
        raw: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        if doc is None:  # show what was typed, with the problems, nothing saved
            doc = _lenient(raw or {}, survey)
        by_question: dict[int, list[Any]] = {}
        for finding in result.findings if result else []:
            by_question.setdefault(
                finding.question if finding.question is not None else -1, []
            ).append(finding)
        rows = builder_rows(doc)
        for row in rows:
            row["findings"] = by_question.get(row["index"], [])
            row["problems"] = {
                k.split(".", 1)[-1]: v
                for k, v in problems.items()
                if k.startswith(f"questions[{row['index']}]")
            }
        return render(
            request,
            "surveys/builder.html",
            {
                "survey": survey,
                "doc": doc,
                "rows": rows,
                "result": result,
                "survey_findings": by_question.get(-1, []),
                "problems": problems,
                "types": Question.Type.choices,
                "locales": LOCALES,
                "fix_labels": services.FIX_LABELS,
            },
            status=status,
        )


def _anchor(action: str) -> str:
    _, _, arg = action.rpartition(":")
    return f"#q{arg}" if arg.isdecimal() else ""


def _lenient(raw: dict[str, Any], survey: Survey) -> SurveyDoc:
    """Best-effort document of an invalid form, so the builder can show it again."""
    from surveys.rules.document import OptionDoc, QuestionDoc, ScaleDoc

    doc = SurveyDoc(
        kind=survey.kind,
        locale=str(raw.get("locale") or survey.locale),
        title=str(raw.get("title") or ""),
    )
    for item in raw.get("questions", []):
        scale = item.get("scale") or {}
        points = scale.get("points") if isinstance(scale.get("points"), int) else 5
        doc.questions.append(
            QuestionDoc(
                type=item.get("type") or "text",
                text=item.get("text") or "",
                required=bool(item.get("required")),
                primary=bool(item.get("primary")),
                randomize=bool(item.get("randomize")),
                options=[
                    OptionDoc(label=o["label"] if isinstance(o, dict) else str(o))
                    for o in item.get("options", [])
                ],
                scale=ScaleDoc(points=points, labels=list(scale.get("labels") or [""] * points))
                if scale
                else None,
            )
        )
    return doc


class SurveyLintView(WorkspaceMixin, View):
    """Live findings for the builder: the form's fields in, findings as JSON out. Saves nothing."""

    read_capability = Capability.MANAGE_SURVEYS
    write_capability = Capability.MANAGE_SURVEYS

    def post(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        try:
            doc = parse_document(document_from_post(request.POST, kind=survey.kind))
        except DocumentError as error:
            return JsonResponse(
                {"findings": [], "notes": [], "problems": error.problems}, status=400
            )
        return JsonResponse({**findings_json(lint(doc)), "problems": {}})


class SurveyPublishView(WorkspaceMixin, View):
    read_capability = Capability.MANAGE_SURVEYS
    write_capability = Capability.MANAGE_SURVEYS

    def get(self, request: HttpRequest, survey_pk: int, status: int = 200) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        result = lint(services.survey_document(survey))
        return render(
            request,
            "surveys/publish.html",
            {"survey": survey, "result": result, "questions": list(survey.questions.all())},
            status=status,
        )

    def post(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        acknowledgements = {
            key.removeprefix("ack-"): value
            for key, value in request.POST.items()
            if key.startswith("ack-")
        }
        try:
            services.survey_publish(
                survey=survey, user=request.user, acknowledgements=acknowledgements
            )
        except services.PublishBlocked:
            messages.error(request, "Fix the errors listed below before publishing.")
            return self.get(request, survey_pk, status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("survey-detail", survey_pk=survey.pk)
        messages.success(request, f"Published version {survey.version}.")
        return redirect("survey-detail", survey_pk=survey.pk)


@method_decorator(xframe_options_sameorigin, name="dispatch")  # shown in the builder's frame
class SurveyPreviewView(WorkspaceMixin, View):
    """The answer page as a respondent would see it, without an invitation."""

    def get(self, request: HttpRequest, survey_pk: int) -> HttpResponse:
        survey = _survey_or_404(self.workspace, survey_pk)
        return _render_answer_page(request, survey, invitation=None, preview=True)


# --- The public answer page ---------------------------------------------------------------


def _render_answer_page(
    request: HttpRequest,
    survey: Survey,
    *,
    invitation: Invitation | None,
    preview: bool = False,
    errors: dict[int, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    company = survey.workspace.public_name
    items = []
    for question in survey.questions.prefetch_related("options"):
        if invitation is not None:
            options = services.option_order(invitation, question)
        else:
            options = list(question.options.all())
        points = (
            range(0, 11)
            if question.type == Question.Type.NPS
            else range(1, (question.scale_points or 0) + 1)
        )
        labels = question.scale_labels or []
        items.append(
            {
                "q": question,
                "text": question.text.replace("{company}", company),
                "options": options,
                "points": list(points),
                "low_label": labels[0] if labels else "",
                "high_label": labels[-1] if labels else "",
                "error": (errors or {}).get(question.pk),
                "value": (values or {}).get(str(question.pk)),
            }
        )
    with translation.override(survey.locale):
        return render(
            request,
            "surveys/answer.html",
            {
                "survey": survey,
                "company": company,
                "items": items,
                "preview": preview,
                "invitation": invitation,
                "has_errors": bool(errors),
                "lang": translation.get_language(),
            },
            status=status,
        )


def _answer_status_page(
    request: HttpRequest, template: str, survey: Survey | None, status: int
) -> HttpResponse:
    locale = survey.locale if survey else "en"
    with translation.override(locale):
        company = survey.workspace.public_name if survey else ""
        return render(
            request,
            template,
            {"survey": survey, "company": company, "lang": translation.get_language()},
            status=status,
        )


@csrf_protect
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        # Links are unguessable (128 bits); counting misses per address stops anyone trying.
        if throttle.hit(throttle.UNKNOWN_LINK_PER_IP, throttle.client_ip(request)):
            return _answer_status_page(request, "surveys/answer_slow_down.html", None, 429)
        return _answer_status_page(request, "surveys/answer_not_found.html", None, 404)
    survey = invitation.survey
    if hasattr(invitation, "response"):
        return _answer_status_page(request, "surveys/answer_thanks.html", survey, 200)
    if survey.status != Survey.Status.PUBLISHED:
        return _answer_status_page(request, "surveys/answer_closed.html", survey, 410)
    if request.method == "POST":
        if throttle.hit(throttle.ANSWER_POSTS_PER_LINK, token):
            return _answer_status_page(request, "surveys/answer_slow_down.html", survey, 429)
        answers = {
            key.removeprefix("q"): request.POST.getlist(key)
            for key in request.POST
            if key.startswith("q") and key[1:].isdecimal()
        }
        try:
            with translation.override(survey.locale):  # error messages in the survey's language
                services.response_submit(invitation=invitation, answers=answers)
        except services.AnswerInvalid as invalid:
            return _render_answer_page(
                request,
                survey,
                invitation=invitation,
                errors=invalid.errors,
                values=_flat(answers),
                status=400,
            )
        except ValidationError:
            return _answer_status_page(request, "surveys/answer_closed.html", survey, 410)
        return redirect("answer", token=token)
    if request.method != "GET":
        return HttpResponse(status=405)
    services.invitation_open(invitation=invitation)
    return _render_answer_page(request, survey, invitation=invitation)


def _flat(answers: dict[str, list[str]]) -> dict[str, Any]:
    return {
        key: values if len(values) > 1 else (values[0] if values else "")
        for key, values in answers.items()
    }


# --- Campaigns -----------------------------------------------------------------------------


class CampaignListView(WorkspaceMixin, View):
    write_capability = Capability.MANAGE_CAMPAIGNS

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        return render(
            request,
            "surveys/campaign_list.html",
            {
                "campaigns": selectors.campaign_list(workspace=self.workspace),
                "form": form or CampaignForm(workspace=self.workspace),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CampaignForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                campaign = services.campaign_create(
                    workspace=self.workspace, user=request.user, data=form.campaign_data()
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    if field == "reminders":
                        field = "reminder_1_days"
                    form.add_error(field if field in form.fields else None, problems)
            else:
                return redirect("campaign-detail", campaign_pk=campaign.pk)
        return self.get(request, form=form, status=400)


class CampaignDetailView(WorkspaceMixin, View):
    write_capability = Capability.MANAGE_CAMPAIGNS

    def _campaign(self, campaign_pk: int) -> Campaign:
        campaign = selectors.campaign_get(workspace=self.workspace, pk=campaign_pk)
        if campaign is None:
            raise Http404("No such campaign in this workspace.")
        return campaign

    def post(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        """Launch: store the plan and queue the invitations; waves go out when due."""
        campaign = self._campaign(campaign_pk)
        try:
            delivery.campaign_launch(campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Launched. The first wave goes out within a minute.")
        return redirect("campaign-detail", campaign_pk=campaign.pk)

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = self._campaign(campaign_pk)
        if campaign.status == Campaign.Status.LAUNCHED:
            return render(
                request,
                "surveys/campaign_progress.html",
                {"campaign": campaign, **_progress(campaign)},
            )
        plan = plan_json(campaign)
        for row in plan["rows"]:
            row["percent"] = round(row["population_share"] * 100, 1)
            row["wave_percents"] = [
                round(count * 100 / size, 1) if size else 0
                for count, size in zip(row["waves"], plan["wave_sizes"], strict=True)
            ]
        return render(
            request,
            "surveys/campaign_detail.html",
            {"campaign": campaign, "plan": plan, "wave_numbers": range(1, campaign.waves + 1)},
        )


def _progress(campaign: Campaign) -> dict[str, Any]:
    waves = delivery.wave_progress(campaign=campaign)
    return {
        "waves": waves,
        "channels": delivery.channel_response_rates(campaign=campaign),
        "sending": any(w["queued"] or w["status"] != "Dispatched" for w in waves),
    }


class CampaignProgressView(WorkspaceMixin, View):
    """The launched campaign's counts as JSON, polled by the campaign page while it sends."""

    read_capability = Capability.MANAGE_CAMPAIGNS

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = selectors.campaign_get(workspace=self.workspace, pk=campaign_pk)
        if campaign is None:
            raise Http404("No such campaign in this workspace.")
        progress = _progress(campaign)
        for wave in progress["waves"]:
            wave["due_at"] = wave["due_at"].isoformat()
        return JsonResponse(progress)


class OutboxView(WorkspaceMixin, View):
    """The embedded channel: what would have been sent by SMS and email, links clickable."""

    read_capability = Capability.MANAGE_CAMPAIGNS

    def get(self, request: HttpRequest) -> HttpResponse:
        messages_ = selectors.outbox_list(workspace=self.workspace)[:200]
        return render(request, "surveys/outbox.html", {"outbox": messages_})
