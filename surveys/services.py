"""Every write of the surveys app: authoring, publishing, versions, invitations, answers."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contact, User, Workspace
from surveys.catalog import template_document, validated_primary
from surveys.models import Campaign, Invitation, Option, Question, Response, Survey
from surveys.rules import Finding, lint
from surveys.rules.document import OptionDoc, QuestionDoc, ScaleDoc, SurveyDoc, parse_document

# --- Documents <-> rows ----------------------------------------------------------------------


def survey_document(survey: Survey) -> SurveyDoc:
    """The survey as a document (what the rules, the API and the builder read)."""
    doc = SurveyDoc(
        kind=survey.kind,
        locale=survey.locale,
        title=survey.title,
        intro=survey.intro,
        thank_you=survey.thank_you,
    )
    for question in survey.questions.prefetch_related("options"):
        scale = None
        if question.type in {Question.Type.RATING, Question.Type.NPS}:
            scale = ScaleDoc(
                points=question.scale_points or 11,
                labels=list(question.scale_labels),
                direction=question.scale_direction,
            )
        doc.questions.append(
            QuestionDoc(
                type=question.type,
                text=question.text,
                required=question.required,
                primary=question.primary,
                randomize=question.randomize,
                scale=scale,
                options=[
                    OptionDoc(label=o.label, value=o.value, anchored=o.anchored)
                    for o in question.options.all()
                ],
            )
        )
    return doc


def _write_questions(survey: Survey, doc: SurveyDoc) -> None:
    survey.questions.all().delete()
    primary = doc.primary_question()
    for position, item in enumerate(doc.questions):
        question = Question.objects.create(
            survey=survey,
            position=position,
            type=item.type,
            text=item.text,
            required=item.required,
            randomize=item.randomize and item.is_choice,
            primary=primary is not None and primary[0] == position,
            scale_points=item.scale.points if item.scale else None,
            scale_labels=item.scale.labels if item.scale else [],
            scale_direction=item.scale.direction if item.scale else "ascending",
        )
        Option.objects.bulk_create(
            [
                Option(
                    question=question,
                    position=i,
                    label=o.label,
                    value=o.value or o.label,
                    anchored=o.anchored,
                )
                for i, o in enumerate(item.options)
            ]
        )


@transaction.atomic
def survey_create(*, workspace: Workspace, user: User | None, document: SurveyDoc) -> Survey:
    """A new draft survey (version 1) from a document."""
    survey = Survey.objects.create(
        workspace=workspace,
        created_by=user,
        kind=document.kind,
        locale=document.locale,
        title=document.title or _default_title(document),
        intro=document.intro,
        thank_you=document.thank_you,
    )
    _write_questions(survey, document)
    return survey


def _default_title(doc: SurveyDoc) -> str:
    return {"nps": "NPS survey", "csat": "CSAT survey", "ces": "CES survey"}.get(
        doc.kind, "Untitled survey"
    )


def survey_create_from_template(
    *, workspace: Workspace, user: User | None, kind: str, locale: str = "en"
) -> Survey:
    if kind == "custom":
        document = parse_document(
            {
                "kind": "custom",
                "locale": locale,
                "title": "Untitled survey",
                "questions": [blank_question("rating")],
            }
        )
    else:
        document = parse_document(template_document(kind, locale))
    return survey_create(workspace=workspace, user=user, document=document)


@transaction.atomic
def survey_save_draft(*, survey: Survey, document: SurveyDoc) -> Survey:
    """Replace a draft's content. Published and archived versions are frozen."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if not locked.is_draft:
        raise ValidationError("This version is published and frozen; edit a new version.")
    locked.title = document.title or locked.title
    locked.locale = document.locale
    locked.intro = document.intro
    locked.thank_you = document.thank_you
    locked.save(update_fields=["title", "locale", "intro", "thank_you"])
    _write_questions(locked, document)
    return locked


class PublishBlocked(Exception):
    def __init__(self, errors: list[Finding]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) block publishing")


def survey_publish(
    *, survey: Survey, user: User | None, acknowledgements: dict[str, str] | None = None
) -> Survey:
    """Publish a draft unless a rule finds an error.

    ``acknowledgements`` maps ``"<code>:<question>"`` of warnings to the reason they were
    accepted; reasons are stored with who and when. Publishing twice is refused. The draft is
    locked while it is checked, so a concurrent save cannot slip in unchecked.
    """
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.is_draft:
            raise ValidationError("Only a draft can be published.")
        result = lint(survey_document(locked))
        if result.errors:
            raise PublishBlocked(result.errors)
        acknowledged = []
        for finding in result.warnings:
            key = f"{finding.code}:{finding.question}"
            reason = (acknowledgements or {}).get(key, "").strip()
            if reason:
                acknowledged.append(
                    {
                        "code": finding.code,
                        "question": finding.question,
                        "reason": reason[:500],
                        "by": user.email if user else None,
                        "at": timezone.now().isoformat(),
                    }
                )
        Survey.objects.filter(pk=locked.pk).update(
            status=Survey.Status.PUBLISHED,
            published_at=timezone.now(),
            acknowledgements=acknowledged,
        )
    survey.refresh_from_db()
    return survey


def survey_new_version(*, survey: Survey, user: User | None) -> Survey:
    """The lineage's draft: the existing one, or a copy of ``survey`` as the next version.
    Two requests at once (a double click) both get the same draft."""
    try:
        return _survey_new_version(survey, user)
    except IntegrityError:  # the other request made the draft first
        return Survey.objects.get(lineage=survey.lineage, status=Survey.Status.DRAFT)


@transaction.atomic
def _survey_new_version(survey: Survey, user: User | None) -> Survey:
    """The lineage's draft: the existing one, or a copy of ``survey`` as the next version."""
    existing = Survey.objects.filter(lineage=survey.lineage, status=Survey.Status.DRAFT).first()
    if existing is not None:
        return existing
    latest = Survey.objects.filter(lineage=survey.lineage).aggregate(v=Max("version"))["v"]
    draft = Survey.objects.create(
        workspace=survey.workspace,
        lineage=survey.lineage,
        version=(latest or 0) + 1,
        title=survey.title,
        kind=survey.kind,
        locale=survey.locale,
        intro=survey.intro,
        thank_you=survey.thank_you,
        created_by=user,
    )
    _write_questions(draft, survey_document(survey))
    return draft


def survey_archive(*, survey: Survey) -> Survey:
    """Close a published version: its links then show “this survey has closed”."""
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("Only a published survey can be closed; a draft can be edited.")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.ARCHIVED)
    survey.refresh_from_db()
    return survey


# --- Builder actions (pure: raw document in, raw document out) ---------------------------


def document_apply_action(raw: dict[str, Any], *, action: str) -> dict[str, Any]:
    """The builder's add/delete/move buttons on a raw document (before it is parsed):
    ``add:<type>``, ``delete:<i>``, ``up:<i>``, ``down:<i>``. Other actions change nothing;
    deleting the last question leaves a blank open one."""
    questions = raw["questions"]
    verb, _, arg = action.partition(":")
    if verb == "add" and len(questions) < 100:
        questions.append(blank_question(arg))
    elif verb in {"delete", "up", "down"} and arg.isdecimal() and int(arg) < len(questions):
        index = int(arg)
        if verb == "delete":
            questions.pop(index)
            if not questions:
                questions.append(blank_question("text"))
        elif verb == "up" and index > 0:
            questions[index - 1], questions[index] = questions[index], questions[index - 1]
        elif verb == "down" and index < len(questions) - 1:
            questions[index + 1], questions[index] = questions[index], questions[index + 1]
    return raw


def blank_question(qtype: str) -> dict[str, Any]:
    """A starting question of each type, written to pass the rules once completed."""
    texts = {
        "nps": "How likely are you to recommend {company} to a friend or colleague?",
        "rating": "How satisfied or dissatisfied are you with …?",
        "single_choice": "Which … ?",
        "multi_choice": "Which … ? (choose all that apply)",
        "text": "What is the main reason for your answer?",
    }
    qtype = qtype if qtype in texts else "text"
    question: dict[str, Any] = {"type": qtype, "text": texts[qtype], "required": qtype != "text"}
    if qtype == "rating":
        question["scale"] = {
            "points": 5,
            "labels": ["Very dissatisfied", "", "", "", "Very satisfied"],
        }
    if qtype in {"single_choice", "multi_choice"}:
        question["options"] = ["Option A", "Option B", {"label": "Other", "anchored": True}]
    return question


# --- One-click fixes (pure: document in, document out) -------------------------------------

FIX_LABELS = {
    "randomize": "Turn on randomization",
    "no-randomize": "Keep the order",
    "add-other": "Add “Other”",
    "restore-wording": "Restore the validated wording",
    "label-scale": "Label the ends",
}


def document_apply_fix(doc: SurveyDoc, *, fix: str, question: int) -> SurveyDoc:
    if not 0 <= question < len(doc.questions):
        raise ValidationError("That question does not exist.")
    item = doc.questions[question]
    if fix == "randomize":
        item.randomize = True
    elif fix == "no-randomize":
        item.randomize = False
    elif fix == "add-other":
        item.options.append(OptionDoc(label="Other", value="other", anchored=True))
    elif fix.startswith("remove-option:") and fix.split(":")[1].isdecimal():
        position = int(fix.split(":")[1])
        if position < len(item.options):
            del item.options[position]
    elif fix == "label-scale" and item.scale:
        labels = item.scale.labels or [""] * item.scale.points
        labels[0] = labels[0] or "Very dissatisfied"
        labels[-1] = labels[-1] or "Very satisfied"
        item.scale.labels = labels
    elif fix == "restore-wording":
        reference = validated_primary(doc.kind, doc.locale)
        if reference is None:
            raise ValidationError("This survey kind has no validated wording.")
        restored = parse_document(
            {"kind": doc.kind, "locale": doc.locale, "questions": [reference]}
        ).questions[0]
        doc.questions[question] = restored
    else:
        raise ValidationError(f"Unknown fix “{fix}”.")
    return doc


# --- Invitations and answers ---------------------------------------------------------------


def invitation_create_test(*, survey: Survey, contact: Contact) -> Invitation:
    """A test link for one contact (until campaigns send real ones)."""
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("Publish the survey before inviting anyone.")
    if contact.workspace_id != survey.workspace_id or contact.is_erased:
        raise ValidationError({"contact": ["Choose a contact of this workspace."]})
    return Invitation.objects.create(
        workspace=survey.workspace, survey=survey, contact=contact, is_test=True
    )


def responses_anonymize(*, contact: Contact) -> None:
    """Remove free text from a contact's answers (part of erasure); scores and choices stay."""
    for response in Response.objects.filter(contact=contact).select_related("survey"):
        text_ids = {
            str(pk)
            for pk in response.survey.questions.filter(type=Question.Type.TEXT).values_list(
                "pk", flat=True
            )
        }
        response.answers = {k: v for k, v in response.answers.items() if k not in text_ids}
        response.comment = ""
        response.save(update_fields=["answers", "comment"])


def invitation_open(*, invitation: Invitation) -> None:
    """Record the first opening. Opening again changes nothing."""
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.CREATED).update(
        status=Invitation.Status.OPENED, opened_at=timezone.now()
    )


def option_order(invitation: Invitation, question: Question) -> list[Option]:
    """Options in the order this respondent sees them: shuffled (seeded by the invitation, so
    a reload shows the same order) when the question says so, anchored options last."""
    options = list(question.options.all())
    if not question.randomize:
        return options
    movable = [o for o in options if not o.anchored]
    random.Random(f"{invitation.token}:{question.pk}").shuffle(movable)
    return movable + [o for o in options if o.anchored]


class AnswerInvalid(Exception):
    def __init__(self, errors: dict[int, str]) -> None:
        self.errors = errors  # question id -> message
        super().__init__(errors)


@dataclass
class SubmitResult:
    response: Response
    created: bool


def _clean_answer(question: Question, raw: Any) -> Any:
    values = raw if isinstance(raw, list) else [raw]
    values = [str(v).strip() for v in values if v is not None and str(v).strip() != ""]
    if not values:
        if question.required:
            raise ValueError(_("Please answer this question."))
        return None
    if question.type in {Question.Type.NPS, Question.Type.RATING}:
        low, high = (0, 10) if question.type == Question.Type.NPS else (1, question.scale_points)
        try:
            number = int(values[0])
        except ValueError:
            raise ValueError(_number_message(low, high)) from None
        if not low <= number <= (high or 0):
            raise ValueError(_number_message(low, high))
        return number
    if question.type == Question.Type.TEXT:
        text = values[0]
        if len(text) > 5000:
            raise ValueError(_("Please keep the answer under 5,000 characters."))
        return text
    option_ids = {str(o.pk) for o in question.options.all()}
    if not set(values) <= option_ids:
        raise ValueError(_("Choose one of the options."))
    if question.type == Question.Type.SINGLE_CHOICE:
        if len(values) > 1:
            raise ValueError(_("Choose one option."))
        return int(values[0])
    return sorted({int(v) for v in values})


def _number_message(low: int, high: int | None) -> str:
    return _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}


def response_submit(*, invitation: Invitation, answers: dict[str, Any]) -> SubmitResult:
    """Record the one response of an invitation.

    ``answers`` maps question ids (as text) to raw values. A second submit (double click,
    second tab, concurrent request) finds the first response and changes nothing.
    """
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        return SubmitResult(existing, created=False)
    survey = invitation.survey
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("This survey has closed.")
    questions = list(survey.questions.prefetch_related("options"))
    cleaned: dict[str, Any] = {}
    errors: dict[int, str] = {}
    for question in questions:
        try:
            value = _clean_answer(question, answers.get(str(question.pk)))
        except ValueError as exc:
            errors[question.pk] = str(exc)
            continue
        if value is not None:
            cleaned[str(question.pk)] = value
    if errors:
        raise AnswerInvalid(errors)
    primary = next((q for q in questions if q.primary), None)
    comment = next(
        (
            cleaned[str(q.pk)]
            for q in questions
            if q.type == Question.Type.TEXT and str(q.pk) in cleaned
        ),
        "",
    )
    order = {
        str(q.pk): [o.pk for o in option_order(invitation, q)] for q in questions if q.randomize
    }
    try:
        with transaction.atomic():
            response = Response.objects.create(
                workspace=invitation.workspace,
                invitation=invitation,
                survey=survey,
                contact=invitation.contact,
                score=cleaned.get(str(primary.pk)) if primary else None,
                comment=comment,
                answers=cleaned,
                option_order=order,
                opened_at=invitation.opened_at,
                is_test=invitation.is_test,
            )
            Invitation.objects.filter(pk=invitation.pk).update(
                status=Invitation.Status.ANSWERED, answered_at=timezone.now()
            )
            _recorded(response)
    except IntegrityError:  # the other request won the race
        return SubmitResult(Response.objects.get(invitation=invitation), created=False)
    return SubmitResult(response, created=True)


def _recorded(response: Response) -> None:
    """Quality flags and the follow-up case of a response (the metrics app owns both)."""
    from metrics.services import response_recorded

    response_recorded(response=response)


def response_submit_sms_score(*, invitation: Invitation, score: int) -> SubmitResult:
    """Record an NPS score texted back as the invitation's response (source "sms") and wait
    for the comment. The survey's other questions stay unanswered. Like ``response_submit``,
    a second score for the same invitation changes nothing.
    """
    primary = invitation.survey.questions.filter(primary=True, type=Question.Type.NPS).first()
    if primary is None or not 0 <= score <= 10:
        raise ValidationError("This invitation's survey has no 0–10 question to answer by SMS.")
    if invitation.survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("This survey has closed.")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                workspace=invitation.workspace,
                invitation=invitation,
                survey=invitation.survey,
                contact=invitation.contact,
                score=score,
                answers={str(primary.pk): score},
                opened_at=invitation.opened_at,
                is_test=invitation.is_test,
                source="sms",
            )
            Invitation.objects.filter(pk=invitation.pk).update(
                status=Invitation.Status.ANSWERED,
                answered_at=timezone.now(),
                awaiting_sms_comment=True,
            )
            _recorded(response)
    except IntegrityError:
        return SubmitResult(Response.objects.get(invitation=invitation), created=False)
    return SubmitResult(response, created=True)


def response_add_sms_comment(*, invitation: Invitation, text: str) -> bool:
    """Store the reply that follows an SMS score as the response's comment (and the answer to
    the survey's first open question). Only once: True if this call stored it."""
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, awaiting_sms_comment=True).update(
            awaiting_sms_comment=False
        ):
            return False
        response = Response.objects.select_for_update().get(invitation=invitation)
        comment = text.strip()[:2000]
        response.comment = comment
        question = invitation.survey.questions.filter(type=Question.Type.TEXT).first()
        if question is not None:
            response.answers = {**response.answers, str(question.pk): comment}
        response.save(update_fields=["comment", "answers"])
        _recorded(response)  # the comment may change the quality flags; the case stays one
    return True


# --- Campaigns -----------------------------------------------------------------------------


def parse_wave_time(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text (or a datetime); None when it is not one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None


def _schedule_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of a campaign's send window, reminders and fatigue windows."""
    from surveys.campaigns import segment_lookup

    errors: dict[str, list[str]] = {}
    days = data.get("send_days") or []
    if not isinstance(days, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days
    ):
        errors["send_days"] = ["Weekdays as numbers from 0 (Monday) to 6 (Sunday)."]
    start, end = data.get("send_start"), data.get("send_end")
    if (start is None) != (end is None):
        errors["send_end"] = ["Give both ends of the send window, or neither."]
    elif start is not None and start == end:
        errors["send_end"] = ["The send window must not start and end at the same time."]
    times = data.get("wave_times") or []
    if times:
        parsed = [parse_wave_time(t) for t in times] if isinstance(times, list) else [None]
        if None in parsed:
            errors["wave_times"] = [
                "Give each wave's start as a date and time, e.g. 2026-12-01T09:00:00+09:00."
            ]
        elif len(parsed) != int(data.get("waves") or 1):
            errors["wave_times"] = [f"Give one time per wave ({int(data.get('waves') or 1)})."]
        elif any(b <= a for a, b in itertools.pairwise(parsed)):
            errors["wave_times"] = ["Each wave must start after the one before it."]
    reminders = data.get("reminders") or []
    problems = []
    if not isinstance(reminders, list) or len(reminders) > MAX_REMINDERS:
        problems.append(f"At most {MAX_REMINDERS} reminders, as a list.")
    else:
        previous = 0
        for number, reminder in enumerate(reminders, start=1):
            if not isinstance(reminder, dict) or set(reminder) != {"after_days", "message"}:
                problems.append(f"Reminder {number}: give after_days and message.")
                continue
            after, message = reminder["after_days"], reminder["message"]
            if not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= 60:
                problems.append(f"Reminder {number}: after_days from 1 to 60.")
            elif after <= previous:
                problems.append(f"Reminder {number}: must come after the one before it.")
            else:
                previous = after
            if not isinstance(message, str) or "{link}" not in message or len(message) > 1000:
                problems.append(
                    f"Reminder {number}: a message of up to 1,000 characters with {{link}}."
                )
    if problems:
        errors["reminders"] = problems
    segment, overrides = data.get("fatigue_segment") or "", data.get("fatigue_overrides") or {}
    if not isinstance(overrides, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3650
        for k, v in overrides.items()
    ):
        errors["fatigue_overrides"] = ['Days per segment value, e.g. {"Enterprise": 120}.']
    elif overrides and not segment:
        errors["fatigue_segment"] = ["Name the segment whose values have their own window."]
    if segment:
        try:
            segment_lookup(segment)
        except ValidationError as error:
            errors["fatigue_segment"] = [m.replace("strata", "segment") for m in error.messages]
    return errors


# What a campaign's author sets (the survey is checked on its own).
CAMPAIGN_FIELDS = (
    "name",
    "channel",
    "audience",
    "strata",
    "sample_count",
    "sample_percent",
    "waves",
    "fatigue_days",
    "message",
    "quiet_start",
    "quiet_end",
    "send_days",
    "send_start",
    "send_end",
    "wave_interval_hours",
    "wave_times",
    "fatigue_segment",
    "fatigue_overrides",
    "reminders",
    "repeat_months",
)
MAX_REMINDERS = 3


def campaign_create(*, workspace: Workspace, user: User | None, data: dict[str, Any]) -> Campaign:
    """A draft campaign; its plan is computed on demand (``surveys.campaigns.plan_json``)."""
    from surveys.campaigns import validate_campaign_fields

    errors: dict[str, list[str]] = {}
    survey = data.get("survey")
    if not isinstance(survey, Survey) or survey.workspace_id != workspace.pk:
        errors["survey"] = ["Choose a survey of this workspace."]
    elif survey.status != Survey.Status.PUBLISHED:
        errors["survey"] = ["Only a published survey can be sent."]
    if data.get("sample_count") is not None and data.get("sample_percent") is not None:
        errors["sample_count"] = ["Give a number or a percentage, not both."]
    percent = data.get("sample_percent")
    if percent is not None and not 0 < percent <= 100:
        errors["sample_percent"] = ["A percentage from 0 (excluded) to 100."]
    if not 1 <= int(data.get("waves") or 1) <= 20:
        errors["waves"] = ["From 1 to 20 waves."]
    if "{link}" not in str(data.get("message", "{link}")):
        errors["message"] = ["The message must contain {link}."]
    try:
        validate_campaign_fields(audience=data.get("audience", {}), strata=data.get("strata", []))
    except ValidationError as error:
        errors.update(error.message_dict)
    errors.update(_schedule_errors(data))
    if errors:
        raise ValidationError(errors)
    fields = {k: v for k, v in data.items() if k in CAMPAIGN_FIELDS}
    if fields.get("wave_times"):  # stored in one shape: ISO 8601 with the offset
        fields["wave_times"] = [parse_wave_time(t).isoformat() for t in fields["wave_times"]]
    return Campaign.objects.create(workspace=workspace, survey=survey, created_by=user, **fields)
