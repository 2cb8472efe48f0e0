"""Shapes of the surveys API. Validation of a survey document is parse_document's job; these
serializers describe the shapes for the OpenAPI schema and render responses."""

from rest_framework import serializers

from surveys.models import Campaign, Survey
from surveys.rules import SEVERITY
from surveys.services import CAMPAIGN_FIELDS


class ScaleSerializer(serializers.Serializer):
    points = serializers.IntegerField(min_value=2, max_value=11)
    labels = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        help_text="One label per point, or just the two ends.",
    )
    direction = serializers.ChoiceField(choices=["ascending", "descending"], required=False)


class OptionSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    value = serializers.CharField(max_length=100, required=False)
    anchored = serializers.BooleanField(
        required=False,
        help_text="Stays last when the others are shuffled. Default: true for "
        "“Other”, “None of the above”, “Not applicable” and similar.",
    )


class QuestionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["nps", "rating", "single_choice", "multi_choice", "text"]
    )
    text = serializers.CharField(max_length=1000)
    required = serializers.BooleanField(required=False, default=True)
    primary = serializers.BooleanField(required=False, default=False)
    randomize = serializers.BooleanField(required=False, default=False)
    options = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text="Labels, or objects {label, value, anchored}. Choice questions only.",
    )
    scale = ScaleSerializer(required=False, help_text="Rating questions (and NPS end labels).")


class SurveyDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Survey.Kind.values, required=False, default="custom")
    locale = serializers.CharField(required=False, default="en")
    title = serializers.CharField(required=False, allow_blank=True)
    intro = serializers.CharField(required=False, allow_blank=True)
    thank_you = serializers.CharField(required=False, allow_blank=True)
    questions = QuestionSerializer(many=True)


class FindingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(SEVERITY))
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    question = serializers.IntegerField(allow_null=True, help_text="0-based question index.")
    option = serializers.IntegerField(allow_null=True, help_text="0-based option index.")
    message = serializers.CharField()
    suggestion = serializers.CharField()


class LintResultSerializer(serializers.Serializer):
    findings = FindingSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class SurveySerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "lineage",
            "version",
            "title",
            "kind",
            "status",
            "locale",
            "published_at",
            "created_at",
            "acknowledgements",
            "document",
            "findings",
        ]
        read_only_fields = fields

    def get_document(self, survey: Survey) -> dict:
        from surveys.services import survey_document

        return survey_document(survey).to_json()

    def get_findings(self, survey: Survey) -> list[dict]:
        from surveys.rules import lint
        from surveys.services import survey_document

        return [f.to_json() for f in lint(survey_document(survey)).findings]


class PublishSerializer(serializers.Serializer):
    acknowledgements = serializers.DictField(
        child=serializers.CharField(max_length=500),
        required=False,
        help_text="Reasons for keeping warnings, keyed “<code>:<question index>”.",
    )


class CampaignSerializer(serializers.ModelSerializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.none())
    audience = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Segment filter: {"industry": ["Retail"], "attributes.department": ["IT"]}.',
    )
    strata = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='Segments to stratify by, e.g. ["industry"].',
    )

    class Meta:
        model = Campaign
        fields = ["id", "survey", *CAMPAIGN_FIELDS, "seed", "status", "created_at"]
        read_only_fields = ["id", "seed", "status", "created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        workspace = self.context.get("workspace")
        if workspace is not None:
            fields["survey"].queryset = Survey.objects.filter(workspace=workspace)
        return fields


class PlanRowSerializer(serializers.Serializer):
    stratum = serializers.ListField(child=serializers.CharField())
    population = serializers.IntegerField()
    population_share = serializers.FloatField()
    sample = serializers.IntegerField()
    waves = serializers.ListField(child=serializers.IntegerField(), help_text="Count per wave.")


class ExclusionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SmallStratumSerializer(serializers.Serializer):
    stratum = serializers.ListField(child=serializers.CharField())
    waves = serializers.IntegerField(help_text="How many waves it appears in.")


class SmsPreviewSerializer(serializers.Serializer):
    text = serializers.CharField()
    encoding = serializers.ChoiceField(choices=["GSM-7", "UCS-2"])
    characters = serializers.IntegerField()
    segments = serializers.IntegerField(help_text="SMS parts; more than 1 costs more.")


class PlanSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    strata = serializers.ListField(child=serializers.CharField())
    waves = serializers.IntegerField()
    seed = serializers.IntegerField()
    matched = serializers.IntegerField(help_text="Contacts matching the audience filter.")
    eligible = serializers.IntegerField()
    excluded = ExclusionSerializer(many=True)
    sample = serializers.IntegerField()
    wave_sizes = serializers.ListField(child=serializers.IntegerField())
    rows = PlanRowSerializer(many=True)
    small_strata = SmallStratumSerializer(many=True)
    sms = SmsPreviewSerializer()
