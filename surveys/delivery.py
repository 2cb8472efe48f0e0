"""Launching a campaign and sending its waves and reminders, each message exactly once.

1. ``campaign_launch`` stores the plan: one ``Wave`` per wave with its counts, and one
   ``Invitation`` per (campaign, contact) — a unique constraint — queued with its channel.
2. ``waves_dispatch_due`` (Celery beat, every minute) claims due waves (``planned →
   dispatching``) and, after commit, fans their queued invitations out to send tasks in chunks.
3. ``invitation_send`` claims one invitation (``queued → sending``) by a conditional update and
   sends it. With the outbox channel the message is written in the same transaction as the
   claim and ``sent``, so a crash, a redelivered task or a second worker cannot send twice.
   With a live provider the claim commits first; if the worker dies during the provider call,
   ``invitations_sweep`` later asks the provider whether the message went out (SMS) before it
   sends again, so a crash neither loses nor doubles a message.
4. ``invitations_sweep`` (beat) also re-queues invitations whose task was lost, and
   ``reminders_due`` and ``programs_roll`` send reminders and start a program's next period.

The database is the source of truth; Celery tasks are only nudges, safe to run twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Contact
from surveys import channels, ratelimit
from surveys.campaigns import campaign_plan
from surveys.models import Campaign, Invitation, OutboxMessage, Survey, Wave
from surveys.timing import send_not_before

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
    interval: timedelta | None = None,
) -> Campaign:
    """Store the plan and queue one invitation per planned contact. Launching twice is refused."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.DRAFT:
        raise ValidationError("This campaign was launched already.")
    interval = interval if interval is not None else timedelta(hours=locked.wave_interval_hours)
    if interval <= timedelta(0):
        raise ValidationError({"interval": ["Waves need a positive interval."]})
    _, plan = campaign_plan(locked)
    now = timezone.now()
    start = first_wave_at or now
    chosen = [pk for wave in plan.assignments for ids in wave.values() for pk in ids]
    contacts = {
        pk: (phone, opted is not None)
        for pk, phone, opted in Contact.objects.filter(pk__in=chosen).values_list(
            "pk", "phone", "sms_opted_out_at"
        )
    }
    # Explicit wave times win over first wave + interval (validated when the campaign was made).
    times = [datetime.fromisoformat(t) for t in locked.wave_times or []]
    invitations = []
    for number, assignment in enumerate(plan.assignments, start=1):
        wave = Wave.objects.create(
            campaign=locked,
            number=number,
            due_at=times[number - 1]
            if len(times) == len(plan.assignments)
            else start + (number - 1) * interval,
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
                next_attempt_at=wave.due_at,
            )
            for ids in assignment.values()
            for pk in ids
        ]
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    locked.status = Campaign.Status.LAUNCHED
    locked.launched_at = now
    locked.save(update_fields=["status", "launched_at"])
    return locked


def _enqueue(ids: list[int], *, reminder: int = 0) -> None:
    """Queue send tasks for these invitations in chunks, once the transaction commits."""
    from surveys.tasks import invitations_send_task, reminders_send_task

    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    if reminder:
        transaction.on_commit(
            lambda: [reminders_send_task.delay(c, reminder) for c in chunks], robust=True
        )
    else:
        # robust: with the broker away the invitations stay queued in the database, and the
        # sweep queues them again once it is back; the caller's work is not undone.
        transaction.on_commit(lambda: [invitations_send_task.delay(c) for c in chunks], robust=True)


def waves_dispatch_due(*, now: datetime | None = None) -> int:
    """Claim every due wave and queue its invitations for sending; returns how many."""
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
            pending = Invitation.objects.filter(
                wave_id=wave_id, delivery=Invitation.Delivery.QUEUED
            )
            ids = list(pending.values_list("pk", flat=True))
            pending.update(next_attempt_at=now)
            _enqueue(ids)
            Wave.objects.filter(pk=wave_id).update(status=Wave.Status.DISPATCHED)
            queued += len(ids)
    return queued


def message_text(invitation: Invitation, template: str | None = None) -> str:
    link = f"{settings.SITE_URL}/r/{invitation.token}"
    text = invitation.campaign.message if template is None else template
    return text.replace("{company}", invitation.workspace.public_name).replace("{link}", link)


class Deferred(Exception):
    """Not now: quiet hours or the send window last until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


def invitation_send(*, invitation_id: int, now: datetime | None = None) -> bool:
    """Send one queued invitation; True if this call sent it. Safe to run any number of times.

    The claim (``queued → sending``) commits before a live provider is called, so a second
    call does nothing. A busy provider (or a full rate limit) puts the invitation back to
    ``queued`` and raises ``ProviderBusy`` (``Throttled``) for the task to retry; a refusal
    marks it ``failed`` with the reason (and an unsubscribed recipient opted out). Outside the
    contact's quiet hours and send window only: otherwise ``Deferred`` says until when. With
    the outbox the message is written in the claim's own transaction.
    """
    now = now or timezone.now()
    _check_timing(Invitation.objects.filter(pk=invitation_id, delivery="queued"), now)
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation_id, delivery=Invitation.Delivery.QUEUED
        ).update(delivery=Invitation.Delivery.SENDING, claimed_at=timezone.now())
        if claimed != 1:
            return False
        invitation = Invitation.objects.select_related("contact", "campaign", "workspace").get(
            pk=invitation_id
        )
        reason = _why_not(invitation.channel, invitation.contact)
        if reason:
            _finish(invitation_id, Invitation.Delivery.FAILED, failure_reason=reason)
            return False
        if settings.PULSE_DELIVERY == "outbox":
            _to_outbox(invitation, sequence=0, body=message_text(invitation))
            _finish(
                invitation_id,
                Invitation.Delivery.SENT,
                provider_message_id=f"outbox-{invitation_id}",
            )
            return True
    try:
        ratelimit.wait_for_slot(workspace_id=invitation.workspace_id, channel=invitation.channel)
        provider_id = _send_live(invitation, body=message_text(invitation))
    except (channels.ProviderBusy, ratelimit.Throttled):
        _release(invitation_id)
        raise
    except channels.ProviderRefused as refused:
        _finish(invitation_id, Invitation.Delivery.FAILED, failure_reason=refused.reason)
        if refused.opted_out:
            _opt_out(invitation.contact_id, invitation.channel)
        return False
    _finish(invitation_id, Invitation.Delivery.SENT, provider_message_id=provider_id)
    return True


def invitation_retry_at(*, invitation_id: int, at: datetime) -> None:
    """Record when a queued invitation's retry task is due, so the sweep leaves it alone till
    then (and queues it again if that task is lost)."""
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.QUEUED).update(
        next_attempt_at=at
    )


def invitation_defer(*, invitation_id: int, until: datetime) -> None:
    """Park a queued invitation until its quiet hours or send window end; the sweep sends it
    then. (A Celery countdown of many hours would outlive the broker's visibility timeout and
    be delivered twice.)"""
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.QUEUED).update(
        delivery=Invitation.Delivery.DEFERRED, next_attempt_at=until
    )


def invitation_give_up(*, invitation_id: int, reason: str) -> None:
    """Fail a queued invitation after its last retry."""
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.QUEUED).update(
        delivery=Invitation.Delivery.FAILED, failure_reason=reason[:300]
    )


def _send_live(invitation: Invitation, *, body: str) -> str:
    contact = invitation.contact
    if invitation.channel == "sms":
        return channels.send_sms(
            to=contact.phone, body=body, sender=invitation.workspace.sms_sender
        )
    return channels.send_email(
        to=contact.email,
        body=body,
        invitation_id=invitation.pk,
        subject=f"{invitation.workspace.public_name}: a quick question",
    )


def _to_outbox(invitation: Invitation, *, sequence: int, body: str) -> None:
    contact = invitation.contact
    OutboxMessage.objects.create(
        workspace=invitation.workspace,
        invitation=invitation,
        sequence=sequence,
        channel=invitation.channel,
        to=contact.phone if invitation.channel == "sms" else contact.email,
        body=body,
    )


def _check_timing(invitations: QuerySet[Invitation], now: datetime) -> None:
    """Raise ``Deferred`` when it is quiet hours or outside the send window for the contact."""
    row = invitations.values(
        "contact__time_zone",
        "workspace__time_zone",
        "campaign__quiet_start",
        "campaign__quiet_end",
        "campaign__send_days",
        "campaign__send_start",
        "campaign__send_end",
    ).first()
    if row is None:
        return
    quiet_start, quiet_end = row["campaign__quiet_start"], row["campaign__quiet_end"]
    window_start, window_end = row["campaign__send_start"], row["campaign__send_end"]
    until = send_not_before(
        now,
        zone=row["contact__time_zone"] or row["workspace__time_zone"],
        quiet=(quiet_start, quiet_end) if quiet_start and quiet_end else None,
        days=frozenset(row["campaign__send_days"] or ()),
        window=(window_start, window_end) if window_start and window_end else None,
    )
    if until is not None:
        raise Deferred(until)


def _finish(invitation_id: int, delivery: str, **fields: str) -> None:
    extra = (
        {"sent_at": timezone.now(), "next_attempt_at": None}
        if delivery == Invitation.Delivery.SENT
        else {}
    )
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.SENDING).update(
        delivery=delivery, **extra, **fields
    )


def _release(invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id, delivery=Invitation.Delivery.SENDING).update(
        delivery=Invitation.Delivery.QUEUED, claimed_at=None
    )


def _opt_out(contact_id: int, channel: str) -> None:
    field = "sms_opted_out_at" if channel == "sms" else "email_unsubscribed_at"
    Contact.objects.filter(pk=contact_id, **{field: None}).update(**{field: timezone.now()})


def _why_not(channel: str, contact: Contact) -> str:
    """A reason not to send now (the contact may have opted out after the wave was queued)."""
    if contact.is_erased:
        return "contact erased"
    if channel == "sms" and (not contact.phone or contact.sms_opted_out_at):
        return "opted out of SMS" if contact.sms_opted_out_at else "no phone number"
    if channel == "email" and (not contact.email or contact.email_unsubscribed_at):
        return "unsubscribed from email" if contact.email_unsubscribed_at else "no email address"
    return ""


# --- Recovery ------------------------------------------------------------------------------


def invitations_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Repair what crashed workers and lost tasks left behind; safe to run at any time.

    - ``sending`` longer than the lease (its worker died mid-send): an SMS is looked up at the
      provider by its unique link — found means it went out (``sent``), not found means it did
      not (back to ``queued``). An email cannot be looked up, so it is marked ``failed`` with
      the reason rather than risk a duplicate.
    - ``deferred`` whose quiet hours or send window have ended: queued for sending.
    - ``queued`` in a dispatched wave whose attempt is overdue by the grace period (the task
      was lost): queued for sending again. The send's claim makes a duplicate task harmless.
    """
    now = now or timezone.now()
    counts = {"found_sent": 0, "requeued": 0, "interrupted": 0, "resent": 0}
    lease = now - timedelta(seconds=settings.PULSE_SEND_LEASE_SECONDS)
    stuck = Invitation.objects.filter(
        delivery=Invitation.Delivery.SENDING, claimed_at__lt=lease
    ).select_related("contact")
    for invitation in stuck.iterator(chunk_size=500):
        outcome = _reconcile(invitation, now)
        if outcome:
            counts[outcome] += 1
    grace = now - timedelta(seconds=settings.PULSE_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        overdue = Invitation.objects.filter(
            Q(delivery=Invitation.Delivery.QUEUED, next_attempt_at__lt=grace)
            | Q(delivery=Invitation.Delivery.DEFERRED, next_attempt_at__lte=now),
            wave__status=Wave.Status.DISPATCHED,
        )
        ids = list(overdue.select_for_update(skip_locked=True).values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=ids).update(
            delivery=Invitation.Delivery.QUEUED, next_attempt_at=now
        )
        _enqueue(ids)
    counts["resent"] = len(ids)
    return counts


def _reconcile(invitation: Invitation, now: datetime) -> str:
    where = {"pk": invitation.pk, "delivery": Invitation.Delivery.SENDING}
    if settings.PULSE_DELIVERY == "live" and invitation.channel == "email":
        Invitation.objects.filter(**where).update(
            delivery=Invitation.Delivery.FAILED,
            failure_reason="interrupted while sending; not resent to avoid a duplicate email",
        )
        return "interrupted"
    sid = ""
    if settings.PULSE_DELIVERY == "live":
        try:
            sid = channels.find_sms(
                to=invitation.contact.phone, containing=f"/r/{invitation.token}"
            )
        except channels.ProviderBusy:
            return ""  # ask again at the next sweep
    if sid:
        Invitation.objects.filter(**where).update(
            delivery=Invitation.Delivery.SENT,
            provider_message_id=sid,
            sent_at=now,
            next_attempt_at=None,
        )
        return "found_sent"
    Invitation.objects.filter(**where).update(
        delivery=Invitation.Delivery.QUEUED, claimed_at=None, next_attempt_at=now
    )
    _enqueue([invitation.pk])
    return "requeued"


# --- Reminders -----------------------------------------------------------------------------


def reminders_due(*, now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many. Running it twice queues nothing new.

    Reminder n goes ``after_days`` after the invitation was sent, only to contacts who have
    not answered, can still be reached on the channel (not opted out, not erased), got the
    invitation (sent or delivered) and have not been surveyed again since (throttled).
    """
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.PULSE_SWEEP_GRACE_SECONDS)
    total = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.LAUNCHED).exclude(reminders=[]):
        for number, reminder in enumerate(campaign.reminders, start=1):
            later = Invitation.objects.filter(
                contact=OuterRef("contact"), created_at__gt=OuterRef("created_at"), is_test=False
            )
            due = (
                Invitation.objects.filter(
                    campaign=campaign,
                    reminders_sent=number - 1,
                    delivery__in=[Invitation.Delivery.SENT, Invitation.Delivery.DELIVERED],
                    sent_at__lte=now - timedelta(days=reminder["after_days"]),
                    contact__erased_at=None,
                )
                .exclude(status=Invitation.Status.ANSWERED)
                .exclude(channel="sms", contact__sms_opted_out_at__isnull=False)
                .exclude(channel="email", contact__email_unsubscribed_at__isnull=False)
                .exclude(Exists(later))
                .filter(Q(next_attempt_at=None) | Q(next_attempt_at__lt=grace))
            )
            with transaction.atomic():
                ids = list(due.values_list("pk", flat=True))
                Invitation.objects.filter(pk__in=ids).update(next_attempt_at=now)
                _enqueue(ids, reminder=number)
            total += len(ids)
    return total


def reminder_send(*, invitation_id: int, number: int, now: datetime | None = None) -> bool:
    """Send reminder ``number`` of an invitation; True if this call sent it.

    Claimed by moving ``reminders_sent`` from n−1 to n, so it goes at most once; a reminder
    interrupted by a crash is skipped rather than risk a duplicate. Rechecks that the contact
    has not answered or opted out in the meantime; quiet hours and the send window apply
    (``Deferred``: ``reminder_defer`` parks it for ``reminders_due`` to pick up again).
    """
    now = now or timezone.now()
    pending = Invitation.objects.filter(
        pk=invitation_id,
        reminders_sent=number - 1,
        campaign__isnull=False,
        delivery__in=[Invitation.Delivery.SENT, Invitation.Delivery.DELIVERED],
    )
    _check_timing(pending, now)
    with transaction.atomic():
        if not pending.exclude(status=Invitation.Status.ANSWERED).update(reminders_sent=number):
            return False
        invitation = Invitation.objects.select_related("contact", "campaign", "workspace").get(
            pk=invitation_id
        )
        if _why_not(invitation.channel, invitation.contact):
            return False  # opted out since; the reminder counts as skipped
        reminders = invitation.campaign.reminders
        template = reminders[number - 1]["message"] if number <= len(reminders) else None
        body = message_text(invitation, template)
        if settings.PULSE_DELIVERY == "outbox":
            _to_outbox(invitation, sequence=number, body=body)
            return True
    try:
        ratelimit.wait_for_slot(workspace_id=invitation.workspace_id, channel=invitation.channel)
        _send_live(invitation, body=body)
    except (channels.ProviderBusy, ratelimit.Throttled):
        Invitation.objects.filter(pk=invitation_id, reminders_sent=number).update(
            reminders_sent=number - 1
        )
        raise
    except channels.ProviderRefused as refused:
        if refused.opted_out:
            _opt_out(invitation.contact_id, invitation.channel)
        return False
    return True


def reminder_defer(*, invitation_id: int, until: datetime) -> None:
    """Leave a deferred reminder for ``reminders_due`` to queue again once ``until`` comes."""
    grace = timedelta(seconds=settings.PULSE_SWEEP_GRACE_SECONDS)
    Invitation.objects.filter(pk=invitation_id).update(next_attempt_at=until - grace)


# --- Recurring programs --------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def programs_roll(*, now: datetime | None = None) -> list[Campaign]:
    """Start each recurring program's next period when it is due; returns the new campaigns.

    Period n of a program launched at T starts at T + (n − 1) × ``repeat_months``; it is a
    copy of the program with its own seed and plan, using the survey's newest published
    version. The fatigue window keeps anyone surveyed recently out. One campaign per program
    and period (a unique constraint), so a second run starts nothing twice.
    """
    now = now or timezone.now()
    started = []
    programs = Campaign.objects.filter(
        status=Campaign.Status.LAUNCHED, program=None, repeat_months__isnull=False
    )
    for program in programs:
        period = program.periods.count() + 2
        starts_at = _add_months(
            program.launched_at or program.created_at, (period - 1) * program.repeat_months
        )
        if starts_at > now:
            continue
        survey = (
            Survey.objects.filter(lineage=program.survey.lineage, status=Survey.Status.PUBLISHED)
            .order_by("-version")
            .first()
        )
        if survey is None:
            logger.warning(
                "program %s has no published survey; period %s skipped", program.pk, period
            )
            continue
        try:
            with transaction.atomic():
                copy = Campaign.objects.get(pk=program.pk)
                copy.pk = None
                copy.id = None
                copy.program, copy.period, copy.survey = program, period, survey
                copy.name = f"{program.name} · period {period}"
                copy.status, copy.launched_at, copy.repeat_months = (
                    Campaign.Status.DRAFT,
                    None,
                    None,
                )
                copy.seed = Campaign._meta.get_field("seed").get_default()
                shift = (period - 1) * program.repeat_months
                copy.wave_times = [
                    _add_months(datetime.fromisoformat(t), shift).isoformat()
                    for t in program.wave_times or []
                ]
                copy.created_at = now
                copy.save()
                started.append(campaign_launch(campaign=copy, first_wave_at=starts_at))
        except IntegrityError:
            continue  # another run started this period
    return started


SENT_STATES = ["sent", "delivered", "undelivered"]


def wave_progress(*, campaign: Campaign) -> list[dict[str, object]]:
    """Per wave: planned, waiting, sent (reached the provider), delivered, failed (including
    undelivered), opened and answered."""
    counts = {
        row["wave"]: row
        for row in Invitation.objects.filter(campaign=campaign)
        .values("wave")
        .annotate(
            queued=Count("id", filter=Q(delivery__in=["queued", "deferred", "sending"])),
            sent=Count("id", filter=Q(delivery__in=SENT_STATES)),
            delivered=Count("id", filter=Q(delivery="delivered")),
            failed=Count("id", filter=Q(delivery__in=["failed", "undelivered"])),
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
                for k in ("queued", "sent", "delivered", "failed", "opened", "answered")
            },
        }
        for wave in campaign.wave_set.all()
    ]


def channel_response_rates(*, campaign: Campaign) -> list[dict[str, object]]:
    """Per channel: invitations sent, answered, and the response rate (None before any send)."""
    rows = (
        Invitation.objects.filter(campaign=campaign)
        .values("channel")
        .annotate(
            sent=Count("id", filter=Q(delivery__in=SENT_STATES)),
            answered=Count("id", filter=Q(status="answered")),
        )
        .order_by("channel")
    )
    return [
        {
            "channel": row["channel"],
            "sent": row["sent"],
            "answered": row["answered"],
            "rate": round(100 * row["answered"] / row["sent"], 1) if row["sent"] else None,
        }
        for row in rows
    ]
