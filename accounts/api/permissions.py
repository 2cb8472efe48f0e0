from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken, Membership
from accounts.roles import Capability, membership_can

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def current_membership(request: Request) -> Membership | None:
    """The membership a request acts for: its token's, or the session's current one."""
    if isinstance(request.auth, ApiToken):
        return request.auth.membership
    if request.user is None:
        return None
    return getattr(request._request, "membership", None)


class HasWorkspaceCapability(BasePermission):
    """Asks ``accounts.roles`` whether the request's membership may do the view's action.

    A view names what it needs: ``action_capabilities`` per action, else ``read_capability``
    for safe methods and ``write_capability`` for the others.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = current_membership(request)
        return membership is not None and membership_can(
            membership, required_capability(request, view)
        )


def required_capability(request: Request, view: APIView) -> Capability:
    action = getattr(view, "action", None)
    per_action = getattr(view, "action_capabilities", {})
    if action in per_action:
        return per_action[action]
    if request.method in SAFE_METHODS:
        return getattr(view, "read_capability", Capability.VIEW)
    return view.write_capability
