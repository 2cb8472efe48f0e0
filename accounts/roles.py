"""What each role may do: the one place that decides it.

Views (``accounts.views_base``), the API (``accounts.api.permissions``) and the admin
(``accounts.admin``) all ask :func:`role_can`; none of them keeps a rule of its own.
"""

from enum import StrEnum

from accounts.models import Membership, Role


class Capability(StrEnum):
    VIEW = "view"  # read the workspace's customers, contacts, surveys and scores
    EDIT_CONTACTS = "contacts.edit"  # create and change customers and contacts, import CSVs
    ERASE_CONTACTS = "contacts.erase"
    MANAGE_SURVEYS = "surveys.manage"
    MANAGE_CAMPAIGNS = "campaigns.manage"
    WORK_CASES = "cases.work"
    MANAGE_MEMBERS = "members.manage"
    MANAGE_SETTINGS = "settings.manage"


_VIEWER = {Capability.VIEW}
_AGENT = _VIEWER | {Capability.WORK_CASES}
_MANAGER = _AGENT | {
    Capability.EDIT_CONTACTS,
    Capability.ERASE_CONTACTS,
    Capability.MANAGE_SURVEYS,
    Capability.MANAGE_CAMPAIGNS,
}
_ADMIN = _MANAGER | {Capability.MANAGE_MEMBERS, Capability.MANAGE_SETTINGS}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.AGENT: frozenset(_AGENT),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_ADMIN),
}


def role_can(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def membership_can(membership: Membership | None, capability: Capability) -> bool:
    return membership is not None and role_can(membership.role, capability)
