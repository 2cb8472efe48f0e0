"""Celery edges of metrics."""

from celery import shared_task

from metrics.services import case_alert_send, cases_alert_pending


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def case_alert_task(case_id: int) -> None:
    case_alert_send(case_id=case_id)  # an alert twice is tolerable; a lost one is not


@shared_task(ignore_result=True)
def cases_alert_pending_task() -> None:
    cases_alert_pending()
