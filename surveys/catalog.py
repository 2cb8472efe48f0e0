"""Validated templates: the standard NPS, CSAT and CES 2.0 items, in English, Korean and
Traditional Chinese. ``{company}`` is replaced by the workspace's name when shown.

Sources: Reichheld, "The One Number You Need to Grow", HBR 2003 (NPS); the ACSI-style
top-2-box satisfaction item (CSAT); Dixon, Freeman & Toman, "Stop Trying to Delight Your
Customers", HBR 2010, and CEB's CES 2.0 (CES).
"""

from __future__ import annotations

from typing import Any

LOCALES = ("en", "ko", "zh-Hant")

_TEXT: dict[str, dict[str, dict[str, Any]]] = {
    "nps": {
        "en": {
            "title": "Net Promoter Score",
            "q": "How likely are you to recommend {company} to a friend or colleague?",
            "labels": ["Not at all likely", "Extremely likely"],
            "why": "What is the main reason for your score?",
        },
        "ko": {
            "title": "순추천지수(NPS)",
            "q": "{company}을(를) 친구나 동료에게 추천할 가능성은 얼마나 됩니까?",
            "labels": ["전혀 추천하지 않음", "매우 추천함"],
            "why": "그렇게 평가하신 가장 큰 이유는 무엇입니까?",
        },
        "zh-Hant": {
            "title": "淨推薦值（NPS）",
            "q": "您有多大可能向朋友或同事推薦{company}？",
            "labels": ["完全不可能", "極有可能"],
            "why": "您給出這個分數的主要原因是什麼？",
        },
    },
    "csat": {
        "en": {
            "title": "Customer satisfaction",
            "q": "Overall, how satisfied are you with {company}?",
            "labels": [
                "Very dissatisfied",
                "Dissatisfied",
                "Neither satisfied nor dissatisfied",
                "Satisfied",
                "Very satisfied",
            ],
            "why": "What is the main reason for your rating?",
        },
        "ko": {
            "title": "고객 만족도(CSAT)",
            "q": "{company}에 대해 전반적으로 얼마나 만족하십니까?",
            "labels": ["매우 불만족", "불만족", "보통", "만족", "매우 만족"],
            "why": "그렇게 평가하신 가장 큰 이유는 무엇입니까?",
        },
        "zh-Hant": {
            "title": "顧客滿意度（CSAT）",
            "q": "整體而言，您對{company}的滿意程度如何？",
            "labels": ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"],
            "why": "您給出這個評分的主要原因是什麼？",
        },
    },
    "ces": {
        "en": {
            "title": "Customer effort",
            "q": "{company} made it easy for me to handle my issue.",
            "labels": [
                "Strongly disagree",
                "Disagree",
                "Somewhat disagree",
                "Neither agree nor disagree",
                "Somewhat agree",
                "Agree",
                "Strongly agree",
            ],
            "why": "What is the main reason for your answer?",
        },
        "ko": {
            "title": "고객 노력 점수(CES)",
            "q": "{company} 덕분에 제 문제를 쉽게 해결할 수 있었습니다.",
            "labels": [
                "전혀 동의하지 않음",
                "동의하지 않음",
                "다소 동의하지 않음",
                "보통",
                "다소 동의함",
                "동의함",
                "매우 동의함",
            ],
            "why": "그렇게 답하신 가장 큰 이유는 무엇입니까?",
        },
        "zh-Hant": {
            "title": "顧客費力度（CES）",
            "q": "{company}讓我能輕鬆處理我的問題。",
            "labels": [
                "非常不同意",
                "不同意",
                "有點不同意",
                "普通",
                "有點同意",
                "同意",
                "非常同意",
            ],
            "why": "您這樣回答的主要原因是什麼？",
        },
    },
}


def locale_key(locale: str) -> str:
    """The catalog locale for a survey locale (zh-TW and zh-Hant-* read Traditional Chinese)."""
    lowered = locale.lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh-Hant"
    language = lowered.split("-")[0]
    return language if language in {"en", "ko"} else "en"


def template_document(kind: str, locale: str = "en") -> dict[str, Any]:
    """The survey document of a validated template (kind: nps, csat or ces)."""
    text = _TEXT[kind][locale_key(locale)]
    if kind == "nps":
        primary = {
            "type": "nps",
            "text": text["q"],
            "primary": True,
            "scale": {"points": 11, "labels": text["labels"]},
        }
    else:
        primary = {
            "type": "rating",
            "text": text["q"],
            "primary": True,
            "scale": {"points": len(text["labels"]), "labels": text["labels"]},
        }
    return {
        "kind": kind,
        "locale": locale_key(locale),
        "title": text["title"],
        "questions": [primary, {"type": "text", "text": text["why"], "required": False}],
    }


def validated_primary(kind: str, locale: str) -> dict[str, Any] | None:
    if kind not in _TEXT:
        return None
    return template_document(kind, locale)["questions"][0]
