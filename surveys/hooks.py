"""Webhooks: Twilio delivery status and inbound SMS (signed, CSRF-exempt), and the ESPs'
email tracking events, which django-anymail verifies and normalises. Thin edges: what each
report or reply changes is decided in ``surveys.replies``.

The Twilio signature is checked with the SDK's RequestValidator against the public URL Twilio
called, rebuilt from SITE_URL so it matches behind a proxy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from surveys import replies


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
    replies.sms_status_record(
        message_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not _signed(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    text = replies.inbound_sms_handle(
        sid=request.POST.get("MessageSid") or request.POST.get("SmsSid") or "",
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
    )
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return HttpResponse(str(reply), content_type="text/xml")


def email_tracking_received(sender: object, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Receiver of anymail's ``tracking`` signal (connected in SurveysConfig.ready)."""
    metadata = getattr(event, "metadata", None) or {}
    replies.email_event_record(
        invitation_id=str(metadata.get("invitation", "")),
        message_id=event.message_id or "",
        event_type=event.event_type,
        reason=event.reject_reason or "",
        esp_name=esp_name,
    )
