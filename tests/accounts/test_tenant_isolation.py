"""Nothing of workspace A is reachable from workspace B, on any URL, browser or API.

The test walks the URL configuration, so a new URL is covered the day it is added. A URL
with a parameter this test does not know fails the test until an object is named for it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken, ContactImport, Role
from accounts.services import api_token_create
from metrics.services import case_open_for_response
from surveys.models import Campaign, Invitation, OutboxMessage, Response
from surveys.services import survey_create_from_template, survey_publish
from tests.conftest import signed_in
from tests.factories import ContactFactory, CustomerFactory, MembershipFactory, WorkspaceFactory

SECRETS = [
    "Zebra-Secret-Customer",
    "secret.person@alpha.example",
    "alpha-secret.csv",
    "ALPHA-SECRET-EXT",
    "Zebra-Secret-Survey",
    "Zebra-Secret-Campaign",
    "Zebra-Secret-Message",
    "Zebra-Secret-Comment",
]
# The admin has its own test below; anymail's ESP webhooks (one per ESP, verified by their
# basic-auth secret) are covered by tests/surveys/test_email_tracking.py.
SKIPPED_PREFIXES = ("admin/", "hooks/anymail/")
# Pages for anyone: sign-in, the API description, and the answer page, which an unguessable
# invitation token opens (tests/surveys/test_answer_page.py covers it).
PUBLIC = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "schema",
    "api-docs",
    "answer",
}


def body_of(response) -> str:
    """The whole body, streamed (CSV exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def kwarg_names(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


@pytest.fixture
def alpha(db):
    workspace = WorkspaceFactory(name="Alpha")
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    customer = CustomerFactory(workspace=workspace, name=SECRETS[0], external_id=SECRETS[3])
    contact = ContactFactory(customer=customer, email=SECRETS[1])
    contact_import = ContactImport.objects.create(
        workspace=workspace,
        filename=SECRETS[2],
        content=b"email\n",
    )
    contact_import.row_errors.create(line=2, message="bad", values={"email": SECRETS[1]})
    token, _ = api_token_create(membership=admin, name="alpha token")
    survey = survey_create_from_template(workspace=workspace, user=admin.user, kind="nps")
    survey.title = "Zebra-Secret-Survey"
    survey.save()
    campaign = Campaign.objects.create(
        workspace=workspace, survey=survey, name="Zebra-Secret-Campaign"
    )
    invitation = Invitation.objects.create(workspace=workspace, survey=survey, contact=contact)
    OutboxMessage.objects.create(
        workspace=workspace,
        invitation=invitation,
        channel="sms",
        to="+1",
        body="Zebra-Secret-Message",
    )
    answered = survey_publish(
        survey=survey_create_from_template(workspace=workspace, user=admin.user, kind="csat"),
        user=admin.user,
    )
    response = Response.objects.create(
        workspace=workspace,
        invitation=Invitation.objects.create(workspace=workspace, survey=answered, contact=contact),
        survey=answered,
        contact=contact,
        score=1,
        comment="Zebra-Secret-Comment",
    )
    case = case_open_for_response(response=response)
    return {
        "case_pk": case.pk,
        "response_pk": response.pk,
        "campaign_pk": campaign.pk,
        "survey_pk": survey.pk,
        "customer_pk": customer.pk,
        "contact_pk": contact.pk,
        "import_pk": contact_import.pk,
        "membership_pk": admin.pk,
        "token_pk": token.pk,
        "workspace": workspace,
        "contact": contact,
        "admin": admin,
    }


@pytest.fixture
def intruders(alpha, client, api_as):
    """Clients of workspace B: an admin there, its token, and a user of both workspaces
    whose current workspace is B."""
    beta = WorkspaceFactory(name="Beta")
    beta_admin = MembershipFactory(workspace=beta, role=Role.ADMIN)
    both = MembershipFactory(workspace=beta, role=Role.ADMIN)
    MembershipFactory(workspace=alpha["workspace"], user=both.user, role=Role.VIEWER)
    from django.test import Client

    return {
        "session of B's admin": signed_in(Client(), beta_admin),
        "token of B's admin": api_as(beta_admin),
        "user of A and B, working in B": signed_in(Client(), both),
    }


def test_every_url_hides_workspace_a_from_workspace_b(alpha, intruders):
    checked = 0
    for route, pattern in walk():
        if route.startswith(SKIPPED_PREFIXES) or pattern.name in PUBLIC:
            continue
        names = kwarg_names(pattern) - {"format"}
        if "format" in kwarg_names(pattern):
            continue
        unknown = names - alpha.keys()
        assert not unknown, f"{route}: no workspace-A object known for {unknown}; add one"
        url = reverse(pattern.name, kwargs={name: alpha[name] for name in names})
        for who, client in intruders.items():
            for method in ("get", "post", "put", "patch"):
                response = getattr(client, method)(url)
                body = body_of(response)
                leaked = [s for s in SECRETS if s in body]
                assert not leaked, f"{method.upper()} {url} as {who} shows {leaked}"
                if names:
                    assert response.status_code in {302, 401, 404, 405}, (
                        f"{method.upper()} {url} as {who}: {response.status_code}"
                    )
                    if response.status_code == 302:
                        assert response["Location"].startswith(reverse("login")), url
            checked += 1
    assert checked > 20  # the walk really visited the app's URLs

    # and none of the writes attempted above changed anything of A
    alpha["contact"].refresh_from_db()
    assert alpha["contact"].erased_at is None
    assert alpha["contact"].email == SECRETS[1]
    assert ApiToken.objects.filter(pk=alpha["token_pk"]).exists()
    alpha["admin"].refresh_from_db()
    assert alpha["admin"].role == Role.ADMIN


def test_object_urls_of_a_answer_404_to_b(alpha, intruders):
    session = intruders["session of B's admin"]
    token = intruders["token of B's admin"]
    for name, kwarg in [
        ("customer-detail", "customer_pk"),
        ("contact-detail", "contact_pk"),
        ("contact-import-detail", "import_pk"),
    ]:
        assert session.get(reverse(name, kwargs={kwarg: alpha[kwarg]})).status_code == 404
    for name, kwarg in [
        ("api-customer-detail", "customer_pk"),
        ("api-contact-detail", "contact_pk"),
        ("api-contact-import-detail", "import_pk"),
    ]:
        assert token.get(reverse(name, kwargs={kwarg: alpha[kwarg]})).status_code == 404


def test_workspace_switch_refuses_a_workspace_the_user_is_not_in(alpha, intruders):
    session = intruders["session of B's admin"]
    response = session.post(reverse("workspace-switch"), {"workspace": alpha["workspace"].pk})
    assert response.status_code == 404


def test_member_of_both_sees_a_after_switching(alpha, intruders):
    session = intruders["user of A and B, working in B"]
    url = reverse("customer-detail", kwargs={"customer_pk": alpha["customer_pk"]})
    assert session.get(url).status_code == 404
    session.post(reverse("workspace-switch"), {"workspace": alpha["workspace"].pk})
    assert session.get(url).status_code == 200


def test_admin_site_shows_staff_only_their_workspace(alpha, client):
    from django.contrib import admin

    beta_admin = MembershipFactory(
        workspace=WorkspaceFactory(), role=Role.ADMIN, user__is_staff=True
    )
    signed_in(client, beta_admin)
    checked = 0
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if meta.model_name == "user":  # people across workspaces: superusers only
            assert response.status_code == 403
            continue
        assert response.status_code == 200, meta.model_name
        body = response.content.decode()
        assert not [s for s in SECRETS if s in body], meta.model_name
        checked += 1
    assert checked >= 10
    for app, model, key in (
        ("accounts", "customer", "customer_pk"),
        ("accounts", "contact", "contact_pk"),
        ("accounts", "contactimport", "import_pk"),
        ("surveys", "survey", "survey_pk"),
    ):
        response = client.get(reverse(f"admin:{app}_{model}_change", args=[alpha[key]]))
        assert response.status_code in {302, 404}, model  # admin redirects "does not exist"
        if response.status_code == 302:
            assert response["Location"] == reverse("admin:index")


def test_every_page_renders_for_its_own_workspace(alpha, client, api_as):
    """The same walk as workspace A's admin: every page and endpoint answers, none fails."""
    signed_in(client, alpha["admin"])
    api = api_as(alpha["admin"])
    visited = 0
    for route, pattern in walk():
        if route.startswith(SKIPPED_PREFIXES) or "format" in kwarg_names(pattern):
            continue
        if pattern.name in {"login", "answer"}:  # sign-in redirects; answer page has its tests
            continue
        url = reverse(pattern.name, kwargs={n: alpha[n] for n in kwarg_names(pattern)})
        response = (api if route.startswith("api/v1/") else client).get(url)
        assert response.status_code in {200, 405}, f"GET {url}: {response.status_code}"
        visited += 1
    assert visited > 20
