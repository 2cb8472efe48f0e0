"""Every best-practice rule, with cases where it must fire and cases where it must not."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.catalog import template_document
from surveys.rules import SEVERITY, lint, lint_json
from surveys.rules.document import parse_document
from surveys.rules.options import parse_range


def codes(document: dict) -> set[str]:
    return {f.code for f in lint_json(document).findings}


def one(text: str, qtype: str = "text", **extra) -> dict:
    question = {"type": qtype, "text": text, **extra}
    if qtype == "rating" and "scale" not in extra:
        question["scale"] = {
            "points": 5,
            "labels": [
                "Very dissatisfied",
                "Dissatisfied",
                "Neither",
                "Satisfied",
                "Very satisfied",
            ],
        }
    # A closed question first keeps structural rules quiet for wording cases.
    return {
        "kind": "custom",
        "locale": "en",
        "questions": [
            {
                "type": "rating",
                "text": "How would you rate the product?",
                "scale": {
                    "points": 5,
                    "labels": ["Very poor", "Poor", "Fair", "Good", "Very good"],
                },
            },
            question,
        ],
    }


def wording_codes(text: str, qtype: str = "rating") -> set[str]:
    return {f.code for f in lint_json(one(text, qtype)).findings if f.question == 1}


WORDING_CASES = [
    ("double-barrelled", "How satisfied are you with the speed and accuracy of our support?"),
    ("double-barrelled", "Was the agent friendly and knowledgeable?"),
    ("double-barrelled", "How easy was it to find and install the update?"),
    ("double-barrelled", "How likely are you to renew and expand your plan?"),
    ("double-barrelled", "How satisfied are you with our pricing, and why?"),
    ("double-barrelled", "Was the invoice late or incorrect?"),
    ("double-barrelled", "How easy was it to configure SAML and SCIM?"),
    ("leading", "Don't you agree that the new dashboard is easier?"),
    ("leading", "Wouldn't you say our onboarding was smooth?"),
    ("leading", "Should we keep improving the reporting features?"),
    ("leading", "Don't you feel the new billing page is clearer?"),
    ("leading", "How satisfied are you with our excellent support team?"),
    ("leading", "Given our recent improvements, how satisfied are you with the app?"),
    ("loaded", "How satisfied are you with our award-winning support?"),
    ("loaded", "Where do you enjoy using the mobile app the most?"),
    ("loaded", "How much time do you waste on manual exports?"),
    ("absolute", "Do you always read the release notes?"),
    ("absolute", "Does every feature work the way you expect?"),
    ("double-negative", "Do you not disagree that the setup was quick?"),
    ("double-negative", "Is it not unlikely that you will renew?"),
    ("jargon", "How satisfied are you with our SLA for P1 tickets?"),
    ("jargon", "How useful was the QBR with your CSM?"),
    (
        "too-long",
        "Thinking about the last three months of using the product across all of your "
        "teams and locations, how satisfied have you been overall with the reliability?",
    ),
    (
        "too-long",
        "We changed the invoice layout. We also moved the tax details. "
        "How clear is the new invoice?",
    ),
    ("yes-no-graded", "Are you satisfied with our support?"),
    ("yes-no-graded", "Was the mobile app easy to use?"),
    ("asks-known-data", "What is your email address?"),
    ("asks-known-data", "Which company do you work for?"),
]


@pytest.mark.parametrize(("code", "text"), WORDING_CASES)
def test_wording_rule_fires(code, text):
    assert code in wording_codes(text)


CLEAN_QUESTIONS = [
    "How likely are you to recommend {company} to a friend or colleague?",
    "How satisfied or dissatisfied are you with the terms and conditions of your contract?",
    "How clear were the pros and cons of each plan?",
    "How would you rate the research and development roadmap session?",
    "How satisfied are you with the Johnson & Johnson integration?",
    "How satisfied are you with the checkout page?",
    "How easy or difficult was it to set up your account?",
    "How often do you use the mobile app?",
    "How many people on your team use the product?",
    "On a scale between 1 and 5, how would you rate the documentation?",
    "{company} made it easy for me to handle my issue.",
    "What is the main reason for your score?",
    "How could we improve the onboarding?",
    "How do you feel about the new billing page?",
    "Would you prefer follow-up by email or by phone?",
    "How satisfied are you with the time between opening a ticket and the first reply?",
]


@pytest.mark.parametrize("text", CLEAN_QUESTIONS)
def test_well_written_questions_get_no_wording_findings(text):
    assert wording_codes(text) == set()


def test_or_in_a_choice_question_offers_alternatives_not_two_questions():
    doc = one(
        "Do you prefer email or SMS for updates?",
        "single_choice",
        options=["Email", "SMS", "Other"],
        randomize=True,
    )
    assert "double-barrelled" not in codes(doc)


def options_doc(options, randomize=False, qtype="single_choice"):
    return {
        "kind": "custom",
        "questions": [
            {"type": qtype, "text": "Which applies?", "options": options, "randomize": randomize},
            {"type": "text", "text": "Why?", "required": False},
        ],
    }


def option_codes(options, randomize=False):
    return {f.code for f in lint_json(options_doc(options, randomize)).findings if f.question == 0}


@pytest.mark.parametrize(
    ("options", "randomize", "expected", "absent"),
    [
        (["Email", "email ", "SMS", "Other"], True, {"options-duplicate"}, set()),
        (["1-5", "5-10", "11+"], False, {"options-overlap"}, {"options-gap"}),
        (["18–25", "25–35", "36 or more"], False, {"options-overlap"}, set()),
        (["1-5", "7-10", "11 or more"], False, {"options-gap"}, {"options-overlap"}),
        (["Under 10", "10 to 49", "50 or more"], False, set(), {"options-overlap", "options-gap"}),
        (["$0–$999", "$1,000–$4,999", "$5,000+"], False, set(), {"options-overlap", "options-gap"}),
        (
            ["Less than 1 year", "1 to less than 3 years", "3 years or more"],
            False,
            set(),
            {"options-overlap", "options-gap"},
        ),
        (["0.5-1.0", "1.1-2.0", "2.1-3"], False, set(), {"options-overlap", "options-gap"}),
        (["Slack", "Teams", "Email"], True, {"options-not-exhaustive"}, {"randomize-unordered"}),
        (
            ["Slack", "Teams", "Email", "Other"],
            False,
            {"randomize-unordered"},
            {"options-not-exhaustive"},
        ),
        (
            ["Slack", "Teams", "Email", "None of the above"],
            True,
            set(),
            {"options-not-exhaustive", "randomize-unordered"},
        ),
        (
            ["Never", "Rarely", "Sometimes", "Often", "Always"],
            True,
            {"ordered-shuffled"},
            {"randomize-unordered", "options-not-exhaustive"},
        ),
        (["1-10", "11-50", "51-200", "201+"], True, {"ordered-shuffled"}, set()),
        (
            ["Never", "Rarely", "Sometimes", "Often", "Always"],
            False,
            set(),
            {"ordered-shuffled", "randomize-unordered", "options-not-exhaustive"},
        ),
    ],
)
def test_option_rules(options, randomize, expected, absent):
    found = option_codes(options, randomize)
    assert expected <= found
    assert not (absent & found)


def test_overlap_points_at_the_second_option():
    finding = next(
        f for f in lint_json(options_doc(["1-5", "5-10"])).findings if f.code == "options-overlap"
    )
    assert (finding.question, finding.option) == (0, 1)


def rating(points, labels, direction="ascending", text="How satisfied are you with onboarding?"):
    return {
        "type": "rating",
        "text": text,
        "scale": {"points": points, "labels": labels, "direction": direction},
    }


def scale_codes(*questions):
    doc = {
        "kind": "custom",
        "questions": [*questions, {"type": "text", "text": "Why?", "required": False}],
    }
    return codes(doc)


def test_scale_unlabelled_endpoint_is_an_error():
    assert "scale-unlabelled" in scale_codes(rating(5, ["Very dissatisfied", "", "", "", ""]))
    assert SEVERITY["scale-unlabelled"] == "error"


def test_scale_with_more_positive_points_is_unbalanced():
    labels = ["Poor", "Good", "Very good", "Excellent", "Outstanding"]
    assert "scale-unbalanced" in scale_codes(rating(5, labels))


def test_bipolar_scale_without_neutral_middle_is_unbalanced():
    assert "scale-unbalanced" in scale_codes(rating(4, ["Very dissatisfied", "Very satisfied"]))
    assert "scale-unbalanced" not in scale_codes(rating(5, ["Very dissatisfied", "Very satisfied"]))


def test_balanced_fully_labelled_scale_passes():
    labels = [
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ]
    assert not {"scale-unbalanced", "scale-unlabelled"} & scale_codes(rating(5, labels))


def test_rating_scales_of_one_survey_must_agree_but_nps_is_exempt():
    ends = ["Very dissatisfied", "Very satisfied"]
    found = scale_codes(rating(5, ends), rating(7, ends, text="How satisfied are you with X?"))
    assert "scale-inconsistent" in found
    found = scale_codes(
        rating(5, ends), rating(5, ends, "descending", text="How satisfied are you with Y?")
    )
    assert "scale-inconsistent" in found
    nps = {
        "type": "nps",
        "text": "How likely are you to recommend {company} to a friend or colleague?",
    }
    assert "scale-inconsistent" not in scale_codes(nps, rating(5, ends))


def test_metric_survey_over_three_questions_is_too_long_and_shows_the_estimate():
    doc = template_document("nps")
    doc["questions"] += [
        {
            "type": "rating",
            "text": f"How satisfied are you with part {n}?",
            "scale": {"points": 5, "labels": ["Very dissatisfied", "Very satisfied"]},
        }
        for n in range(2)
    ]
    finding = next(f for f in lint_json(doc).findings if f.code == "survey-too-long")
    assert "seconds" in finding.message
    assert "survey-too-long" not in codes(template_document("nps"))


def test_long_custom_survey_is_too_long_by_time():
    doc = {
        "kind": "custom",
        "questions": [
            {
                "type": "rating",
                "text": f"How satisfied are you with area number {n}?",
                "scale": {"points": 5, "labels": ["Very dissatisfied", "Very satisfied"]},
            }
            for n in range(12)
        ]
        + [{"type": "text", "text": f"Tell us more about {n}."} for n in range(3)],
    }
    assert "survey-too-long" in codes(doc)


def test_open_questions_need_a_closed_question_before_them():
    assert "open-ended-unpaired" in codes(
        {
            "questions": [
                {"type": "text", "text": "What should we improve?"},
                {
                    "type": "rating",
                    "text": "How would you rate us?",
                    "scale": {"points": 5, "labels": ["Very poor", "Very good"]},
                },
            ]
        }
    )
    assert "open-ended-unpaired" in codes(
        {
            "questions": [
                {
                    "type": "rating",
                    "text": "How would you rate us?",
                    "scale": {"points": 5, "labels": ["Very poor", "Very good"]},
                },
                {"type": "text", "text": "Why?"},
                {"type": "text", "text": "Anything else?"},
            ]
        }
    )
    assert "open-ended-unpaired" not in codes(template_document("csat"))


@pytest.mark.parametrize("locale", ["en", "ko", "zh-Hant"])
@pytest.mark.parametrize("kind", ["nps", "csat", "ces"])
def test_templates_are_clean_in_every_language(kind, locale):
    assert codes(template_document(kind, locale)) == set()


def test_edited_primary_wording_or_scale_is_unvalidated():
    doc = template_document("nps")
    doc["questions"][0]["text"] = "How likely are you to recommend us to others?"
    assert "unvalidated-wording" in codes(doc)
    doc = template_document("csat")
    doc["questions"][0]["scale"] = {"points": 7, "labels": ["Very dissatisfied", "Very satisfied"]}
    assert "unvalidated-wording" in codes(doc)
    doc = template_document("ces")
    doc["questions"][0]["text"] = doc["questions"][0]["text"].upper()
    assert "unvalidated-wording" not in codes(doc)  # case and spacing do not matter


def test_other_languages_get_structural_rules_and_a_note():
    doc = {
        "kind": "custom",
        "locale": "ko",
        "questions": [
            {
                "type": "single_choice",
                "text": "속도와 정확성에 얼마나 만족하십니까?",
                "options": ["1-5", "5-10"],
            },
            {"type": "text", "text": "이유는 무엇입니까?"},
        ],
    }
    result = lint_json(doc)
    assert "options-overlap" in {f.code for f in result.findings}
    assert not {f.code for f in result.findings} & {"double-barrelled", "leading"}
    assert "English only" in result.notes[0]


def test_every_finding_has_the_public_shape():
    doc = one("Don't you agree our award-winning support is always fast and friendly?")
    for finding in lint_json(doc).findings:
        data = finding.to_json()
        assert set(data) == {"code", "severity", "question", "option", "message", "suggestion"}
        assert data["severity"] == SEVERITY[data["code"]]
        assert data["message"]
        assert data["suggestion"]


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_adjacent_integer_ranges_never_overlap_or_gap(low, width):
    options = [f"{low}-{low + width}", f"{low + width + 1}-{low + 2 * width + 1}"]
    found = option_codes(options)
    assert not {"options-overlap", "options-gap"} & found


@given(st.integers(0, 10_000), st.integers(1, 1000))
def test_ranges_sharing_an_endpoint_always_overlap(low, width):
    assert "options-overlap" in option_codes(
        [f"{low}-{low + width}", f"{low + width}-{low + 2 * width}"]
    )


def test_parse_range_reads_common_shapes():
    assert parse_range("10k-50k").high == 50_000
    assert parse_range("Under 18").high == 18
    assert parse_range("Prefer not to say") is None


def test_thirty_question_survey_lints():
    doc = parse_document(
        {
            "kind": "custom",
            "questions": [
                {
                    "type": "rating",
                    "text": f"How satisfied are you with the area number {n}?",
                    "scale": {"points": 5, "labels": ["Very dissatisfied", "Very satisfied"]},
                }
                for n in range(30)
            ],
        }
    )
    assert lint(doc).findings  # survey-too-long at least; timing lives in bench/
