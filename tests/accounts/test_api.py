"""The REST API: shapes, filters, pagination and clear 400s for bad input."""

import pytest
from django.urls import reverse

from accounts.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory, WorkspaceFactory


@pytest.fixture
def api(manager, api_as):
    return api_as(manager)


def test_create_contact_stores_phone_in_e164_with_workspace_region(api, customer):
    customer.workspace.default_region = "KR"
    customer.workspace.save()
    response = api.post(
        reverse("api-contact-list"),
        {
            "customer": customer.pk,
            "name": "Ji-eun",
            "email": "JiEun@Example.KR",
            "phone": "010-2345-6789",
            "time_zone": "Asia/Seoul",
            "locale": "ko_KR",
            "attributes": {"department": "IT"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["phone"], body["email"], body["locale"]) == (
        "+821023456789",
        "jieun@example.kr",
        "ko-KR",
    )
    assert body["attributes"] == {"department": "IT"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "valid email"),
        ("phone", "12", "phone"),
        ("phone", "+1 415 555", "valid phone"),
        ("time_zone", "Mars/Base", "time zone"),
        ("locale", "english please", "language code"),
        ("attributes", ["not", "a", "dict"], "dictionary"),
    ],
)
def test_bad_contact_fields_get_400_with_the_field_named(api, customer, field, value, message):
    data = {"customer": customer.pk, "email": "ok@example.com", field: value}
    response = api.post(reverse("api-contact-list"), data, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Contact.objects.exists()


def test_contact_without_any_address_is_refused(api, customer):
    response = api.post(reverse("api-contact-list"), {"customer": customer.pk}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_duplicate_email_or_phone_in_workspace_is_a_400(api, contact):
    for field in ("email", "phone", "external_id"):
        data = {
            "customer": contact.customer_id,
            "email": "new@example.com",
            field: getattr(contact, field),
        }
        response = api.post(reverse("api-contact-list"), data, format="json")
        assert response.status_code == 400, field
        assert "Another contact" in response.json()[field][0]


def test_same_email_in_another_workspace_is_fine(api, customer):
    ContactFactory(customer=CustomerFactory(workspace=WorkspaceFactory()), email="x@example.com")
    response = api.post(
        reverse("api-contact-list"),
        {"customer": customer.pk, "email": "x@example.com"},
        format="json",
    )
    assert response.status_code == 201


def test_customer_of_another_workspace_cannot_be_used(api):
    foreign = CustomerFactory(workspace=WorkspaceFactory())
    response = api.post(
        reverse("api-contact-list"),
        {"customer": foreign.pk, "email": "x@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert "customer" in response.json()


def test_customer_crud_and_owner_by_email(api, manager):
    response = api.post(
        reverse("api-customer-list"),
        {
            "name": "Harbor Labs",
            "external_id": "C-9",
            "industry": "Retail",
            "arr": "12000.50",
            "owner_email": manager.user.email.upper(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    url = reverse("api-customer-detail", kwargs={"customer_pk": response.json()["id"]})
    assert api.get(url).json()["owner_email"] == manager.user.email
    assert api.patch(url, {"plan": "Enterprise"}, format="json").json()["plan"] == "Enterprise"
    response = api.post(
        reverse("api-customer-list"), {"name": "Copy", "external_id": "C-9"}, format="json"
    )
    assert response.status_code == 400
    assert "external id" in response.json()["external_id"][0]
    response = api.post(
        reverse("api-customer-list"),
        {"name": "X", "owner_email": "nobody@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert "owner_email" in response.json()
    response = api.post(reverse("api-customer-list"), {"name": "X", "arr": "-5"}, format="json")
    assert response.status_code == 400
    assert Customer.objects.count() == 1


def test_lists_filter_by_segment_and_search(api, workspace):
    retail = CustomerFactory(workspace=workspace, industry="Retail", region="APAC", name="Shop")
    CustomerFactory(workspace=workspace, industry="Software", region="APAC", name="Soft")
    ContactFactory(customer=retail, name="Mina Park")
    ContactFactory(customer=retail, name="Other Person")
    assert [
        c["name"]
        for c in api.get(reverse("api-customer-list"), {"industry": "Retail"}).json()["results"]
    ] == ["Shop"]
    assert api.get(reverse("api-customer-list"), {"region": "APAC"}).json()["count"] == 2
    found = api.get(reverse("api-contact-list"), {"q": "mina", "industry": "Retail"}).json()
    assert [c["name"] for c in found["results"]] == ["Mina Park"]


def test_bad_filter_values_get_400(api):
    response = api.get(reverse("api-customer-list"), {"arr_min": "lots"})
    assert response.status_code == 400
    assert "arr_min" in response.json()
    response = api.get(reverse("api-contact-list"), {"customer": "999999"})
    assert response.status_code == 400


def test_pagination(api, customer):
    ContactFactory.create_batch(7, customer=customer)
    page = api.get(reverse("api-contact-list"), {"page_size": 5}).json()
    assert (page["count"], len(page["results"])) == (7, 5)
    assert page["next"]
    assert len(api.get(page["next"]).json()["results"]) == 2
    assert api.get(reverse("api-contact-list"), {"page": 99}).status_code == 404


def test_malformed_json_gets_400(api):
    response = api.post(reverse("api-customer-list"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_import_without_a_file_gets_400(api):
    response = api.post(reverse("api-contact-import-list"), {})
    assert response.status_code == 400
    assert "file" in response.json()


def test_schema_documents_every_endpoint(client):
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import yaml

    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    assert {
        "/api/v1/customers/",
        "/api/v1/customers/{customer_pk}/",
        "/api/v1/contacts/",
        "/api/v1/contacts/{contact_pk}/",
        "/api/v1/contacts/{contact_pk}/erase/",
        "/api/v1/contact-imports/",
        "/api/v1/contact-imports/{import_pk}/",
        "/api/v1/contact-imports/{import_pk}/errors/",
        "/api/v1/campaigns/{campaign_pk}/plan/",
        "/api/v1/metrics/scores/",
        "/api/v1/responses/",
        "/api/v1/cases/",
        "/api/v1/cases/{case_pk}/",
        "/api/v1/cases/{case_pk}/notes/",
    } <= paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_uses_local_assets_only(client):
    body = client.get(reverse("api-docs")).content.decode()
    assert "cdn" not in body.lower()
    assert "/static/drf_spectacular_sidecar/" in body
