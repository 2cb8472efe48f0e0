"""Rules for the answer options of choice questions: duplicates, ranges, order, escape options."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from surveys.rules import Finding
from surveys.rules.document import ESCAPE_OPTIONS, QuestionDoc, SurveyDoc

_NUMBER = r"[$€£¥₩]?\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM]\b|%)?"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|—|to|through|thru)\s*(less than\s*|under\s*)?{_NUMBER}")
_BELOW = re.compile(
    rf"^(?:under|less than|fewer than|below|up to|<=|<|at most|no more than)\s*"
    rf"{_NUMBER}",
    re.I,
)
_ABOVE = re.compile(
    rf"^(?:over|more than|greater than|above|>=|>|at least|no less than)\s*"
    rf"{_NUMBER}",
    re.I,
)
_OR_MORE = re.compile(
    rf"^{_NUMBER}\s*(?:\+|or more|or above|or over|and (?:up|above|over)|or "
    rf"greater|or higher|plus)",
    re.I,
)
_OR_LESS = re.compile(
    rf"^{_NUMBER}\s*(?:or less|or fewer|or below|or under|and (?:under|below))", re.I
)
_SINGLE = re.compile(rf"^{_NUMBER}(?:\s+[a-z]+)?$", re.I)

ORDERED_WORDS = re.compile(
    r"^(never|rarely|seldom|sometimes|occasionally|often|usually|frequently|always|"
    r"almost (never|always)|(very |somewhat |slightly |extremely |not at all |not very )?"
    r"(satisfied|dissatisfied|likely|unlikely|easy|difficult|important|unimportant|good|poor|"
    r"bad|helpful|unhelpful|useful|familiar|unfamiliar|confident)|"
    r"(strongly |somewhat )?(agree|disagree)|neither .* nor .*|neutral|"
    r"excellent|very good|good|fair|poor|average|"
    r"daily|weekly|monthly|quarterly|yearly|annually|once a (day|week|month|year)|"
    r"(several|a few|many) times a (day|week|month|year)|every day|every week|"
    r"less than (once|a)|more than (once|a)|"
    r"(very )?(small|large|high|low)|medium|moderate|"
    r"none|a little|some|a lot|a great deal|not at all|"
    r"beginner|intermediate|advanced|expert|"
    r"(first|second|third|fourth|last))\b",
    re.I,
)


@dataclass(frozen=True)
class Interval:
    low: float
    low_closed: bool
    high: float
    high_closed: bool
    step: Decimal  # the smallest unit the options are written in (1, 0.1, 0.01 …)

    def overlaps(self, other: Interval) -> bool:
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return self.high_closed and other.low_closed
        if other.high == self.low:
            return other.high_closed and self.low_closed
        return True


def _number(digits: str, suffix: str | None) -> tuple[float, Decimal]:
    value = Decimal(digits.replace(",", ""))
    exponent = value.as_tuple().exponent
    step = Decimal(1).scaleb(exponent) if isinstance(exponent, int) and exponent < 0 else Decimal(1)
    multiplier = {"k": 1000, "m": 1_000_000}.get((suffix or "").lower(), 1)
    return float(value * multiplier), step * multiplier


_UNIT = re.compile(r"\b(minute|min|hour|hr|day|week|month|year|yr)s?\b", re.I)
UNIT_MINUTES = {
    "minute": 1,
    "min": 1,
    "hour": 60,
    "hr": 60,
    "day": 1440,
    "week": 10080,
    "month": 43200,
    "year": 525600,
    "yr": 525600,
}
_PREFIX = re.compile(r"^(in|within|about|around|approximately|approx\.?|roughly)\s+", re.I)


def parse_range(label: str, unit: str | None = None) -> Interval | None:
    """The numeric interval an option label covers, or None when it is not a number or range.

    Durations are compared in minutes (``unit`` is the list's usual unit, for bare numbers).
    """
    interval = _parse_range(label)
    if interval is None:
        return None
    found = _UNIT.search(label)
    scale = UNIT_MINUTES[(found[1] if found else unit or "").lower()] if (found or unit) else 1
    if scale == 1:
        return interval
    return Interval(
        interval.low * scale,
        interval.low_closed,
        interval.high * scale,
        interval.high_closed,
        interval.step * scale,
    )


def list_unit(labels: list[str]) -> str | None:
    units = [m[1].lower() for label in labels if (m := _UNIT.search(label))]
    return max(set(units), key=units.count) if units else None


def _parse_range(label: str) -> Interval | None:
    text = _PREFIX.sub("", label.strip().lower().replace("−", "-"))
    try:
        if match := _RANGE.match(text):
            low, step_low = _number(match[1], match[2] or match[5])
            high, step_high = _number(match[4], match[5] or match[2])
            exclusive = bool(match[3])
            return Interval(low, True, high, not exclusive, min(step_low, step_high))
        if match := _BELOW.match(text):
            high, step = _number(match[1], match[2])
            closed = text.startswith(("up to", "<=", "at most", "no more than"))
            return Interval(-math.inf, False, high, closed, step)
        if match := _ABOVE.match(text):
            low, step = _number(match[1], match[2])
            closed = text.startswith((">=", "at least", "no less than"))
            return Interval(low, closed, math.inf, False, step)
        if match := _OR_MORE.match(text):
            low, step = _number(match[1], match[2])
            return Interval(low, True, math.inf, False, step)
        if match := _OR_LESS.match(text):
            high, step = _number(match[1], match[2])
            return Interval(-math.inf, False, high, True, step)
        if match := _SINGLE.match(text):
            value, step = _number(match[1], match[2])
            return Interval(value, True, value, True, step)
    except InvalidOperation:
        return None
    return None


def _normalized(label: str) -> str:
    return re.sub(r"[\s.,;:!?'\"“”‘’]+", " ", label.lower()).strip()


def is_ordered(question: QuestionDoc) -> bool:
    """Whether the options have a natural order (ranges, scales, frequencies)."""
    labels = [o.label for o in question.options if not o.anchored]
    if len(labels) < 2:
        return False
    ordered = sum(1 for label in labels if parse_range(label) or ORDERED_WORDS.match(label.strip()))
    return ordered >= max(2, math.ceil(len(labels) * 2 / 3))


def check(doc: SurveyDoc) -> Iterator[Finding]:
    for index, question in enumerate(doc.questions):
        if question.is_choice and question.options:
            yield from _check_question(index, question)


def _check_question(index: int, question: QuestionDoc) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for position, option in enumerate(question.options):
        key = _normalized(option.label)
        if key in seen:
            yield Finding(
                "options-duplicate",
                index,
                f"“{option.label}” is the same option as number {seen[key] + 1}.",
                "Remove one of them.",
                option=position,
            )
        else:
            seen[key] = position
    yield from _check_ranges(index, question)
    ordered = is_ordered(question)
    if ordered and question.randomize:
        yield Finding(
            "ordered-shuffled",
            index,
            "These options have a natural order, but they are set to be shuffled.",
            "Turn off randomization so the options keep their order.",
            fix="no-randomize",
        )
    if not ordered:
        if not any(o.anchored or ESCAPE_OPTIONS.match(o.label) for o in question.options):
            yield Finding(
                "options-not-exhaustive",
                index,
                "No option fits a respondent whose answer is not listed.",
                "Add an escape option such as “Other”, “None of the above” or "
                "“Not applicable”; it stays last.",
                fix="add-other",
            )
        if not question.randomize:
            yield Finding(
                "randomize-unordered",
                index,
                "The options have no natural order, so the first ones get picked "
                "more often (primacy effect).",
                "Shuffle them per respondent; “Other” and similar options stay last.",
                fix="randomize",
            )


def _check_ranges(index: int, question: QuestionDoc) -> Iterator[Finding]:
    unit = list_unit([o.label for o in question.options])
    ranges = [(p, r) for p, o in enumerate(question.options) if (r := parse_range(o.label, unit))]
    if len(ranges) < 2:
        return
    for i, (pos_a, a) in enumerate(ranges):
        for pos_b, b in ranges[i + 1 :]:
            if a.overlaps(b):
                yield Finding(
                    "options-overlap",
                    index,
                    f"“{question.options[pos_a].label}” and "
                    f"“{question.options[pos_b].label}” overlap: a respondent could "
                    "pick either.",
                    "Make the ranges meet without sharing a value, e.g. 1–5 and 6–10.",
                    option=pos_b,
                )
    ordered = sorted(ranges, key=lambda item: (item[1].low, item[1].high))
    step = min(r.step for _, r in ranges)
    for (_, a), (pos_b, b) in pairwise(ordered):
        if a.overlaps(b) or math.isinf(a.high) or math.isinf(b.low):
            continue
        if a.high_closed and b.low_closed:
            gap = b.low - a.high > float(step) + 1e-9
        else:
            gap = b.low > a.high
        if gap:
            yield Finding(
                "options-gap",
                index,
                f"No option covers the values between "
                f"“{_label(question, a)}” and “{question.options[pos_b].label}”.",
                "Close the gap so every possible answer has exactly one option.",
                option=pos_b,
            )


def _label(question: QuestionDoc, interval: Interval) -> str:
    unit = list_unit([o.label for o in question.options])
    for option in question.options:
        if parse_range(option.label, unit) == interval:
            return option.label
    return ""
