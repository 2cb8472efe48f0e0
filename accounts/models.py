"""Who is who: workspaces (tenants), staff and their roles, customers and their contacts."""

from __future__ import annotations

import zoneinfo

import phonenumbers
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff member of one or more workspaces; logs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (use a name like Europe/Paris).")


def validate_region(value: str) -> None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f"“{value}” is not a two-letter country code phone numbers use.")


class Workspace(models.Model):
    """The tenant: every row of every app belongs to exactly one workspace."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    default_region = models.CharField(
        max_length=2,
        default="US",
        validators=[validate_region],
        help_text="Country used to read phone numbers written without +country code.",
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    sender_name = models.CharField(max_length=120, blank=True, help_text="Shown on emails.")
    sender_email = models.EmailField(blank=True)
    sms_sender = models.CharField(
        max_length=32, blank=True, help_text="Twilio number or alphanumeric sender id."
    )
    case_sla_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(30)],
        help_text="Business days to follow up an unhappy answer.",
    )
    slack_webhook_url = models.URLField(
        blank=True, help_text="Slack incoming webhook: new cases are posted there too."
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """How customers see the workspace: on the answer page, in messages."""
        return self.sender_name or self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's seat in a workspace; the role decides what the user may do there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.workspace}"


class ApiToken(models.Model):
    """A secret that acts for one membership. Only its SHA-256 is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace


def _unique_when_set(field: str, name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["workspace", field], condition=~Q(**{field: ""}), name=name
    )


class Customer(models.Model):
    """A company the workspace serves, with the attributes segments are made of."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=120, blank=True)
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=80, blank=True)
    region = models.CharField(max_length=80, blank=True)
    plan = models.CharField(max_length=80, blank=True)
    arr = models.DecimalField(
        "ARR", max_digits=14, decimal_places=2, null=True, blank=True, help_text="Annual revenue."
    )
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            _unique_when_set("external_id", "customer_external_id_unique"),
            models.CheckConstraint(
                condition=Q(arr__gte=0) | Q(arr=None), name="customer_arr_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "industry"]),
            models.Index(fields=["workspace", "region"]),
            models.Index(fields=["workspace", "plan"]),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer. Phone numbers are stored in E.164; emails in lower case."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    external_id = models.CharField(max_length=120, blank=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +14155550123.")
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone], help_text="Blank: workspace's."
    )
    locale = models.CharField(
        max_length=16, blank=True, help_text="Language, e.g. en, ko, zh-Hant."
    )
    attributes = models.JSONField(default=dict, blank=True)
    email_unsubscribed_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            _unique_when_set("external_id", "contact_external_id_unique"),
            _unique_when_set("email", "contact_email_unique"),
            _unique_when_set("phone", "contact_phone_unique"),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"), name="contact_phone_e164"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        if self.erased_at:
            return f"Erased contact #{self.pk}"
        return self.name or self.email or self.phone or f"Contact #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ContactImport(models.Model):
    """One uploaded contacts CSV and the progress of its import.

    The file is kept in the database so that any worker on any machine can read it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Importing"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="contact_imports"
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, help_text="Why the whole file was refused.")
    headers = models.JSONField(default=list, blank=True, help_text="The file's columns, in order.")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class ContactImportRowError(models.Model):
    """A row that was refused, with its line number, reason and what it contained."""

    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="row_errors"
    )
    line = models.PositiveIntegerField()
    message = models.TextField()
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
