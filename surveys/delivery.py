"""Launching a campaign and sending its waves, each invitation exactly once.

1. ``campaign_launch`` stores the plan: one ``Wave`` per wave with its counts, and one
   ``Invitation`` per (campaign, contact) — a unique constraint — queued with its channel.
2. ``waves_dispatch_due`` (Celery beat, every minute) claims due waves (``planned →
   dispatching``) and, after commit, fans their queued invitations out to send tasks in chunks.
3. ``invitation_send`` claims one invitation (``queued → sending``) by a conditional update and
   sends it. With the outbox channel the message is written in the same transaction as the
   claim and ``sent``, so a crash, a redelivered task or a second worker cannot send twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Contact
from surveys import channels
from surveys.campaigns import campaign_plan
from surveys.models import Campaign, Invitation, OutboxMessage, Wave
from surveys.timing import quiet_until

logger = logging.getLogger(__name__)

CHUNK = 100


def _channel_for(campaign: Campaign, phone: str, sms_opted_out: bool) -> str:
    if campaign.channel == Campaign.Channel.SMS_THEN_EMAIL:
        return "sms" if phone and not sms_opted_out else "email"
    return campaign.channel


@transaction.atomic
def campaign_launch(
    *,
    campaign: Campaign,
    first_wave_at: datetime | None = None,
    interval: timedelta = timedelta(days=1),
) -> Campaign:
    """Store the plan and queue one invitation per planned contact. Launching twice is refused."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.DRAFT:
        raise ValidationError("This campaign was launched already.")
    if interval <= timedelta(0):
        raise ValidationError({"interval": ["Waves need a positive interval."]})
    _, plan = campaign_plan(locked)
    start = first_wave_at or timezone.now()
    chosen = [pk for wave in plan.assignments for ids in wave.values() for pk in ids]
    contacts = {
        pk: (phone, opted is not None)
        for pk, phone, opted in Contact.objects.filter(pk__in=chosen).values_list(
            "pk", "phone", "sms_opted_out_at"
        )
    }
    invitations = []
    for number, assignment in enumerate(plan.assignments, start=1):
        wave = Wave.objects.create(
            campaign=locked,
            number=number,
            due_at=start + (number - 1) * interval,
            planned={" × ".join(stratum): len(ids) for stratum, ids in assignment.items()},
        )
        invitations += [
            Invitation(
                workspace=locked.workspace,
                survey=locked.survey,
                contact_id=pk,
                campaign=locked,
                wave=wave,
                delivery=Invitation.Delivery.QUEUED,
                channel=_channel_for(locked, *contacts[pk]),
            )
            for ids in assignment.values()
            for pk in ids
        ]
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    locked.status = Campaign.Status.LAUNCHED
    locked.save(update_fields=["status"])
    return locked


def waves_dispatch_due(*, now: datetime | None = None) -> int:
    """Claim every due wave and queue its invitations for sending; returns how many."""
    from surveys.tasks import invitations_send_task

    now = now or timezone.now()
    queued = 0
    for wave_id in Wave.objects.filter(status=Wave.Status.PLANNED, due_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            claimed = Wave.objects.filter(pk=wave_id, status=Wave.Status.PLANNED).update(
                status=Wave.Status.DISPATCHING
            )
            if not claimed:
                continue  # another beat or worker took it
            ids = list(
                Invitation.objects.filter(
                    wave_id=wave_id, delivery=Invitation.Delivery.QUEUED
                ).values_list("pk", flat=True)
            )
            chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
            transaction.on_commit(
                lambda chunks=chunks: [invitations_send_task.delay(c) for c in chunks]
            )
            Wave.objects.filter(pk=wave_id).update(status=Wave.Status.DISPATCHED)
            queued += len(ids)
    return queued


def message_text(invitation: Invitation) -> str:
    link = f"{settings.SITE_URL}/r/{invitation.token}"
    return invitation.campaign.message.replace(
        "{company}", invitation.workspace.public_name
    ).replace("{link}", link)


class Deferred(Exception):
    """Not now: the contact's quiet hours last until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


def invitation_send(*, invitation_id: int, now: datetime | None = None) -> bool:
    """Send one queued invitation; True if this call sent it. Safe to run any number of times.

    The claim (``queued → sending``) commits before a live provider is called, so a second
    call does nothing. A busy provider puts the invitation back to ``queued`` and raises
    ``ProviderBusy`` for the task to retry; a refusal marks it ``failed`` with the reason (and
    an unsubscribed recipient opted out). With the outbox the message is written in the claim's
    own transaction.
    """
    _check_quiet_hours(invitation_id, now or timezone.now())
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation_id, delivery=Invitation.Delivery.QUEUED
        ).update(delivery=Invitation.Delivery.SENDING)
        if claimed != 1:
            return False
        invitation = Invitation.objects.select_related("contact", "campaign", "workspace").get(
            pk=invitation_id
        )
        contact = invitation.contact
        reason = _why_not(invitation, contact)
        if reason:
            _finish(invitation_id, Invitation.Delivery.FAILED, failure_reason=reason)
            return False
        address = contact.phone if invitation.channel == "sms" else contact.email
        body = message_text(invitation)
        if settings.PULSE_DELIVERY == "outbox":
            OutboxMessage.objects.create(
                workspace=invitation.workspace,
                invitation=invitation,
                channel=invitation.channel,
                to=address,
                body=body,
            )
            _finish(
                invitation_id,
                Invitation.Delivery.SENT,
                provider_message_id=f"outbox-{invitation_id}",
            )
            return True
    try:
        if invitation.channel == "sms":
            provider_id = channels.send_sms(
                to=address, body=body, sender=invitation.workspace.sms_sender
            )
        else:
            provider_id = channels.send_email(
                to=address,
                body=body,
                invitation_id=invitation_id,
                subject=f"{invitation.workspace.public_name}: a quick question",
            )
    except channels.ProviderBusy:
        Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.SENDING).update(
            delivery=Invitation.Delivery.QUEUED
        )
        raise
    except channels.ProviderRefused as refused:
        _finish(invitation_id, Invitation.Delivery.FAILED, failure_reason=refused.reason)
        if refused.opted_out:
            field = "sms_opted_out_at" if invitation.channel == "sms" else "email_unsubscribed_at"
            Contact.objects.filter(pk=contact.pk, **{field: None}).update(**{field: timezone.now()})
        return False
    _finish(invitation_id, Invitation.Delivery.SENT, provider_message_id=provider_id)
    return True


def _check_quiet_hours(invitation_id: int, now: datetime) -> None:
    row = (
        Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.QUEUED)
        .values(
            "contact__time_zone",
            "workspace__time_zone",
            "campaign__quiet_start",
            "campaign__quiet_end",
        )
        .first()
    )
    if row is None or row["campaign__quiet_start"] is None:
        return
    until = quiet_until(
        now,
        zone=row["contact__time_zone"] or row["workspace__time_zone"],
        start=row["campaign__quiet_start"],
        end=row["campaign__quiet_end"],
    )
    if until is not None:
        raise Deferred(until)


def _finish(invitation_id: int, delivery: str, **fields: str) -> None:
    extra = {"sent_at": timezone.now()} if delivery == Invitation.Delivery.SENT else {}
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.SENDING).update(
        delivery=delivery, **extra, **fields
    )


def _why_not(invitation: Invitation, contact: Contact) -> str:
    """A reason not to send now (the contact may have opted out after the wave was queued)."""
    if contact.is_erased:
        return "contact erased"
    if invitation.channel == "sms" and (not contact.phone or contact.sms_opted_out_at):
        return "opted out of SMS" if contact.sms_opted_out_at else "no phone number"
    if invitation.channel == "email" and (not contact.email or contact.email_unsubscribed_at):
        return "unsubscribed from email" if contact.email_unsubscribed_at else "no email address"
    return ""


def wave_progress(*, campaign: Campaign) -> list[dict[str, object]]:
    """Per wave: planned, queued, sent, failed, opened, answered."""
    counts = {
        row["wave"]: row
        for row in Invitation.objects.filter(campaign=campaign)
        .values("wave")
        .annotate(
            total=Count("id"),
            queued=Count("id", filter=Q(delivery__in=["queued", "sending"])),
            sent=Count("id", filter=Q(delivery="sent")),
            failed=Count("id", filter=Q(delivery="failed")),
            opened=Count("id", filter=Q(status__in=["opened", "answered"])),
            answered=Count("id", filter=Q(status="answered")),
        )
    }
    return [
        {
            "number": wave.number,
            "due_at": wave.due_at,
            "status": wave.get_status_display(),
            "planned": sum(wave.planned.values()),
            **{
                k: counts.get(wave.pk, {}).get(k, 0)
                for k in ("queued", "sent", "failed", "opened", "answered")
            },
        }
        for wave in campaign.wave_set.all()
    ]
