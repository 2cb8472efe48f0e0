from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts.models import Contact, ContactImport, ContactImportRowError, Customer, Membership


class CustomerSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(
        required=False, allow_null=True, help_text="Email of the member who owns the account."
    )
    attributes = serializers.DictField(required=False, help_text="Free attributes.")

    class Meta:
        model = Customer
        fields = [
            "id",
            "external_id",
            "name",
            "industry",
            "region",
            "plan",
            "arr",
            "owner_email",
            "attributes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance: Customer) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["owner_email"] = instance.owner.user.email if instance.owner else None
        return data

    def validate_owner_email(self, value: str | None) -> Membership | None:
        if not value:
            return None
        owner = (
            Membership.objects.filter(
                workspace=self.context["workspace"], user__email=value.lower()
            )
            .select_related("user")
            .first()
        )
        if owner is None:
            raise serializers.ValidationError("No member of this workspace has this email.")
        return owner

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        if "owner_email" in values:
            values["owner"] = values.pop("owner_email")
        return values


class ContactSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Any format; stored in E.164. National numbers use the workspace's country.",
    )
    attributes = serializers.DictField(required=False, help_text="Free attributes.")

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "external_id",
            "name",
            "email",
            "phone",
            "time_zone",
            "locale",
            "attributes",
            "email_unsubscribed_at",
            "sms_opted_out_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        # Consent changes only through the channels' own opt-out handling (STOP, unsubscribe),
        # never by an integration overwriting it.
        read_only_fields = [
            "id",
            "email_unsubscribed_at",
            "sms_opted_out_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"time_zone": {"validators": []}}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        workspace = self.context.get("workspace")
        if workspace is not None:
            fields["customer"].queryset = Customer.objects.filter(workspace=workspace)
        return fields


class ContactImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ContactImport
        fields = [
            "id",
            "filename",
            "status",
            "error",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "failed_count",
            "created_at",
            "started_at",
            "finished_at",
            "errors_url",
        ]
        read_only_fields = fields

    def get_errors_url(self, instance: ContactImport) -> str:
        return reverse("api-contact-import-errors", kwargs={"import_pk": instance.pk})


class ContactImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file, UTF-8; the first line names the columns.")


class ContactImportRowErrorSerializer(serializers.ModelSerializer):
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))

    class Meta:
        model = ContactImportRowError
        fields = ["line", "message", "values"]
