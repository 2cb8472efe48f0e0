"""Survey-design best-practice rules.

One entry point, :func:`lint`, takes a :class:`SurveyDoc` and returns findings. Each rule has a
stable code (a public contract: API, CLI and docs use it) and a severity: ``error`` blocks
publishing, ``warning`` and ``info`` do not. Rule families live in their own modules:

- ``wording``: the words of a question (English only);
- ``options``: answer options of choice questions;
- ``scales``: rating scales;
- ``structure``: the survey as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.rules.document import DocumentError, SurveyDoc, parse_document

ERROR, WARNING, INFO = "error", "warning", "info"

SEVERITY: dict[str, str] = {
    "double-barrelled": ERROR,
    "leading": WARNING,
    "loaded": WARNING,
    "absolute": WARNING,
    "double-negative": WARNING,
    "jargon": INFO,
    "too-long": WARNING,
    "yes-no-graded": WARNING,
    "options-duplicate": ERROR,
    "options-overlap": ERROR,
    "options-gap": WARNING,
    "options-not-exhaustive": WARNING,
    "scale-unbalanced": WARNING,
    "scale-unlabelled": ERROR,
    "scale-inconsistent": WARNING,
    "randomize-unordered": WARNING,
    "ordered-shuffled": ERROR,
    "survey-too-long": WARNING,
    "open-ended-unpaired": WARNING,
    "unvalidated-wording": WARNING,
    "asks-known-data": WARNING,
}
WORDING_RULES = frozenset(
    {
        "double-barrelled",
        "leading",
        "loaded",
        "absolute",
        "double-negative",
        "jargon",
        "too-long",
        "yes-no-graded",
        "asks-known-data",
    }
)
WORDING_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class Finding:
    code: str
    question: int | None
    message: str
    suggestion: str
    option: int | None = None
    fix: str | None = None  # a one-click fix the builder offers, e.g. "randomize"

    @property
    def severity(self) -> str:
        return SEVERITY[self.code]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "question": self.question,
            "option": self.option,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    notes: list[str]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]


def lint(doc: SurveyDoc) -> LintResult:
    """Every finding for the survey, ordered by question. Pure: no database, no network."""
    from surveys.rules import options, scales, structure, wording

    findings: list[Finding] = []
    notes: list[str] = []
    if doc.language in WORDING_LANGUAGES:
        findings += wording.check(doc)
    else:
        notes.append(
            f"Wording rules ({', '.join(sorted(WORDING_RULES))}) are applied to English "
            f"only; this survey's locale is {doc.locale}. Structural rules were applied."
        )
    findings += options.check(doc)
    findings += scales.check(doc)
    findings += structure.check(doc)
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    findings.sort(
        key=lambda f: (
            f.question if f.question is not None else -1,
            order[f.severity],
            f.code,
            f.option or 0,
        )
    )
    return LintResult(findings=findings, notes=notes)


def lint_json(raw: Any) -> LintResult:
    """Lint a survey document given as JSON data; raises DocumentError when it is not one."""
    return lint(parse_document(raw))


__all__ = [
    "SEVERITY",
    "DocumentError",
    "Finding",
    "LintResult",
    "SurveyDoc",
    "lint",
    "lint_json",
    "parse_document",
]
