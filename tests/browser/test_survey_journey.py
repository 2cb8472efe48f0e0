"""A CS manager builds an NPS survey from the template, sees a double-barrelled finding while
typing, fixes it, publishes, and a customer answers it on a phone-sized screen."""

import pytest

from accounts.models import Role
from surveys.models import Response, Survey
from tests.factories import ContactFactory, CustomerFactory, MembershipFactory, WorkspaceFactory

PASSWORD = "correct-horse-battery"


@pytest.mark.django_db(transaction=True)
def test_manager_builds_publishes_and_customer_answers(live_server, browser, screenshot):
    workspace = WorkspaceFactory(name="Acme Cloud")
    manager = MembershipFactory(
        workspace=workspace, role=Role.MANAGER, user__email="manager@acme.example"
    )
    contact = ContactFactory(
        customer=CustomerFactory(workspace=workspace, name="Harbor Labs"),
        email="mina@harbor.example",
        name="Mina Park",
    )

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", manager.user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/surveys/")
    page.click("button[name=kind][value=nps]")
    page.wait_for_url("**/edit/")

    why = page.locator("#q1-text")
    why.fill("")
    why.type("What is the main reason for your score and how can we improve?", delay=5)
    finding = page.locator('[data-findings-for="1"] [data-code="double-barrelled"]')
    finding.wait_for(timeout=5000)  # live lint, no save
    screenshot(page, "builder-double-barrelled")
    assert "two things" in finding.inner_text()

    why.fill("What is the main reason for your score?")
    finding.wait_for(state="detached", timeout=5000)
    screenshot(page, "builder-fixed")

    page.click("#to-publish")
    page.wait_for_url("**/publish/")
    page.click("#publish")
    page.wait_for_url("**/surveys/*/")
    assert "Published version 1" in page.content()
    survey = Survey.objects.get()
    assert survey.status == "published"
    assert survey.questions.get(position=1).text == "What is the main reason for your score?"

    page.fill("#id_contact", contact.email)
    page.click("button[value=invite]")
    page.wait_for_url("**/surveys/*/")
    screenshot(page, "survey-published")
    link = page.locator("a[href^='/r/']").first.get_attribute("href")

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}{link}")
    assert "Acme Cloud" in phone.inner_text("legend")
    zero, ten = phone.locator(".scale label").first, phone.locator(".scale label").last
    assert zero.bounding_box()["height"] >= 44  # a comfortable tap target
    assert ten.bounding_box()["y"] + ten.bounding_box()["height"] < 844  # NPS fits one screen
    screenshot(phone, "answer-phone")
    phone.locator(".scale label", has_text="3").first.tap()
    phone.fill("textarea", "Setup took too long.")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert "Thank you" in phone.content()
    screenshot(phone, "answer-thanks")

    response = Response.objects.get()
    assert (response.score, response.comment, response.contact) == (
        3,
        "Setup took too long.",
        contact,
    )
