"""The campaign form of the browser: the same fields the API takes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from accounts.models import Workspace
from surveys.campaigns import CUSTOMER_SEGMENTS
from surveys.models import Campaign, Survey
from surveys.services import CAMPAIGN_FIELDS, MAX_REMINDERS

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class CampaignForm(forms.ModelForm):
    strata = forms.MultipleChoiceField(
        choices=[(s, s.capitalize()) for s in CUSTOMER_SEGMENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each wave mirrors these segments.",
    )
    send_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Send on",
        help_text="None ticked: any day. In each contact's own time zone.",
    )
    fatigue_segment = forms.ChoiceField(
        choices=[("", "—"), *((s, s.capitalize()) for s in CUSTOMER_SEGMENTS)],
        required=False,
        label="Fatigue window by",
    )

    class Meta:
        model = Campaign
        # The API's fields (the audience filter is API-only for now; reminders come below).
        fields = [
            "survey",
            *(f for f in CAMPAIGN_FIELDS if f not in {"audience", "reminders", "wave_times"}),
        ]
        labels = {
            "sample_count": "Sample (number of contacts)",
            "sample_percent": "or sample (% of the eligible)",
            "send_start": "Send window from",
            "send_end": "Send window until",
            "wave_interval_hours": "Hours between waves",
            "fatigue_days": "Fatigue window (days)",
            "fatigue_overrides": "Days per segment value",
            "repeat_months": "Repeat every (months)",
        }
        help_texts = {
            "sample_count": "Leave both empty to invite everyone eligible.",
            "send_start": "Contact-local, e.g. 09:00; on top of quiet hours. Empty: any time.",
            "message": "{company} and {link} are filled in. The plan shows the SMS length.",
        }
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
            "send_start": forms.TimeInput(attrs={"type": "time"}),
            "send_end": forms.TimeInput(attrs={"type": "time"}),
            "fatigue_overrides": forms.Textarea(
                attrs={"rows": 2, "placeholder": '{"Enterprise": 120, "Starter": 30}'}
            ),
            "message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["wave_times"] = forms.CharField(
            required=False,
            label="or explicit wave times",
            widget=forms.Textarea(attrs={"rows": 2, "placeholder": "2026-12-01 09:00"}),
            help_text=f"One date and time per wave, one per line ({workspace.time_zone}). "
            "Empty: waves go out every “hours between waves” from launch.",
        )
        self.fields["survey"].queryset = Survey.objects.filter(
            workspace=workspace, status=Survey.Status.PUBLISHED
        )
        for number in range(1, MAX_REMINDERS + 1):
            self.fields[f"reminder_{number}_days"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=60,
                label=f"Reminder {number} after (days)",
                help_text="Only to those who have not answered. Empty: no reminder."
                if number == 1
                else "",
            )
            self.fields[f"reminder_{number}_message"] = forms.CharField(
                required=False,
                max_length=1000,
                label=f"Reminder {number} text",
                widget=forms.Textarea(attrs={"rows": 2}),
                initial="A reminder from {company}: your answer helps. {link}",
            )

    def _post_clean(self) -> None:
        """The service validates across fields (campaign_create)."""

    def clean_wave_times(self) -> list[str]:
        zone = ZoneInfo(self.workspace.time_zone)
        times = []
        for line in self.cleaned_data["wave_times"].splitlines():
            if not line.strip():
                continue
            try:
                moment = datetime.fromisoformat(line.strip().replace(" ", "T", 1))
            except ValueError:
                raise forms.ValidationError(f"“{line.strip()}” is not a date and time.") from None
            times.append((moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat())
        return times

    def campaign_data(self) -> dict[str, Any]:
        """The cleaned values in the service's shape (reminders as a list)."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("reminder_")}
        data["audience"] = {}
        data["fatigue_overrides"] = data.get("fatigue_overrides") or {}
        data["reminders"] = [
            {
                "after_days": self.cleaned_data[f"reminder_{n}_days"],
                "message": self.cleaned_data.get(f"reminder_{n}_message") or "",
            }
            for n in range(1, MAX_REMINDERS + 1)
            if self.cleaned_data.get(f"reminder_{n}_days")
        ]
        return data
