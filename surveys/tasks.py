"""Celery edges of surveys: thin, idempotent, by id."""

from celery import shared_task

from surveys.channels import ProviderBusy
from surveys.delivery import Deferred, invitation_send, waves_dispatch_due


@shared_task(ignore_result=True)
def waves_dispatch_due_task() -> None:
    waves_dispatch_due()  # claims each due wave once; a second beat finds nothing to claim


@shared_task(acks_late=True, ignore_result=True)
def invitations_send_task(invitation_ids: list[int]) -> None:
    for invitation_id in invitation_ids:
        try:
            invitation_send(invitation_id=invitation_id)  # no-op unless it claims it
        except ProviderBusy:
            invitation_retry_task.delay(invitation_id)  # the others in the chunk go on
        except Deferred as quiet:
            invitation_retry_task.apply_async((invitation_id,), eta=quiet.until)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(ProviderBusy,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def invitation_retry_task(invitation_id: int) -> None:
    try:
        invitation_send(invitation_id=invitation_id)
    except Deferred as quiet:
        invitation_retry_task.apply_async((invitation_id,), eta=quiet.until)
