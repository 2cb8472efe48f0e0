"""Campaign audiences and plans: exclusions by reason, strata, the plan API and page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import contact_erase
from surveys.campaigns import campaign_audience, plan_json
from surveys.models import Campaign, Invitation
from tests.factories import ContactFactory, CustomerFactory


@pytest.fixture
def people(workspace):
    retail = CustomerFactory(workspace=workspace, industry="Retail", region="EU")
    software = CustomerFactory(workspace=workspace, industry="Software", region="US")
    made = {
        "ok": [ContactFactory(customer=retail) for _ in range(6)]
        + [ContactFactory(customer=software) for _ in range(3)],
        "erased": ContactFactory(customer=retail),
        "opted_out": ContactFactory(customer=retail, sms_opted_out_at=timezone.now()),
        "no_phone": ContactFactory(customer=software, phone=""),
        "recent": ContactFactory(customer=software),
        "old": ContactFactory(customer=software),
    }
    contact_erase(contact=made["erased"])
    return made


def test_audience_excludes_each_contact_for_its_reason(people, campaign):
    made = campaign()
    Invitation.objects.create(
        workspace=made.workspace, survey=made.survey, contact=people["recent"]
    )
    old = Invitation.objects.create(
        workspace=made.workspace, survey=made.survey, contact=people["old"]
    )
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    audience = campaign_audience(made)
    assert audience.excluded == {"erased": 1, "opted_out": 1, "no_address": 1, "fatigue": 1}
    assert {s: len(ids) for s, ids in audience.eligible.items()} == {
        ("Retail",): 6,
        ("Software",): 4,
    }
    assert people["old"].pk in audience.eligible[("Software",)]


def test_email_campaign_counts_email_reasons(people, campaign):
    audience = campaign_audience(campaign(channel="email"))
    assert audience.excluded["opted_out"] == 0  # SMS opt-out does not stop email
    assert audience.excluded["erased"] == 1


def test_audience_filter_and_two_strata(people, campaign):
    audience = campaign_audience(
        campaign(audience={"region": ["EU"]}, strata=["industry", "region"])
    )
    assert set(audience.eligible) == {("Retail", "EU")}


def test_plan_json_and_api(people, campaign, manager, api_as):
    made = campaign(sample_count=6)
    plan = plan_json(made)
    assert (plan["eligible"], plan["sample"]) == (11, 6)
    assert plan["sms"]["encoding"] == "GSM-7"
    assert plan["sms"]["segments"] == 1
    assert "/r/" in plan["sms"]["text"]
    assert sum(plan["wave_sizes"]) == 6
    response = api_as(manager).get(reverse("api-campaign-plan", kwargs={"campaign_pk": made.pk}))
    assert response.status_code == 200
    assert response.json() == plan


def test_campaign_refuses_drafts_unknown_segments_and_bad_samples(
    workspace, manager, api_as, published
):
    from surveys.services import survey_create_from_template

    draft = survey_create_from_template(workspace=workspace, user=manager.user, kind="nps")
    api = api_as(manager)
    response = api.post(
        reverse("api-campaign-list"), {"survey": draft.pk, "name": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "published" in response.json()["survey"][0]
    survey = published("csat")
    response = api.post(
        reverse("api-campaign-list"),
        {
            "survey": survey.pk,
            "name": "x",
            "strata": ["shoe_size"],
            "sample_count": 5,
            "sample_percent": "10",
            "message": "no link here",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"strata", "sample_count", "message"}
    assert not Campaign.objects.exists()


def test_campaign_page_shows_the_plan_table(people, campaign, manager, browser_as):
    made = campaign(waves=3)
    page = browser_as(manager).get(reverse("campaign-detail", kwargs={"campaign_pk": made.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Wave 3" in body and "Retail" in body and "surveyed within the fatigue window" in body


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_only_managers_plan_campaigns(role, member, browser_as, published):
    client = browser_as(member(role))
    assert client.get(reverse("campaign-list")).status_code == 200
    response = client.post(reverse("campaign-list"), {"name": "x"})
    assert response.status_code == 403
