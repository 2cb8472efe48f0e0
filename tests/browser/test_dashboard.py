"""The demo workspace's dashboard and an agent's case, in a real browser (screenshots for the
docs)."""

import pytest

from accounts.demo import LOGINS, seed_demo
from accounts.models import Role
from metrics.models import FollowUpCase


def sign_in(page, url, role):
    login = next(login for login in LOGINS if login.role == role)
    page.goto(f"{url}/login/")
    page.fill("#id_username", login.email)
    page.fill("#id_password", login.password)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_the_demo_dashboard_and_an_agents_case(live_server, browser, screenshot):
    seed_demo()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, Role.MANAGER)
    page.goto(f"{live_server.url}/dashboard/?trend=quarter&by=industry")
    cards = page.locator(".score-card")
    assert cards.count() == 3
    assert "no data" not in cards.nth(0).inner_text()  # NPS
    assert "no data" not in cards.nth(1).inner_text()  # CSAT
    assert page.locator("svg[role=img]").count() >= 2  # the mix bar and the trend
    screenshot(page, "dashboard")

    agent = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(agent, live_server.url, Role.AGENT)
    agent.goto(f"{live_server.url}/cases/?mine=1")
    screenshot(agent, "cases-mine")
    case = FollowUpCase.objects.filter(status="open", assignee__email="agent@pulse.demo").first()
    agent.goto(f"{live_server.url}/cases/{case.pk}/")
    agent.fill("#id_text", "Called the customer; they will try the new export.")
    agent.click("text=Add note")
    agent.click("text=I contacted the customer")
    agent.select_option("#id_status", "resolved")
    agent.select_option("#id_outcome", "fixed")
    agent.click("text=Save status")
    agent.wait_for_load_state()
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("resolved", "fixed")
    assert case.first_contacted_at is not None
    assert "Called the customer" in agent.content()
    screenshot(agent, "case-resolved")
