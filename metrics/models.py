"""Follow-up cases: every unhappy answer becomes one case that a named person works to a close.

Scores themselves are not stored: they are aggregated from ``surveys.Response`` on demand
(``metrics.selectors``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Contact, Customer, User, Workspace
from surveys.models import Response


class FollowUpCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed without action"

    class Reason(models.TextChoices):
        NPS_DETRACTOR = "nps_detractor", "NPS detractor (0–6)"
        CSAT_LOW = "csat_low", "Dissatisfied (CSAT 1–2)"
        CES_HIGH_EFFORT = "ces_high_effort", "High effort (CES 1–3)"

    class Outcome(models.TextChoices):
        FIXED = "fixed", "Fixed"
        EXPLAINED = "explained", "Explained"
        CHURN_RISK = "churn_risk", "Churn risk"
        NO_REPLY = "no_reply", "No reply"
        OTHER = "other", "Other"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="cases")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="case")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="cases")
    score = models.SmallIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    priority = models.PositiveSmallIntegerField(
        help_text="1 (highest) to 4: a lower score and a higher ARR come first."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    due_at = models.DateTimeField()
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the assignee was alerted about the new case."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "priority", "id"]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk}: {self.contact} ({self.score})"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.IN_PROGRESS}

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ASSIGNED = "assigned", "Assigned"
        STATUS = "status", "Status changed"
        NOTE = "note", "Note"
        CONTACTED = "contacted", "First contact"

    case = models.ForeignKey(FollowUpCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"
