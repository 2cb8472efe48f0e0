"""Access for browser views: sign-in, a current workspace, and the role's capability."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Membership, Workspace
from accounts.roles import Capability, membership_can


class WorkspaceMixin(LoginRequiredMixin):
    """Every browser view of workspace data inherits this.

    GET and HEAD need ``read_capability``; other methods need ``write_capability``.
    Views find their objects through selectors that take ``self.workspace``, so an object of
    another workspace is simply not found (404).
    """

    read_capability: Capability = Capability.VIEW
    write_capability: Capability | None = None

    membership: Membership
    workspace: Workspace

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.membership is None:
            return render(request, "accounts/no_workspace.html", status=403)
        self.membership = request.membership
        self.workspace = request.membership.workspace
        needed = (
            self.read_capability
            if request.method in {"GET", "HEAD", "OPTIONS"}
            else self.write_capability
        )
        if needed is None:  # a read-only page
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not membership_can(self.membership, needed):
            raise PermissionDenied("Your role in this workspace does not allow this.")
        return super().dispatch(request, *args, **kwargs)
