from typing import Any

from django.http import HttpRequest

from accounts.roles import Capability, membership_can
from accounts.selectors import memberships_of


def workspace(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None}
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "other_memberships": memberships_of(user=request.user).exclude(pk=membership.pk),
        "can": {
            capability.name.lower(): membership_can(membership, capability)
            for capability in Capability
        },
    }
