"""Webhooks: Twilio delivery status and inbound SMS (signed, idempotent, CSRF-exempt), and
the ESPs' email tracking events, which django-anymail verifies and normalises.

The signature is checked with the SDK's RequestValidator against the public URL Twilio
called, rebuilt from SITE_URL so it matches behind a proxy.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from accounts.models import Contact
from surveys.models import InboundSms, Invitation, Question, Survey
from surveys.services import response_add_sms_comment, response_submit_sms_score

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
# Status callbacks only move an invitation forward; the same callback twice changes nothing.
NEXT_STATES = {
    "delivered": (Invitation.Delivery.DELIVERED, {"sent", "sending"}),
    "undelivered": (Invitation.Delivery.UNDELIVERED, {"sent", "sending"}),
    "failed": (Invitation.Delivery.FAILED, {"sent", "sending"}),
}


def _signed(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.SITE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not _signed(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    sid = request.POST.get("MessageSid", "")
    state = NEXT_STATES.get(request.POST.get("MessageStatus", ""))
    if sid and state:
        delivery, previous = state
        reason = request.POST.get("ErrorCode", "")
        Invitation.objects.filter(provider_message_id=sid, delivery__in=previous).update(
            delivery=delivery, failure_reason=f"Twilio {reason}" if reason else ""
        )
    return HttpResponse(status=204)


def _contacts_for(request: HttpRequest) -> list[Contact]:
    """The contacts who texted: with this phone, in the workspace whose number they texted
    (or in every workspace when the number is shared)."""
    contacts = Contact.objects.filter(phone=request.POST.get("From", "").strip(), erased_at=None)
    to = request.POST.get("To", "").strip()
    own = contacts.filter(workspace__sms_sender=to)
    return list(own if own.exists() else contacts)


SCORE = re.compile(r"^(10|[0-9])\s*[.!]?$")
COMMENT_WINDOW = timedelta(days=7)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A text from a contact: STOP/START/HELP, a 0–10 score for an open NPS invitation (then
    the "why?" question), the comment that answers it, or anything else (a hint with the link).

    Each MessageSid is handled once; Twilio retrying the webhook gets the same reply again.
    """
    if not _signed(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    seen = InboundSms.objects.filter(sid=sid).first() if sid else None
    if seen is not None:
        return _twiml(seen.reply)
    body = request.POST.get("Body", "").strip()
    contacts = _contacts_for(request)
    meaning, reply = _understand(body, [c.pk for c in contacts], contacts)
    if sid:
        InboundSms.objects.get_or_create(
            sid=sid,
            defaults={
                "workspace": contacts[0].workspace if contacts else None,
                "from_number": request.POST.get("From", "")[:32],
                "to_number": request.POST.get("To", "")[:32],
                "body": body,
                "meaning": meaning,
                "reply": reply,
            },
        )
    return _twiml(reply)


def _twiml(text: str) -> HttpResponse:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return HttpResponse(str(reply), content_type="text/xml")


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


# --- Email tracking (anymail) ------------------------------------------------------------------

EMAIL_DELIVERY = {
    "delivered": (Invitation.Delivery.DELIVERED, {"sent", "sending"}),
    "bounced": (Invitation.Delivery.UNDELIVERED, {"sent", "sending", "delivered"}),
    "rejected": (Invitation.Delivery.FAILED, {"sent", "sending"}),
    "failed": (Invitation.Delivery.FAILED, {"sent", "sending"}),
}
# Events that mean "do not email this person again".
EMAIL_CONSENT_WITHDRAWN = {"complained", "unsubscribed"}


def email_tracking_received(sender: object, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Receiver of anymail's ``tracking`` signal (connected in SurveysConfig.ready).

    The invitation is found by the id Pulse put in the message's metadata, else by the ESP's
    message id. Delivery only moves forward, so a repeated event changes nothing more; a
    complaint or unsubscribe also records the contact's email opt-out.
    """
    metadata = getattr(event, "metadata", None) or {}
    invitations = Invitation.objects.filter(channel="email")
    if str(metadata.get("invitation", "")).isdecimal():
        invitations = invitations.filter(pk=int(metadata["invitation"]))
    elif event.message_id:
        invitations = invitations.filter(provider_message_id=event.message_id)
    else:
        return
    state = EMAIL_DELIVERY.get(event.event_type)
    if state is not None:
        delivery, previous = state
        reason = f"{esp_name}: {event.event_type} ({event.reject_reason or 'no reason given'})"
        invitations.filter(delivery__in=previous).update(
            delivery=delivery,
            failure_reason="" if delivery == Invitation.Delivery.DELIVERED else reason[:300],
        )
    if event.event_type in EMAIL_CONSENT_WITHDRAWN:
        Contact.objects.filter(
            pk__in=invitations.values("contact_id"), email_unsubscribed_at=None
        ).update(email_unsubscribed_at=timezone.now())
