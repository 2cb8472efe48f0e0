"""Django admin for surveys, scoped and role-checked like accounts' (see accounts.admin)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.admin import WorkspaceScopedAdmin
from accounts.roles import Capability
from surveys.models import Invitation, Option, Question, Response, Survey


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


@admin.register(Survey)
class SurveyAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["title", "kind", "version", "status", "locale", "published_at", "workspace"]
    list_filter = ["kind", "status", "locale"]
    search_fields = ["title"]
    readonly_fields = ["lineage", "version", "status", "published_at", "acknowledgements"]
    inlines = [QuestionInline]


@admin.register(Option)
class OptionAdmin(WorkspaceScopedAdmin):
    workspace_path = "question__survey__workspace"
    write_capability = Capability.MANAGE_SURVEYS
    list_display = ["label", "question", "position", "anchored"]


@admin.register(Question)
class QuestionAdmin(WorkspaceScopedAdmin):
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
