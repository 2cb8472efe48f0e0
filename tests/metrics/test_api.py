"""The metrics, responses and cases API: filters, breakdowns, workflow and roles."""

import pytest

from accounts.models import Role
from metrics.models import FollowUpCase
from metrics.services import case_open_for_response
from surveys.models import Response
from tests.metrics.helpers import answered


@pytest.fixture
def scored(workspace):
    answered(
        {"nps": [10, 9, 8, 3, 0], "csat": [5]},
        workspace=workspace,
        industries=lambda i: "Retail" if i < 3 else "Health",
    )
    for response in Response.objects.all():
        case_open_for_response(response=response)
    return workspace


def test_scores_with_a_breakdown_and_trend(scored, member, api_as):
    api = api_as(member(Role.VIEWER))
    body = api.get(
        "/api/v1/metrics/scores/", {"kind": "nps", "by": "industry", "trend": "month"}
    ).json()
    assert body["score"]["value"] == 0.0 and body["score"]["n"] == 5
    assert body["score"]["small_sample"] is True
    rows = {r["value"]: r["score"]["value"] for r in body["breakdown"]}
    assert rows == {"Health": -100.0, "Retail": 66.7}
    assert body["trend"][0]["change"] is None
    single = api.get("/api/v1/metrics/scores/", {"kind": "csat"}).json()
    assert single["score"]["parts"]["mean_margin"] is None  # one answer: no interval
    empty = api.get("/api/v1/metrics/scores/", {"kind": "ces"}).json()
    assert empty["score"] is None


@pytest.mark.parametrize(
    "params",
    [{"kind": "happiness"}, {"kind": "nps", "by": "shoe"}, {"kind": "nps", "segment": "x"}],
)
def test_bad_metric_queries_are_400s_with_field_errors(params, scored, member, api_as):
    response = api_as(member(Role.VIEWER)).get("/api/v1/metrics/scores/", params)
    assert response.status_code == 400
    assert set(response.json()) & {"kind", "by", "segment"}


def test_responses_are_listed_with_segments_and_filtered(scored, member, api_as):
    api = api_as(member(Role.VIEWER))
    body = api.get("/api/v1/responses/", {"segment": "industry=Health"}).json()
    assert body["count"] == 2 and {r["industry"] for r in body["results"]} == {"Health"}


def test_an_agent_patches_a_case_through_its_workflow(scored, member, api_as):
    agent = member(Role.AGENT)
    api = api_as(agent)
    case = FollowUpCase.objects.filter(score=0).get()
    url = f"/api/v1/cases/{case.pk}/"
    assert api.post(f"{url}notes/", {"text": "Rang them"}, format="json").status_code == 201
    assert (
        api.patch(url, {"first_contacted": True}, format="json").json()["status"] == "in_progress"
    )
    refused = api.patch(url, {"status": "resolved"}, format="json")
    assert refused.status_code == 400 and "outcome" in refused.json()
    done = api.patch(url, {"status": "resolved", "outcome": "fixed"}, format="json").json()
    assert (done["status"], done["outcome"]) == ("resolved", "fixed")
    assert [e["kind"] for e in done["events"]][-1] == "status"
    assert api.get("/api/v1/cases/", {"status": "resolved"}).json()["count"] == 1


def test_a_viewer_reads_cases_but_cannot_change_them(scored, member, api_as):
    api = api_as(member(Role.VIEWER))
    case = FollowUpCase.objects.first()
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert (
        api.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed"}, format="json").status_code
        == 403
    )
    assert (
        api.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "x"}, format="json").status_code == 403
    )


def test_cases_cannot_be_given_to_someone_outside_the_workspace(scored, member, api_as):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(role=Role.AGENT).user
    case = FollowUpCase.objects.first()
    response = api_as(member(Role.MANAGER)).patch(
        f"/api/v1/cases/{case.pk}/", {"assignee": outsider.pk}, format="json"
    )
    assert response.status_code == 400 and "assignee" in response.json()
