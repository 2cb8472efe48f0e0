"""What contacts and providers tell Pulse back: delivery reports, texts and email events.

The webhooks in ``surveys.hooks`` check signatures and parse requests; the rules of what a
report, a reply or an email event changes live here. Every function is idempotent: the same
report, the same MessageSid or the same event twice changes nothing more.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Contact
from surveys.models import InboundSms, Invitation, Question, Survey
from surveys.services import response_add_sms_comment, response_submit_sms_score

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
SCORE = re.compile(r"^(10|[0-9])\s*[.!]?$")
COMMENT_WINDOW = timedelta(days=7)
# Delivery reports only move an invitation forward.
SMS_REPORTS = {
    "delivered": (Invitation.Delivery.DELIVERED, {"sent", "sending"}),
    "undelivered": (Invitation.Delivery.UNDELIVERED, {"sent", "sending"}),
    "failed": (Invitation.Delivery.FAILED, {"sent", "sending"}),
}
EMAIL_REPORTS = {
    "delivered": (Invitation.Delivery.DELIVERED, {"sent", "sending"}),
    "bounced": (Invitation.Delivery.UNDELIVERED, {"sent", "sending", "delivered"}),
    "rejected": (Invitation.Delivery.FAILED, {"sent", "sending"}),
    "failed": (Invitation.Delivery.FAILED, {"sent", "sending"}),
}
# Email events that mean "do not email this person again".
EMAIL_CONSENT_WITHDRAWN = {"complained", "unsubscribed"}


def sms_status_record(*, message_sid: str, status: str, error_code: str = "") -> None:
    """Twilio's delivery report for one message: sent → delivered | undelivered | failed."""
    state = SMS_REPORTS.get(status)
    if not message_sid or state is None:
        return
    delivery, previous = state
    Invitation.objects.filter(provider_message_id=message_sid, delivery__in=previous).update(
        delivery=delivery, failure_reason=f"Twilio {error_code}" if error_code else ""
    )


def inbound_sms_handle(*, sid: str, from_number: str, to_number: str, body: str) -> str:
    """A text from a contact: STOP/START/HELP, a 0–10 score for an open NPS invitation (then
    the "why?" question), the comment that answers it, or anything else (a hint with the link).
    Returns the reply to text back ("" for none). Each MessageSid is handled once and kept;
    the same one again gets the same reply and changes nothing.
    """
    seen = InboundSms.objects.filter(sid=sid).first() if sid else None
    if seen is not None:
        return seen.reply
    body = body.strip()
    contacts = _contacts_for(from_number.strip(), to_number.strip())
    meaning, reply = _understand(body, [c.pk for c in contacts], contacts)
    if sid:
        InboundSms.objects.get_or_create(
            sid=sid,
            defaults={
                "workspace": contacts[0].workspace if contacts else None,
                "from_number": from_number[:32],
                "to_number": to_number[:32],
                "body": body,
                "meaning": meaning,
                "reply": reply,
            },
        )
    return reply


def _contacts_for(phone: str, to: str) -> list[Contact]:
    """The contacts who texted: with this phone, in the workspace whose number they texted
    (or in every workspace when the number is shared)."""
    contacts = Contact.objects.filter(phone=phone, erased_at=None)
    own = contacts.filter(workspace__sms_sender=to)
    return list(own if own.exists() else contacts)


def _understand(body: str, ids: list[int], contacts: list[Contact]) -> tuple[str, str]:
    word = body.upper()
    if word in STOP_WORDS:
        # Twilio itself confirms a STOP; Pulse records it so no SMS is sent again, even one
        # that is already queued in a wave (the send checks the contact at the last moment).
        Contact.objects.filter(pk__in=ids, sms_opted_out_at=None).update(
            sms_opted_out_at=timezone.now()
        )
        Invitation.objects.filter(
            contact_id__in=ids,
            channel="sms",
            delivery__in=[Invitation.Delivery.QUEUED, Invitation.Delivery.DEFERRED],
        ).update(delivery=Invitation.Delivery.FAILED, failure_reason="opted out of SMS")
        return InboundSms.Meaning.STOP, ""
    if word in START_WORDS:
        Contact.objects.filter(pk__in=ids).update(sms_opted_out_at=None)
        return InboundSms.Meaning.START, ""
    if word in HELP_WORDS:
        name = contacts[0].workspace.public_name if contacts else "Pulse"
        return (
            InboundSms.Meaning.HELP,
            f"{name} surveys: reply STOP to stop messages, START to receive them again.",
        )
    waiting = (
        Invitation.objects.filter(
            contact_id__in=ids,
            awaiting_sms_comment=True,
            answered_at__gte=timezone.now() - COMMENT_WINDOW,
        )
        .select_related("survey")
        .order_by("-answered_at")
        .first()
    )
    if waiting is not None and body:
        response_add_sms_comment(invitation=waiting, text=body)
        with translation.override(waiting.survey.locale):
            return InboundSms.Meaning.COMMENT, _("Thank you, we have your answer.")
    score = SCORE.match(body)
    invitation = _open_invitation(ids, nps_only=True) if score else None
    if invitation is not None and score:
        try:
            response_submit_sms_score(invitation=invitation, score=int(score.group(1)))
        except ValidationError:
            pass  # closed since it was sent: fall through to the hint
        else:
            return InboundSms.Meaning.SCORE, _why_question(invitation)
    link = _open_link(ids)
    return (
        InboundSms.Meaning.OTHER,
        f"Thanks! To answer, open {link}"
        if link
        else "Reply STOP to stop messages, HELP for help.",
    )


def _why_question(invitation: Invitation) -> str:
    follow_up = invitation.survey.questions.filter(type=Question.Type.TEXT).first()
    with translation.override(invitation.survey.locale):
        if follow_up is not None:
            return f"{_('Thank you!')} {follow_up.text}"
        return _("Thank you! What is the main reason for your score?")


def _open_invitation(contact_ids: list[int], *, nps_only: bool = False) -> Invitation | None:
    invitations = (
        Invitation.objects.filter(contact_id__in=contact_ids, delivery__in=["sent", "delivered"])
        .exclude(status=Invitation.Status.ANSWERED)
        .filter(survey__status=Survey.Status.PUBLISHED)
        .select_related("survey", "contact", "workspace")
        .order_by("-sent_at")
    )
    if nps_only:
        invitations = invitations.filter(
            survey__questions__primary=True, survey__questions__type=Question.Type.NPS
        )
    return invitations.first()


def _open_link(contact_ids: list[int]) -> str:
    invitation = _open_invitation(contact_ids)
    return f"{settings.SITE_URL}/r/{invitation.token}" if invitation else ""


def email_event_record(
    *, invitation_id: str, message_id: str, event_type: str, reason: str, esp_name: str
) -> None:
    """An ESP's tracking event for an invitation email (found by the id Pulse put in the
    message's metadata, else by the ESP's message id). Delivery only moves forward; a
    complaint or unsubscribe also records the contact's email opt-out."""
    invitations = Invitation.objects.filter(channel="email")
    if invitation_id.isdecimal():
        invitations = invitations.filter(pk=int(invitation_id))
    elif message_id:
        invitations = invitations.filter(provider_message_id=message_id)
    else:
        return
    state = EMAIL_REPORTS.get(event_type)
    if state is not None:
        delivery, previous = state
        text = f"{esp_name}: {event_type} ({reason or 'no reason given'})"
        invitations.filter(delivery__in=previous).update(
            delivery=delivery,
            failure_reason="" if delivery == Invitation.Delivery.DELIVERED else text[:300],
        )
    if event_type in EMAIL_CONSENT_WITHDRAWN:
        Contact.objects.filter(
            pk__in=invitations.values("contact_id"), email_unsubscribed_at=None
        ).update(email_unsubscribed_at=timezone.now())
