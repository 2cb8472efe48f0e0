from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.selectors import SESSION_WORKSPACE_KEY, membership_current


class WorkspaceMiddleware:
    """Sets ``request.membership``: the signed-in user's seat in the current workspace, or None.

    The current workspace is the one chosen in the session, else the user's first. Views and
    API views scope every query to ``request.membership.workspace``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        if request.user.is_authenticated:
            request.membership = membership_current(
                user=request.user, workspace_id=request.session.get(SESSION_WORKSPACE_KEY)
            )
        return self.get_response(request)
