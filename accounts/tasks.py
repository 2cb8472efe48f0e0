"""Celery edges of accounts: thin wrappers that take ids and call the services."""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from accounts.importing import contact_import_run
from accounts.models import ContactImport


@shared_task(acks_late=True, ignore_result=True)
def contact_import_run_task(import_id: int) -> None:
    contact_import_run(import_id=import_id)  # no-op unless it claims the import


@shared_task(ignore_result=True)
def contact_import_resume_stalled_task() -> None:
    """Queue again imports whose worker stopped holding them (crash, restart) or that were
    never queued (broker unreachable at upload time)."""
    now = timezone.now()
    stalled = ContactImport.objects.filter(
        Q(status=ContactImport.Status.RUNNING, lease_expires_at__lt=now)
        | Q(status=ContactImport.Status.PENDING, created_at__lt=now - timedelta(minutes=2))
    ).values_list("pk", flat=True)
    for import_id in stalled:
        contact_import_run_task.delay(import_id)
