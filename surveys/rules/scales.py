"""Rules for rating scales: labelled endpoints, balance, consistency across a survey."""

from __future__ import annotations

import re
from collections.abc import Iterator

from surveys.rules import Finding
from surveys.rules.document import QuestionDoc, SurveyDoc

_NEUTRAL = re.compile(
    r"\b(neutral|neither|average|undecided|no opinion|unsure|ok(ay)?|"
    r"somewhat\s+(?:satisfied\s+)?(?:and|or)\s+|mixed|보통|普通|中立)\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(dis\w+|un\w+|not\b|poor|bad|terrible|awful|difficult|hard|never|low|worst|"
    r"strongly disagree|very difficult|hate|negative|weak|rarely)",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(satisf\w*|agree|likely|easy|good|great|excellent|very|extremely|best|always|high|"
    r"helpful|useful|important|positive|strong|love|often|pleased|happy|effortless|"
    r"outstanding|superb|exceptional|fantastic|amazing|perfect|delighted)\b",
    re.I,
)


def polarity(label: str) -> int:
    """-1 negative, 0 neutral or unknown, +1 positive."""
    if not label or _NEUTRAL.search(label):
        return 0
    if _NEGATIVE.search(label):
        return -1
    if _POSITIVE.search(label):
        return 1
    return 0


def check(doc: SurveyDoc) -> Iterator[Finding]:
    reference: tuple[int, QuestionDoc] | None = None
    for index, question in enumerate(doc.questions):
        if question.type != "rating" or question.scale is None:
            continue
        yield from _check_scale(index, question)
        if reference is None:
            reference = (index, question)
            continue
        first_index, first = reference
        assert first.scale is not None
        if (question.scale.points, question.scale.direction) != (
            first.scale.points,
            first.scale.direction,
        ):
            yield Finding(
                "scale-inconsistent",
                index,
                f"This scale has {question.scale.points} points ({question.scale.direction}); "
                f"question {first_index + 1} has {first.scale.points} "
                f"({first.scale.direction}). Respondents carry the first scale over.",
                "Use the same number of points and the same direction for every rating "
                "question (the NPS 0–10 question is exempt).",
            )


def _check_scale(index: int, question: QuestionDoc) -> Iterator[Finding]:
    scale = question.scale
    assert scale is not None
    labels = scale.labels
    if not labels or not labels[0].strip() or not labels[-1].strip():
        yield Finding(
            "scale-unlabelled",
            index,
            "An end of the scale has no label, so respondents must guess what it means.",
            "Label both ends, e.g. “Very dissatisfied” … “Very satisfied”.",
            fix="label-scale",
        )
        return
    signs = [polarity(label) for label in labels]
    bipolar = signs[0] * signs[-1] == -1
    labelled = [label for label in labels if label.strip()]
    if len(labelled) == len(labels):
        negatives, positives = signs.count(-1), signs.count(1)
        if bipolar and negatives != positives:
            yield Finding(
                "scale-unbalanced",
                index,
                f"The scale has {positives} positive and {negatives} negative points.",
                "Give it as many negative as positive points, around a neutral middle.",
            )
            return
    if bipolar and scale.points % 2 == 0:
        yield Finding(
            "scale-unbalanced",
            index,
            f"A scale from “{labels[0]}” to “{labels[-1]}” with {scale.points} points "
            "has no neutral middle.",
            "Use an odd number of points (5 or 7) so a neutral answer is possible.",
        )
