"""Browser forms, and the list filters that the browser and the API share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Contact, Customer, Membership, Role, Workspace


class _WorkspaceForm(forms.Form):
    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        self.workspace = workspace
        super().__init__(*args, **kwargs)


class CustomerFilterForm(_WorkspaceForm):
    q = forms.CharField(required=False, label="Search", max_length=200)
    industry = forms.CharField(required=False, max_length=80)
    region = forms.CharField(required=False, max_length=80)
    plan = forms.CharField(required=False, max_length=80)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    arr_min = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    arr_max = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.filter(
            workspace=self.workspace
        ).select_related("user")

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "search": data["q"],
            "industry": data["industry"],
            "region": data["region"],
            "plan": data["plan"],
            "owner": data["owner"],
            "arr_min": data["arr_min"],
            "arr_max": data["arr_max"],
        }


class ContactFilterForm(_WorkspaceForm):
    q = forms.CharField(required=False, label="Search", max_length=200)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    industry = forms.CharField(required=False, max_length=80)
    region = forms.CharField(required=False, max_length=80)
    plan = forms.CharField(required=False, max_length=80)
    include_erased = forms.BooleanField(required=False, label="Show erased")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(workspace=self.workspace)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "search": data["q"],
            "customer": data["customer"],
            "industry": data["industry"],
            "region": data["region"],
            "plan": data["plan"],
            "include_erased": data["include_erased"],
        }


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "external_id", "industry", "region", "plan", "arr", "owner"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")
        self.fields["owner"].label_from_instance = lambda m: m.user.get_full_name()

    def validate_unique(self) -> None:
        """Uniqueness is the service's job; it reports clashes with field names."""


class ContactForm(forms.ModelForm):
    # Plain text fields: the service reads phone numbers in the workspace's region and
    # normalises emails, so the form must not reject a national number first.
    email = forms.CharField(required=False, max_length=254)
    phone = forms.CharField(
        required=False,
        max_length=40,
        help_text="Any format; national numbers use the workspace's country.",
    )

    class Meta:
        model = Contact
        fields = ["customer", "name", "external_id", "email", "phone", "time_zone", "locale"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(workspace=workspace)

    def validate_unique(self) -> None:
        """Uniqueness is the service's job; it reports clashes with field names."""

    def _post_clean(self) -> None:
        # Skip the model's own full_clean: contact_save validates with the workspace's rules.
        pass


class ContactImportForm(forms.Form):
    file = forms.FileField(help_text="CSV, UTF-8, first line names the columns.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".tsv")):
            raise ValidationError("Upload a .csv file (export your spreadsheet as CSV UTF-8).")
        return upload


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = [
            "name",
            "default_region",
            "time_zone",
            "sender_name",
            "sender_email",
            "sms_sender",
            "case_sla_days",
            "slack_webhook_url",
        ]
        labels = {"case_sla_days": "Follow-up SLA (business days)"}


class MemberAddForm(forms.Form):
    email = forms.EmailField(help_text="The person must already have a Pulse login.")
    role = forms.ChoiceField(choices=Role.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What will use it, e.g. “CRM sync”.")
