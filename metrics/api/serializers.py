from __future__ import annotations

from rest_framework import serializers

from metrics.models import CaseEvent, FollowUpCase
from surveys.models import Response


class ScoreSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["nps", "csat", "ces"])
    n = serializers.IntegerField()
    value = serializers.FloatField(help_text="NPS −100…100; CSAT % satisfied; CES mean 1–7.")
    margin = serializers.FloatField(help_text="95 % margin of error (same unit as value).")
    small_sample = serializers.BooleanField(help_text="Fewer than 30 responses.")
    parts = serializers.DictField(help_text="Counts and shares behind the score.")


class BreakdownRowSerializer(serializers.Serializer):
    value = serializers.CharField()
    score = ScoreSerializer()
    change = serializers.FloatField(allow_null=True, required=False)
    significant = serializers.BooleanField(required=False)


class MetricsSerializer(serializers.Serializer):
    kind = serializers.CharField()
    score = ScoreSerializer(allow_null=True, help_text="null when there are no responses")
    breakdown = BreakdownRowSerializer(many=True, required=False)
    trend = BreakdownRowSerializer(many=True, required=False)


class ResponseSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="survey.kind")
    survey_title = serializers.CharField(source="survey.title")
    campaign = serializers.IntegerField(source="invitation.campaign_id", allow_null=True)
    customer = serializers.CharField(source="contact.customer.name", allow_null=True)
    industry = serializers.CharField(source="contact.customer.industry", allow_null=True)
    region = serializers.CharField(source="contact.customer.region", allow_null=True)
    plan = serializers.CharField(source="contact.customer.plan", allow_null=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "survey",
            "survey_title",
            "kind",
            "score",
            "comment",
            "answers",
            "source",
            "quality_flags",
            "submitted_at",
            "contact",
            "campaign",
            "customer",
            "industry",
            "region",
            "plan",
        ]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", allow_null=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "text", "actor", "created_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    comment = serializers.CharField(source="response.comment", read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)
    first_contacted = serializers.BooleanField(
        write_only=True, required=False, help_text="true records the first contact (once)."
    )

    class Meta:
        model = FollowUpCase
        fields = [
            "id",
            "response",
            "customer",
            "contact",
            "score",
            "comment",
            "reason",
            "priority",
            "status",
            "outcome",
            "assignee",
            "due_at",
            "first_contacted_at",
            "first_contacted",
            "closed_at",
            "created_at",
            "events",
        ]
        read_only_fields = [
            "id",
            "response",
            "customer",
            "contact",
            "score",
            "reason",
            "priority",
            "due_at",
            "first_contacted_at",
            "closed_at",
            "created_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        from accounts.models import User

        fields = super().get_fields()
        workspace = self.context.get("workspace")
        fields["assignee"] = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(memberships__workspace=workspace)
            if workspace
            else User.objects.none(),
            allow_null=True,
            required=False,
        )
        return fields


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
