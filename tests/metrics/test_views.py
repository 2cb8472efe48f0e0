"""The dashboard, the case queues and the exports in the browser, per role."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from metrics.models import FollowUpCase
from metrics.services import case_open_for_response
from surveys.models import Response
from tests.metrics.helpers import answered


def streamed(response):
    assert response.streaming  # never built in memory
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_dashboard_shows_no_data_not_zero(member, browser_as):
    page = browser_as(member(Role.VIEWER)).get(reverse("dashboard")).content.decode()
    assert page.count("no data") == 3
    assert "No comments yet" in page


def test_the_dashboard_shows_scores_margins_segments_and_trend(workspace, member, browser_as):
    answered(
        {"nps": [10] * 30 + [0] * 5, "csat": [5, 4, 1]},
        workspace=workspace,
        industries=lambda i: "Retail" if i < 30 else "Health",
        months=lambda i: 1 + i % 3,
    )
    Response.objects.filter(score=0).update(comment="Slow support")
    client = browser_as(member(Role.VIEWER))
    page = client.get(reverse("dashboard"), {"by": "industry", "trend": "month"}).content.decode()
    assert "71.4" in page  # NPS = (30 − 5) / 35
    assert "small sample" in page  # CSAT with 3 answers, Health with 5
    assert "<svg" in page and 'role="img"' in page
    assert "Slow support" in page
    assert "2026-01-01" in page and "2026-03-01" in page
    csat = client.get(reverse("dashboard"), {"kind": "csat", "by": "industry"}).content.decode()
    assert "66.7" in csat  # two of three satisfied


@pytest.mark.parametrize(
    "params",
    [
        {"segment": "favourite=blue"},
        {"segment": "industry"},
        {"by": "shoe size"},
        {"campaign": "x"},
    ],
)
def test_bad_dashboard_filters_are_explained_not_a_500(params, member, browser_as):
    response = browser_as(member(Role.VIEWER)).get(reverse("dashboard"), params)
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()


def test_the_response_export_streams_every_row_with_segments(workspace, member, browser_as):
    answered({"nps": list(range(11)) * 30}, workspace=workspace, industries=lambda i: f"I{i % 3}")
    Response.objects.filter(score=3).update(comment='=HYPERLINK("http://x")')
    rows = streamed(browser_as(member(Role.VIEWER)).get(reverse("response-export")))
    header, body = rows[0], rows[1:]
    assert len(body) == 330
    assert {"score", "industry", "campaign", "quality_flags"} <= set(header)
    industry = header.index("industry")
    assert {r[industry] for r in body} == {"I0", "I1", "I2"}
    comment = header.index("comment")
    assert all(not r[comment].startswith("=") for r in body)  # no formulas for Excel to run


def cases_for(workspace, scores):
    answered({"nps": scores}, workspace=workspace)
    for response in Response.objects.filter(workspace=workspace):
        case_open_for_response(response=response)
    return list(FollowUpCase.objects.filter(workspace=workspace).order_by("pk"))


def test_an_agent_works_a_case_in_the_browser(workspace, member, browser_as):
    agent = member(Role.AGENT)
    [case] = cases_for(workspace, [2])
    assert case.assignee == agent.user
    client = browser_as(agent)
    mine = client.get(reverse("case-list"), {"mine": "1"}).content.decode()
    assert reverse("case-detail", kwargs={"case_pk": case.pk}) in mine
    url = reverse("case-detail", kwargs={"case_pk": case.pk})
    assert client.post(url, {"action": "note", "text": "Called them"}).status_code == 302
    assert client.post(url, {"action": "contacted"}).status_code == 302
    refused = client.post(url, {"action": "status", "status": "resolved", "outcome": ""})
    assert refused.status_code == 400 and "how it ended" in refused.content.decode()
    client.post(url, {"action": "status", "status": "resolved", "outcome": "explained"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("resolved", "explained")
    assert case.first_contacted_at is not None
    page = client.get(url).content.decode()
    assert "Called them" in page and "Resolved" in page


def test_a_viewer_reads_cases_but_cannot_change_them(workspace, member, browser_as):
    member(Role.AGENT)
    [case] = cases_for(workspace, [1])
    client = browser_as(member(Role.VIEWER))
    url = reverse("case-detail", kwargs={"case_pk": case.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "note", "text": "x"}).status_code == 403
    assert client.post(reverse("case-list"), {"case": [case.pk], "assignee": ""}).status_code == 403
    assert not case.events.filter(kind="note").exists()


def test_an_agent_cannot_edit_surveys(member, browser_as, published):
    survey = published("nps")
    client = browser_as(member(Role.AGENT))
    assert client.post(reverse("survey-list"), {"template": "csat"}).status_code == 403
    assert (
        client.post(reverse("survey-publish", kwargs={"survey_pk": survey.pk})).status_code == 403
    )


def test_the_queue_is_sorted_by_due_date_and_bulk_reassigns(workspace, member, browser_as):
    manager = member(Role.MANAGER)
    member(Role.AGENT)
    second = member(Role.AGENT)
    cases = cases_for(workspace, [0, 3, 5])
    client = browser_as(manager)
    page = client.get(reverse("case-list")).content.decode()
    positions = [page.index(reverse("case-detail", kwargs={"case_pk": c.pk})) for c in cases]
    assert positions == sorted(positions)  # opened in order, so due in order
    response = client.post(
        reverse("case-list"), {"case": [c.pk for c in cases], "assignee": second.user.pk}
    )
    assert response.status_code == 302
    assert set(FollowUpCase.objects.values_list("assignee", flat=True)) == {second.user.pk}
    rows = streamed(client.get(reverse("case-export")))
    assert len(rows) == 4 and rows[1][rows[0].index("assignee")] == second.user.email
