"""The builder form: how its fields map to the survey document."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from accounts.models import Contact, Workspace
from surveys.rules.document import ESCAPE_OPTIONS, SurveyDoc


def document_from_post(post: QueryDict, *, kind: str) -> dict[str, Any]:
    """The raw survey document the builder form describes (validated by parse_document)."""
    total = _int(post.get("questions-TOTAL"), 0)
    primary = post.get("primary", "")
    questions = []
    for index in range(min(total, 100)):
        prefix = f"questions-{index}-"
        qtype = post.get(prefix + "type", "")
        question: dict[str, Any] = {
            "type": qtype,
            "text": post.get(prefix + "text", ""),
            "required": post.get(prefix + "required") == "on",
            "primary": primary == str(index),
            "randomize": post.get(prefix + "randomize") == "on",
        }
        if qtype in {"single_choice", "multi_choice"}:
            lines = [line.strip() for line in post.get(prefix + "options", "").splitlines()]
            question["options"] = [
                {"label": line, "anchored": bool(ESCAPE_OPTIONS.match(line))}
                for line in lines
                if line
            ]
        if qtype == "rating":
            points = _int(post.get(prefix + "points"), 5)
            labels = [post.get(f"{prefix}label-{k}", "") for k in range(max(0, min(points, 11)))]
            question["scale"] = {
                "points": points,
                "labels": labels,
                "direction": post.get(prefix + "direction", "ascending"),
            }
        if qtype == "nps":
            question["scale"] = {
                "points": 11,
                "labels": [post.get(prefix + "label-0", ""), post.get(prefix + "label-10", "")],
            }
        questions.append(question)
    return {
        "kind": kind,
        "locale": post.get("locale", "en"),
        "title": post.get("title", ""),
        "intro": post.get("intro", ""),
        "thank_you": post.get("thank_you", ""),
        "questions": questions,
    }


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def builder_rows(doc: SurveyDoc) -> list[dict[str, Any]]:
    """What the builder template needs for each question."""
    rows = []
    for index, question in enumerate(doc.questions):
        labels = question.scale.labels if question.scale else []
        rows.append(
            {
                "index": index,
                "q": question,
                "options_text": "\n".join(o.label for o in question.options),
                "labels": list(enumerate(labels)),
            }
        )
    return rows


class TestInvitationForm(forms.Form):
    contact = forms.CharField(
        max_length=254,
        label="Contact",
        help_text="Email, phone or external id of a contact. A test link: nothing is sent.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        self.workspace = workspace
        super().__init__(*args, **kwargs)

    def clean_contact(self) -> Contact:
        key = self.cleaned_data["contact"].strip()
        contacts = Contact.objects.filter(workspace=self.workspace, erased_at=None)
        found = (
            contacts.filter(email=key.lower()).first()
            or contacts.filter(external_id=key).first()
            or contacts.filter(phone=key.replace(" ", "")).first()
        )
        if found is None:
            raise forms.ValidationError("No contact of this workspace has that email, phone or id.")
        return found
