"""The campaign form of the browser: the same fields the API takes."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Workspace
from surveys.campaigns import CUSTOMER_SEGMENTS
from surveys.models import Campaign, Survey
from surveys.services import CAMPAIGN_FIELDS


class CampaignForm(forms.ModelForm):
    strata = forms.MultipleChoiceField(
        choices=[(s, s.capitalize()) for s in CUSTOMER_SEGMENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each wave mirrors these segments.",
    )

    class Meta:
        model = Campaign
        # The API's fields (the audience filter is API-only for now).
        fields = ["survey", *(f for f in CAMPAIGN_FIELDS if f != "audience")]
        labels = {
            "sample_count": "Sample (number of contacts)",
            "sample_percent": "or sample (% of the eligible)",
        }
        help_texts = {"sample_count": "Leave both empty to invite everyone eligible."}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(
            workspace=workspace, status=Survey.Status.PUBLISHED
        )

    def _post_clean(self) -> None:
        """The service validates across fields (campaign_create)."""
