"""Erasing a contact removes personal data and keeps the row (and so its answers)."""

from django.urls import reverse

from accounts.models import Contact
from accounts.services import contact_erase


def test_erase_removes_personal_data_and_keeps_the_row(contact):
    contact.attributes = {"department": "Ops"}
    contact.locale = "ko"
    contact.save()
    customer_id = contact.customer_id
    contact_erase(contact=contact)
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.name, stored.email, stored.phone, stored.external_id, stored.time_zone) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert stored.attributes == {}
    assert stored.erased_at is not None
    assert stored.customer_id == customer_id  # segment scores still know the company
    assert stored.locale == "ko"
    assert str(stored) == f"Erased contact #{stored.pk}"


def test_erasing_twice_keeps_the_first_erasure_time(contact):
    first = contact_erase(contact=contact).erased_at
    again = contact_erase(contact=Contact.objects.get(pk=contact.pk)).erased_at
    assert again == first


def test_an_erased_contact_frees_its_email_for_a_new_contact(contact, manager, api_as):
    email = contact.email
    contact_erase(contact=contact)
    response = api_as(manager).post(
        reverse("api-contact-list"),
        {"customer": contact.customer_id, "email": email},
        format="json",
    )
    assert response.status_code == 201


def test_api_erase_then_update_is_refused(contact, manager, api_as):
    api = api_as(manager)
    url = reverse("api-contact-detail", kwargs={"contact_pk": contact.pk})
    response = api.post(reverse("api-contact-erase", kwargs={"contact_pk": contact.pk}))
    assert response.status_code == 200
    assert response.json()["email"] == ""
    assert response.json()["erased_at"]
    response = api.patch(url, {"name": "Back again"}, format="json")
    assert response.status_code == 400
    assert "erased" in str(response.json())
    assert Contact.objects.get(pk=contact.pk).name == ""


def test_erased_contacts_leave_lists_unless_asked_for(contact, manager, api_as, browser_as):
    contact_erase(contact=contact)
    api = api_as(manager)
    assert api.get(reverse("api-contact-list")).json()["count"] == 0
    assert api.get(reverse("api-contact-list"), {"include_erased": "true"}).json()["count"] == 1
    page = browser_as(manager).get(reverse("contact-list"), {"include_erased": "on"})
    assert f"Erased contact #{contact.pk}" in page.content.decode()


def test_delete_is_not_offered_by_the_api(contact, manager, api_as):
    response = api_as(manager).delete(
        reverse("api-contact-detail", kwargs={"contact_pk": contact.pk})
    )
    assert response.status_code == 405
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_browser_erase_asks_first_then_erases_on_post(contact, manager, browser_as):
    client = browser_as(manager)
    url = reverse("contact-erase", kwargs={"contact_pk": contact.pk})
    assert "cannot be undone" in client.get(url).content.decode()
    assert Contact.objects.get(pk=contact.pk).erased_at is None
    assert client.post(url).status_code == 302
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
