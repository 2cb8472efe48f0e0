"""Surveys and their questions, invitations (one link per contact) and responses.

A survey is a chain of versions sharing a ``lineage``. Publishing freezes a version; editing a
published survey makes a new draft version. Every response points at the exact version it
answered. There is deliberately no grid/matrix question type: one question asks one thing.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Contact, User, Workspace


class Survey(models.Model):
    class Kind(models.TextChoices):
        NPS = "nps", "NPS"
        CSAT = "csat", "CSAT"
        CES = "ces", "CES"
        CUSTOM = "custom", "Custom"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="surveys")
    lineage = models.UUIDField(default=uuid.uuid4, help_text="Shared by every version.")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CUSTOM)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    locale = models.CharField(max_length=16, default="en")
    intro = models.TextField(blank=True)
    thank_you = models.TextField(blank=True)
    acknowledgements = models.JSONField(
        default=list, blank=True, help_text="Warnings acknowledged at publishing, with reasons."
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="one_survey_version"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(status="draft"), name="one_draft_per_survey"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Question(models.Model):
    class Type(models.TextChoices):
        NPS = "nps", "NPS (0–10)"
        RATING = "rating", "Rating scale"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTI_CHOICE = "multi_choice", "Multiple choice"
        TEXT = "text", "Open text"

    class Direction(models.TextChoices):
        ASCENDING = "ascending", "Negative to positive"
        DESCENDING = "descending", "Positive to negative"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=16, choices=Type.choices)
    text = models.TextField()
    required = models.BooleanField(default=True)
    primary = models.BooleanField(default=False, help_text="The survey's scored question.")
    randomize = models.BooleanField(default=False, help_text="Shuffle options per respondent.")
    scale_points = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(11)]
    )
    scale_labels = models.JSONField(default=list, blank=True)
    scale_direction = models.CharField(
        max_length=12, choices=Direction.choices, default=Direction.ASCENDING
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position"),
            models.UniqueConstraint(
                fields=["survey"], condition=Q(primary=True), name="one_primary_question"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_choice(self) -> bool:
        return self.type in {self.Type.SINGLE_CHOICE, self.Type.MULTI_CHOICE}


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    value = models.CharField(max_length=100)
    anchored = models.BooleanField(default=False, help_text="Stays last when others shuffle.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position")
        ]

    def __str__(self) -> str:
        return self.label


def new_seed() -> int:
    return secrets.randbits(62)


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits, 22 URL-safe characters


class Invitation(models.Model):
    """One contact's link to one survey version."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        OPENED = "opened", "Opened"
        ANSWERED = "answered", "Answered"

    class Delivery(models.TextChoices):
        NONE = "", "Not sent (test link)"
        QUEUED = "queued", "Queued"
        DEFERRED = "deferred", "Waiting for the send window"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="invitations")
    campaign = models.ForeignKey(
        "Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    wave = models.ForeignKey(
        "Wave", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    channel = models.CharField(max_length=8, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send (queued → sending)."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a queued invitation is next due to be tried."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    awaiting_sms_comment = models.BooleanField(
        default=False, help_text="Scored by SMS reply; the next free-text reply is the comment."
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=Q(campaign__isnull=False),
                name="one_invitation_per_campaign_contact",
            ),
        ]
        indexes = [models.Index(fields=["wave", "delivery"])]

    def __str__(self) -> str:
        return f"{self.survey} → {self.contact}"


class Response(models.Model):
    """The answers of one invitation: at most one, by a unique constraint."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="responses")
    score = models.SmallIntegerField(null=True, blank=True, help_text="Primary question's answer.")
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=dict, help_text="Question id → answer.")
    option_order = models.JSONField(default=dict, help_text="Question id → option ids shown.")
    submitted_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=8, choices=[("web", "Answer page"), ("sms", "SMS reply")], default="web"
    )
    quality_flags = models.JSONField(
        default=list, blank=True, help_text="Why this response may be unreliable (speeding, …)."
    )
    is_test = models.BooleanField(
        default=False, help_text="Answered through a test link: left out of every score."
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["workspace", "survey"])]

    def __str__(self) -> str:
        return f"Response to {self.survey} ({self.score})"


class Campaign(models.Model):
    """Who gets a survey, when and how: planned into waves before launch."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"
        SMS_THEN_EMAIL = "sms_then_email", "SMS, else email"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LAUNCHED = "launched", "Launched"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SMS)
    audience = models.JSONField(
        default=dict,
        blank=True,
        help_text='Segment filter, e.g. {"industry": ["Retail"], "region": ["Europe"]}.',
    )
    strata = models.JSONField(
        default=list, blank=True, help_text='Segment attributes to stratify by, e.g. ["industry"].'
    )
    sample_count = models.PositiveIntegerField(null=True, blank=True)
    sample_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    waves = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    fatigue_days = models.PositiveSmallIntegerField(default=90)
    seed = models.BigIntegerField(default=new_seed, help_text="Reproduces the random draw.")
    message = models.TextField(default="{company} would like your feedback: {link}")
    quiet_start = models.TimeField(
        default=datetime.time(20, 0), help_text="Quiet hours start, in the contact's time zone."
    )
    quiet_end = models.TimeField(default=datetime.time(9, 0))
    send_days = models.JSONField(
        default=list,
        blank=True,
        help_text="Weekdays sending is allowed, 0 = Monday … 6 = Sunday; empty = every day.",
    )
    send_start = models.TimeField(
        null=True, blank=True, help_text="Send window start, contact-local (empty: any time)."
    )
    send_end = models.TimeField(null=True, blank=True)
    wave_interval_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )
    wave_times = models.JSONField(
        default=list,
        blank=True,
        help_text="Explicit start of each wave (ISO 8601, one per wave), instead of the interval.",
    )
    fatigue_segment = models.CharField(
        max_length=100, blank=True, help_text="Segment whose values have their own window."
    )
    fatigue_overrides = models.JSONField(
        default=dict, blank=True, help_text='Days per segment value, e.g. {"Enterprise": 120}.'
    )
    reminders = models.JSONField(
        default=list,
        blank=True,
        help_text='Up to 3 reminders to non-responders: [{"after_days": 3, "message": "…{link}"}].',
    )
    repeat_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Repeat as a program every N months (3 = quarterly); empty = once.",
    )
    program = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="periods",
        help_text="The recurring program this campaign is a later period of.",
    )
    period = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period"],
                condition=Q(program__isnull=False),
                name="one_campaign_per_program_period",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Wave(models.Model):
    """One staggered send of a launched campaign, with the plan's counts stored."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DISPATCHING = "dispatching", "Dispatching"
        DISPATCHED = "dispatched", "Dispatched"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="wave_set")
    number = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    planned = models.JSONField(default=dict, help_text="Stratum → planned count.")

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="one_wave_number")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} wave {self.number}"


class OutboxMessage(models.Model):
    """The embedded channel: messages kept in the app instead of sent, links clickable.

    One message per invitation and sequence (0 = the invitation, 1–3 = reminders), by
    constraint: the outbox is where exactly-once is visible.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="outbox")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    sequence = models.PositiveSmallIntegerField(default=0, help_text="0 = invitation, 1–3 reminder")
    channel = models.CharField(max_length=8)
    to = models.CharField(max_length=254)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "sequence"], name="one_outbox_message")
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}"


class InboundSms(models.Model):
    """Every SMS a contact sent us, once per Twilio MessageSid (a retried webhook is a no-op)."""

    class Meaning(models.TextChoices):
        STOP = "stop", "Opt-out"
        START = "start", "Opt-in"
        HELP = "help", "Help"
        SCORE = "score", "Score"
        COMMENT = "comment", "Comment"
        OTHER = "other", "Other"

    sid = models.CharField(max_length=64, unique=True)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="inbound_sms"
    )
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    meaning = models.CharField(max_length=8, choices=Meaning.choices)
    reply = models.TextField(blank=True, help_text="What Pulse answered.")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"
