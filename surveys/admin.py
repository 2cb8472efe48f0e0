"""Django admin for surveys, scoped and role-checked like accounts' (see accounts.admin)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.admin import WorkspaceScopedAdmin
from accounts.roles import Capability
from surveys.models import (
    Campaign,
    InboundSms,
    Invitation,
    Option,
    OutboxMessage,
    Question,
    Response,
    Survey,
    Wave,
)


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        "position",
        "type",
        "text",
        "required",
        "primary",
        "randomize",
        "scale_points",
        "scale_labels",
        "scale_direction",
    ]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or getattr(obj, "is_draft", False)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)


class DraftOnlyAdmin(WorkspaceScopedAdmin):
    """Published surveys are frozen: answers must keep pointing at the wording they saw."""

    survey_path = "survey"

    def _survey(self, obj: Model) -> Survey:
        for part in self.survey_path.split("__"):
            obj = obj if part == "self" else getattr(obj, part)
        return obj

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        frozen = obj is not None and not self._survey(obj).is_draft
        return not frozen and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        frozen = obj is not None and not self._survey(obj).is_draft
        return not frozen and super().has_delete_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(DraftOnlyAdmin):
    survey_path = "self"
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["title", "kind", "version", "status", "locale", "published_at", "workspace"]
    list_filter = ["kind", "status", "locale"]
    search_fields = ["title"]
    readonly_fields = ["lineage", "version", "status", "published_at", "acknowledgements"]
    inlines = [QuestionInline]


@admin.register(Option)
class OptionAdmin(DraftOnlyAdmin):
    workspace_path = "question__survey__workspace"
    survey_path = "question__survey"
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["label", "question", "position", "anchored"]


@admin.register(Question)
class QuestionAdmin(DraftOnlyAdmin):
    workspace_path = "survey__workspace"
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["text", "type", "survey", "position"]


@admin.register(Invitation)
class InvitationAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["survey", "contact", "status", "is_test", "created_at"]
    list_filter = ["status", "is_test"]
    readonly_fields = ["token", "opened_at", "answered_at"]
    raw_id_fields = ["survey", "contact"]


@admin.register(Response)
class ResponseAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["survey", "contact", "score", "submitted_at"]
    readonly_fields = [
        "invitation",
        "survey",
        "contact",
        "score",
        "comment",
        "answers",
        "option_order",
        "submitted_at",
        "opened_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["name", "survey", "channel", "waves", "status", "created_at", "workspace"]
    list_filter = ["status", "channel"]
    readonly_fields = ["seed", "status"]
    raw_id_fields = ["survey"]


@admin.register(Wave)
class WaveAdmin(WorkspaceScopedAdmin):
    workspace_path = "campaign__workspace"
    write_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["campaign", "number", "due_at", "status"]
    readonly_fields = ["campaign", "number", "status", "planned"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # waves are made by launching a campaign


@admin.register(OutboxMessage)
class OutboxMessageAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["to", "channel", "created_at", "workspace"]
    readonly_fields = ["invitation", "sequence", "channel", "to", "body", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(InboundSms)
class InboundSmsAdmin(WorkspaceScopedAdmin):
    """Texts contacts sent (opt-outs, scores, comments), read-only: the audit trail."""

    write_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["from_number", "meaning", "body", "received_at", "workspace"]
    list_filter = ["meaning"]
    readonly_fields = [
        "sid",
        "workspace",
        "from_number",
        "to_number",
        "body",
        "meaning",
        "reply",
        "received_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
