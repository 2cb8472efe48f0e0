"""The survey document: the JSON shape the API, the CLI and the builder share.

Minimal form (everything else optional)::

    {"kind": "custom", "locale": "en",
     "questions": [
       {"type": "single_choice", "text": "Which plan are you on?", "randomize": true,
        "options": ["Starter", "Team", {"label": "Other", "anchored": true}]},
       {"type": "rating", "text": "How satisfied are you with onboarding?",
        "scale": {"points": 5, "labels": ["Very dissatisfied", "", "", "", "Very satisfied"]}}]}

See docs/survey-format.md for every field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("nps", "csat", "ces", "custom")
TYPES = ("nps", "rating", "single_choice", "multi_choice", "text")
DIRECTIONS = ("ascending", "descending")
ESCAPE_OPTIONS = re.compile(
    r"^(other|others|other \(please specify\)|other:?|none|none of the above|none of these|"
    r"not applicable|n/?a|prefer not to (say|answer)|don'?t know|do not know|not sure|"
    r"no opinion|기타|해당 없음|모름|其他|不適用|不知道)\b",
    re.IGNORECASE,
)


class DocumentError(ValueError):
    """The document is not a survey; ``problems`` maps a path to what is wrong there."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems.items()))


@dataclass
class OptionDoc:
    label: str
    value: str = ""
    anchored: bool = False


@dataclass
class ScaleDoc:
    points: int
    labels: list[str] = field(default_factory=list)
    direction: str = "ascending"


@dataclass
class QuestionDoc:
    type: str
    text: str
    required: bool = True
    primary: bool = False
    randomize: bool = False
    options: list[OptionDoc] = field(default_factory=list)
    scale: ScaleDoc | None = None

    @property
    def is_choice(self) -> bool:
        return self.type in {"single_choice", "multi_choice"}

    @property
    def is_closed(self) -> bool:
        return self.type != "text"


@dataclass
class SurveyDoc:
    kind: str = "custom"
    locale: str = "en"
    title: str = ""
    intro: str = ""
    thank_you: str = ""
    questions: list[QuestionDoc] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.locale.split("-")[0].split("_")[0].lower()

    def primary_question(self) -> tuple[int, QuestionDoc] | None:
        for index, question in enumerate(self.questions):
            if question.primary:
                return index, question
        if self.kind != "custom":
            for index, question in enumerate(self.questions):
                if question.type in {"nps", "rating"}:
                    return index, question
        return None

    def to_json(self) -> dict[str, Any]:
        def question_json(q: QuestionDoc) -> dict[str, Any]:
            data: dict[str, Any] = {
                "type": q.type,
                "text": q.text,
                "required": q.required,
                "primary": q.primary,
                "randomize": q.randomize,
            }
            if q.options:
                data["options"] = [
                    {"label": o.label, "value": o.value, "anchored": o.anchored} for o in q.options
                ]
            if q.scale:
                data["scale"] = {
                    "points": q.scale.points,
                    "labels": q.scale.labels,
                    "direction": q.scale.direction,
                }
            return data

        return {
            "kind": self.kind,
            "locale": self.locale,
            "title": self.title,
            "intro": self.intro,
            "thank_you": self.thank_you,
            "questions": [question_json(q) for q in self.questions],
        }


def _text(value: Any, path: str, problems: dict[str, str], *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[path] = "must be text"
        return ""
    value = value.strip()
    if required and not value:
        problems[path] = "must not be empty"
    elif len(value) > limit:
        problems[path] = f"must be at most {limit} characters"
    return value


def _flag(value: Any, path: str, problems: dict[str, str], default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems[path] = "must be true or false"
        return default
    return value


def _option(raw: Any, path: str, problems: dict[str, str]) -> OptionDoc | None:
    if isinstance(raw, str):
        raw = {"label": raw}
    if not isinstance(raw, dict):
        problems[path] = "must be a label or an object with a label"
        return None
    label = _text(raw.get("label"), f"{path}.label", problems, limit=200, required=True)
    value = _text(raw.get("value"), f"{path}.value", problems, limit=100, required=False)
    anchored = raw.get("anchored")
    if anchored is None:
        anchored = bool(ESCAPE_OPTIONS.match(label))  # "Other", "None of the above" stay last
    return OptionDoc(
        label=label,
        value=value or label,
        anchored=_flag(anchored, f"{path}.anchored", problems, False),
    )


def _scale(raw: Any, path: str, problems: dict[str, str]) -> ScaleDoc | None:
    if not isinstance(raw, dict):
        problems[path] = 'a rating question needs a scale: {"points": 5, "labels": [...]}'
        return None
    points = raw.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= 11:
        problems[f"{path}.points"] = "must be a whole number from 2 to 11"
        return None
    labels = raw.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str | None) for x in labels):
        problems[f"{path}.labels"] = "must be a list of texts"
        labels = []
    labels = [(label or "").strip() for label in labels]
    if len(labels) == 2 and points > 2:  # only the endpoints were given
        labels = [labels[0], *[""] * (points - 2), labels[1]]
    if labels and len(labels) != points:
        problems[f"{path}.labels"] = f"give {points} labels (one per point) or just the two ends"
    direction = raw.get("direction", "ascending")
    if direction not in DIRECTIONS:
        problems[f"{path}.direction"] = f"must be one of {', '.join(DIRECTIONS)}"
        direction = "ascending"
    return ScaleDoc(points=points, labels=labels or [""] * points, direction=direction)


def parse_document(raw: Any) -> SurveyDoc:
    """A SurveyDoc from JSON data, or DocumentError naming every problem by its path."""
    problems: dict[str, str] = {}
    if not isinstance(raw, dict):
        raise DocumentError({"$": "must be an object with a list of questions"})
    kind = raw.get("kind", "custom")
    if kind not in KINDS:
        problems["kind"] = f"must be one of {', '.join(KINDS)}"
    locale = _text(raw.get("locale", "en"), "locale", problems, limit=16, required=True)
    doc = SurveyDoc(
        kind=kind if kind in KINDS else "custom",
        locale=locale or "en",
        title=_text(raw.get("title"), "title", problems, limit=200, required=False),
        intro=_text(raw.get("intro"), "intro", problems, limit=2000, required=False),
        thank_you=_text(raw.get("thank_you"), "thank_you", problems, limit=2000, required=False),
    )
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        problems["questions"] = "must be a non-empty list"
        raise DocumentError(problems)
    if len(questions) > 100:
        problems["questions"] = "at most 100 questions"
        raise DocumentError(problems)
    for index, item in enumerate(questions):
        path = f"questions[{index}]"
        if not isinstance(item, dict):
            problems[path] = "must be an object"
            continue
        qtype = item.get("type")
        if qtype not in TYPES:
            problems[f"{path}.type"] = f"must be one of {', '.join(TYPES)}"
            continue
        question = QuestionDoc(
            type=qtype,
            text=_text(item.get("text"), f"{path}.text", problems, limit=1000, required=True),
            required=_flag(item.get("required"), f"{path}.required", problems, True),
            primary=_flag(item.get("primary"), f"{path}.primary", problems, False),
            randomize=_flag(item.get("randomize"), f"{path}.randomize", problems, False),
        )
        if question.is_choice:
            options = item.get("options")
            if not isinstance(options, list) or len(options) < 2:
                problems[f"{path}.options"] = "a choice question needs at least 2 options"
            elif len(options) > 50:
                problems[f"{path}.options"] = "at most 50 options"
            else:
                parsed = [
                    _option(o, f"{path}.options[{i}]", problems) for i, o in enumerate(options)
                ]
                question.options = [o for o in parsed if o is not None]
        elif item.get("options"):
            problems[f"{path}.options"] = f"a {qtype} question has no options"
        if qtype == "rating":
            question.scale = _scale(item.get("scale"), f"{path}.scale", problems)
        elif qtype == "nps":
            labels = (
                (item.get("scale") or {}).get("labels")
                if isinstance(item.get("scale"), dict)
                else None
            )
            question.scale = ScaleDoc(points=11, labels=_nps_labels(labels))
        doc.questions.append(question)
    if sum(q.primary for q in doc.questions) > 1:
        problems["questions"] = "only one question may be primary"
    if problems:
        raise DocumentError(problems)
    return doc


def _nps_labels(labels: Any) -> list[str]:
    if (
        isinstance(labels, list)
        and len(labels) in {2, 11}
        and all(isinstance(x, str) for x in labels)
    ):
        ends = [labels[0], labels[-1]]
    else:
        ends = ["Not at all likely", "Extremely likely"]
    return [ends[0], *[""] * 9, ends[1]]
