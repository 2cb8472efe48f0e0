"""Rules about the survey as a whole: length, open questions, validated wording."""

from __future__ import annotations

import re
from collections.abc import Iterator

from surveys.rules import Finding
from surveys.rules.document import QuestionDoc, SurveyDoc

MAX_METRIC_QUESTIONS = 3
MAX_SECONDS = 120


def estimated_seconds(question: QuestionDoc) -> float:
    """Reading at ~4 words a second plus the time to answer (Dillman-style rough figures)."""
    words = len(question.text.split()) or len(question.text) / 4  # CJK has no spaces
    reading = words / 4
    if question.type == "text":
        return reading + 25
    if question.is_choice:
        option_words = sum(len(o.label.split()) for o in question.options)
        return reading + option_words / 4 + 3 + (4 if question.type == "multi_choice" else 0)
    return reading + 4


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def check(doc: SurveyDoc) -> Iterator[Finding]:
    seconds = sum(estimated_seconds(q) for q in doc.questions)
    too_many = doc.kind != "custom" and len(doc.questions) > MAX_METRIC_QUESTIONS
    if too_many or seconds > MAX_SECONDS:
        first_extra = MAX_METRIC_QUESTIONS if too_many else len(doc.questions) - 1
        yield Finding(
            "survey-too-long",
            first_extra,
            f"{len(doc.questions)} questions, about {round(seconds)} seconds to answer. Every "
            "extra question costs completions, most of all on a phone.",
            f"Keep a {doc.kind.upper() if doc.kind != 'custom' else 'metric'} survey to the "
            "scored question and one open “why?”, under 2 minutes.",
        )
    closed = [q for q in doc.questions if q.is_closed]
    opened = [i for i, q in enumerate(doc.questions) if not q.is_closed]
    if opened and len(opened) > len(closed):
        yield Finding(
            "open-ended-unpaired",
            opened[0],
            f"{len(opened)} open questions and {len(closed)} closed ones: open "
            "questions are the slowest to answer and the first to be skipped.",
            "Pair each open question with the closed question it explains.",
        )
    elif opened and opened[0] == 0:
        yield Finding(
            "open-ended-unpaired",
            0,
            "The survey starts with an open question; no answer comes before it to explain.",
            "Ask the closed question first, then “What is the main reason …?”.",
        )
    yield from _validated_wording(doc)


def _validated_wording(doc: SurveyDoc) -> Iterator[Finding]:
    from surveys.catalog import validated_primary

    reference = validated_primary(doc.kind, doc.locale)
    primary = doc.primary_question()
    if reference is None or primary is None:
        return
    index, question = primary
    expected_points = reference["scale"]["points"]
    same_text = _normalized(question.text) == _normalized(reference["text"])
    same_scale = question.type == reference["type"] and (
        question.scale is not None and question.scale.points == expected_points
    )
    if not (same_text and same_scale):
        changed = "wording" if not same_text else "scale"
        yield Finding(
            "unvalidated-wording",
            index,
            f"The {doc.kind.upper()} question's {changed} differs from the validated item, so "
            "its score is no longer comparable with benchmarks or earlier surveys.",
            f"Restore “{reference['text']}” on its {expected_points}-point scale.",
            fix="restore-wording",
        )
