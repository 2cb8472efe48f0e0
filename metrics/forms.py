"""Dashboard filters and case forms; bad values are field errors, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Workspace
from accounts.roles import Capability, role_can
from accounts.selectors import member_list
from metrics.models import FollowUpCase
from metrics.selectors import DIMENSIONS, Filters
from surveys.campaigns import CUSTOMER_SEGMENTS
from surveys.models import Campaign, Survey

PERIODS = {"30": 30, "90": 90, "365": 365, "": None}
BREAKDOWNS = [*CUSTOMER_SEGMENTS, "arr_band", "campaign", "wave", "channel", "month", "quarter"]


class SegmentField(forms.CharField):
    """``name=value`` (``industry=Retail``, ``attributes.department=IT``, ``campaign=Q4``)
    cleaned into a (name, value) pair, or None when empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "e.g. industry=Retail or attributes.department=IT")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> tuple[str, str] | None:
        raw = (super().clean(value) or "").strip()
        if not raw:
            return None
        name, sep, wanted = raw.partition("=")
        name, wanted = name.strip(), wanted.strip()
        if not sep or not wanted:
            raise forms.ValidationError("Write it as name=value, e.g. industry=Retail.")
        attribute = (
            name.startswith("attributes.") and name.removeprefix("attributes.").isidentifier()
        )
        if name not in CUSTOMER_SEGMENTS and not attribute and name not in DIMENSIONS:
            raise forms.ValidationError(
                "Use industry, region, plan, attributes.<name>, campaign, wave or channel."
            )
        return name, wanted


class DashboardForm(forms.Form):
    survey = forms.ChoiceField(required=False)
    campaign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All time"),
            ("30", "Last 30 days"),
            ("90", "Last 90 days"),
            ("365", "Last year"),
        ],
    )
    segment = SegmentField()
    by = forms.ChoiceField(
        required=False, choices=[(b, b.replace("_", " ").capitalize()) for b in BREAKDOWNS]
    )
    trend = forms.ChoiceField(
        required=False, choices=[("quarter", "Quarter"), ("month", "Month"), ("wave", "Wave")]
    )
    kind = forms.ChoiceField(
        required=False, choices=[("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")]
    )
    exclude_flagged = forms.BooleanField(required=False, label="Leave out flagged responses")
    comments = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All"),
            ("promoters", "Promoters"),
            ("passives", "Passives"),
            ("detractors", "Unhappy"),
        ],
    )
    sort = forms.ChoiceField(
        required=False, choices=[("value", "Segment"), ("score", "Score"), ("n", "Responses")]
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lineages = (
            Survey.objects.filter(workspace=workspace)
            .exclude(status=Survey.Status.DRAFT)
            .order_by("-version")
        )
        seen: dict[str, str] = {}
        for survey in lineages:
            seen.setdefault(str(survey.lineage), survey.title)
        self.fields["survey"].choices = [("", "All surveys"), *seen.items()]
        self.fields["campaign"].choices = [
            ("", "All campaigns"),
            *Campaign.objects.filter(workspace=workspace).values_list("pk", "name"),
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        days = PERIODS.get(data.get("period") or "")
        return Filters(
            survey_lineage=data.get("survey") or None,
            campaign=data.get("campaign"),
            since=timezone.now() - timedelta(days=days) if days else None,
            segment=data.get("segment"),
            exclude_flagged=bool(data.get("exclude_flagged")),
        )

    def value(self, name: str, default: str) -> str:
        return (self.cleaned_data.get(name) if self.is_valid() else "") or default


def case_workers(workspace: Workspace) -> list[tuple[int, str]]:
    return [
        (m.user_id, m.user.email)
        for m in member_list(workspace=workspace)
        if role_can(m.role, Capability.WORK_CASES)
    ]


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Open and in progress"), ("all", "All"), *FollowUpCase.Status.choices],
    )
    reason = forms.ChoiceField(
        required=False, choices=[("", "Any reason"), *FollowUpCase.Reason.choices]
    )
    assignee = forms.ChoiceField(required=False)
    segment = SegmentField()

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("none", "Unassigned"),
            *((str(pk), email) for pk, email in case_workers(workspace)),
        ]

    def selector_kwargs(self) -> dict[str, Any]:
        """The filters as ``selectors.case_list`` takes them (open cases when unfiltered)."""
        data = self.cleaned_data if self.is_valid() else {}
        status, assignee = data.get("status") or "", data.get("assignee") or ""
        return {
            "status": "" if status in {"", "all"} else status,
            "open_only": status == "",
            "reason": data.get("reason") or "",
            "segment": data.get("segment"),
            "unassigned": assignee == "none",
            "assignee_id": int(assignee) if assignee.isdecimal() else None,
        }


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=FollowUpCase.Status.choices)
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *FollowUpCase.Outcome.choices])


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Note")
