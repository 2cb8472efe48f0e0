"""Webhooks from Twilio: delivery status and inbound SMS. Signed, idempotent, CSRF-exempt.

The signature is checked with the SDK's RequestValidator against the public URL Twilio
called, rebuilt from SITE_URL so it matches behind a proxy.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from accounts.models import Contact
from surveys.models import Invitation

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


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not _signed(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    word = request.POST.get("Body", "").strip().upper()
    contacts = _contacts_for(request)
    reply = MessagingResponse()
    ids = [c.pk for c in contacts]
    if word in STOP_WORDS:
        # Twilio itself answers STOP; Pulse records it so no SMS is sent again, even one that
        # is already queued in a wave (the send checks the contact at the last moment).
        Contact.objects.filter(pk__in=ids, sms_opted_out_at=None).update(
            sms_opted_out_at=timezone.now()
        )
        Invitation.objects.filter(contact_id__in=ids, channel="sms").filter(
            Q(delivery=Invitation.Delivery.QUEUED)
        ).update(delivery=Invitation.Delivery.FAILED, failure_reason="opted out of SMS")
    elif word in START_WORDS:
        Contact.objects.filter(pk__in=ids).update(sms_opted_out_at=None)
    elif word in HELP_WORDS:
        name = contacts[0].workspace.public_name if contacts else "Pulse"
        reply.message(f"{name} surveys: reply STOP to stop messages, START to receive them again.")
    else:
        link = _open_link(ids)
        reply.message(
            f"Thanks! To answer, open {link}"
            if link
            else "Reply STOP to stop messages, HELP for help."
        )
    return HttpResponse(str(reply), content_type="text/xml")


def _open_link(contact_ids: list[int]) -> str:
    invitation = (
        Invitation.objects.filter(contact_id__in=contact_ids, delivery__in=["sent", "delivered"])
        .exclude(status=Invitation.Status.ANSWERED)
        .order_by("-sent_at")
        .first()
    )
    return f"{settings.SITE_URL}/r/{invitation.token}" if invitation else ""
