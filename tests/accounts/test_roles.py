"""Roles decide what a member may do, the same way in the browser, the API and the admin."""

import pytest
from django.urls import reverse

from accounts.models import Contact, Customer, Role
from accounts.roles import Capability, role_can
from tests.conftest import signed_in

ALL_ROLES = [Role.ADMIN, Role.MANAGER, Role.AGENT, Role.VIEWER]
EDITORS = {Role.ADMIN, Role.MANAGER}


def test_capability_table_matches_the_role_descriptions():
    assert {r for r in ALL_ROLES if role_can(r, Capability.MANAGE_MEMBERS)} == {Role.ADMIN}
    assert {r for r in ALL_ROLES if role_can(r, Capability.MANAGE_SETTINGS)} == {Role.ADMIN}
    assert {r for r in ALL_ROLES if role_can(r, Capability.MANAGE_SURVEYS)} == EDITORS
    assert {r for r in ALL_ROLES if role_can(r, Capability.WORK_CASES)} == {
        Role.ADMIN,
        Role.MANAGER,
        Role.AGENT,
    }
    assert {r for r in ALL_ROLES if role_can(r, Capability.VIEW)} == set(ALL_ROLES)
    assert not role_can("owner", Capability.VIEW)  # unknown roles can do nothing


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_can_read_lists(role, member, browser_as, api_as, customer):
    membership = member(role)
    assert browser_as(membership).get(reverse("customer-list")).status_code == 200
    assert api_as(membership).get(reverse("api-customer-list")).status_code == 200


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_and_admins_create_customers_in_the_browser(role, member, browser_as):
    client = browser_as(member(role))
    response = client.post(reverse("customer-create"), {"name": f"Made by {role}"})
    created = Customer.objects.filter(name=f"Made by {role}").exists()
    if role in EDITORS:
        assert response.status_code == 302
        assert created
    else:
        assert response.status_code == 403
        assert not created


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_and_admins_write_through_the_api(role, member, api_as, customer):
    api = api_as(member(role))
    response = api.post(
        reverse("api-contact-list"),
        {"customer": customer.pk, "email": f"{role}@x.example"},
        format="json",
    )
    assert response.status_code == (201 if role in EDITORS else 403), response.content
    response = api.patch(
        reverse("api-customer-detail", kwargs={"customer_pk": customer.pk}),
        {"plan": "Gold"},
        format="json",
    )
    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_erasing_needs_the_erase_capability(role, member, api_as, browser_as, customer):
    from tests.factories import ContactFactory

    by_api, by_browser = ContactFactory(customer=customer), ContactFactory(customer=customer)
    membership = member(role)
    api_status = (
        api_as(membership)
        .post(reverse("api-contact-erase", kwargs={"contact_pk": by_api.pk}))
        .status_code
    )
    browser_status = (
        browser_as(membership)
        .post(reverse("contact-erase", kwargs={"contact_pk": by_browser.pk}))
        .status_code
    )
    allowed = role_can(role, Capability.ERASE_CONTACTS)
    assert api_status == (200 if allowed else 403)
    assert browser_status == (302 if allowed else 403)
    assert Contact.objects.filter(
        pk__in=[by_api.pk, by_browser.pk], erased_at__isnull=False
    ).count() == (2 if allowed else 0)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_settings_and_members_pages_are_for_admins(role, member, browser_as):
    client = browser_as(member(role))
    expected = 200 if role == Role.ADMIN else 403
    assert client.get(reverse("settings")).status_code == expected
    assert client.get(reverse("members")).status_code == expected


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_admin_site_follows_the_role(role, member, client, customer):
    membership = member(role, user__is_staff=True)
    signed_in(client, membership)
    change_url = reverse("admin:accounts_customer_change", args=[customer.pk])
    assert client.get(change_url).status_code == 200  # both may view
    form = {
        "workspace": customer.workspace_id,
        "name": "Renamed in admin",
        "external_id": "",
        "industry": "",
        "region": "",
        "plan": "",
        "arr": "",
        "owner": "",
        "attributes": "{}",
    }
    response = client.post(change_url, form)
    customer.refresh_from_db()
    if role == Role.MANAGER:
        assert response.status_code == 302
        assert customer.name == "Renamed in admin"
    else:
        assert response.status_code == 403
        assert customer.name != "Renamed in admin"
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_admin_site_refuses_members_who_are_not_staff(manager, client):
    signed_in(client, manager)
    response = client.get(reverse("admin:accounts_customer_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_login_and_api_says_401(client, customer):
    response = client.get(reverse("customer-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("api-customer-list")).status_code == 401


def test_a_bad_token_gets_401(client, customer):
    response = client.get(reverse("api-customer-list"), HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
    response = client.get(reverse("api-customer-list"), HTTP_AUTHORIZATION="Token a b")
    assert response.status_code == 401


def test_last_admin_cannot_be_demoted_or_removed(member, browser_as):
    admin = member(Role.ADMIN)
    client = browser_as(admin)
    client.post(reverse("member-change", kwargs={"membership_pk": admin.pk}), {"role": "viewer"})
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    client.post(reverse("member-change", kwargs={"membership_pk": admin.pk}), {"remove": "1"})
    assert type(admin).objects.filter(pk=admin.pk).exists()


def test_admin_changes_a_members_role(member, browser_as):
    admin, agent = member(Role.ADMIN), member(Role.AGENT)
    browser_as(admin).post(
        reverse("member-change", kwargs={"membership_pk": agent.pk}), {"role": "manager"}
    )
    agent.refresh_from_db()
    assert agent.role == Role.MANAGER
