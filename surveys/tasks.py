"""Celery edges of surveys: thin, idempotent, by id.

Sends retry transient provider errors with exponential backoff and full jitter; a rate-limited
send waits for its slot; quiet hours park the invitation for the sweep. Every send claims its
row first, so a duplicated or redelivered task sends nothing twice.
"""

import random
from datetime import timedelta

import redis
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from surveys import delivery
from surveys.channels import ProviderBusy
from surveys.ratelimit import Throttled

MAX_ATTEMPTS = 10


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` (1, 2, …): BASE·2^(attempt−1), capped, full jitter."""
    ceiling = min(600.0, settings.PULSE_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def _attempt(invitation_id: int, attempt: int) -> None:
    try:
        delivery.invitation_send(invitation_id=invitation_id)  # no-op unless it claims it
    except ProviderBusy as busy:
        if attempt >= MAX_ATTEMPTS:
            delivery.invitation_give_up(
                invitation_id=invitation_id, reason=f"provider busy after {attempt} tries: {busy}"
            )
            return
        _retry(invitation_id, attempt + 1, backoff(attempt + 1))
    except Throttled as throttled:
        _retry(invitation_id, attempt, throttled.seconds + random.uniform(0, 1))
    except delivery.Deferred as quiet:
        delivery.invitation_defer(invitation_id=invitation_id, until=quiet.until)


def _retry(invitation_id: int, attempt: int, seconds: float) -> None:
    delivery.invitation_retry_at(
        invitation_id=invitation_id, at=timezone.now() + timedelta(seconds=seconds)
    )
    invitation_retry_task.apply_async((invitation_id, attempt), countdown=seconds)


@shared_task(ignore_result=True)
def waves_dispatch_due_task() -> None:
    delivery.waves_dispatch_due()  # claims each due wave once; a second beat finds nothing


@shared_task(acks_late=True, ignore_result=True)
def invitations_send_task(invitation_ids: list[int]) -> None:
    for invitation_id in invitation_ids:
        _attempt(invitation_id, attempt=0)  # one busy send does not hold up the others


@shared_task(acks_late=True, ignore_result=True)
def invitation_retry_task(invitation_id: int, attempt: int = 1) -> None:
    _attempt(invitation_id, attempt)


@shared_task(ignore_result=True)
def invitations_sweep_task() -> None:
    delivery.invitations_sweep()


@shared_task(ignore_result=True)
def reminders_due_task() -> None:
    delivery.reminders_due()


@shared_task(acks_late=True, ignore_result=True)
def reminders_send_task(invitation_ids: list[int], number: int) -> None:
    for invitation_id in invitation_ids:
        try:
            delivery.reminder_send(invitation_id=invitation_id, number=number)
        except (ProviderBusy, Throttled):
            pass  # released; reminders_due queues it again after the grace period
        except delivery.Deferred as quiet:
            delivery.reminder_defer(invitation_id=invitation_id, until=quiet.until)


@shared_task(ignore_result=True)
def programs_roll_task() -> None:
    delivery.programs_roll()


@shared_task(ignore_result=True)
def noop_task(counter: str = "") -> None:
    """Nothing but (optionally) counting itself in Redis: the baseline of
    ``bench/dispatch.py``, i.e. what the broker and worker cost per task on their own."""
    if counter:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).incr(counter)
