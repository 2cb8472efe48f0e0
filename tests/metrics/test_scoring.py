"""Scores against an independent computation, the margin-of-error formula on known values,
and the edges: no responses, tiny samples."""

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from metrics import scoring
from metrics.selectors import Filters, response_scope, score_breakdown, score_summary, score_trend
from tests.metrics.helpers import answered


def test_nps_margin_on_known_values():
    # 50 % promoters, 20 % detractors, n = 400: sqrt((0.5 + 0.2 − 0.09) / 400) = 0.039051…
    assert scoring.nps_margin(promoters=200, detractors=80, n=400) == pytest.approx(
        1.96 * 100 * math.sqrt(0.61 / 400)
    )
    assert scoring.nps_margin(promoters=200, detractors=80, n=400) == pytest.approx(7.654, abs=1e-3)
    # Everyone a promoter: no uncertainty left in the sample.
    assert scoring.nps_margin(promoters=10, detractors=0, n=10) == 0
    # Half promoters, half detractors: the widest, 1.96 · 100 · sqrt(1 / n).
    assert scoring.nps_margin(promoters=50, detractors=50, n=100) == pytest.approx(19.6)


def test_nps_from_counts():
    score = scoring.nps_from_counts(n=10, promoters=6, passives=2, detractors=2)
    assert (score.value, score.parts["promoters_share"], score.small_sample) == (40.0, 60.0, True)
    assert scoring.nps_from_counts(n=0, promoters=0, passives=0, detractors=0) is None


def test_csat_and_ces_from_counts():
    csat = scoring.csat_from_counts(n=4, satisfied=3, total=16, squares=66)  # 5, 4, 4, 3
    assert (csat.value, csat.parts["mean"]) == (75.0, 4.0)
    assert csat.parts["mean_margin"] == pytest.approx(
        1.96 * statistics.stdev([5, 4, 4, 3]) / 2, abs=0.01
    )
    ces = scoring.ces_from_counts(n=1, agreeing=1, total=6, squares=36)
    assert ces.value == 6.0 and math.isinf(ces.margin)  # one answer: no interval to speak of


def test_a_change_counts_only_beyond_the_combined_margin():
    before = scoring.Score("nps", 100, 10.0, 6.0, {})
    assert scoring.change_is_significant(before, scoring.Score("nps", 100, 19.0, 6.0, {}))
    assert not scoring.change_is_significant(before, scoring.Score("nps", 100, 18.0, 6.0, {}))


class ScoresMatchAnIndependentComputation(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        nps=st.lists(st.integers(0, 10), max_size=60),
        csat=st.lists(st.integers(1, 5), max_size=40),
        ces=st.lists(st.integers(1, 7), max_size=40),
    )
    def test_scores(self, nps, csat, ces):
        workspace = answered({"nps": nps, "csat": csat, "ces": ces})
        responses = response_scope(workspace=workspace)
        got = score_summary(responses=responses, kind="nps")
        if not nps:
            assert got is None  # no data, never 0
        else:
            promoters = sum(s >= 9 for s in nps) / len(nps)
            detractors = sum(s <= 6 for s in nps) / len(nps)
            assert got.n == len(nps)
            assert got.value == pytest.approx(100 * (promoters - detractors), abs=0.051)
            margin = (
                1.96
                * 100
                * math.sqrt(
                    max(0, promoters + detractors - (promoters - detractors) ** 2) / len(nps)
                )
            )
            assert got.margin == pytest.approx(margin, abs=0.051)
        got = score_summary(responses=responses, kind="csat")
        if csat:
            assert got.value == pytest.approx(
                100 * sum(s >= 4 for s in csat) / len(csat), abs=0.051
            )
            assert got.parts["mean"] == pytest.approx(statistics.fmean(csat), abs=0.0051)
        else:
            assert got is None
        got = score_summary(responses=responses, kind="ces")
        if ces:
            assert got.value == pytest.approx(statistics.fmean(ces), abs=0.0051)
            assert got.parts["agreeing_share"] == pytest.approx(
                100 * sum(s >= 5 for s in ces) / len(ces), abs=0.051
            )
            if len(ces) > 1:
                expected = 1.96 * statistics.stdev(ces) / math.sqrt(len(ces))
                assert got.margin == pytest.approx(expected, abs=0.0051)
        else:
            assert got is None


def test_breakdown_by_industry_flags_small_cells(db):
    workspace = answered(
        {"nps": [10] * 40 + [0] * 10},
        industries=lambda i: "Retail" if i < 45 else "Health",
    )
    rows = {
        r["value"]: r["score"]
        for r in score_breakdown(
            responses=response_scope(workspace=workspace), kind="nps", by="industry"
        )
    }
    assert rows["Retail"].n == 45 and rows["Retail"].value == pytest.approx(
        100 * (40 - 5) / 45, abs=0.05
    )
    assert rows["Health"].n == 5 and rows["Health"].value == -100.0
    assert rows["Health"].small_sample and not rows["Retail"].small_sample


def test_filters_narrow_by_segment_and_flagged(db):
    workspace = answered(
        {"nps": [10, 10, 0]}, industries=lambda i: ["Retail", "Health", "Retail"][i]
    )
    retail = response_scope(workspace=workspace, filters=Filters(segment=("industry", "Retail")))
    assert score_summary(responses=retail, kind="nps").value == 0.0
    from surveys.models import Response

    Response.objects.filter(score=0).update(quality_flags=["gibberish comment"])
    clean = response_scope(workspace=workspace, filters=Filters(exclude_flagged=True))
    assert score_summary(responses=clean, kind="nps").value == 100.0


def test_trend_by_month_marks_significant_changes(db):
    workspace = answered(
        {"nps": [0] * 50 + [10] * 50},
        months=lambda i: 1 if i < 50 else 2,
    )
    [january, february] = score_trend(
        responses=response_scope(workspace=workspace), kind="nps", period="month"
    )
    assert (january["score"].value, february["score"].value) == (-100.0, 100.0)
    assert (january["change"], february["change"], february["significant"]) == (None, 200.0, True)


def test_answers_through_test_links_are_left_out_of_scores(invitation, workspace):
    from surveys.services import response_submit

    primary = invitation.survey.questions.get(primary=True)
    answers = {
        str(q.pk): ["x"] for q in invitation.survey.questions.filter(type="text", required=True)
    }
    response_submit(invitation=invitation, answers={**answers, str(primary.pk): ["10"]})
    assert score_summary(responses=response_scope(workspace=workspace), kind="nps") is None
