"""Every write to accounts goes through one of these functions.

Each takes keyword-only arguments, validates what it is given (raising Django's
``ValidationError`` with field names), owns its transaction and defers side effects to commit.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import normalize
from accounts.models import (
    ApiToken,
    Contact,
    ContactImport,
    ContactImportRowError,
    Customer,
    Membership,
    Role,
    User,
    Workspace,
)

logger = logging.getLogger(__name__)

# --- Workspaces and members ------------------------------------------------------------------


@transaction.atomic
def workspace_create(
    *, name: str, slug: str, owner: User, default_region: str = "US", time_zone: str = "UTC"
) -> Workspace:
    """Create a workspace with ``owner`` as its admin."""
    workspace = Workspace(name=name, slug=slug, default_region=default_region, time_zone=time_zone)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)
    return workspace


def membership_set(*, workspace: Workspace, user: User, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``workspace``, adding the membership if needed. Idempotent.
    Changing an existing member's role follows membership_role_change's rules."""
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    existing = Membership.objects.filter(workspace=workspace, user=user).first()
    if existing is not None:
        return membership_role_change(membership=existing, role=role)
    try:
        with transaction.atomic():
            return Membership.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:  # added by a concurrent request
        return membership_set(workspace=workspace, user=user, role=role)


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; refuses to demote the workspace's last admin."""
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_another_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def _ensure_another_admin(membership: Membership) -> None:
    # Locking the workspace's admins makes two admins demoting each other take turns.
    others = Membership.objects.select_for_update().filter(
        workspace=membership.workspace_id, role=Role.ADMIN
    )
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError("A workspace needs at least one admin.")


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member; refuses to remove the workspace's last admin."""
    if membership.role == Role.ADMIN:
        _ensure_another_admin(membership)
    membership.delete()


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``membership``; returns it with the secret, which is never stored."""
    key = secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken.objects.create(
        membership=membership,
        name=name.strip() or "API token",
        prefix=key[:8],
        key_hash=_token_hash(key),
    )
    return token, key


def api_token_revoke(*, membership: Membership, token_pk: int) -> bool:
    """Delete one of the membership's own tokens; False when it has no such token."""
    deleted, _ = ApiToken.objects.filter(membership=membership, pk=token_pk).delete()
    return bool(deleted)


def api_token_resolve(*, key: str) -> ApiToken | None:
    """The live token with this secret, with its membership, or None. Records its use."""
    token = (
        ApiToken.objects.select_related("membership__workspace", "membership__user")
        .filter(key_hash=_token_hash(key), membership__user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Customers -----------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "external_id",
    "name",
    "industry",
    "region",
    "plan",
    "arr",
    "owner",
    "attributes",
)


def customer_save(
    *, workspace: Workspace, data: Mapping[str, Any], customer: Customer | None = None
) -> Customer:
    """Create a customer, or update ``customer`` with the fields present in ``data``."""
    customer = customer or Customer(workspace=workspace)
    if customer.workspace_id != workspace.pk:
        raise ValidationError("This customer belongs to another workspace.")
    errors: dict[str, list[str]] = {}
    for field in CUSTOMER_FIELDS:
        if field in data:
            value = data[field]
            setattr(customer, field, value.strip() if isinstance(value, str) else value)
    if customer.owner is not None and customer.owner.workspace_id != workspace.pk:
        errors["owner"] = ["The owner must be a member of this workspace."]
    if not customer.name:
        errors["name"] = ["A customer needs a name."]
    if customer.arr is not None and customer.arr < 0:
        errors["arr"] = ["ARR cannot be negative."]
    if customer.attributes is None or not isinstance(customer.attributes, dict):
        errors["attributes"] = ["Attributes must be an object of names to values."]
    if customer.external_id and (
        Customer.objects.filter(workspace=workspace, external_id=customer.external_id)
        .exclude(pk=customer.pk)
        .exists()
    ):
        errors["external_id"] = ["Another customer already has this external id."]
    if errors:
        raise ValidationError(errors)
    customer.full_clean(exclude=["workspace", "owner"], validate_constraints=False)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise ValidationError({"external_id": ["Another customer has this external id."]}) from None
    return customer


# --- Contacts ------------------------------------------------------------------------------

CONTACT_FIELDS = (
    "customer",
    "external_id",
    "name",
    "email",
    "phone",
    "time_zone",
    "locale",
    "attributes",
    "email_unsubscribed_at",
    "sms_opted_out_at",
)
_UNIQUE_CONTACT_KEYS = {
    "external_id": "external id",
    "email": "email address",
    "phone": "phone number",
}


def _normalized_contact_value(workspace: Workspace, field: str, value: Any) -> Any:
    if value is None and field in {"external_id", "name", "email", "phone", "time_zone", "locale"}:
        return ""
    if field == "email":
        return normalize.normalize_email(value)
    if field == "phone":
        return normalize.normalize_phone(value, region=workspace.default_region)
    if field == "time_zone":
        return normalize.normalize_time_zone(value)
    if field == "locale":
        return normalize.normalize_locale(value)
    if isinstance(value, str):
        return value.strip()
    return value


def contact_save(
    *, workspace: Workspace, data: Mapping[str, Any], contact: Contact | None = None
) -> Contact:
    """Create a contact, or update ``contact`` with the fields present in ``data``.

    Phone numbers are read in the workspace's default region and stored in E.164; an email,
    phone or external id that another contact of the workspace has is refused. An erased
    contact cannot be changed.
    """
    contact = contact or Contact(workspace=workspace)
    if contact.workspace_id != workspace.pk:
        raise ValidationError("This contact belongs to another workspace.")
    if contact.is_erased:
        raise ValidationError("This contact was erased and can no longer be changed.")
    errors: dict[str, list[str]] = {}
    for field in CONTACT_FIELDS:
        if field not in data:
            continue
        try:
            setattr(contact, field, _normalized_contact_value(workspace, field, data[field]))
        except ValidationError as exc:
            errors[field] = exc.messages
    if contact.customer_id is None:
        errors.setdefault("customer", ["A contact belongs to a customer."])
    elif contact.customer.workspace_id != workspace.pk:
        errors["customer"] = ["This customer is not in this workspace."]
    if not isinstance(contact.attributes, dict):
        errors["attributes"] = ["Attributes must be an object of names to values."]
    if not errors and not (contact.email or contact.phone):
        errors["email"] = ["Give an email address or a phone number."]
    for field, label in _UNIQUE_CONTACT_KEYS.items():
        value = getattr(contact, field)
        if (
            field not in errors
            and value
            and (
                Contact.objects.filter(workspace=workspace, **{field: value})
                .exclude(pk=contact.pk)
                .exists()
            )
        ):
            errors[field] = [f"Another contact already has this {label}."]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:  # a concurrent writer took the same email, phone or external id
        raise ValidationError(
            {"email": ["Another contact has this email, phone number or external id."]}
        ) from None
    return contact


def contact_erase(*, contact: Contact) -> Contact:
    """Remove the contact's personal data; keep the row so its anonymous answers still count.

    Also removed: free-text answers (they may name the person) and refused import rows that
    carried the contact's email, phone or id. Kept: scores and choices (anonymous), the
    customer link and the locale (segment scores need them). Erasing twice changes nothing.
    """
    if contact.is_erased:
        return contact
    from surveys.services import responses_anonymize

    with transaction.atomic():
        keys = [key for key in (contact.email, contact.phone, contact.external_id) if key]
        for key in keys:  # refused import rows that carried this person's data
            ContactImportRowError.objects.filter(
                contact_import__workspace=contact.workspace_id, values__icontains=key
            ).delete()
        responses_anonymize(contact=contact)
        _blank_personal_fields(contact)
    return contact


def _blank_personal_fields(contact: Contact) -> None:
    contact.external_id = ""
    contact.name = ""
    contact.email = ""
    contact.phone = ""
    contact.time_zone = ""
    contact.attributes = {}
    contact.erased_at = timezone.now()
    contact.save()


# --- Contact imports -----------------------------------------------------------------------


def upload_read(upload: Any) -> bytes:
    """The bytes of an uploaded file, refusing one over the import limit before reading it."""
    if upload.size > settings.CONTACT_IMPORT_MAX_BYTES:
        limit_mb = settings.CONTACT_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": [f"The file is larger than {limit_mb} MB; split it."]})
    return upload.read()


def contact_import_start(
    *, workspace: Workspace, user: User | None, filename: str, content: bytes
) -> ContactImport:
    """Store an uploaded CSV and queue its import once the upload is committed."""
    if len(content) > settings.CONTACT_IMPORT_MAX_BYTES:
        limit_mb = settings.CONTACT_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": [f"The file is larger than {limit_mb} MB; split it."]})
    with transaction.atomic():
        contact_import = ContactImport.objects.create(
            workspace=workspace,
            created_by=user,
            filename=filename[:255] or "contacts.csv",
            content=content,
        )
        # robust: without a broker the import waits for the stalled-import job to resume it
        transaction.on_commit(lambda: _enqueue_import(contact_import.pk), robust=True)
    return contact_import


def _enqueue_import(import_id: int) -> None:
    from accounts.tasks import contact_import_run_task

    try:
        contact_import_run_task.delay(import_id)
    except Exception:  # broker down: the upload is safe, beat's resume task queues it later
        logger.exception("could not queue contact import %s; it will be retried", import_id)
