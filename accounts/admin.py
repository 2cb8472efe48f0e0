"""Django admin, scoped like every other edge.

Superusers (the people who run the Pulse installation) see every workspace. Any other staff
user sees only their current workspace, and what they may change is what ``accounts.roles``
allows their role there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.models import (
    ApiToken,
    Contact,
    ContactImport,
    ContactImportRowError,
    Customer,
    Membership,
    User,
    Workspace,
)
from accounts.roles import Capability, membership_can

# Pulse's roles live on memberships (accounts.roles); Django's groups are not used.
admin.site.unregister(Group)


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """``workspace_path`` is the lookup from the model to its workspace."""

    workspace_path = "workspace"
    read_capability = Capability.VIEW
    write_capability = Capability.EDIT_CONTACTS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        membership = getattr(request, "membership", None)
        if membership is None:
            return queryset.none()
        return queryset.filter(**{self.workspace_path: membership.workspace_id})

    def _can(self, request: HttpRequest, capability: Capability) -> bool:
        if request.user.is_superuser:
            return True
        return request.user.is_staff and membership_can(
            getattr(request, "membership", None), capability
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._can(request, self.read_capability)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._can(request, self.read_capability)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._can(request, self.write_capability)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._can(request, self.write_capability)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._can(request, self.write_capability)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Choices of related rows come from the same workspace only."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        membership = getattr(request, "membership", None)
        if request.user.is_superuser or membership is None or field is None:
            return field
        model = db_field.related_model
        related_admin = admin.site._registry.get(model)
        if model is Workspace:
            field.queryset = field.queryset.filter(pk=membership.workspace_id)
        elif isinstance(related_admin, WorkspaceScopedAdmin):
            field.queryset = field.queryset.filter(
                **{related_admin.workspace_path: membership.workspace_id}
            )
        elif any(f.name == "workspace" for f in model._meta.fields):
            field.queryset = field.queryset.filter(workspace=membership.workspace_id)
        else:  # a model without a known path to a workspace: offer nothing rather than all
            field.queryset = field.queryset.none()
        return field


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_staff", "is_active"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    write_capability = Capability.MANAGE_SETTINGS
    list_display = ["name", "slug", "default_region", "time_zone", "created_at"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    write_capability = Capability.MANAGE_MEMBERS
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [] if request.user.is_superuser else ["user", "workspace"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # workspace admins add people on the Members page

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser  # roles change on the Members page (last-admin rule)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(ApiToken)
class ApiTokenAdmin(WorkspaceScopedAdmin):
    workspace_path = "membership__workspace"
    write_capability = Capability.MANAGE_MEMBERS
    list_display = ["name", "prefix", "membership", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made on the API tokens page, which shows the secret once


@admin.register(Customer)
class CustomerAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "external_id", "industry", "region", "plan", "arr", "workspace"]
    list_filter = ["industry", "region", "plan"]
    search_fields = ["name", "external_id"]


@admin.register(Contact)
class ContactAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "email", "phone", "customer", "erased_at", "workspace"]
    list_filter = ["erased_at", "sms_opted_out_at", "email_unsubscribed_at"]
    search_fields = ["name", "email", "phone", "external_id"]
    raw_id_fields = ["customer"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser  # erase instead, so answers keep counting


class ContactImportRowErrorInline(admin.TabularInline):
    model = ContactImportRowError
    extra = 0
    max_num = 0
    readonly_fields = ["line", "message", "values"]
    can_delete = False


@admin.register(ContactImport)
class ContactImportAdmin(WorkspaceScopedAdmin):
    list_display = [
        "filename",
        "status",
        "processed_rows",
        "created_count",
        "updated_count",
        "failed_count",
        "created_at",
        "workspace",
    ]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = [
        "workspace",
        "created_by",
        "filename",
        "status",
        "error",
        "total_rows",
        "processed_rows",
        "created_count",
        "updated_count",
        "failed_count",
        "chunks_done",
        "lease_expires_at",
        "created_at",
        "started_at",
        "finished_at",
    ]
    inlines = [ContactImportRowErrorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactImport]:
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the import page, which validates them


@admin.register(ContactImportRowError)
class ContactImportRowErrorAdmin(WorkspaceScopedAdmin):
    workspace_path = "contact_import__workspace"
    list_display = ["contact_import", "line", "message"]
    readonly_fields = ["contact_import", "line", "message", "values"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
