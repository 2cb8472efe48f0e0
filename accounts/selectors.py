"""Reads of accounts data. Every function takes the workspace and never looks outside it."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from accounts.models import ApiToken, Contact, ContactImport, Customer, Membership, User, Workspace

SESSION_WORKSPACE_KEY = "workspace_id"


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def membership_current(*, user: User, workspace_id: int | None) -> Membership | None:
    """The user's membership in the chosen workspace, else in the first one, else None."""
    memberships = memberships_of(user=user)
    if workspace_id is not None:
        chosen = memberships.filter(workspace_id=workspace_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def customer_list(
    *,
    workspace: Workspace,
    search: str = "",
    industry: str = "",
    region: str = "",
    plan: str = "",
    owner: Membership | None = None,
    arr_min: Decimal | None = None,
    arr_max: Decimal | None = None,
) -> QuerySet[Customer]:
    customers = Customer.objects.filter(workspace=workspace).select_related("owner__user")
    if search:
        customers = customers.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    if industry:
        customers = customers.filter(industry=industry)
    if region:
        customers = customers.filter(region=region)
    if plan:
        customers = customers.filter(plan=plan)
    if owner is not None:
        customers = customers.filter(owner=owner)
    if arr_min is not None:
        customers = customers.filter(arr__gte=arr_min)
    if arr_max is not None:
        customers = customers.filter(arr__lte=arr_max)
    # GROUP BY queries ignore Meta.ordering, so the order is given again for stable pages.
    return customers.annotate(contact_count=Count("contacts")).order_by("name", "id")


def customer_get(*, workspace: Workspace, pk: int) -> Customer:
    return Customer.objects.select_related("owner__user").get(workspace=workspace, pk=pk)


def contact_list(
    *,
    workspace: Workspace,
    search: str = "",
    customer: Customer | None = None,
    industry: str = "",
    region: str = "",
    plan: str = "",
    include_erased: bool = False,
) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(workspace=workspace).select_related("customer")
    if not include_erased:
        contacts = contacts.filter(erased_at=None)
    if search:
        contacts = contacts.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(phone__contains=search.replace(" ", ""))
            | Q(external_id__iexact=search)
        )
    if customer is not None:
        contacts = contacts.filter(customer=customer)
    if industry:
        contacts = contacts.filter(customer__industry=industry)
    if region:
        contacts = contacts.filter(customer__region=region)
    if plan:
        contacts = contacts.filter(customer__plan=plan)
    return contacts


def contact_get(*, workspace: Workspace, pk: int) -> Contact:
    return Contact.objects.select_related("customer").get(workspace=workspace, pk=pk)


# Who can be reached on a channel: one definition for counts, plans and (later) sending.
HAS_PHONE = ~Q(phone="")
HAS_EMAIL = ~Q(email="")
SMS_REACHABLE = HAS_PHONE & Q(sms_opted_out_at=None, erased_at=None)
EMAIL_REACHABLE = HAS_EMAIL & Q(email_unsubscribed_at=None, erased_at=None)


def reachable_counts(*, workspace: Workspace) -> dict[str, int]:
    return Contact.objects.filter(workspace=workspace).aggregate(
        sms=Count("id", filter=SMS_REACHABLE), email=Count("id", filter=EMAIL_REACHABLE)
    )


def segment_values(*, workspace: Workspace) -> dict[str, list[str]]:
    """The industries, regions and plans in use, for filter menus."""
    customers = Customer.objects.filter(workspace=workspace)
    return {
        field: list(
            customers.exclude(**{field: ""})
            .order_by(field)
            .values_list(field, flat=True)
            .distinct()
        )
        for field in ("industry", "region", "plan")
    }


def contact_import_list(*, workspace: Workspace) -> QuerySet[ContactImport]:
    return ContactImport.objects.filter(workspace=workspace).defer("content")


def contact_import_get(*, workspace: Workspace, pk: int) -> ContactImport:
    return ContactImport.objects.defer("content").get(workspace=workspace, pk=pk)


def member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def member_get(*, workspace: Workspace, pk: int) -> Membership | None:
    return member_list(workspace=workspace).filter(pk=pk).first()


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def api_token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership)
